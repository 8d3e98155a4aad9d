// The runtime against the real agent in the real guest: namespaces, cgroup limits, freeze, exec, PTYs,
// stdio integrity, networking, teardown, and a malformed frame.

import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { GuestRuntime } from '../../src/vm/runtime';
import type { ProcessIO, ProcessSpec, RuntimeProcess } from '../../src/engine/runtime/types';
import { DEFAULT_CAPABILITIES, containerSpec, type ContainerSpecOptions } from '../../src/engine/containers/spec';
import { FrameKind, encodeFrame } from '../../src/vm/agent/frames';
import { eventually, shared, sh, startGuest } from '../helpers/guest';

const LAYER = '/var/lib/docker/test-layers/busybox';
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const decoder = new TextDecoder();
const encoder = new TextEncoder();

let guest: Guest;
let runtime: GuestRuntime;
let counter = 0;

beforeAll(async () => {
  guest = await startGuest();
  runtime = guest.runtime;
  const setup = await sh(
    guest,
    `mkdir -p ${LAYER}/bin ${LAYER}/etc ${LAYER}/proc ${LAYER}/sys ${LAYER}/dev ${LAYER}/tmp ${LAYER}/root
cp /bin/busybox ${LAYER}/bin/busybox && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done
echo 'root:x:0:0:root:/root:/bin/sh' > ${LAYER}/etc/passwd; echo 'root:x:0:' > ${LAYER}/etc/group`,
  );
  expect(setup.status).toBe(0);
  expect(await runtime.hello()).toMatchObject({ version: 1 });
});
afterAll(async () => {
  await guest?.destroy();
});

function processSpec(args: string[], extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { args, env: [PATH, 'HOME=/root'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false, ...extra };
}

interface Collected {
  stdout: () => string;
  stderr: () => string;
  bytes: () => Uint8Array;
}

function collect(): { io: Pick<ProcessIO, 'stdout' | 'stderr'>; out: Collected } {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const join = (chunks: Uint8Array[]) => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  };
  return {
    io: { stdout: (c) => void stdout.push(c.slice()), stderr: (c) => void stderr.push(c.slice()) },
    out: { stdout: () => decoder.decode(join(stdout)), stderr: () => decoder.decode(join(stderr)), bytes: () => join(stdout) },
  };
}

async function runContainer(
  args: string[],
  options: Partial<ContainerSpecOptions> & { stdin?: boolean; terminal?: boolean } = {},
): Promise<{ id: string; init: RuntimeProcess; out: Collected }> {
  const id = `t${++counter}${'0'.repeat(10)}`;
  const { io, out } = collect();
  const spec = containerSpec({
    id,
    hostname: options.hostname ?? id.slice(0, 12),
    layers: [LAYER],
    netNamespace: 'none',
    ...options,
    process: processSpec(args, { terminal: options.terminal ?? false, rows: 24, cols: 80 }),
  });
  const init = await runtime.create(spec, { ...io, stdin: options.stdin ?? false });
  await runtime.start(id);
  return { id, init, out };
}

async function guestState(): Promise<string> {
  const r = await sh(guest, 'ls /sys/fs/cgroup/docker 2>/dev/null; grep -c overlay /proc/mounts; ip -o link | grep -c veth');
  return r.stdout;
}

