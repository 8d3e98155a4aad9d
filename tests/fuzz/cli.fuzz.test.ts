// Fuzzing docker's argv: the real CLI (runDocker) in process against a Daemon with the fake runtime
// and images, with argv built from the real commands and flag names and values from each option's
// grammar (ports, mounts, env, sizes, durations, restart policies, filters, --format templates).
// Whatever the argv: an exit status, a message on stderr when it is not 0 (docker's `docker: ...` /
// `Error ...` / `unknown flag` text, never a JavaScript TypeError), and a `docker create` that
// failed created nothing (`docker ps -a` unchanged).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { docker, FakeImages } from '../helpers/fake-images';
import { FakeRuntime } from '../helpers/fake-runtime';
import { check } from './budget';

const crashText = /TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable|Maximum call stack|Invalid (typed )?array length|\bNaN\b|\bundefined\b|\[object Object\]/;

function setup(): Daemon {
  const images = new FakeImages({ 'busybox:latest': {}, 'alpine:latest': {} });
  images.add('busybox');
  const daemon = new Daemon({ imageProvider: images, store: new MemoryStore(), runtime: new FakeRuntime(async () => 0), registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock: () => new Date('2026-01-01T00:00:00Z') });
  images.install(daemon);
  return daemon;
}

const valuePieces: Record<string, readonly string[]> = {
  port: ['80', '8080:80', '127.0.0.1:8080:80/udp', '[::1]:80:80', '1-3:1-3', '80/bogus', ':80', '70000', '-1', 'x', '', '0:0'],
  volume: ['/data', 'vol:/data', '/h:/c:ro', 'vol:/data:nocopy,rw', ':/x', '/c:', 'a:b:c:d', '', 'rel:/x'],
  mount: ['type=bind,src=/h,dst=/c', 'type=volume,target=/d,volume-nocopy', 'type=tmpfs,dst=/t,tmpfs-size=1m', 'type=x', 'target', 'type=bind', 'type=image,src=busybox,dst=/i', 'src=/a,dst=/b,readonly=maybe', ''],
  env: ['A=1', 'A', '=x', '', 'A=b=c', 'É=1'],
  label: ['a=b', 'a', '=b', 'a b=c', ''],
  size: ['512m', '1g', '0', '-1', '1x', '1.5k', 'b', '', '99999999999999999999g', '4m'],
  cpus: ['1', '0.5', '1/2', '-1', 'x', '1e1000', '0.0000000001', ''],
  duration: ['1s', '0', '-1s', '1h2m', 'x', '1', '99999999999h', ''],
  restart: ['no', 'always', 'on-failure:3', 'unless-stopped', 'on-failure:x', 'bogus', ':1', ''],
  ulimit: ['nofile=1024:2048', 'nproc=1', 'bogus=1', 'nofile=2:1', 'nofile', ''],
  signal: ['SIGKILL', '9', 'TERM', 'BOGUS', '0', '-1', ''],
  name: ['web', 'a', 'bad name', '/slash', '-x', 'n'.repeat(70), ''],
  filter: ['status=running', 'name=web', 'label=a=b', 'bogus=1', 'before=web', 'reference=busy*', 'reference=[', 'dangling=maybe', 'exited=0', ''],
  format: ['{{.ID}}', 'table {{.Names}}\t{{.Status}}', '{{json .}}', '{{.Nope}}', '{{', '{{range .}}', 'json', 'table', '{{.Config.Env}}', '{{index .Labels "a"}}', ''],
  number: ['1', '0', '-1', 'x', '99999999999999999999', ''],
  network: ['bridge', 'host', 'none', 'nope', 'container:web', ''],
  string: ['x', '', '/', 'root', '1000:1000', '-'],
};
const runFlags: [string, string | undefined][] = [
  ['-p', 'port'], ['--publish', 'port'], ['--expose', 'port'], ['-v', 'volume'], ['--mount', 'mount'], ['-e', 'env'], ['--env', 'env'], ['-l', 'label'], ['--label', 'label'],
  ['--cpus', 'cpus'], ['-m', 'size'], ['--memory', 'size'], ['--memory-swap', 'size'], ['--shm-size', 'size'], ['--restart', 'restart'], ['--ulimit', 'ulimit'], ['--link', 'name'],
  ['--name', 'name'], ['--rm', undefined], ['-d', undefined], ['-t', undefined], ['--network', 'network'], ['-u', 'string'], ['-w', 'string'], ['--entrypoint', 'string'],
  ['--health-cmd', 'string'], ['--health-interval', 'duration'], ['--health-retries', 'number'], ['--stop-signal', 'signal'], ['--stop-timeout', 'number'], ['--pids-limit', 'number'],
  ['--add-host', 'string'], ['--dns', 'string'], ['--cap-add', 'string'], ['--privileged', undefined], ['--tmpfs', 'volume'], ['--init', undefined], ['--hostname', 'name'], ['--read-only', undefined],
  ['--pull', 'string'], ['--log-driver', 'string'], ['--log-opt', 'label'], ['--bogus', undefined], ['-Z', undefined],
];
const listFlags: [string, string | undefined][] = [['-a', undefined], ['-q', undefined], ['--filter', 'filter'], ['-f', 'filter'], ['--format', 'format'], ['--no-trunc', undefined], ['-n', 'number'], ['-s', undefined], ['--digests', undefined], ['--bogus', undefined]];

