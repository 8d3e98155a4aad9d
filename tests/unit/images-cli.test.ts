// The image commands end to end: the docker CLI over the in-process client, the daemon on a
// MemoryStore, a FakeRuntime and an in-memory registry. Outputs are docker v28's.

import { beforeEach, describe, expect, it } from 'vitest';
import { InProcessClient } from '../../src/cli/client';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { Daemon } from '../../src/engine/daemon';
import { TarWriter } from '../../src/go/tar';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime } from '../helpers/fake-runtime';

const encoder = new TextEncoder();
const now = new Date('2025-06-01T12:00:00Z');

interface Harness {
  files: Map<string, Uint8Array>;
  client: InProcessClient;
  run(argv: string[], options?: { stdin?: string | Uint8Array; tty?: boolean }): Promise<{ status: number; stdout: string; stderr: string; bytes: Uint8Array }>;
}

async function harness(): Promise<Harness> {
  const registry = new MemoryRegistry();
  await registry.add('docker.io/library/busybox:latest', {
    files: { 'bin/': '', 'bin/busybox': 'BUSYBOX'.repeat(600_000), 'bin/sh': '->busybox' },
    config: { Cmd: ['sh'] },
    metadataSteps: ['/bin/sh -c #(nop)  CMD ["sh"]'],
    created: '2025-05-01T12:00:00Z',
  });
  await registry.add('docker.io/library/hello-world:latest', { files: { hello: 'hi' }, config: { Cmd: ['/hello'] }, created: '2025-05-25T12:00:00Z' });
  const daemon = new Daemon({ store: new MemoryStore(), runtime: new FakeRuntime(), registry, clock: () => now });
  const client = new InProcessClient((request) => daemon.router.handle(request));
  const files = new Map<string, Uint8Array>();
  return {
    files,
    client,
    async run(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const chunks: Uint8Array[] = [];
      const input = options.stdin === undefined ? undefined : typeof options.stdin === 'string' ? encoder.encode(options.stdin) : options.stdin;
      const env: DockerEnv = {
        client,
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        writeStdout: async (bytes) => void chunks.push(bytes),
        stdin: input
          ? (async function* () {
              yield input;
            })()
          : undefined,
        stdinIsTerminal: options.tty ?? false,
        stdoutIsTerminal: options.tty ?? false,
        rows: 24,
        columns: 80,
        setRawMode: () => {},
        onResize: () => () => {},
        onSignal: () => () => {},
        environment: { HOME: '/root' },
        readFile: async (path) => {
          const data = files.get(path);
          if (!data) throw new Error(`open ${path}: no such file or directory`);
          return data;
        },
        writeFile: async (path, data) => void files.set(path, data),
        now: () => now,
      };
      const status = await runDocker(argv, env);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      return { status, stdout, stderr, bytes };
    },
  };
}

let h: Harness;
beforeEach(async () => {
  h = await harness();
});

