// The lesson markdown parser (src/lessons/markdown.ts) and the course loader, on the fixture lesson in
// tests/fixtures/lessons (not a lesson of the course).

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseFenceInfo, parseHeading, parseLessonMarkdown, renderCodeBlock, runCommands, splitFrontMatter } from '../../src/lessons/markdown';
import { loadNodeCourse } from '../../src/lessons/node-loader';
import { projectRoot } from '../../src/node/artifacts';

const fixtureRoot = join(projectRoot, 'tests/fixtures/lessons');

/** The attribute values of `name` in html, unescaped as a browser would. */
function attributes(html: string, name: string): string[] {
  const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...html.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((m) => unescape(m[1]));
}

describe('front matter', () => {
  it('reads title and an inline covers list', () => {
    const { front, body } = splitFrontMatter('---\ntitle: "拉取镜像"\ncovers: [img.pull, img.mirror]\n---\n\nText\n', 'x.md');
    expect(front).toEqual({ title: '拉取镜像', covers: ['img.pull', 'img.mirror'] });
    expect(body).toBe('\nText\n');
  });

  it('names the file when the front matter is missing or incomplete', () => {
    expect(() => splitFrontMatter('# no front matter\n', 'lessons/a/b/index.en.md')).toThrow(/lessons\/a\/b\/index.en.md: missing front matter/);
    expect(() => splitFrontMatter('---\ntitle: x\n---\n', 'f.md')).toThrow(/covers is missing/);
    expect(() => splitFrontMatter('---\ncovers: [a]\n---\n', 'f.md')).toThrow(/title is missing/);
  });
});

describe('headings and fences', () => {
  it('reads {#id} and {.recap}', () => {
    expect(parseHeading('Pull an image {#pull}')).toEqual({ title: 'Pull an image', id: 'pull', recap: false });
    expect(parseHeading('Recap {.recap}')).toEqual({ title: 'Recap', id: undefined, recap: true });
    expect(parseHeading('No id')).toEqual({ title: 'No id', recap: false });
  });

  it('reads run and file= from the info string', () => {
    expect(parseFenceInfo('sh run')).toEqual({ language: 'sh', run: true });
    expect(parseFenceInfo('dockerfile file=/root/app/Dockerfile')).toEqual({ language: 'dockerfile', run: false, file: '/root/app/Dockerfile' });
    expect(parseFenceInfo(undefined)).toEqual({ language: '', run: false });
  });

  it('splits a run block into commands, keeping backslash continuations together', () => {
    expect(runCommands('docker pull busybox\n\ndocker run --rm \\\n  busybox echo hi\n')).toEqual(['docker pull busybox', 'docker run --rm \\\n  busybox echo hi']);
  });

  it('gives sh run blocks Run and Copy, with the commands as JSON in an escaped attribute', () => {
    const html = renderCodeBlock(`docker run busybox echo "<hi> & 'x'"\n`, 'sh run', 'en');
    expect(html).toContain('data-kind="run"');
    expect(html).toContain('data-testid="run-command"');
    expect(html).not.toMatch(/<hi>/);
    expect(JSON.parse(attributes(html, 'data-commands')[0])).toEqual([`docker run busybox echo "<hi> & 'x'"`]);
    expect(attributes(html, 'data-copy')).toEqual([`docker run busybox echo "<hi> & 'x'"`]);
    expect(html).toMatch(/>Run<\/button>.*>Copy<\/button>/);
  });

  it('gives sh blocks Copy only, console blocks nothing, and labels in the lesson language', () => {
    const sh = renderCodeBlock('docker info\n', 'sh', 'zh');
    expect(sh).not.toContain('run-command');
    expect(sh).toContain('>复制</button>');
    const console = renderCodeBlock('$ ls\n', 'console', 'en');
    expect(console).toContain('data-kind="plain"');
    expect(console).not.toContain('<button');
  });

  it('gives file= blocks Write file with the path and the content ending in a newline', () => {
    const html = renderCodeBlock('FROM busybox\nLABEL a="b"', 'dockerfile file=/root/app/Dockerfile', 'en');
    expect(attributes(html, 'data-action')).toEqual(['write-file', 'copy']);
    expect(attributes(html, 'data-path')).toEqual(['/root/app/Dockerfile', '/root/app/Dockerfile']);
    expect(attributes(html, 'data-content')).toEqual(['FROM busybox\nLABEL a="b"\n']);
  });
});

