// docker cp (docker/cli container/cp.go): between the client's files and a container, through the
// archive endpoints (tar). Files are copied both ways; directories from a container are written file by
// file, directories to a container are not supported by the client environment yet.

import { defineCommand, exactArgs, type BoolValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, errorFrom } from './util';

interface TarEntry {
  name: string;
  type: string;
  mode: number;
  data: Uint8Array;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const text = (start: number, length: number) => {
      let end = start;
      while (end < start + length && header[end] !== 0) end++;
      return decoder.decode(header.subarray(start, end));
    };
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = text(345, 155);
    let name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const data = tar.slice(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = decoder.decode(data).replace(/\0+$/, '');
      continue;
    }
    if (type === 'x' || type === 'g') {
      const match = /\d+ path=([^\n]*)\n/.exec(decoder.decode(data));
      if (match) longName = match[1];
      continue;
    }
    if (longName) {
      name = longName;
      longName = undefined;
    }
    entries.push({ name, type, mode: parseInt(text(100, 8).trim() || '0', 8), data });
  }
  return entries;
}

export function writeTar(entries: { name: string; data: Uint8Array; mode: number }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const header = new Uint8Array(512);
    const put = (text: string, offset: number, length: number) => header.set(encoder.encode(text).subarray(0, length), offset);
    put(entry.name, 0, 100);
    put(entry.mode.toString(8).padStart(7, '0'), 100, 8);
    put('0000000', 108, 8);
    put('0000000', 116, 8);
    put(entry.data.length.toString(8).padStart(11, '0'), 124, 12);
    put(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0'), 136, 12);
    put('        ', 148, 8);
    header[156] = 48;
    put('ustar', 257, 6);
    put('00', 263, 2);
    const sum = header.reduce((n, b) => n + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header, entry.data, new Uint8Array((512 - (entry.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const block of blocks) {
    out.set(block, at);
    at += block.length;
  }
  return out;
}

function splitContainerPath(arg: string): [string, string] | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const colon = arg.indexOf(':');
  if (colon <= 0) return undefined;
  return [arg.slice(0, colon), arg.slice(colon + 1)];
}

export function cpCommand() {
  return defineCommand<{ followLink: BoolValue; archive: BoolValue; quiet: BoolValue }, DockerEnv>({
    use: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    short: 'Copy files/folders between a container and the local filesystem',
    long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
    aliasesText: 'docker container cp, docker cp',
    args: exactArgs(2),
    flags: (flags) => ({
      followLink: flags.bool('follow-link', 'L', false, 'Always follow symbol link in SRC_PATH'),
      archive: flags.bool('archive', 'a', false, 'Archive mode (copy all uid/gid information)'),
      quiet: flags.bool('quiet', 'q', false, 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached'),
    }),
    run: async ({ args, env }) => {
      const source = splitContainerPath(args[0]);
      const destination = splitContainerPath(args[1]);
      if (args[0] === '') throw new Error('source can not be empty');
      if (args[1] === '') throw new Error('destination can not be empty');
      if (source && destination) throw new Error('copying between containers is not supported');
      if (!source && !destination) throw new Error('must specify at least one container source');
      if (source) {
        const [container, path] = source;
        const response = await env.client.request('GET', `/containers/${enc(container)}/archive`, { query: { path } });
        if (response.status >= 400) throw await errorFrom(response);
        const tar = await response.bytes();
        if (args[1] === '-') {
          await env.writeStdout(tar);
          return;
        }
        const entries = readTar(tar).filter((entry) => entry.type === '0' || entry.type === '\0');
        const single = entries.length === 1 && !readTar(tar).some((entry) => entry.type === '5');
        for (const entry of entries) {
          let target: string;
          if (single) target = args[1].endsWith('/') ? `${args[1]}${entry.name.split('/').pop()}` : args[1];
          else target = `${args[1].replace(/\/$/, '')}/${entry.name.split('/').slice(1).join('/')}`;
          await env.writeFile(target, entry.data);
        }
        if (!env.stdoutIsTerminal) return;
        const total = entries.reduce((n, e) => n + e.data.length, 0);
        env.stderr(`Successfully copied ${total}B to ${args[1]}\n`);
        return;
      }
      const [container, path] = destination!;
      let tar: Uint8Array;
      let target = path;
      if (args[0] === '-') {
        const chunks: Uint8Array[] = [];
        for await (const chunk of env.stdin ?? []) chunks.push(chunk);
        tar = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const chunk of chunks) {
          tar.set(chunk, at);
          at += chunk.length;
        }
      } else {
        let data: Uint8Array;
        try {
          data = await env.readFile(args[0]);
        } catch {
          throw new Error(`stat ${args[0]}: no such file or directory`);
        }
        let name = args[0].split('/').pop() ?? args[0];
        const head = await env.client.request('HEAD', `/containers/${enc(container)}/archive`, { query: { path } });
        const statHeader = head.headers['x-docker-container-path-stat'];
        let isDir = path.endsWith('/');
        if (head.status < 400 && statHeader) {
          const stat = JSON.parse(atob(statHeader)) as { mode: number };
          isDir = (stat.mode & 0x80000000) !== 0;
        }
        if (!isDir) {
          const slash = path.lastIndexOf('/');
          target = slash <= 0 ? '/' : path.slice(0, slash);
          name = path.slice(slash + 1);
        }
        tar = writeTar([{ name, data, mode: 0o644 }]);
      }
      await call(env, 'PUT', `/containers/${enc(container)}/archive`, { query: { noOverwriteDirNonDir: 'true', path: target }, body: tar });
    },
  });
}
