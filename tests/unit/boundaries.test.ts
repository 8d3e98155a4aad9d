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
    ['src/cli/x.ts', "import { ApiError } from '../engine/api/types';", 'src/cli must not import from src/engine'],
    ['src/cli/deep/x.ts', "import { readTar } from '../../engine/images/tar';", 'src/cli must not import from src/engine'],
    ['src/vm/x.ts', "import { readTar } from '../engine/images/tar';", 'src/vm may import from src/engine only runtime/types'],
    ['src/vm/agent/x.ts', "import { Daemon } from '../../engine/daemon';", 'src/vm may import from src/engine only runtime/types'],
    ['src/api/x.ts', "import { cleanPath } from '../go/path';", 'src/api must not import from src/go'],
    ['src/api/x.ts', "import type { Daemon } from '../engine/daemon';", 'src/api must not import from src/engine'],
    ['src/go/x.ts', "import type { Volume } from '../api';", 'src/go must not import from src/api'],
    ['src/go/x.ts', "import { run } from '../cli/run';", 'src/go must not import from src/cli'],
    ['src/go/x.ts', "import { V86 } from 'v86';", 'src/go is pure TypeScript'],
  ])('%s: %s is refused', async (file, code, message) => {
    expect((await problems(file, `${code}\nexport {};\n`)).join('\n')).toContain(message);
  });

  it.each([
    ['src/vm/x.ts', "import type { Runtime } from '../engine/runtime/types';", 'Runtime'],
    ['src/cli/x.ts', "import type { ContainerSummary } from '../api';", 'ContainerSummary'],
    ['src/cli/deep/x.ts', "import type { PortBinding } from '../../go/path';", 'PortBinding'],
    ['src/vm/agent/x.ts', "import type { Runtime } from '../../engine/runtime/types';", 'Runtime'],
    ['src/vm/x.ts', "import type { TarEntry } from '../go/tar';", 'TarEntry'],
    ['src/engine/x.ts', "import type { HostConfig } from '../api';", 'HostConfig'],
    ['src/engine/deep/x.ts', "import type { Digest } from '../../go/digest';", 'Digest'],
    ['src/app/x.ts', "import type { Guest } from '../vm/guest';", 'Guest'],
    ['src/cli/formatter/x.ts', "import type { Node } from './template/node';", 'Node'],
    ['src/go/x.ts', "import type { Api } from './api';", 'Api'],
  ])('%s: %s is allowed', async (file, code, name) => {
    expect(await problems(file, `${code}\nexport type Used = ${name};\n`)).toEqual([]);
  });

  it.each(['engine', 'cli', 'api', 'go'])('forbids any in src/%s', async (layer) => {
    expect((await problems(`src/${layer}/x.ts`, 'export const x: any = 1;\n')).join('\n')).toContain('Unexpected any');
  });
});
