// `dockside docker ARGS...`: Dockside's docker CLI in this Node process, talking to the daemon at
// DOCKER_HOST (default unix:///var/run/docker.sock) like docker does — e.g. `dockside serve` elsewhere.

import { readFile, writeFile } from 'node:fs/promises';
import { runDocker } from '../cli/docker';
import type { DockerEnv } from '../cli/env';
import { engineClientForDockerHost } from './net-connection';

async function* stdinChunks(): AsyncIterable<Uint8Array> {
  for await (const chunk of process.stdin) yield chunk as Uint8Array;
}

export async function runDockerCommand(argv: string[]): Promise<number> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) environment[key] = value;
  const stdout = process.stdout;
  const env: DockerEnv = {
    client: engineClientForDockerHost(environment.DOCKER_HOST || 'unix:///var/run/docker.sock'),
    stdout: (text) => void stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    columns: stdout.isTTY ? stdout.columns : undefined,
    writeStdout: (bytes) => new Promise<void>((resolve, reject) => stdout.write(bytes, (error) => (error ? reject(error) : resolve()))),
    stdin: stdinChunks(),
    stdinIsTerminal: Boolean(process.stdin.isTTY),
    stdoutIsTerminal: Boolean(stdout.isTTY),
    rows: stdout.isTTY ? stdout.rows : 24,
    setRawMode: (raw) => {
      if (process.stdin.isTTY) process.stdin.setRawMode(raw);
    },
    onResize: (listener) => {
      const handler = () => listener(stdout.rows, stdout.columns);
      stdout.on('resize', handler);
      return () => stdout.off('resize', handler);
    },
    onSignal: (listener) => {
      const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
        const handler = () => listener(signal);
        process.on(signal, handler);
        return () => process.off(signal, handler);
      });
      return () => handlers.forEach((off) => off());
    },
    environment,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, data) => writeFile(path, data),
    now: () => new Date(),
  };
  return runDocker(argv, env);
}
