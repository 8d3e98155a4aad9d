// A learner's machine in Node for the solution bot and `npm run lesson:check`: a restored guest, the
// engine on it (memory store, bundled images), the learner's console attached at a terminal size and
// at its prompt, and the LessonEnv of the lessons, wired exactly as the page wires them.

import type { DocksideEngine } from '../app/engine';
import { GuestConsole } from '../app/guest-console';
import { MachineLessonEnv } from '../app/lesson-env';
import type { Guest } from '../vm/guest';
import { startNodeGuest } from './artifacts';
import { startNodeEngine } from './sh';

export interface LessonMachine {
  guest: Guest;
  engine: DocksideEngine;
  console: GuestConsole;
  env: MachineLessonEnv;
  dispose(): Promise<void>;
}

export async function startLessonMachine(options: { lang?: 'zh' | 'en'; cols?: number; rows?: number; onConsole?: (data: Uint8Array) => void } = {}): Promise<LessonMachine> {
  const guest = await startNodeGuest('restore');
  try {
    const engine = await startNodeEngine(guest);
    const console = new GuestConsole(guest, guest);
    const off = options.onConsole ? guest.onConsoleData(options.onConsole) : () => undefined;
    const env = new MachineLessonEnv({ engine, guest, console, lang: options.lang });
    guest.attachConsole(options.cols ?? 120, options.rows ?? 40);
    await console.waitForPrompt({ timeoutMs: 30_000 });
    return {
      guest,
      engine,
      console,
      env,
      async dispose() {
        off();
        env.dispose();
        console.dispose();
        await engine.dispose();
        await guest.destroy();
      },
    };
  } catch (error) {
    await guest.destroy();
    throw error;
  }
}
