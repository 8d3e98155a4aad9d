// docker's formatter.Context: `--format` is "table", "table TEMPLATE", "json", "raw" (per
// command) or a Go template; rows are rendered one per line, tables through the tab writer with
// a header made by running the same template on the header map with docker's HeaderFunctions.

import { dockerFunctions, headerFunctions, Template, TemplateError } from './template';
import { tabulate } from './tabwriter';

export const tableFormatKey = 'table';
export const rawFormatKey = 'raw';
export const prettyFormatKey = 'pretty';
export const jsonFormatKey = 'json';
export const defaultQuietFormat = '{{.ID}}';
export const jsonFormat = '{{json .}}';

export function isTableFormat(format: string): boolean {
  return format.startsWith(tableFormatKey);
}

export function isJsonFormat(format: string): boolean {
  return format === jsonFormatKey;
}

/**
 * docker's SubHeaderContext: a map from field name to column title. Field access on it reads
 * the map; `.Label "x"` calls the method, so custom label columns get a title too.
 */
export class HeaderContext extends Map<string, string> {
  /** The title for a label column: the last dotted part, '-' and '_' as spaces. */
  Label(name: string): string {
    const parts = name.split('.');
    return parts[parts.length - 1].replace(/[-_]/g, ' ');
  }
}

/** The template text docker runs for a --format value (preFormat). */
export function templateText(format: string): string {
  let text = format;
  if (isTableFormat(text)) text = text.slice(tableFormatKey.length);
  else if (isJsonFormat(text)) text = jsonFormat;
  text = text.replace(/^ +| +$/g, '');
  // docker turns the two-character sequences \t and \n into tab and newline.
  return text.replace(/\\t|\\n/g, (escape) => (escape === '\\t' ? '\t' : '\n'));
}

/** Parses a --format template, with docker's "template parsing error: " prefix on failure. */
export function parseFormat(format: string, name = ''): Template {
  try {
    return Template.parse(templateText(format), dockerFunctions, name);
  } catch (error) {
    throw wrapTemplateError(error);
  }
}

function wrapTemplateError(error: unknown): Error {
  if (error instanceof TemplateError) return new TemplateError(`template parsing error: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * docker's Context.Write: renders `rows` with `format`; a table gets `header` as its first line.
 * Throws docker's "template parsing error: ..." for a bad template or a failing row.
 */
export function renderFormat(format: string, header: HeaderContext, rows: Iterable<unknown>): string {
  const template = parseFormat(format);
  let body = '';
  for (const row of rows) {
    try {
      body += template.execute(row);
    } catch (error) {
      throw wrapTemplateError(error);
    }
    body += '\n';
  }
  if (!isTableFormat(format)) return body;
  let headerLine = '';
  try {
    headerLine = template.withFunctions(headerFunctions).execute(header);
  } catch {
    // docker ignores errors while rendering the header.
  }
  return tabulate(headerLine + '\n' + body);
}
