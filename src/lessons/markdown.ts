// A lesson's index.{zh,en}.md → LessonContent (title, covers, intro, steps, recap) as HTML.
//
// Markdown is parsed by `marked` (npm): well kept, small, fast, no dependencies, and its lexer gives a
// token list we can walk, so splitting the page at `## ` headings, reading their `{#id}` / `{.recap}`
// attributes and turning a fenced block's info string (`sh run`, `file=/root/app/Dockerfile`) into
// buttons takes a few lines instead of a markdown parser of our own. Only the front matter (the two
// keys `title` and `covers`, see lessons/README.md) is read here by hand.
//
// The HTML of code blocks and their buttons is the contract documented in course.ts.

import { Marked, type Token, type Tokens, type TokensList } from 'marked';
import type { Lang } from './types.ts';
import type { LessonContent, LessonStepContent } from './course.ts';

export class LessonFormatError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'LessonFormatError';
  }
}

export interface FrontMatter {
  title: string;
  covers: string[];
}

const LABELS: Record<Lang, { run: string; copy: string; write: string }> = {
  zh: { run: '运行', copy: '复制', write: '写入文件' },
  en: { run: 'Run', copy: 'Copy', write: 'Write file' },
};

/** Text safe inside HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** Splits `---\n…\n---\n` front matter from the body; reads `title: …` and `covers: [a, b]`. */
export function splitFrontMatter(source: string, file: string): { front: FrontMatter; body: string } {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  if (!match) throw new LessonFormatError(file, 'missing front matter (--- title: … covers: […] ---)');
  let title: string | undefined;
  let covers: string[] | undefined;
  for (const line of match[1].split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (!kv) throw new LessonFormatError(file, `front matter: cannot read line ${JSON.stringify(line)}`);
    const [, key, value] = kv;
    if (key === 'title') title = unquote(value);
    else if (key === 'covers') {
      const list = /^\[(.*)\]$/.exec(value.trim());
      if (!list) throw new LessonFormatError(file, 'front matter: covers must be an inline list, e.g. [img.pull, img.tag]');
      covers = list[1].split(',').map(unquote).filter((id) => id !== '');
    }
  }
  if (!title) throw new LessonFormatError(file, 'front matter: title is missing');
  if (!covers) throw new LessonFormatError(file, 'front matter: covers is missing');
  return { front: { title, covers }, body: text.slice(match[0].length) };
}

/** A fenced block's info string: `sh run`, `sh`, `console`, `dockerfile file=/root/app/Dockerfile`. */
export interface FenceInfo {
  language: string;
  run: boolean;
  file?: string;
}

export function parseFenceInfo(info: string | undefined): FenceInfo {
  const words = (info ?? '').trim().split(/\s+/).filter(Boolean);
  const language = words[0] && !words[0].includes('=') ? words[0] : '';
  const result: FenceInfo = { language, run: false };
  for (const word of words) {
    if (word === 'run') result.run = true;
    else if (word.startsWith('file=')) result.file = unquote(word.slice(5));
  }
  return result;
}

/**
 * The commands of a `sh run` block: each non-empty line is one command; a line ending in `\` goes on
 * on the next line (typed as it is, the shell joins them). Comment lines are kept (the shell ignores them).
 */
export function runCommands(text: string): string[] {
  const commands: string[] = [];
  let current: string | undefined;
  for (const line of text.replace(/\n+$/, '').split('\n')) {
    if (current !== undefined) {
      current += `\n${line}`;
    } else {
      if (line.trim() === '') continue;
      current = line;
    }
    if (!/\\$/.test(line)) {
      commands.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) commands.push(current);
  return commands;
}

function button(action: string, label: string, attributes: Record<string, string>): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  return `<button type="button" class="lesson-action lesson-action-${action}" data-action="${action}"${attrs}>${escapeHtml(label)}</button>`;
}

