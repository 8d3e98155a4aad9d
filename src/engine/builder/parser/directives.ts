// Parser directives (`# syntax=`, `# escape=`, `# check=`): only in the comment lines at the very
// top. The first line that is not a directive (another comment, a blank line, an instruction) ends
// them for good, so a directive after it is an ordinary comment.

export type DirectiveName = 'syntax' | 'escape' | 'check';

export interface Directive {
  name: DirectiveName;
  value: string;
  /** 1-based line of the directive. */
  line: number;
}

// Go's \s is [\t\n\f\r ]; its `.` takes everything but \n (JavaScript's would stop at \r too).
const directivePattern = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;

function isDirectiveName(name: string): name is DirectiveName {
  return name === 'syntax' || name === 'escape' || name === 'check';
}

/** buildkit's DirectiveParser: fed every line in order; stops looking after the first non-directive. */
export class DirectiveParser {
  private line = 0;
  private done = false;
  private readonly seen = new Set<string>();

  parseLine(text: string): Directive | undefined {
    this.line++;
    if (this.done) return undefined;
    const match = directivePattern.exec(text);
    const name = match?.[1].toLowerCase();
    if (!match || !name || !isDirectiveName(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new Error(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name, value: match[2], line: this.line };
  }
}