describe('containers from the runtime', () => {
  it('runs two containers that each see pid 1, their own hostname and their own mounts', async () => {
    const script = 'echo pid=$$; hostname; touch /tmp/mine-$(hostname); ls /tmp; grep -c " / " /proc/mounts';
    const a = await runContainer(['sh', '-c', script], { hostname: 'alpha' });
    const b = await runContainer(['sh', '-c', script], { hostname: 'beta' });
    expect(await a.init.wait()).toEqual({ exitCode: 0, signal: 0, oomKilled: false });
    expect(await b.init.wait()).toEqual({ exitCode: 0, signal: 0, oomKilled: false });
    expect(a.out.stdout()).toBe('pid=1\nalpha\nmine-alpha\n1\n');
    expect(b.out.stdout()).toBe('pid=1\nbeta\nmine-beta\n1\n');
    await runtime.delete(a.id);
    await runtime.delete(b.id);
  });

  it('reports a command that is not found as a create or start error', async () => {
    const error = await runContainer(['/no/such/program']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOENT', op: 'execve' });
  });

  it('OOM-kills a container over its memory limit, reports it, and the guest lives on', async () => {
    const { id, init } = await runContainer(['sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived'], {
      resources: { memory: 16 * 1024 * 1024 },
    });
    const exit = await init.wait();
    expect(exit.oomKilled).toBe(true);
    expect(exit.exitCode).not.toBe(0);
    await runtime.delete(id);
    expect((await sh(guest, 'echo alive')).stdout).toBe('alive\n');
  }, 180_000); // seconds when the host is idle, more than a minute when it is loaded

  it('stops a fork bomb at pids.max', async () => {
    const { id, init, out } = await runContainer(
      // The bomb runs in a subshell (its failed fork ends only the subshell); the report uses builtins,
      // because once the limit is reached not even `cat` can be started.
      ['sh', '-c', '(while true; do sleep 30 >/dev/null 2>&1 & done) 2>/dev/null; read c < /sys/fs/cgroup/pids.current; read m < /sys/fs/cgroup/pids.max; echo $c; echo $m'],
      { resources: { pidsLimit: 16 } },
    );
    await init.wait();
    const [current, max] = out.stdout().trim().split('\n');
    expect(max).toBe('16');
    // Full but for the bomb's own subshell, which ended when its fork failed: stopped by the limit.
    expect(Number(current)).toBeGreaterThanOrEqual(15);
    expect(Number(current)).toBeLessThanOrEqual(16);
    await runtime.delete(id);
  });

  it('freezes a container: no progress until thawed', async () => {
    const { id, init } = await runContainer(['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; done']);
    const cgroup = `/sys/fs/cgroup/docker/${id}`;
    const count = async () => Number((await sh(guest, `cat /proc/${init.pid}/root/tmp/count 2>/dev/null || echo 0`)).stdout.trim());
    await eventually(async () => ((await count()) > 0 ? true : undefined), 10_000, 'counter');
    await runtime.pause(cgroup);
    const frozenAt = await count();
    await sh(guest, 'sleep 0.3');
    expect(await count()).toBe(frozenAt);
    expect((await runtime.readFiles([`${cgroup}/cgroup.events`]))[`${cgroup}/cgroup.events`]).toMatch(/frozen 1/);
    await runtime.resume(cgroup);
    await eventually(async () => ((await count()) > frozenAt ? true : undefined), 10_000, 'progress after thaw');
    await runtime.killAll(cgroup, 9);
    expect((await init.wait()).signal).toBe(9);
    await runtime.delete(id);
  });

  it('execs into a running container: same hostname, same pid namespace', async () => {
    const { id, init } = await runContainer(['sleep', '1000'], { hostname: 'shared' });
    const { io, out } = collect();
    const exec = await runtime.exec(id, processSpec(['sh', '-c', 'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$']), { ...io, stdin: false });
    expect(await exec.wait()).toMatchObject({ exitCode: 0 });
    const [hostname, pid1, self] = out.stdout().trim().split('\n');
    expect(hostname).toBe('shared');
    expect(pid1.trim()).toBe('sleep 1000');
    expect(Number(self)).toBeGreaterThan(1);
    // As pid 1 of its namespace, sleep ignores SIGTERM (no handler); SIGKILL from outside still works.
    await init.signal(9);
    expect(await init.wait()).toMatchObject({ exitCode: 137, signal: 9 });
    await runtime.delete(id);
  });

  describe('a PTY session', () => {
    const session = shared(async () => {
      const container = await runContainer(['sh'], { terminal: true, stdin: true });
      await container.init.writeStdin(encoder.encode('echo typed-$((6*7))\n'));
      await eventually(async () => (container.out.stdout().includes('typed-42') ? true : undefined), 10_000, 'echo');
      return container;
    });
    const ended = shared(async () => {
      const { id, init, out } = await session();
      await init.resize(33, 101);
      await init.writeStdin(encoder.encode('stty size; exit 3\n'));
      const exit = await init.wait();
      await runtime.delete(id);
      return { exit, stdout: out.stdout() };
    });

    it('echoes keystrokes', async () => {
      expect((await session()).out.stdout()).toContain('echo typed-$((6*7))');
    });

    it('follows a resize', async () => {
      expect((await ended()).stdout).toMatch(/\r\n33 101\r\n/);
    });

    it("ends with the shell's exit status", async () => {
      expect((await ended()).exit).toMatchObject({ exitCode: 3 });
    });
  });

  it('carries 10 MB through stdin to stdout intact', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const { id, init, out } = await runContainer(['cat'], { stdin: true });
    for (let at = 0; at < data.length; at += 256 * 1024) await init.writeStdin(data.subarray(at, at + 256 * 1024));
    await init.closeStdin();
    expect(await init.wait()).toMatchObject({ exitCode: 0 });
    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(out.bytes().length).toBe(data.length);
    expect(sha(out.bytes())).toBe(sha(data));
    await runtime.delete(id);
  });

  it('connects a container to docker0 through a veth pair', async () => {
    const id = `t${++counter}net000000`;
    const { io, out } = collect();
    const spec = containerSpec({
      id,
      hostname: 'net',
      layers: [LAYER],
      network: { bridge: 'docker0', hostVeth: `veth${id.slice(0, 7)}`, address: '172.17.0.42/16', gateway: '172.17.0.1', mac: '02:42:ac:11:00:2a', mtu: 1500 },
      process: processSpec(['sh', '-c', 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; ping -c 1 -W 5 172.17.0.1 >/dev/null && echo reached-gateway']),
    });
    const init = await runtime.create(spec, { ...io, stdin: false });
    expect((await sh(guest, `/usr/sbin/brctl show docker0`)).stdout).toContain(`veth${id.slice(0, 7)}`);
    await runtime.start(id);
    expect(await init.wait()).toMatchObject({ exitCode: 0 });
    expect(out.stdout()).toMatch(/eth0\s+inet 172\.17\.0\.42\/16/);
    expect(out.stdout()).toContain('02:42:ac:11:00:2a');
    expect(out.stdout()).toContain('reached-gateway');
    await runtime.delete(id);
  });

  it('refuses a mount destination that climbs out of the root', async () => {
    const error = await runContainer(['true'], {
      extraMounts: [{ destination: '/../../tmp/escaped', type: 'tmpfs', source: 'tmpfs', options: [] }],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EINVAL', op: 'resolve', path: '/../../tmp/escaped' });
    expect((await sh(guest, 'ls -d /tmp/escaped 2>&1')).stdout).toContain('No such file');
  });

  it('follows an image symlink inside the root, never out to the guest', async () => {
    // An image whose /escape points at an absolute path: the mount must land under the container's root.
    const layer = '/var/lib/docker/test-layers/symlinked';
    await sh(guest, `mkdir -p ${layer} && ln -sfn /tmp/hostside ${layer}/escape && rm -rf /tmp/hostside`);
    const { id, init, out } = await runContainer(['sh', '-c', 'grep -c " /tmp/hostside/inner " /proc/mounts'], {
      layers: [layer, LAYER],
      extraMounts: [{ destination: '/escape/inner', type: 'tmpfs', source: 'tmpfs', options: [] }],
    });
    expect(await init.wait()).toMatchObject({ exitCode: 0 });
    expect(out.stdout()).toBe('1\n');
    expect((await sh(guest, 'ls -d /tmp/hostside/inner 2>&1')).stdout).toContain('No such file');
    await runtime.delete(id);
  });

  describe('the capability bounding set', () => {
    const bounding = async (capabilities: string[] | undefined) => {
      const id = `t${++counter}caps00000`;
      const { io, out } = collect();
      const spec = containerSpec({ id, hostname: 'caps', layers: [LAYER], netNamespace: 'none', process: { ...processSpec(['sh', '-c', 'grep CapBnd /proc/self/status; hostname other 2>&1; echo hostname=$?']), capabilities } });
      const init = await runtime.create(spec, { ...io, stdin: false });
      await runtime.start(id);
      await init.wait();
      await runtime.delete(id);
      return out.stdout();
    };

    it("is docker's default set when the spec lists it, without SYS_ADMIN (no sethostname)", async () => {
      // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT
      // MKNOD AUDIT_WRITE SETFCAP = 0x00000000a80425fb
      const defaults = await bounding(DEFAULT_CAPABILITIES);
      expect(defaults).toContain('CapBnd:\t00000000a80425fb');
      expect(defaults).toContain('hostname=1');
    });

    it('has SYS_ADMIN (and sethostname) when the spec adds it', async () => {
      const withSysAdmin = await bounding([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
      expect(withSysAdmin).toContain('CapBnd:\t00000000a82425fb');
      expect(withSysAdmin).toContain('hostname=0');
    });

    it('is every capability when the spec lists none', async () => {
      expect(await bounding(undefined)).toContain('CapBnd:\t000001ffffffffff');
    });
  });

  describe('create fails, never silently, when a filter cannot be installed', () => {
    const devices = shared(async () => {
      const error = await runContainer(['true'], { deviceFilter: { defaultAllow: false, rules: [{ type: 'x' as 'c', major: 1, minor: 3, access: 'rwm' }] } }).catch((e: unknown) => e);
      return { error, id: `t${counter}${'0'.repeat(10)}` };
    });
    const seccomp = shared(async () => {
      // a classic BPF program that does not end in a return: the kernel refuses it
      const id = `t${++counter}sc000000`;
      const spec = containerSpec({ id, hostname: 'sc', layers: [LAYER], netNamespace: 'none', process: { ...processSpec(['true']), seccomp: new Uint8Array([0x20, 0, 0, 0, 0, 0, 0, 0]) } });
      const error = await runtime.create(spec, { stdin: false }).catch((e: unknown) => e);
      await runtime.delete(id);
      return { error, id };
    });

    it('the devices program', async () => {
      const { error } = await devices();
      expect(error).toMatchObject({ code: 'EINVAL', op: 'bpf' });
      expect((error as Error).message).toContain('bad devices cgroup rules');
    });

    it('the seccomp filter', async () => {
      expect((await seccomp()).error).toMatchObject({ code: 'EINVAL', op: 'seccomp' });
    });

    it('and leaves no cgroup behind', async () => {
      const ids = [(await devices()).id, (await seccomp()).id];
      const left = (await sh(guest, 'ls /sys/fs/cgroup/docker')).stdout.split('\n');
      expect(left).not.toContain(ids[0]);
      expect(left).not.toContain(ids[1]);
    });
  });

  it('tears down leaving no cgroup, mount or veth behind', async () => {
    const before = await guestState();
    const { id, init } = await runContainer(['sleep', '1000']);
    expect(await guestState()).not.toBe(before);
    const exited = init.wait();
    await runtime.delete(id);
    expect((await exited).signal).toBe(9);
    expect(await guestState()).toBe(before);
    await runtime.delete(id); // idempotent
  });
});

describe('layer files', () => {
  it('unpacks a staged layer tarball, turning OCI whiteouts into overlayfs ones', async () => {
    // guest.run keeps stdout as bytes (sh() decodes text).
    const made = await guest.run(
      `rm -rf /tmp/layer && mkdir -p /tmp/layer/a /tmp/layer/b/sub && touch /tmp/layer/a/.wh.gone /tmp/layer/b/.wh..wh..opq
echo data > /tmp/layer/b/sub/f && tar -czf /tmp/layer.tgz -C /tmp/layer . && cat /tmp/layer.tgz`,
    );
    const tarPath = await runtime.stageFile('test-layer.tgz', made.stdout);
    const dir = '/var/lib/docker/overlay2/testlayer/diff';
    await runtime.unpack(tarPath, dir, true);
    await runtime.removeStagedFile('test-layer.tgz');
    // Over a lower layer that has a/gone and b/old, the unpacked layer hides both (whiteout, opaque dir).
    const r = await sh(
      guest,
      `stat -c '%F %t,%T' ${dir}/a/gone; cat ${dir}/b/sub/f; find ${dir} -name '.wh.*' | wc -l
m=/tmp/ovl; mkdir -p $m/low/a $m/low/b $m/merged && touch $m/low/a/gone $m/low/a/kept $m/low/b/old
mount -t overlay overlay -o lowerdir=${dir}:$m/low $m/merged && ls $m/merged/a | tr '\n' ' '; echo; ls $m/merged/b | tr '\n' ' '; echo; umount $m/merged`,
    );
    const [whiteout, data, leftovers, a, b] = r.stdout.split('\n');
    expect(whiteout).toBe('character special file 0,0');
    expect(data).toBe('data');
    expect(leftovers).toBe('0');
    expect(a.trim()).toBe('kept');
    expect(b.trim()).toBe('sub');
  });

  it('packs a directory back with OCI whiteouts and lists its changes like docker diff', async () => {
    const dir = '/var/lib/docker/overlay2/testlayer/diff';
    await runtime.pack(dir, runtime.stagedPath('packed.tar'), ['.'], true);
    const packed = await runtime.readStagedFile('packed.tar');
    await runtime.removeStagedFile('packed.tar');
    const listing = new TextDecoder('latin1').decode(packed);
    expect(listing).toContain('a/.wh.gone');
    expect(listing).toContain('b/.wh..wh..opq');
    const changes = await runtime.changes(dir, [LAYER]);
    expect(changes).toContainEqual({ path: '/a/gone', kind: 2 });
    expect(changes).toContainEqual({ path: '/b/sub/f', kind: 1 });
  });

  it('refuses entries that would land outside the target directory', async () => {
    const made = await guest.run(`rm -rf /tmp/evil && mkdir -p /tmp/evil && cd /tmp/evil && echo x > inside && tar -cf /tmp/evil.tar inside && cat /tmp/evil.tar`);
    // Rewrite the member name to ../escaped (same length as "inside" plus padding rules of ustar).
    const tar = made.stdout.slice();
    const name = new TextEncoder().encode('../escaped');
    tar.fill(0, 0, 100);
    tar.set(name, 0);
    let sum = 0;
    tar.fill(32, 148, 156);
    for (let i = 0; i < 512; i++) sum += tar[i];
    tar.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    const path = await runtime.stageFile('evil.tar', tar);
    await runtime.unpack(path, '/var/lib/docker/overlay2/evil/diff', false).catch(() => undefined);
    await runtime.removeStagedFile('evil.tar');
    const r = await sh(guest, 'ls /var/lib/docker/overlay2/escaped /var/lib/docker/overlay2/evil/escaped 2>&1; ls /var/lib/docker/overlay2/evil/diff');
    expect(r.stdout).toContain("/var/lib/docker/overlay2/escaped: No such file or directory");
  });
});

describe('agent robustness', () => {
  const errorsBefore = shared(async () => guest.agent.protocolErrors.length);
  const garbage = shared(async () => {
    await errorsBefore();
    guest.agent.sendRaw(encoder.encode('this is not a frame at all\n'));
  });
  const replyToBad = shared(async () => {
    await garbage();
    const reply = new Promise<unknown>((resolve) => {
      // Requests normally get ids from the client; this one is ours, so watch the channel for its reply.
      const off = guest.agentTransport().onData((bytes) => {
        if (decoder.decode(bytes).includes('EINVAL')) {
          off();
          resolve(true);
        }
      });
    });
    guest.agent.sendRaw(encodeFrame(FrameKind.Request, 999_999, encoder.encode('{"op": "hello"')));
    return reply;
  });

  it('answers a request that is not JSON with EINVAL', async () => {
    expect(await replyToBad()).toBe(true);
  });

  it('answers an unknown op with ENOSYS', async () => {
    await replyToBad();
    await expect(guest.agent.request('nonsense')).rejects.toMatchObject({ code: 'ENOSYS' });
  });

  it('answers bytes that are not a frame with an ERROR frame', async () => {
    const before = await errorsBefore();
    await garbage();
    await eventually(async () => (guest.agent.protocolErrors.length > before ? true : undefined), 5_000, 'ERROR frame');
  });

  it('keeps serving after all that', async () => {
    await replyToBad();
    expect(await runtime.hello()).toMatchObject({ version: 1 });
    const { io, out } = collect();
    const p = await runtime.spawn(processSpec(['echo', 'still here']), { ...io, stdin: false });
    expect(await p.wait()).toMatchObject({ exitCode: 0 });
    expect(out.stdout()).toBe('still here\n');
  });
});
