// docker build through the CLI and an in-process daemon (real image service, MemoryRegistry, a fake
// runtime): the legacy builder's notice, the context upload, .dockerignore, -f, -q, --build-arg and the
// exit status of a failed step; and the .dockerignore matcher on its own.

import { writeTarEntries, type TarEntryInput } from '../../src/go/tar';
import { describe, expect, it } from 'vitest';
import type { LocalArchives } from '../../src/cli/env';
import { runDocker } from '../../src/cli/docker';
import { PatternMatcher, keepBuildFiles, readDockerignore } from '../../src/go/dockerignore';
import { Daemon } from '../../src/engine/daemon';
import type { ImageService } from '../../src/engine/images/service';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { MemoryStore } from '../../src/engine/store';
import { RunLayerRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { cliEnv } from '../helpers/fake-images';
import { until } from '../helpers/wait';

const banner =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n';

const program: FakeProgram = async ({ spec, stdout, signals }) => {
  if (spec.args[2] === 'sleep') {
    await stdout('sleeping\n');
    for await (const signal of signals) if (signal === 9) return { exitCode: 137, signal };
  }
  for (const part of (spec.args[2] ?? '').split('; ')) {
    const exit = /^exit (\d+)$/.exec(part);
    if (exit) return Number(exit[1]);
    if (part.startsWith('echo ')) await stdout(`${part.slice(5)}\n`);
  }
  return 0;
};


/** The client's files: absolute path → content (a trailing '/' makes a directory). */
function localArchives(files: Record<string, string>): LocalArchives {
  const isDir = (path: string) => Object.keys(files).some((name) => name.startsWith(`${path.replace(/\/$/, '')}/`));
  return {
    lstat: async (path) => {
      if (files[path] !== undefined) return { isDir: false, isSymlink: false, isRegular: true, isDevice: false };
      if (isDir(path)) return { isDir: true, isSymlink: false, isRegular: false, isDevice: false };
      return undefined;
    },
    pack: async (dir) => {
      const entries: TarEntryInput[] = [{ name: './', type: '5', mode: 0o755, mtime: 1700000000, uid: 1000, gid: 1000 }];
      for (const [name, content] of Object.entries(files).sort()) {
        if (!name.startsWith(`${dir}/`)) continue;
        const data = new TextEncoder().encode(content);
        entries.push({ name: `./${name.slice(dir.length + 1)}`, type: '0', data, mode: 0o644, mtime: 1700000000, uid: 1000, gid: 1000 });
      }
      return writeTarEntries(entries);
    },
    unpack: async () => undefined,
  };
}

async function setup() {
  const registry = new MemoryRegistry();
  await registry.add('docker.io/library/busybox:latest', {
    files: { 'bin/sh': 'SH' },
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    created: '2025-05-01T00:00:00Z',
  });
  const daemon = new Daemon({ store: new MemoryStore(), runtime: new RunLayerRuntime(program), registry, clock: () => new Date('2026-03-01T10:00:00Z') });
  return { daemon, service: daemon.images as ImageService };
}

async function docker(daemon: Daemon, argv: string[], files: Record<string, string>, environment: Record<string, string> = {}) {
  const fileBytes = new Map(Object.entries(files).map(([name, content]) => [name, new TextEncoder().encode(content)]));
  const { env, out } = cliEnv(daemon, { files: fileBytes, environment: { HOME: '/root', ...environment } });
  env.archives = localArchives(files);
  env.cwd = '/home/me';
  const status = await runDocker(argv, env);
  return { ...out(), status };
}

describe('docker build', () => {
  it('prints the notice, sends the context and shows the legacy output', async () => {
    const { daemon, service } = await setup();
    const files = { '/home/me/ctx/Dockerfile': 'FROM busybox\nCOPY hello.txt /\nRUN echo made it\n', '/home/me/ctx/hello.txt': 'hi\n' };
    const result = await docker(daemon, ['build', '-t', 'myimg', 'ctx'], files);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(banner);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Sending build context to Docker daemon {2}\d\.\d+kB\r\r$/);
    expect(lines[1]).toBe('Step 1/3 : FROM busybox');
    expect(lines[2]).toBe('latest: Pulling from library/busybox');
    expect(lines).toContain('Step 2/3 : COPY hello.txt /');
    expect(lines).toContain('made it');
    const id = (await service.inspect('myimg')).Id as string;
    expect(lines.slice(-3)).toEqual([`Successfully built ${id.slice(7, 19)}`, 'Successfully tagged myimg:latest', '']);
  });

  it('honours .dockerignore but always sends the Dockerfile; -f names another Dockerfile', async () => {
    const { daemon } = await setup();
    const files = {
      '/home/me/ctx/.dockerignore': '# secrets\n*\n!keep.txt\n',
      '/home/me/ctx/Dockerfile': 'FROM busybox\nCOPY secret.txt /\n',
      '/home/me/ctx/keep.txt': 'kept\n',
      '/home/me/ctx/secret.txt': 'nope\n',
      '/home/me/ctx/other.Dockerfile': 'FROM busybox\nCOPY keep.txt /\n',
    };
    const ignored = await docker(daemon, ['build', 'ctx'], files);
    expect(ignored.status).toBe(1);
    expect(ignored.stderr).toBe(`${banner}COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist\n`);
    const other = await docker(daemon, ['build', '-f', 'ctx/other.Dockerfile', 'ctx'], files);
    expect(other.stdout).toContain('Step 2/2 : COPY keep.txt /\n');
    expect(other.status).toBe(0);
  });

  it('exits with the failed RUN\'s code, prints daemon errors, -q prints only the id', async () => {
    const { daemon } = await setup();
    const failing = await docker(daemon, ['build', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nRUN exit 3\n' });
    expect(failing.status).toBe(3);
    expect(failing.stderr).toBe(`${banner}The command '/bin/sh -c exit 3' returned a non-zero code: 3\n`);
    const lable = await docker(daemon, ['build', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nLABLE a=b\n' });
    expect(lable.status).toBe(1);
    expect(lable.stderr).toBe(`${banner}Error response from daemon: dockerfile parse error on line 2: unknown instruction: LABLE (did you mean LABEL?)\n`);
    const compressed = await docker(daemon, ['build', '--compress', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nCOPY Dockerfile /\n' });
    expect(compressed.status).toBe(0);
    expect(compressed.stdout).toMatch(/^Sending build context to Docker daemon +\d+B\r\r\n/);
    const quiet = await docker(daemon, ['build', '-q', '--build-arg', 'X=1', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nARG X\nRUN echo $X\n' });
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const quietFailing = await docker(daemon, ['build', '-q', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nRUN echo visible; exit 2\n' });
    expect(quietFailing.status).toBe(2);
    expect(quietFailing.stdout).toBe('');
    expect(quietFailing.stderr).toMatch(/^DEPRECATED[^]*\n\nSending build context to Docker daemon +[\d.]+kB\r\r\nStep 1\/2 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/2 : RUN echo visible; exit 2\n ---> Running in [0-9a-f]{12}\nvisible\nThe command '\/bin\/sh -c echo visible; exit 2' returned a non-zero code: 2\n$/);
    const missing = await docker(daemon, ['build', 'nowhere'], {});
    expect(missing.stderr).toBe(`${banner}unable to prepare context: path "nowhere" not found\n`);
    const noDockerfile = await docker(daemon, ['build', '/home/me/ctx'], { '/home/me/ctx/a.txt': '' });
    expect(noDockerfile.stderr).toBe(`${banner}unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat /home/me/ctx/Dockerfile: no such file or directory\n`);
  });
});

describe('docker build and Ctrl-C', () => {
  it('cancels the build and exits with 130 without a message', async () => {
    const { daemon } = await setup();
    const files = { '/home/me/ctx/Dockerfile': 'FROM busybox\nRUN sleep\nRUN echo never\n' };
    const { env, out } = cliEnv(daemon, { files: new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])), environment: { HOME: '/root' } });
    env.archives = localArchives(files);
    env.cwd = '/home/me';
    let interrupt: ((signal: string) => void) | undefined;
    env.onSignal = (listener) => {
      interrupt = listener;
      return () => (interrupt = undefined);
    };
    const status = runDocker(['build', 'ctx'], env);
    await until(() => out().stdout.includes('sleeping\n'), 'the RUN step to start');
    interrupt?.('SIGINT');
    expect(await status).toBe(130);
    expect(out().stderr).toBe(banner);
    expect(out().stdout).not.toContain('never');
  });
});

describe('docker builder', () => {
  it('builder build is docker build; builder prune has no BuildKit cache to remove', async () => {
    const { daemon } = await setup();
    const built = await docker(daemon, ['builder', 'build', '-q', '/home/me/ctx'], { '/home/me/ctx/Dockerfile': 'FROM busybox\nLABEL a=b\n' });
    expect(built.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const pruned = await docker(daemon, ['builder', 'prune', '-f'], {});
    expect(pruned).toMatchObject({ status: 0, stdout: 'Total reclaimed space: 0B\n', stderr: banner });
  });
});

describe('.dockerignore', () => {
  it('reads patterns as docker does and matches like patternmatcher', () => {
    expect(readDockerignore('# c\n  /a/b/../c  \n\n!  keep\n**/*.log\r\n')).toEqual(['a/c', '!keep', '**/*.log']);
    const m = new PatternMatcher(['*.txt', '!important.txt', 'tmp', '**/*.log', 'docs/**/draft?']);
    expect(m.matches('a.txt')).toBe(true);
    expect(m.matches('important.txt')).toBe(false);
    expect(m.matches('sub/a.txt')).toBe(false);
    expect(m.matches('tmp/x/y')).toBe(true);
    expect(m.matches('deep/er/x.log')).toBe(true);
    expect(m.matches('x.log')).toBe(true);
    expect(m.matches('docs/a/b/draft1')).toBe(true);
    expect(m.matches('docs/draft12')).toBe(false);
    expect(keepBuildFiles(['*'], 'Dockerfile')).toEqual(['*', '!.dockerignore', '!Dockerfile']);
    expect(keepBuildFiles(['*.md'], 'Dockerfile')).toEqual(['*.md']);
  });
});

describe('docker commit', () => {
  it("keeps -m as the image's comment and the container's Cmd as its history line, as moby's NewChildImage does", async () => {
    const { daemon } = await setup();
    expect((await docker(daemon, ['pull', 'busybox'], {})).status).toBe(0);
    expect((await docker(daemon, ['create', '--name', 'cc', 'busybox', 'echo', 'made'], {})).status).toBe(0);
    const committed = await docker(daemon, ['commit', '-m', 'my message', '-a', 'me', 'cc', 'snap:1'], {});
    expect(committed.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await docker(daemon, ['inspect', '-f', '{{.Comment}}|{{.Author}}|{{.DockerVersion}}', 'snap:1'], {})).stdout).toBe('my message|me|28.2.2\n');
    const history = await docker(daemon, ['history', '--format', '{{.CreatedBy}}|{{.Comment}}', 'snap:1'], {});
    expect(history.stdout.split('\n')[0]).toBe('echo made|my message');
    // without -m the image has no comment
    await docker(daemon, ['commit', 'cc', 'snap:2'], {});
    expect((await docker(daemon, ['inspect', '-f', '{{.Comment}}|{{json .Comment}}', 'snap:2'], {})).stdout).toBe('|""\n');
    expect(await docker(daemon, ['commit', 'cc', 'Snap'], {})).toMatchObject({ status: 1, stderr: 'invalid reference format: repository name (library/Snap) must be lowercase\n' });
  });
});