describe('a lesson', () => {
  it('splits intro, steps and recap', () => {
    const lesson = parseLessonMarkdown('---\ntitle: T\ncovers: [a.b]\n---\nIntro *here*.\n\n## One `cmd` {#one}\n\nText.\n\n## Two {#two}\n\nMore.\n\n## Recap {.recap}\n\nDone.\n', 'en');
    expect(lesson.title).toBe('T');
    expect(lesson.covers).toEqual(['a.b']);
    expect(lesson.intro).toBe('<p>Intro <em>here</em>.</p>\n');
    expect(lesson.steps.map((s) => s.id)).toEqual(['one', 'two']);
    expect(lesson.steps[0].title).toBe('One <code>cmd</code>');
    expect(lesson.steps[0].html).toBe('<p>Text.</p>\n');
    expect(lesson.recap).toBe('<p>Done.</p>\n');
  });

  it('rejects a step without an id, a bad id, a repeated id, and a recap that is not last', () => {
    const md = (body: string): string => `---\ntitle: T\ncovers: []\n---\n${body}`;
    expect(() => parseLessonMarkdown(md('## Step\n'), 'en', 'f.md')).toThrow(/f.md: step "Step" has no id/);
    expect(() => parseLessonMarkdown(md('## Step {#Bad_Id}\n'), 'en')).toThrow(/must be lowercase/);
    expect(() => parseLessonMarkdown(md('## A {#a}\n## B {#a}\n'), 'en')).toThrow(/appears twice/);
    expect(() => parseLessonMarkdown(md('## R {.recap}\n## A {#a}\n'), 'en')).toThrow(/must be the last/);
  });
});

describe('the course loader on the fixture folder', () => {
  const loaded = loadNodeCourse(fixtureRoot);

  it('indexes parts and lessons with titles in both languages and step ids', () => {
    expect(loaded.course.parts.map((p) => p.id)).toEqual(['01-fixture']);
    const [lesson] = loaded.course.parts[0].lessons;
    expect(lesson).toMatchObject({
      id: '01-fixture/01-hello',
      part: '01-fixture',
      slug: '01-hello',
      title: { zh: '测试课', en: 'A fixture lesson' },
      covers: ['sys.version'],
      steps: ['make-file', 'version', 'write-file', 'interactive'],
    });
    expect(lesson.stepTitles.en[1]).toBe('Ask the daemon <code>docker version</code>');
  });

  it('loads a part with both languages and lesson.ts', async () => {
    const part = await loaded.loadPart('01-fixture');
    const lesson = part.lessons['01-fixture/01-hello'];
    expect(Object.keys(lesson.definition.steps)).toEqual(lesson.summary.steps);
    expect(lesson.content.en.recap).toContain('<a href="https://example.com/notes">the notes</a>');
    expect(lesson.content.zh.steps[0].html).toContain('>运行</button>');
  });
});

describe('lessonActionOf (the UI side of the HTML contract)', () => {
  /** A stand-in for the DOM button a click lands in: dataset as the browser fills it from data-* attributes. */
  function buttonOf(html: string, action: string): { closest: () => unknown; dataset: Record<string, string> } {
    const tag = [...html.matchAll(/<button [^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`data-action="${action}"`));
    if (!tag) throw new Error(`no ${action} button`);
    const dataset: Record<string, string> = {};
    for (const [name, value] of attributeEntries(tag)) {
      if (name.startsWith('data-')) dataset[name.slice(5).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
    }
    const button = { dataset, closest: () => button };
    return button;
  }
  function attributeEntries(tag: string): [string, string][] {
    const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    return [...tag.matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], unescape(m[2])]);
  }

  it('reads Run, Copy and Write file back from rendered blocks', async () => {
    const { lessonActionOf } = await import('../../src/app/tutorial');
    const run = renderCodeBlock('docker run --rm busybox echo "a & b"\ndocker ps\n', 'sh run', 'en');
    expect(lessonActionOf(buttonOf(run, 'run') as unknown as EventTarget)).toEqual({ kind: 'run', commands: ['docker run --rm busybox echo "a & b"', 'docker ps'] });
    expect(lessonActionOf(buttonOf(run, 'copy') as unknown as EventTarget)).toEqual({ kind: 'copy', text: 'docker run --rm busybox echo "a & b"\ndocker ps' });
    const file = renderCodeBlock('FROM busybox\n', 'dockerfile file=/root/app/Dockerfile', 'zh');
    expect(lessonActionOf(buttonOf(file, 'write-file') as unknown as EventTarget)).toEqual({ kind: 'write-file', path: '/root/app/Dockerfile', content: 'FROM busybox\n' });
    expect(lessonActionOf(null)).toBeUndefined();
  });
});