describe('docker pull', () => {
  it('prints what docker prints without a terminal', async () => {
    const result = await h.run(['pull', 'busybox']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    const layer = lines[2].split(':')[0];
    expect(layer).toMatch(/^[0-9a-f]{12}$/);
    expect(lines.slice(0, 2)).toEqual(['Using default tag: latest', 'latest: Pulling from library/busybox']);
    expect(lines.slice(2, 6)).toEqual([`${layer}: Pulling fs layer`, `${layer}: Verifying Checksum`, `${layer}: Download complete`, `${layer}: Pull complete`]);
    expect(lines[6]).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    expect(lines.slice(7)).toEqual(['Status: Downloaded newer image for busybox:latest', 'docker.io/library/busybox:latest', '']);
    const quiet = await h.run(['pull', '-q', 'busybox']);
    expect(quiet.stdout).toBe('docker.io/library/busybox:latest\n');
  });

  it('redraws progress lines on a terminal', async () => {
    const result = await h.run(['image', 'pull', 'busybox'], { tty: true });
    expect(result.stdout).toContain('\x1b[2K\r');
    expect(result.stdout).toContain('Pull complete');
  });

  it("fails like docker for a repository that is not there", async () => {
    const result = await h.run(['pull', 'ubuntu:16.04']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "Error response from daemon: pull access denied for ubuntu, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n",
    );
  });
});

describe('docker images, tag, rmi, history, inspect', () => {
  it('lists, tags, removes', async () => {
    await h.run(['pull', 'busybox']);
    await h.run(['pull', 'hello-world']);
    expect((await h.run(['tag', 'busybox', 'me/bb:v1'])).status).toBe(0);
    // the client checks both names first, with docker's wording
    expect(await h.run(['tag', 'busybox', 'MyBox'])).toMatchObject({ status: 1, stderr: 'Error parsing reference: "MyBox" is not a valid repository/tag: invalid reference format: repository name (library/MyBox) must be lowercase\n' });
    expect(await h.run(['tag', 'Busy', 'x'])).toMatchObject({ status: 1, stderr: 'Error parsing reference: "Busy" is not a valid repository/tag: invalid reference format: repository name (library/Busy) must be lowercase\n' });
    expect((await h.run(['tag', 'busybox', 'a b'])).stderr).toBe('Error parsing reference: "a b" is not a valid repository/tag: invalid reference format\n');
    // and so do create, run and commit (not the daemon: no "Error response from daemon")
    expect(await h.run(['create', 'MyBox'])).toMatchObject({ status: 1, stderr: 'invalid reference format: repository name (library/MyBox) must be lowercase\n' });
    expect(await h.run(['run', 'MyBox'])).toMatchObject({ status: 125, stderr: "docker: invalid reference format: repository name (library/MyBox) must be lowercase\n\nRun 'docker run --help' for more information\n" });
    const images = await h.run(['images']);
    const id = (await h.run(['images', '-q', 'busybox'])).stdout.trim();
    const helloId = (await h.run(['images', '-q', 'hello-world'])).stdout.trim();
    expect(images.stdout).toBe(
      'REPOSITORY    TAG       IMAGE ID       CREATED       SIZE\n' +
        `hello-world   latest    ${helloId}   7 days ago    2B\n` +
        `busybox       latest    ${id}   4 weeks ago   4.2MB\n` +
        `me/bb         v1        ${id}   4 weeks ago   4.2MB\n`,
    );
    expect((await h.run(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', 'me/*'])).stdout).toBe('me/bb:v1\n');
    const ambiguous = await h.run(['images', 'ls']);
    expect(ambiguous.stderr).toBe('\nNo images found matching "ls": did you mean "docker image ls"?\n');
    const conflict = await h.run(['rmi', id]);
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toBe(`Error response from daemon: conflict: unable to delete ${id} (must be forced) - image is referenced in multiple repositories\n`);
    expect((await h.run(['rmi', 'me/bb:v1'])).stdout).toBe('Untagged: me/bb:v1\n');
    // a one-layer image: its layer's chain id is its diff id
    const layer = (await h.run(['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', 'busybox'])).stdout.trim();
    const removed = await h.run(['image', 'rm', 'busybox']);
    expect(removed.stdout).toMatch(new RegExp(`^Untagged: busybox:latest\nUntagged: busybox@sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\nDeleted: ${layer}\n$`));
    const missing = await h.run(['rmi', 'nope']);
    expect(missing.stderr).toBe('Error response from daemon: No such image: nope:latest\n');
    expect((await h.run(['rmi', '-f', 'nope'])).status).toBe(0);
  });

  it('shows history with <missing> rows', async () => {
    await h.run(['pull', 'busybox']);
    const id = (await h.run(['images', '-q'])).stdout.trim();
    const history = await h.run(['history', 'busybox']);
    const lines = history.stdout.split('\n');
    expect(lines[0]).toBe('IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT');
    expect(lines[1]).toBe(`${id}   4 weeks ago   /bin/sh -c #(nop)  CMD ["sh"]                   0B        `);
    expect(lines[2]).toMatch(/^<missing>      4 weeks ago   \/bin\/sh -c #\(nop\) ADD file:[0-9a-f]{12} in \/    4\.2MB     $/);
  });

  it('inspects with --format and fails for a missing image', async () => {
    await h.run(['pull', 'busybox']);
    expect((await h.run(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}} {{.Config.Cmd}} {{.Size}}', 'busybox'])).stdout).toBe('linux/386 [sh] 4200007\n');
    const json = JSON.parse((await h.run(['image', 'inspect', 'busybox'])).stdout);
    expect(json[0].RepoTags).toEqual(['busybox:latest']);
    const missing = await h.run(['image', 'inspect', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('[]\n');
    expect(missing.stderr).toBe('Error response from daemon: No such image: nope:latest\n');
  });
});

describe('docker save, load, import, prune', () => {
  it('save to a file, load it back', async () => {
    await h.run(['pull', 'busybox']);
    const id = (await h.run(['images', '-q'])).stdout.trim();
    expect((await h.run(['save', 'busybox'], { tty: true })).stderr).toBe('cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
    expect((await h.run(['save', '-o', '/tmp/bb.tar', 'busybox'])).status).toBe(0);
    const tar = h.files.get('/tmp/bb.tar') as Uint8Array;
    const stdout = await h.run(['save', 'busybox']);
    expect(stdout.bytes.length).toBe(tar.length);
    await h.run(['rmi', 'busybox']);
    const loaded = await h.run(['load', '-i', '/tmp/bb.tar']);
    expect(loaded.stdout).toBe('Loaded image: busybox:latest\n');
    expect((await h.run(['images', '-q'])).stdout.trim()).toBe(id);
    expect((await h.run(['load'], { stdin: tar })).stdout).toBe('Loaded image: busybox:latest\n');
    expect((await h.run(['load'], { tty: true })).stderr).toBe('requested load from stdin, but stdin is empty\n');
  });

  it('imports from stdin and prunes dangling images', async () => {
    const tar = new TarWriter();
    tar.file('etc/hostname', 'imported\n');
    const imported = await h.run(['import', '-c', 'CMD ["sh"]', '-', 'test/ubuntu:v1.0'], { stdin: tar.finish() });
    expect(imported.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await h.run(['images', '--format', '{{.Repository}} {{.Tag}} {{.Size}}'])).stdout).toBe('test/ubuntu v1.0 9B\n');
    await h.run(['tag', 'test/ubuntu:v1.0', 'other:1']);
    await h.run(['rmi', 'test/ubuntu:v1.0']);
    await h.run(['rmi', 'other:1']);
    const tar2 = new TarWriter();
    tar2.file('x', 'y');
    const dangling = (await h.run(['import', '-'], { stdin: tar2.finish() })).stdout.trim();
    expect((await h.run(['images'])).stdout).toContain('<none>       <none>');
    const no = await h.run(['image', 'prune'], { stdin: 'n\n' });
    expect(no.stdout).toBe('WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    const pruned = await h.run(['image', 'prune', '-f']);
    expect(pruned.stdout).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${dangling}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: 1B\n$`));
  });
});

describe('docker search, login, push, logout', () => {
  it('searches and pushes after login', async () => {
    const search = await h.run(['search', 'busybox']);
    expect(search.stdout).toBe('NAME      DESCRIPTION                                     STARS     OFFICIAL\nbusybox   BusyBox 1.35 (Debian\'s busybox-static, i386)…   0         [OK]\n');
    await h.run(['pull', 'busybox']);
    await h.run(['tag', 'busybox', 'alice/bb']);
    const denied = await h.run(['push', 'alice/bb']);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toBe('denied: requested access to the resource is denied\n');
    const login = await h.run(['login', '-u', 'alice', '--password-stdin'], { stdin: 'secret\n' });
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(JSON.parse(new TextDecoder().decode(h.files.get('/root/.docker/config.json')))).toEqual({ auths: { 'https://index.docker.io/v1/': { auth: btoa('alice:secret') } } });
    const push = await h.run(['push', 'alice/bb']);
    expect(push.stdout).toMatch(
      /^Using default tag: latest\nThe push refers to repository \[docker.io\/alice\/bb\]\n[0-9a-f]{12}: Preparing\n[0-9a-f]{12}: Pushed\nlatest: digest: sha256:[0-9a-f]{64} size: \d+\n$/,
    );
    expect((await h.run(['search', 'alice'])).stdout).toContain('alice/bb   Pushed from this browser   0');
    expect((await h.run(['logout'])).stdout).toBe('Removing login credentials for https://index.docker.io/v1/\n');
  });
});

describe('docker login prompts', () => {
  it('asks for the username and the password on a terminal', async () => {
    const result = await h.run(['login', 'registry.example.com'], { stdin: 'bob\nhunter2\n', tty: true });
    expect(result.stdout).toBe('Username: Password: \n');
    expect(result.stderr).toBe('Error response from daemon: Get "https://registry.example.com/v2/": dial tcp: lookup registry.example.com: no such host\n');
    const hub = await h.run(['login'], { stdin: 'bob\nhunter2\n', tty: true });
    expect(hub.stdout).toMatch(/Username: Password: \nLogin Succeeded\n$/);
    const notty = await h.run(['login', '-u', 'bob']);
    expect(notty.stderr).toBe('Error: Cannot perform an interactive login from a non TTY device\n');
  });
});