/** The HTML of one fenced block (see the contract in course.ts). */
export function renderCodeBlock(text: string, info: string | undefined, lang: Lang): string {
  const fence = parseFenceInfo(info);
  const labels = LABELS[lang];
  const body = text.replace(/\n$/, '');
  const codeClass = fence.language ? ` class="language-${escapeHtml(fence.language)}"` : '';
  const pre = `<pre><code${codeClass}>${escapeHtml(body)}</code></pre>`;
  const buttons: string[] = [];
  let kind: string;
  if (fence.file) {
    kind = 'file';
    const content = body.endsWith('\n') ? body : `${body}\n`;
    buttons.push(button('write-file', labels.write, { 'data-testid': 'write-file', 'data-path': fence.file, 'data-content': content }));
    buttons.push(button('copy', labels.copy, { 'data-testid': 'copy', 'data-copy': body }));
  } else if (fence.language === 'sh' && fence.run) {
    kind = 'run';
    buttons.push(button('run', labels.run, { 'data-testid': 'run-command', 'data-commands': JSON.stringify(runCommands(body)) }));
    buttons.push(button('copy', labels.copy, { 'data-testid': 'copy', 'data-copy': body }));
  } else if (['sh', 'bash', 'shell'].includes(fence.language)) {
    kind = 'command';
    buttons.push(button('copy', labels.copy, { 'data-testid': 'copy', 'data-copy': body }));
  } else {
    kind = 'plain';
  }
  const pathAttr = fence.file ? ` data-path="${escapeHtml(fence.file)}"` : '';
  const actions = buttons.length ? `<div class="lesson-code-actions">${buttons.join('')}</div>` : '';
  return `<div class="lesson-code" data-kind="${kind}"${pathAttr}>${pre}${actions}</div>\n`;
}

const HEADING_ATTRS = /\s*\{([^}]*)\}\s*$/;

/** `Title {#id}` → {title, id}; `Recap {.recap}` → {title, recap: true}. */
export function parseHeading(raw: string): { title: string; id?: string; recap: boolean } {
  const match = HEADING_ATTRS.exec(raw);
  if (!match) return { title: raw.trim(), recap: false };
  let id: string | undefined;
  let recap = false;
  for (const attr of match[1].trim().split(/\s+/)) {
    if (attr.startsWith('#')) id = attr.slice(1);
    else if (attr === '.recap') recap = true;
  }
  return { title: raw.slice(0, match.index).trim(), id, recap };
}

function markedFor(lang: Lang): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      code({ text, lang: info }: Tokens.Code): string {
        return renderCodeBlock(text, info, lang);
      },
    },
  });
}

const STEP_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Parses one language's markdown of a lesson. `file` names it in errors. */
export function parseLessonMarkdown(source: string, lang: Lang, file = `index.${lang}.md`): LessonContent {
  const { front, body } = splitFrontMatter(source, file);
  const marked = markedFor(lang);
  const tokens = marked.lexer(body);
  const render = (list: Token[]): string => {
    const withLinks = Object.assign([...list], { links: tokens.links }) as TokensList;
    return marked.parser(withLinks);
  };
  const intro: Token[] = [];
  const sections: { heading: Tokens.Heading; tokens: Token[] }[] = [];
  for (const token of tokens) {
    if (token.type === 'heading' && (token as Tokens.Heading).depth === 2) {
      sections.push({ heading: token as Tokens.Heading, tokens: [] });
    } else if (sections.length) {
      sections[sections.length - 1].tokens.push(token);
    } else {
      intro.push(token);
    }
  }
  const steps: LessonStepContent[] = [];
  let recap: string | undefined;
  const seen = new Set<string>();
  for (const [index, section] of sections.entries()) {
    const heading = parseHeading(section.heading.text);
    const titleHtml = marked.parseInline(heading.title) as string;
    if (heading.recap) {
      if (index !== sections.length - 1) throw new LessonFormatError(file, `the recap section "${heading.title}" must be the last ## section`);
      recap = render(section.tokens);
      continue;
    }
    if (!heading.id) throw new LessonFormatError(file, `step "${heading.title}" has no id: write "## ${heading.title} {#some-id}"`);
    if (!STEP_ID.test(heading.id)) throw new LessonFormatError(file, `step id "${heading.id}" must be lowercase a-z, 0-9 and -`);
    if (seen.has(heading.id)) throw new LessonFormatError(file, `step id "${heading.id}" appears twice`);
    seen.add(heading.id);
    steps.push({ id: heading.id, title: titleHtml, html: render(section.tokens) });
  }
  return { lang, title: front.title, covers: front.covers, intro: render(intro), steps, recap };
}
