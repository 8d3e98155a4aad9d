// npm run lesson:check -- 02-images/01-pull [more lessons or parts…] [--lang zh] [--fixtures]
// Restores a guest and runs lessons through the solution bot: setup, then for every step the check
// must fail, the solution is typed into the terminal, the check must pass. Prints PASS/FAIL per step
// with what is missing and the end of the terminal; exits 1 when a step failed. A part id
// (`02-images`) runs all of its lessons in order, in one guest. --fixtures reads tests/fixtures/lessons.

import { join } from 'node:path';
import { loadNodeCourse } from '../src/lessons/node-loader';
import type { Lang } from '../src/lessons/types';
import { projectRoot } from '../src/node/artifacts';
import { startLessonMachine } from '../src/node/lesson-machine';
import { runStep, screenTail, setUpLesson } from '../tests/helpers/solution-bot';

const args = process.argv.slice(2);
let lang: Lang = 'en';
let root: string | undefined;
const targets: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--lang') lang = args[++i] === 'zh' ? 'zh' : 'en';
  else if (arg === '--fixtures') root = join(projectRoot, 'tests/fixtures/lessons');
  else if (arg === '--help' || arg === '-h') {
    console.log('usage: npm run lesson:check -- PART[/LESSON]… [--lang zh|en] [--fixtures]');
    process.exit(0);
  } else targets.push(arg.replace(/^lessons\//, '').replace(/\/+$/, ''));
}
if (targets.length === 0) {
  console.error('usage: npm run lesson:check -- PART[/LESSON]… [--lang zh|en] [--fixtures]   e.g. 02-images/01-pull');
  process.exit(2);
}

const course = loadNodeCourse(root);
const lessonIds: string[] = [];
for (const target of targets) {
  const part = course.course.parts.find((p) => p.id === target);
  if (part) {
    if (part.lessons.length === 0) console.error(`${target}: no lessons yet`);
    lessonIds.push(...part.lessons.map((l) => l.id));
  } else if (course.files.lessons.has(target)) {
    lessonIds.push(target);
  } else {
    console.error(`no lesson or part ${target} (have: ${course.course.parts.flatMap((p) => [p.id, ...p.lessons.map((l) => l.id)]).join(', ')})`);
    process.exit(2);
  }
}

const started = Date.now();
console.log('restoring the guest…');
const machine = await startLessonMachine({ lang });
let failed = 0;
let passed = 0;
try {
  for (const id of lessonIds) {
    const lesson = await course.loadLesson(id);
    console.log(`\n${id}  ${lesson.summary.title[lang]}`);
    try {
      await setUpLesson(machine, lesson);
      console.log('  setup              ok');
    } catch (error) {
      failed++;
      console.log(`  setup              FAIL  ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const stepId of lesson.summary.steps) {
      const verdict = await runStep(machine, lesson, stepId, { lang });
      const seconds = `${(verdict.ms / 1000).toFixed(1)} s`;
      if (verdict.ok) {
        passed++;
        console.log(`  ${stepId.padEnd(18)} PASS  (${seconds})`);
      } else {
        failed++;
        console.log(`  ${stepId.padEnd(18)} FAIL  ${verdict.stage}: ${verdict.reason}  (${seconds})`);
        const screen = screenTail(verdict.screen, 12);
        if (screen) console.log(screen.replace(/^/gm, '      | '));
      }
    }
  }
} finally {
  await machine.dispose();
}
console.log(`\n${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed ? 1 : 0);
