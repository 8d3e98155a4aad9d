// The import-boundary lint of DESIGN.md really rejects wrong-way imports (and accepts right-way ones).

import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { projectRoot } from '../../src/node/artifacts';

const eslint = new ESLint({ cwd: projectRoot });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${projectRoot}/${file}` });
  return result.messages.map((m) => m.message);
}

describe('dependency direction', () => {
  it.each([
    ['src/engine/x.ts', "import { Guest } from '../vm/guest';", 'src/engine must not import from src/vm'],
    ['src/engine/x.ts', "import { run } from '../cli/run';", 'src/engine must not import from src/cli'],
    ['src/cli/x.ts', "import { Guest } from '../vm/guest';", 'src/cli must not import from src/vm'],
    ['src/vm/x.ts', "import { main } from '../cli/main';", 'src/vm must not import from src/cli'],
    ['src/engine/deep/x.ts', "import { V86 } from 'v86';", 'src/engine is pure TypeScript'],
    ['src/app/x.ts', "import App from '../ui/App.svelte';", 'src/app must not import from src/ui'],
  ])('%s: %s is refused', async (file, code, message) => {
    expect((await problems(file, `${code}\nexport {};\n`)).join('\n')).toContain(message);
  });

  it.each([
    ['src/vm/x.ts', "import type { Runtime } from '../engine/runtime';", 'Runtime'],
    ['src/cli/x.ts', "import type { Client } from '../engine/api';", 'Client'],
    ['src/app/x.ts', "import type { Guest } from '../vm/guest';", 'Guest'],
  ])('%s: %s is allowed', async (file, code, name) => {
    expect(await problems(file, `${code}\nexport type Used = ${name};\n`)).toEqual([]);
  });

  it('forbids any in the engine', async () => {
    expect((await problems('src/engine/x.ts', 'export const x: any = 1;\n')).join('\n')).toContain('Unexpected any');
  });
});
