// Go's text/tabwriter as docker vendors it (cells measured in display columns), with docker's
// settings by default: minwidth 10, tabwidth 1, padding 3, pad with spaces, no flags.
// Cells end with a tab; the text after a line's last tab is not part of any column. A column
// block is a run of consecutive lines that all have that column, so its width can change where
// a line has fewer cells, exactly as Go formats it.

import { stringWidth } from './width';

interface Cell {
  text: string;
  width: number;
  /** The cell ended with a tab (as opposed to the line's trailing text). */
  tabTerminated: boolean;
}

export interface TabWriterOptions {
  minWidth?: number;
  tabWidth?: number;
  padding?: number;
  padChar?: string;
  /** Go's tabwriter.AlignRight. */
  alignRight?: boolean;
  /** Go's tabwriter.DiscardEmptyColumns. */
  discardEmptyColumns?: boolean;
}

export class TabWriter {
  private lines: Cell[][] = [[]];
  private cellText = '';
  private output = '';
  private widths: number[] = [];
  private readonly minWidth: number;
  private readonly padding: number;
  private readonly padChar: string;
  private readonly tabWidth: number;

  constructor(private readonly options: TabWriterOptions = {}) {
    this.minWidth = options.minWidth ?? 10;
    this.tabWidth = options.tabWidth ?? 1;
    this.padding = options.padding ?? 3;
    this.padChar = options.padChar ?? ' ';
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
        this.cellText += text.slice(start, i);
        start = i + 1;
        const cellCount = this.terminateCell(ch === '\t');
        if (ch === '\n' || ch === '\f') {
          this.lines.push([]);
          // A line with a single cell ends every column block: format what we have so far.
          if (ch === '\f' || cellCount === 1) this.formatAll();
        }
      }
    }
    this.cellText += text.slice(start);
  }

  /** Formats everything written so far (a last line without newline included) and returns it. */
  flush(): string {
    if (this.cellText.length > 0) this.terminateCell(false);
    this.formatAll();
    const out = this.output;
    this.output = '';
    return out;
  }

  private terminateCell(tabTerminated: boolean): number {
    const line = this.lines[this.lines.length - 1];
    line.push({ text: this.cellText, width: stringWidth(this.cellText), tabTerminated });
    this.cellText = '';
    return line.length;
  }

  private formatAll(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  private padding_(textWidth: number, cellWidth: number, useTabs: boolean): string {
    if (this.padChar === '\t' || useTabs) {
      if (this.tabWidth === 0) return '';
      const rounded = Math.ceil(cellWidth / this.tabWidth) * this.tabWidth;
      return '\t'.repeat(Math.ceil((rounded - textWidth) / this.tabWidth));
    }
    return this.padChar.repeat(Math.max(cellWidth - textWidth, 0));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      line.forEach((cell, j) => {
        if (cell.text.length === 0) {
          if (j < this.widths.length) this.output += this.padding_(cell.width, this.widths[j], false);
          return;
        }
        if (!this.options.alignRight) {
          this.output += cell.text;
          if (j < this.widths.length) this.output += this.padding_(cell.width, this.widths[j], false);
        } else {
          if (j < this.widths.length) this.output += this.padding_(cell.width, this.widths[j], false);
          this.output += cell.text;
        }
      });
      // Go writes a newline after every line but the last one of the buffer (still open).
      if (i + 1 < this.lines.length) this.output += '\n';
    }
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= this.lines[current].length - 1) continue;
      // A block of lines with a cell in this column starts here.
      this.writeLines(line0, current);
      line0 = current;
      let width = this.minWidth;
      let discardable = true;
      for (; current < line1; current++) {
        const line = this.lines[current];
        if (column >= line.length - 1) break;
        const cell = line[column];
        width = Math.max(width, cell.width + this.padding);
        if (cell.width > 0 || cell.tabTerminated) discardable = false;
      }
      if (discardable && this.options.discardEmptyColumns) width = 0;
      this.widths.push(width);
      this.format(line0, current);
      this.widths.pop();
      line0 = current;
    }
    this.writeLines(line0, line1);
  }
}

/** Formats `text` through a tab writer with docker's table settings. */
export function tabulate(text: string, options?: TabWriterOptions): string {
  const writer = new TabWriter(options);
  writer.write(text);
  return writer.flush();
}