function flagsFrom(table: readonly [string, string | undefined][]) {
  const flag = fc.tuple(fc.constantFrom(...table), fc.nat(), fc.boolean()).map(([[name, kind], pick, joined]) => {
    if (!kind) return [name];
    const values = valuePieces[kind];
    const value = values[pick % values.length];
    return joined && name.startsWith('--') ? [`${name}=${value}`] : [name, value];
  });
  return fc.array(flag, { maxLength: 4 }).map((flags) => flags.flat());
}

const image = fc.constantFrom('busybox', 'busybox:latest', 'alpine', 'nope', 'UPPER', 'busybox@sha256:x', '', '-');
const command = fc.array(fc.constantFrom('echo', 'hi', 'sh', '-c', 'true'), { maxLength: 2 });

const argv = fc.oneof(
  fc.tuple(fc.constantFrom(['run'], ['create'], ['container', 'create'], ['container', 'run']), flagsFrom(runFlags), image, command).map(([cmd, flags, img, args]) => [...cmd, ...flags, img, ...args]),
  fc.tuple(fc.constantFrom(['ps'], ['images'], ['container', 'ls'], ['image', 'ls'], ['volume', 'ls'], ['network', 'ls']), flagsFrom(listFlags)).map(([cmd, flags]) => [...cmd, ...flags]),
  fc.tuple(fc.constantFrom(['inspect'], ['rm'], ['rm', '-f'], ['stop', '-t'], ['logs'], ['port'], ['rmi'], ['tag', 'busybox'], ['history'], ['volume', 'create'], ['network', 'create'], ['exec'], ['kill', '-s']), fc.array(fc.constantFrom('web', 'busybox', 'nope', '-1', '--format', '{{.Id}}', 'x:y', 'BAD', '', '--bogus'), { maxLength: 3 })).map(([cmd, args]) => [...cmd, ...args]),
);

describe('fuzz: docker argv', () => {
  it('every argv ends in a status and docker’s messages; a rejected create creates nothing', async () => {
    await check(
      'cli-argv',
      fc.asyncProperty(argv, async (args) => {
        const daemon = setup();
        await docker(daemon, ['create', '--name', 'web', 'busybox']);
        const before = await docker(daemon, ['ps', '-a', '--no-trunc']);
        const result = await docker(daemon, args);
        expect(Number.isInteger(result.status) && result.status >= 0 && result.status <= 255).toBe(true);
        expect(result.stderr, result.stderr).not.toMatch(crashText);
        if (result.status !== 0) expect(result.stderr, `status ${result.status}`).not.toBe('');
        const creates = (args[0] === 'create' || (args[0] === 'container' && args[1] === 'create'));
        if (creates && result.status !== 0) {
          expect((await docker(daemon, ['ps', '-a', '--no-trunc'])).stdout).toBe(before.stdout);
        }
      }),
      80,
    );
  });
});
