// The course for the page, rendered at build time: a Vite plugin serving two kinds of virtual module.
//
//   import { course, loadPart } from 'virtual:dockside-lessons';
//     course: CourseIndex: parts, lessons, titles in both languages, covers, step ids (small: it is in
//             the page's first bytes).
//     loadPart(partId): Promise<PartContent>: the part's lessons (HTML in both languages and each
//             lesson.ts) from its own chunk, `virtual:dockside-lessons/part/PART`, loaded on demand.
//
// The markdown is parsed here with markdown.ts (the same code as node-loader.ts), so the page ships
// HTML and no markdown parser. In development a change under lessons/ reloads the page.

import { relative, resolve } from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';
import { readCourse } from './course-files.ts';

export const VIRTUAL_COURSE = 'virtual:dockside-lessons';
const PART_PREFIX = `${VIRTUAL_COURSE}/part/`;
const RESOLVED = `\0${VIRTUAL_COURSE}`;

export interface LessonsPluginOptions {
  /** The lessons/ folder (default: `lessons` under Vite's root). */
  dir?: string;
}

export function dockSideLessons(options: LessonsPluginOptions = {}): Plugin {
  let root = process.cwd();
  let dir = '';
  const lessonsDir = (): string => (dir ||= resolve(root, options.dir ?? 'lessons'));

  const courseModule = (): string => {
    const { index } = readCourse(lessonsDir());
    const loaders = index.parts.map((part) => `  ${JSON.stringify(part.id)}: () => import(${JSON.stringify(PART_PREFIX + part.id)}).then((m) => m.default),`);
    return [
      `export const course = ${JSON.stringify(index)};`,
      'const parts = {',
      ...loaders,
      '};',
      'export function loadPart(id) {',
      '  const load = parts[id];',
      '  if (!load) return Promise.reject(new Error(`no part ${id} in the course`));',
      '  return load();',
      '}',
    ].join('\n');
  };

  const partModule = (partId: string, addWatchFile: (file: string) => void): string => {
    const files = readCourse(lessonsDir());
    const part = files.index.parts.find((p) => p.id === partId);
    if (!part) throw new Error(`${VIRTUAL_COURSE}: no part ${partId}`);
    const imports: string[] = [];
    const entries: string[] = [];
    part.lessons.forEach((summary, i) => {
      const lesson = files.lessons.get(summary.id);
      if (!lesson) return;
      for (const lang of ['zh', 'en']) addWatchFile(resolve(lesson.dir, `index.${lang}.md`));
      const path = `/${relative(root, lesson.definitionFile).split('\\').join('/')}`;
      imports.push(`import lesson${i} from ${JSON.stringify(path)};`);
      entries.push(`  ${JSON.stringify(summary.id)}: { summary: ${JSON.stringify(summary)}, content: ${JSON.stringify(lesson.content)}, definition: lesson${i} },`);
    });
    return [...imports, `export default { part: ${JSON.stringify(partId)}, lessons: {`, ...entries, '} };'].join('\n');
  };

  const reloadOnChange = (server: ViteDevServer): void => {
    server.watcher.add(lessonsDir());
    const onChange = (file: string): void => {
      if (!resolve(file).startsWith(lessonsDir()) || file.endsWith('.ts')) return;
      for (const id of [...server.moduleGraph.idToModuleMap.keys()]) {
        if (id.startsWith(RESOLVED)) {
          const module = server.moduleGraph.getModuleById(id);
          if (module) server.moduleGraph.invalidateModule(module);
        }
      }
      server.ws.send({ type: 'full-reload' });
    };
    server.watcher.on('change', onChange);
    server.watcher.on('add', onChange);
    server.watcher.on('unlink', onChange);
  };

  return {
    name: 'dockside-lessons',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      reloadOnChange(server);
    },
    resolveId(id) {
      if (id === VIRTUAL_COURSE || id.startsWith(PART_PREFIX)) return `\0${id}`;
      return undefined;
    },
    load(id) {
      if (id === RESOLVED) {
        this.addWatchFile(lessonsDir());
        return courseModule();
      }
      if (id.startsWith(`\0${PART_PREFIX}`)) return partModule(id.slice(PART_PREFIX.length + 1), (file) => this.addWatchFile(file));
      return undefined;
    },
  };
}
