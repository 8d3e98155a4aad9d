// PLACEHOLDER until the lesson runtime (branch lesson-runtime) lands: the course index, lesson content,
// progress and sessions the UI reads. Replaced by the adapter over src/lessons.

import type { Lang } from '../../lessons/types';
import type { Guest } from '../../vm/guest';
import type { CourseIndex, CourseProgress, LessonContent, LessonSessionView, StepView } from './model';

export function courseIndex(): CourseIndex {
  return {
    parts: [
      {
        id: '01-docker',
        title: { zh: 'Docker 与守护进程', en: 'Docker and the daemon' },
        lessons: [{ id: '01-docker/01-client-server', title: { zh: '客户端与服务端', en: 'Client and server' }, requiredSteps: ['version', 'info'] }],
      },
    ],
  };
}

export async function loadLesson(id: string, lang: Lang): Promise<LessonContent | undefined> {
  if (id !== '01-docker/01-client-server') return undefined;
  const block = (cmd: string): string =>
    `<div class="code-block" data-kind="run"><pre><code>${cmd}</code></pre><div class="actions"><button type="button" data-action="run">Run</button><button type="button" data-action="copy">Copy</button></div></div>`;
  return {
    id,
    lang,
    title: lang === 'zh' ? '客户端与服务端' : 'Client and server',
    intro: '<p>Placeholder lesson.</p>',
    steps: [
      { id: 'version', title: 'docker version', html: `<p>Ask both sides for their version.</p>${block('docker version')}`, optional: false },
      { id: 'info', title: 'docker info', html: `<p>Ask the daemon about itself.</p>${block('docker info')}`, optional: false },
    ],
    recap: '<p>Recap.</p>',
  };
}

const done = new Map<string, Set<string>>();

export async function loadProgress(): Promise<CourseProgress> {
  return new Map(done);
}

export async function openSession(id: string, guest: Guest): Promise<LessonSessionView> {
  const listeners = new Set<() => void>();
  const finished = done.get(id) ?? new Set<string>();
  done.set(id, finished);
  const ids = ['version', 'info'];
  const encoder = new TextEncoder();
  return {
    steps: (): StepView[] => ids.map((step) => ({ id: step, state: finished.has(step) ? 'done' : 'todo', hints: [], solution: [`docker ${step}`] })),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async run(command) {
      guest.writeConsole(encoder.encode(`${command}\r`));
      finished.add(command.replace('docker ', ''));
      for (const l of listeners) l();
    },
    async writeFile() {},
    async reset() {
      finished.clear();
      for (const l of listeners) l();
    },
    dispose() {
      listeners.clear();
    },
  };
}
