// A DockerEnv without a terminal for tests and benchmarks: output is collected as text, stdin is
// closed, files are absent. Pass overrides for what a case needs.

import type { EngineClient } from '../../src/cli/client';
import type { DockerEnv } from '../../src/cli/env';

export interface CapturedEnv {
  env: DockerEnv;
  stdout: () => string;
  stderr: () => string;
}

export function captureEnv(client: EngineClient, overrides: Partial<DockerEnv> = {}): CapturedEnv {
  let out = '';
  let err = '';
  const env: DockerEnv = {
    client,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    writeStdout: async (bytes) => void (out += new TextDecoder().decode(bytes)),
    stdin: undefined,
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    rows: 24,
    columns: 80,
    setRawMode: () => undefined,
    onResize: () => () => undefined,
    onSignal: () => () => undefined,
    environment: {},
    readFile: async () => new Uint8Array(0),
    writeFile: async () => undefined,
    now: () => new Date(0),
    ...overrides,
  };
  return { env, stdout: () => out, stderr: () => err };
}
