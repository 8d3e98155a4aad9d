// Containers in the real guest through the docker CLI: an in-process client over a Daemon whose runtime
// is the guest's agent and whose images come from a busybox layer built in the guest. One test, one
// behaviour: the tests that check one command share its result (shared()), in file order.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { Daemon } from '../../src/engine/daemon';
import { BUSYBOX_LAYER, guestDaemon } from '../helpers/guest-daemon';
import { docker, type FakeImages } from '../helpers/fake-images';
import { eventually, shared, sh, startGuest } from '../helpers/guest';
import { ByteQueue } from '../../src/cli/client';

let guest: Guest;
let daemon: Daemon;
let images: FakeImages;

beforeAll(async () => {
  guest = await startGuest();
  ({ daemon, images } = await guestDaemon(guest, { images: { 'busybox:latest': { config: { Cmd: ['sh'] }, layerDirs: [BUSYBOX_LAYER], size: 1_000_000 } } }));
});

afterAll(async () => {
  await guest?.destroy();
});

const encoder = new TextEncoder();
const run = (...argv: string[]) => docker(daemon, ['run', '--rm', ...argv]);

describe('docker run in the guest', () => {
  const hi = shared(() => run('busybox', 'echo', 'hi'));

  it('docker run --rm busybox echo hi prints hi and exits 0', async () => {
    expect(await hi()).toMatchObject({ stdout: 'hi\n', status: 0 });
  });

  it('--rm leaves no container behind', async () => {
    await hi();
    expect((await docker(daemon, ['ps', '-aq'])).stdout).toBe('');
  });

  it('every container has an empty /.dockerenv, which docker diff does not list', async () => {
    const made = await docker(daemon, ['run', '--name', 'envfile', 'busybox', 'stat', '-c', '%s %a', '/.dockerenv']);
    expect(made).toMatchObject({ stdout: '0 755\n', status: 0 });
    expect(await docker(daemon, ['diff', 'envfile'])).toMatchObject({ stdout: '', status: 0 });
    await docker(daemon, ['rm', 'envfile']);
  });

  it('a command that does not exist exits 127 with docker\'s message', async () => {
    const result = await run('busybox', 'nosuchcommand');
    expect(result.status).toBe(127);
    expect(result.stderr).toContain('executable file not found in $PATH');
  });
});

describe('docker start -a of a container that already ran', () => {
  it('attaches before the start: the second run\'s output and exit status come through', async () => {
    const first = await docker(daemon, ['run', '--name', 'rerun', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect(first).toMatchObject({ stdout: 'out\n', status: 4 });
    expect(first.stderr).toMatch(/(^|\n)err\n$/); // after the pull's lines when busybox is pulled first
    expect(await docker(daemon, ['start', '-a', 'rerun'])).toMatchObject({ stdout: 'out\n', stderr: 'err\n', status: 4 });
    await docker(daemon, ['rm', 'rerun']);
  });
});

describe('--pid, --ipc and --uts host in the guest', () => {
  const ns = async (kind: string, ...flags: string[]) => (await run(...flags, 'busybox', 'readlink', `/proc/self/ns/${kind}`)).stdout;
  const guestNs = async (kind: string) => `${(await sh(guest, `readlink /proc/self/ns/${kind}`)).stdout.trim()}\n`;

  it("--pid=host: the container is in the guest's pid namespace", async () => {
    expect(await ns('pid', '--pid=host')).toBe(await guestNs('pid'));
  });

  it('without it, a pid namespace of its own', async () => {
    expect(await ns('pid')).not.toBe(await guestNs('pid'));
  });

  it("--ipc=host: the guest's ipc namespace", async () => {
    expect(await ns('ipc', '--ipc=host')).toBe(await guestNs('ipc'));
  });

  it("--uts=host: the guest's uts namespace, so its hostname", async () => {
    expect((await run('--uts=host', 'busybox', 'hostname')).stdout).toBe((await sh(guest, 'hostname')).stdout);
  });
});

describe('capabilities in the guest', () => {
  const hostname = (...flags: string[]) => run(...flags, 'busybox', 'sh', '-c', 'hostname renamed 2>/dev/null; echo $?; grep CapBnd /proc/self/status');

  it("gives containers docker's default capabilities: no CAP_SYS_ADMIN, so no sethostname", async () => {
    expect((await hostname()).stdout).toBe('1\nCapBnd:\t00000000a80425fb\n');
  });

  it('--cap-add SYS_ADMIN adds it, for real', async () => {
    expect((await hostname('--cap-add', 'SYS_ADMIN')).stdout).toBe('0\nCapBnd:\t00000000a82425fb\n');
  });

  it('--privileged gives every capability', async () => {
    expect((await hostname('--privileged')).stdout).toBe('0\nCapBnd:\t000001ffffffffff\n');
  });

  it('--cap-drop chown takes chown away', async () => {
    expect((await run('--cap-drop', 'chown', 'busybox', 'sh', '-c', 'touch /f && chown 1 /f; echo $?')).stdout).toBe('1\n');
  });

  it("an unknown --cap-add fails with docker's error and 125", async () => {
    const unknown = await run('--cap-add', 'foo', 'busybox', 'true');
    expect(unknown.stderr).toContain('Error response from daemon: invalid CapAdd: unknown capability: "CAP_FOO"');
    expect(unknown.status).toBe(125);
  });
});

describe('no-new-privileges in the guest (the kernel flag)', () => {
  it('is off by default', async () => {
    expect((await run('busybox', 'grep', 'NoNewPrivs', '/proc/self/status')).stdout).toBe('NoNewPrivs:\t0\n');
  });

  it('--security-opt no-new-privileges sets it for the container', async () => {
    expect((await run('--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status')).stdout).toBe('NoNewPrivs:\t1\n');
  });

  it("a container's execs have it too (no-new-privileges:true)", async () => {
    await docker(daemon, ['run', '-d', '--name', 'nnp', '--security-opt', 'no-new-privileges:true', 'busybox', 'sleep', '1000']);
    try {
      expect((await docker(daemon, ['exec', 'nnp', 'grep', 'NoNewPrivs', '/proc/self/status'])).stdout).toBe('NoNewPrivs:\t1\n');
    } finally {
      await docker(daemon, ['rm', '-f', 'nnp']);
    }
  });
});

describe('seccomp in the guest', () => {
  it("applies docker's default profile: unshare is denied", async () => {
    const denied = await run('busybox', 'sh', '-c', 'grep "^Seccomp:" /proc/self/status; unshare -U true');
    expect(denied.stdout).toBe('Seccomp:\t2\n');
    expect(denied.stderr).toContain('Operation not permitted');
    expect(denied.status).not.toBe(0);
  });

  it('seccomp=unconfined installs no filter', async () => {
    const unconfined = await run('--security-opt', 'seccomp=unconfined', 'busybox', 'sh', '-c', 'grep "^Seccomp:" /proc/self/status; unshare -U true && echo ok');
    expect(unconfined).toMatchObject({ stdout: 'Seccomp:\t0\nok\n', status: 0 });
  });

  it('--privileged turns it off', async () => {
    expect((await run('--privileged', 'busybox', 'sh', '-c', 'unshare -U true && echo ok')).stdout).toBe('ok\n');
  });

  it('follows the capabilities: CAP_SYS_ADMIN brings unshare', async () => {
    expect((await run('--cap-add', 'SYS_ADMIN', 'busybox', 'sh', '-c', 'unshare -U true && echo ok')).stdout).toBe('ok\n');
  });

  it('passes a rule on an argument: personality(PER_LINUX32)', async () => {
    expect((await run('busybox', 'linux32', 'uname', '-m')).stdout).toBe('i686\n');
  });

  it('filters -u 1000 too (installed while the agent\'s child still has CAP_SYS_ADMIN)', async () => {
    const user = await run('-u', '1000', 'busybox', 'sh', '-c', 'id -u; grep "^Seccomp" /proc/self/status; unshare -U true 2>&1');
    expect(user.stdout).toMatch(/^1000\nSeccomp:\t2\nSeccomp_filters:\t1\n.*Operation not permitted\n$/);
  });

  it('filters -u 1000 with no-new-privileges', async () => {
    const nnp = await run('-u', '1000', '--security-opt', 'no-new-privileges', 'busybox', 'sh', '-c', 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status');
    expect(nnp.stdout).toBe('NoNewPrivs:\t1\nSeccomp:\t2\n');
  });

  it("gives docker exec the container's filter", async () => {
    await docker(daemon, ['run', '-d', '--name', 'sc', 'busybox', 'sleep', '1000']);
    try {
      const exec = await docker(daemon, ['exec', 'sc', 'sh', '-c', 'grep "^Seccomp:" /proc/self/status; unshare -U true']);
      expect(exec.stdout).toBe('Seccomp:\t2\n');
      expect(exec.stderr).toContain('Operation not permitted');
    } finally {
      await docker(daemon, ['rm', '-f', 'sc']);
    }
  });

  it('applies a profile of our own: mkdir gets EACCES, the rest is allowed', async () => {
    const files = new Map([['/tmp/nomkdir.json', encoder.encode(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }))]]);
    const custom = await docker(daemon, ['run', '--rm', '--security-opt', 'seccomp=/tmp/nomkdir.json', 'busybox', 'sh', '-c', 'mkdir /x; echo $?; unshare -U true && echo unshared'], { files });
    expect(custom.stderr).toBe("mkdir: can't create directory '/x': Permission denied\n");
    expect(custom.stdout).toBe('1\nunshared\n');
  });

  it("refuses a profile the runtime cannot use with runc's error and 125", async () => {
    const bad = await docker(daemon, ['run', '--rm', '--security-opt', 'seccomp=/tmp/bad.json', 'busybox', 'true'], { files: new Map([['/tmp/bad.json', encoder.encode('{"defaultAction":"SCMP_ACT_DENY"}')]]) });
    expect(bad.stderr).toContain('Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: string SCMP_ACT_DENY is not a valid action for seccomp: unknown');
    expect(bad.status).toBe(125);
  });
});

describe('the devices cgroup in the guest', () => {
  const block = shared(() => run('busybox', 'sh', '-c', 'mknod /tmp/sda b 8 0 && echo made; head -c 1 /tmp/sda; cat /dev/null && echo null-ok'));

  it('lets a container mknod', async () => {
    expect((await block()).stdout).toMatch(/^made\n/);
  });

  it('does not let it open a node docker did not allow', async () => {
    expect((await block()).stderr).toBe('head: /tmp/sda: Operation not permitted\n');
  });

  it('lets it open the nodes docker allows (/dev/null)', async () => {
    expect((await block()).stdout).toMatch(/\nnull-ok\n$/);
  });

  it('--privileged allows every node', async () => {
    const privileged = await run('--privileged', 'busybox', 'sh', '-c', 'mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda');
    expect(privileged.stderr).not.toContain('Operation not permitted'); // the kernel itself has no such disk
  });

  it('--device ...:r allows reading and not writing', async () => {
    const serial = await run('--device', '/dev/ttyS1:/dev/ttyS1:r', 'busybox', 'sh', '-c', 'exec 3</dev/ttyS1 && echo read-ok; echo x >/dev/ttyS1 && echo write-ok');
    expect(serial.stdout).toBe('read-ok\n');
    expect(serial.stderr).toBe('sh: can\'t create /dev/ttyS1: Operation not permitted\n');
  });

  it('--device ...:rw allows both', async () => {
    const writable = await run('--device', '/dev/ttyS1:/dev/ttyS1:rw', 'busybox', 'sh', '-c', 'exec 3</dev/ttyS1 && echo read-ok; exec 4>/dev/ttyS1 && echo write-ok');
    expect(writable.stdout).toBe('read-ok\nwrite-ok\n');
  });

  it('--privileged overrides the permissions of a --device', async () => {
    const all = await run('--privileged', '--device', '/dev/ttyS1:/dev/ttyS1:r', 'busybox', 'sh', '-c', 'exec 4>/dev/ttyS1 && echo write-ok');
    expect(all.stdout).toBe('write-ok\n');
  });
});

describe('device nodes in the guest', () => {
  const privileged = shared(() => run('--privileged', 'busybox', 'sh', '-c', 'stat -c "%t:%T" /dev/ttyS2; ls /dev/console 2>&1'));

  it("--privileged puts the host's device nodes in the container's /dev, with their numbers", async () => {
    const hostNumbers = (await sh(guest, 'stat -c "%t:%T" /dev/ttyS2')).stdout;
    expect(hostNumbers).toBe('4:42\n');
    expect((await privileged()).stdout).toMatch(new RegExp(`^${hostNumbers}`));
  });

  it('--privileged leaves out the console', async () => {
    expect((await privileged()).stdout).toMatch(/\nls: \/dev\/console: No such file or directory\n$/);
  });

  it('without --privileged, /dev has none of them', async () => {
    expect((await run('busybox', 'sh', '-c', 'ls /dev/ttyS2 2>&1')).stdout).toBe('ls: /dev/ttyS2: No such file or directory\n');
  });

  it('--device gives the container the host node under the name asked for', async () => {
    const serial = await run('--device', '/dev/ttyS1:/dev/myserial', 'busybox', 'ls', '-l', '/dev/myserial');
    expect(serial.stdout).toMatch(/^crw\S* +1 root +root +4, +65 .* \/dev\/myserial\n$/);
  });

  it('--device of a directory gives every node under it, with their modes', async () => {
    const made = await sh(guest, 'mkdir -p /tmp/devdir/sub && mknod /tmp/devdir/a c 1 3 && mknod -m 600 /tmp/devdir/sub/b c 1 5 && echo ok');
    expect(made.stdout).toBe('ok\n');
    const tree = await run('--device', '/tmp/devdir:/dev/mine', 'busybox', 'sh', '-c', 'stat -c "%n %t:%T %a" /dev/mine/a /dev/mine/sub/b; echo x > /dev/mine/a && head -c 3 /dev/mine/sub/b | od -An -tx1');
    expect(tree.stderr).toBe('');
    expect(tree.stdout).toBe('/dev/mine/a 1:3 644\n/dev/mine/sub/b 1:5 600\n 00 00 00\n');
  });

  const missing = shared(() => run('--device', '/dev/sdc:/dev/xvdc', 'busybox', 'true'));

  it("--device of a missing path fails with docker's error, 127 (docker's run maps \"no such file or directory\" to it)", async () => {
    expect((await missing()).stderr).toContain('Error response from daemon: error gathering device information while adding custom device "/dev/sdc": no such file or directory');
    expect((await missing()).status).toBe(127);
  });

  it('--rm removes the container that failed to start', async () => {
    await missing();
    expect((await docker(daemon, ['ps', '-aq'])).stdout).toBe('');
  });

  it("--device of a file that is not a device fails with docker's error and 125", async () => {
    const file = await run('--device', '/etc/passwd', 'busybox', 'true');
    expect(file.stderr).toContain('error gathering device information while adding custom device "/etc/passwd": not a device node');
    expect(file.status).toBe(125);
  });
});

describe('run -d, ps, exec, stop, rm in the guest', () => {
  const web = shared(() => docker(daemon, ['run', '-d', '--name', 'web', '-h', 'webhost', 'busybox', 'sleep', '1000']));
  const id = async () => (await web()).stdout.trim();
  const execLines = shared(async () => {
    await web();
    const exec = await docker(daemon, ['exec', 'web', 'sh', '-c', 'hostname; cat /etc/hostname; ip -o -4 addr show eth0; grep webhost /etc/hosts; echo $$']);
    expect(exec.status).toBe(0);
    return exec.stdout.split('\n');
  });
  const stopped = shared(async () => {
    await execLines();
    return docker(daemon, ['stop', '-t', '1', 'web']);
  });

  it('run -d prints the new container\'s id and exits 0', async () => {
    expect((await web()).status).toBe(0);
    expect(await id()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ps lists it as docker does', async () => {
    const ps = await docker(daemon, ['ps']);
    expect(ps.stdout).toMatch(new RegExp(`^CONTAINER ID   IMAGE     COMMAND        CREATED\\s+STATUS\\s+PORTS     NAMES\\n${(await id()).slice(0, 12)}   busybox   "sleep 1000"   .* ago\\s+Up .*\\s+web\\n$`));
  });

  it('exec runs in the container: its hostname is -h', async () => {
    const [hostname, etcHostname] = await execLines();
    expect(hostname).toBe('webhost');
    expect(etcHostname).toBe('webhost');
  });

  it('the container has an address on docker0\'s subnet', async () => {
    expect((await execLines())[2]).toMatch(/inet 172\.17\.0\.\d+\/16/);
  });

  it('/etc/hosts maps the hostname to that address', async () => {
    expect((await execLines())[3]).toMatch(/^172\.17\.0\.\d+\twebhost$/);
  });

  it('inspect shows the address and the host pid', async () => {
    await web();
    const inspect = await docker(daemon, ['inspect', '--format', '{{.NetworkSettings.IPAddress}} {{.State.Pid}}', 'web']);
    expect(inspect.stdout).toMatch(/^172\.17\.0\.\d+ \d+\n$/);
  });

  it("exec passes the command's exit status through", async () => {
    await web();
    expect((await docker(daemon, ['exec', 'web', 'sh', '-c', 'exit 3'])).status).toBe(3);
  });

  it('stop -t 1 prints the name', async () => {
    expect(await stopped()).toMatchObject({ status: 0, stdout: 'web\n' });
  });

  it('stop leaves it exited with the status of the signal that ended it', async () => {
    await stopped();
    const state = await docker(daemon, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'web']);
    // sleep as pid 1 ignores SIGTERM: docker kills it after the timeout (137); a shell with a trap gives 143.
    expect(['exited 137\n', 'exited 143\n']).toContain(state.stdout);
  });

  it('rm removes it', async () => {
    await stopped();
    expect((await docker(daemon, ['rm', 'web'])).stdout).toBe('web\n');
    expect((await docker(daemon, ['ps', '-aq'])).stdout).toBe('');
  });
});

describe('logs in the guest', () => {
  const logger = shared(() => docker(daemon, ['run', '--name', 'logger', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 2']));
  afterAll(async () => {
    await docker(daemon, ['rm', 'logger']);
  });

  it('run attaches stdout and stderr apart, and exits with the container\'s status', async () => {
    expect(await logger()).toMatchObject({ status: 2, stdout: 'out\n', stderr: 'err\n' });
  });

  it('logs keeps stdout and stderr apart', async () => {
    await logger();
    expect(await docker(daemon, ['logs', 'logger'])).toMatchObject({ stdout: 'out\n', stderr: 'err\n' });
  });
});

describe('-m 16m in the guest', () => {
  const hog = shared(() => docker(daemon, ['run', '--name', 'hog', '-m', '16m', 'busybox', 'sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived']));
  afterAll(async () => {
    await docker(daemon, ['rm', 'hog']);
  });

  it('OOM-kills the container: exit 137', async () => {
    expect((await hog()).status).toBe(137);
  }, 180_000); // seconds when the host is idle, a minute when it is loaded

  it('inspect says OOMKilled, 137 and the memory limit', async () => {
    await hog();
    const inspect = await docker(daemon, ['inspect', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}', 'hog']);
    expect(inspect.stdout).toBe('true 137 16777216\n');
  });

  it('the guest lives on', async () => {
    await hog();
    expect((await sh(guest, 'echo alive')).stdout).toBe('alive\n');
  });
});

describe('--restart on-failure:2 in the guest', () => {
  const crashed = shared(async () => {
    const started = await docker(daemon, ['run', '-d', '--name', 'crash', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo boom; exit 1']);
    expect(started.status).toBe(0);
    return eventually(async () => {
      const out = (await docker(daemon, ['inspect', '--format', '{{.RestartCount}} {{.State.Status}}', 'crash'])).stdout.trim();
      return out === '2 exited' ? out : undefined;
    }, 30_000, 'two restarts');
  });
  afterAll(async () => {
    await docker(daemon, ['rm', 'crash']);
  });

  it('restarts a crashing container twice, then leaves it exited', async () => {
    expect(await crashed()).toBe('2 exited');
  });

  it('keeps the logs of every run', async () => {
    await crashed();
    expect((await docker(daemon, ['logs', 'crash'])).stdout).toBe('boom\nboom\nboom\n');
  });
});

describe('top and pause in the guest', () => {
  const pid = shared(async () => {
    await docker(daemon, ['run', '-d', '--name', 'p1', 'busybox', 'sleep', '1000']);
    return (await docker(daemon, ['inspect', '--format', '{{.State.Pid}}', 'p1'])).stdout.trim();
  });
  const top = shared(async () => {
    await pid();
    const result = await docker(daemon, ['top', 'p1']);
    expect(result.status).toBe(0);
    return result.stdout.split('\n');
  });
  afterAll(async () => {
    await docker(daemon, ['rm', '-f', 'p1']);
  });

  it("top prints ps -ef's header", async () => {
    expect((await top())[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  });

  it('top shows the host pid of the container\'s process', async () => {
    expect((await top())[1]).toMatch(new RegExp(`^root\\s+${await pid()}\\s+\\d+\\s+0\\s+\\d\\d:\\d\\d\\s+\\?\\s+\\d\\d:\\d\\d:\\d\\d\\s+sleep 1000$`));
  });

  it("that pid is the guest's own: the host shell sees the process", async () => {
    expect((await sh(guest, `cat /proc/${await pid()}/cmdline | tr '\\0' ' '`)).stdout).toBe('sleep 1000 ');
  });

  it('pause shows (Paused) in ps', async () => {
    await pid();
    expect((await docker(daemon, ['pause', 'p1'])).stdout).toBe('p1\n');
    expect((await docker(daemon, ['ps', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .* \(Paused\)\n$/);
  });

  it('unpause brings it back', async () => {
    expect((await docker(daemon, ['unpause', 'p1'])).stdout).toBe('p1\n');
    expect((await docker(daemon, ['ps', '--format', '{{.Status}}'])).stdout).toMatch(/^Up [^(]*\n$/);
  });
});

describe('files and stats in the guest', () => {
  const files = new Map<string, Uint8Array>();
  const container = shared(async () => {
    await docker(daemon, ['run', '-d', '--name', 'files', 'busybox', 'sh', '-c', 'echo hello > /tmp/new.txt; rm /bin/vi; sleep 1000']);
    // The script's last change, seen from inside: then diff must show them all.
    await eventually(async () => ((await docker(daemon, ['exec', 'files', 'test', '!', '-e', '/bin/vi'])).status === 0 ? true : undefined), 20_000, 'the container to delete /bin/vi');
  });
  afterAll(async () => {
    expect((await docker(daemon, ['rm', '-f', 'files'])).status).toBe(0);
  });

  it('diff lists what changed, was added and was deleted', async () => {
    await container();
    const diff = (await docker(daemon, ['diff', 'files'])).stdout;
    expect(diff).toContain('C /tmp\n');
    expect(diff).toContain('A /tmp/new.txt\n');
    expect(diff).toContain('D /bin/vi\n');
  });

  it("a fresh container's diff is empty (the daemon's /etc/hosts, hostname, resolv.conf are not the container's changes)", async () => {
    expect((await docker(daemon, ['run', '-d', '--name', 'fresh', 'busybox', 'sleep', '1000'])).status).toBe(0);
    try {
      expect(await docker(daemon, ['diff', 'fresh'])).toMatchObject({ status: 0, stdout: '' });
    } finally {
      await docker(daemon, ['rm', '-f', 'fresh']);
    }
  });

  it('cp copies a file out of the container', async () => {
    await container();
    expect((await docker(daemon, ['cp', 'files:/tmp/new.txt', '/out/new.txt'], { files })).status).toBe(0);
    expect(new TextDecoder().decode(files.get('/out/new.txt'))).toBe('hello\n');
  });

  it('cp copies a file into the container', async () => {
    await container();
    files.set('/in/up.txt', encoder.encode('uploaded\n'));
    expect((await docker(daemon, ['cp', '/in/up.txt', 'files:/tmp/'], { files })).status).toBe(0);
    expect((await docker(daemon, ['exec', 'files', 'cat', '/tmp/up.txt'])).stdout).toBe('uploaded\n');
  });

  it('export writes the container\'s filesystem as a tar', async () => {
    await container();
    const exported = await docker(daemon, ['export', 'files']);
    expect(exported.status).toBe(0);
    expect(exported.bytes.length).toBeGreaterThan(10_000);
  });

  it('stats --no-stream prints one table of the container\'s usage', async () => {
    await container();
    const stats = await docker(daemon, ['stats', '--no-stream', 'files']);
    expect(stats.status).toBe(0);
    const [header, row] = stats.stdout.split('\n');
    expect(header).toMatch(/^CONTAINER ID   NAME      CPU %     MEM USAGE \/ LIMIT   MEM %     NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(row).toMatch(/^[0-9a-f]{12}   files     \d+\.\d\d%\s+[\d.]+[KM]iB \/ 128MiB\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+\d+$/);
  });
});

describe('the size of the container layer in the guest: files once per hard link, symlinks by their target', () => {
  const expected = shared(async () => {
    await docker(daemon, ['run', '-d', '--name', 'sized', 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /root/f && ln /root/f /root/g && ln -s f /root/h && touch /root/ready && sleep 1000']);
    await eventually(async () => ((await docker(daemon, ['exec', 'sized', 'ls', '/root/ready'])).status === 0 ? true : undefined), 10_000, 'files');
    const { Id } = JSON.parse((await docker(daemon, ['inspect', 'sized'])).stdout)[0] as { Id: string };
    const upper = `/var/lib/docker/overlay2/${Id}/diff`;
    // What the layer holds beyond our files (mount points made for /etc/hosts and the like) counts too.
    const others = await sh(guest, `find ${upper} ! -type d ! -path '${upper}/root/*' -exec stat -c '%s' {} + | awk '{ s += $1 } END { print s + 0 }'`);
    return 5000 + 1 + Number(others.stdout.trim());
  });
  const inspect = shared(async () => {
    await expected();
    return JSON.parse((await docker(daemon, ['inspect', '-s', 'sized'])).stdout)[0] as { SizeRw: number; SizeRootFs: number };
  });
  afterAll(async () => {
    expect((await docker(daemon, ['rm', '-f', 'sized'])).status).toBe(0);
  });

  it('inspect -s: SizeRw', async () => {
    expect((await inspect()).SizeRw).toBe(await expected());
  });

  it('inspect -s: SizeRootFs adds the image', async () => {
    expect((await inspect()).SizeRootFs).toBe(1_000_000 + (await expected()));
  });

  it('ps -s: {{.Size}} with three significant digits, "%.3g" as go-units', async () => {
    const ps = await docker(daemon, ['ps', '-s', '--filter', 'name=sized', '--format', '{{.Size}}']);
    expect(ps.stdout).toBe(`${Number(((await expected()) / 1000).toPrecision(3))}kB (virtual 1.01MB)\n`);
    expect(ps.stdout).toMatch(/^5(\.\d+)?kB /);
  });

  it('ps -s: the table has a SIZE column', async () => {
    await expected();
    const table = (await docker(daemon, ['ps', '-s', '--filter', 'name=sized'])).stdout.split('\n');
    expect(table[0]).toMatch(/   SIZE$/);
  });
});

describe('update and commit in the guest', () => {
  const memoryMax = () => docker(daemon, ['exec', 'upd', 'cat', '/sys/fs/cgroup/memory.max']);
  const container = shared(() => docker(daemon, ['run', '-d', '--name', 'upd', '-m', '64m', 'busybox', 'sleep', '1000']));
  afterAll(async () => {
    expect((await docker(daemon, ['rm', '-f', 'upd'])).status).toBe(0);
  });

  it('-m sets memory.max of the container\'s cgroup', async () => {
    await container();
    expect((await memoryMax()).stdout).toBe(`${64 * 1024 * 1024}\n`);
  });

  it('update -m changes memory.max live', async () => {
    await container();
    expect((await docker(daemon, ['update', '-m', '32m', 'upd'])).stdout).toBe('upd\n');
    expect((await memoryMax()).stdout).toBe(`${32 * 1024 * 1024}\n`);
  });

  it('commit makes an image from the upper layer', async () => {
    await container();
    expect((await docker(daemon, ['commit', 'upd', 'snap:1'])).stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it("commit passes the container's command line as the history entry's CreatedBy (moby's image commit)", async () => {
    await container();
    expect((await docker(daemon, ['commit', '-m', 'a snapshot', 'upd', 'snap:2'])).status).toBe(0);
    expect(images.commits.at(-1)).toMatchObject({ createdBy: 'sleep 1000', comment: 'a snapshot' });
  });
});

describe('terminals in the guest', () => {
  const session = shared(() => {
    const input = new ByteQueue();
    const result = docker(daemon, ['run', '-it', '--rm', '--name', 'term', 'busybox', 'sh'], { stdin: input, stdinIsTerminal: true, stdoutIsTerminal: true });
    input.push(encoder.encode('echo typed-$((6*7)); tty; exit 3\n'));
    return result;
  });
  const exec = shared(async () => {
    await docker(daemon, ['run', '-d', '--name', 'host1', 'busybox', 'sleep', '1000']);
    const input = new ByteQueue();
    const result = docker(daemon, ['exec', '-it', 'host1', 'sh'], { stdin: input, stdinIsTerminal: true, stdoutIsTerminal: true });
    input.push(encoder.encode('echo pid1=$(cat /proc/1/comm); exit 5\n'));
    return result;
  });
  afterAll(async () => {
    await docker(daemon, ['rm', '-f', 'host1']);
  });

  it('run -it gives a shell on a PTY', async () => {
    expect((await session()).stdout).toContain('typed-42\r\n/dev/pts/0\r\n');
  });

  it("run -it's exit code is the shell's", async () => {
    expect((await session()).status).toBe(3);
  });

  it('exec -it joins a running container', async () => {
    expect((await exec()).stdout).toContain('pid1=sleep\r\n');
  });

  it("exec -it's exit code is the shell's, and the container stays up", async () => {
    expect((await exec()).status).toBe(5);
    expect((await docker(daemon, ['ps', '--format', '{{.Names}}'])).stdout).toBe('host1\n');
  });
});

describe('network modes in the guest', () => {
  it('--network none has only lo', async () => {
    expect((await run('--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net')).stdout).toBe('lo\n');
  });

  it("--network host has the host's interfaces", async () => {
    expect((await run('--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class/net | grep -c docker0')).stdout).toBe('1\n');
  });

  it("--network container:NAME joins that container's namespace", async () => {
    await docker(daemon, ['run', '-d', '--name', 'netowner', 'busybox', 'sleep', '1000']);
    try {
      const ip = (await docker(daemon, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'netowner'])).stdout.trim();
      const joined = await run('--network', 'container:netowner', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0');
      expect(joined.stdout).toContain(`inet ${ip}/16`);
    } finally {
      await docker(daemon, ['rm', '-f', 'netowner']);
    }
  });
});

describe('run options in the guest', () => {
  const lines = shared(async () => {
    const result = await run(
      '--dns', '10.0.0.53', '--dns-search', 'example.com', '--add-host', 'db:10.1.2.3', '-e', 'GREETING=hi there', '-w', '/tmp', '-u', '1000:1000',
      'busybox', 'sh', '-c', 'grep -v "^#" /etc/resolv.conf | grep .; grep db /etc/hosts; echo "$GREETING"; pwd; id -u; id -g',
    );
    expect(result.stdout.split('\n')).toHaveLength(8);
    return result.stdout.split('\n');
  });

  it('--dns writes the nameserver into resolv.conf', async () => {
    expect((await lines())[0]).toBe('nameserver 10.0.0.53');
  });

  it('--dns-search writes the search domain', async () => {
    expect((await lines())[1]).toBe('search example.com');
  });

  it('--add-host adds a line to /etc/hosts', async () => {
    expect((await lines())[2]).toBe('10.1.2.3\tdb');
  });

  it('-e sets a variable, spaces and all', async () => {
    expect((await lines())[3]).toBe('hi there');
  });

  it('-w sets the working directory', async () => {
    expect((await lines())[4]).toBe('/tmp');
  });

  it('-u sets the user and group', async () => {
    expect((await lines()).slice(5)).toEqual(['1000', '1000', '']);
  });
});

describe('run -dit and attach in the guest', () => {
  const detached = shared(async () => {
    expect((await docker(daemon, ['run', '-dit', '--name', 'shell', 'busybox', 'sh'])).status).toBe(0);
    const input = new ByteQueue();
    const attach = docker(daemon, ['attach', 'shell'], { stdin: input, stdinIsTerminal: true, stdoutIsTerminal: true });
    input.push(encoder.encode('echo attached-$((2+3))\n'));
    await eventually(async () => ((await docker(daemon, ['logs', 'shell'])).stdout.includes('attached-5') ? true : undefined), 10_000, 'echo in the attached shell');
    input.push(Uint8Array.from([0x10, 0x11]));
    return attach;
  });
  const exited = shared(async () => {
    await detached();
    const again = new ByteQueue();
    const second = docker(daemon, ['attach', 'shell'], { stdin: again, stdinIsTerminal: true, stdoutIsTerminal: true });
    again.push(encoder.encode('exit 4\n'));
    return second;
  });
  afterAll(async () => {
    await docker(daemon, ['rm', '-f', 'shell']);
  });

  it("attach shows the shell, and Ctrl-P Ctrl-Q detaches with docker's 'read escape sequence' and status 1", async () => {
    const result = await detached();
    expect(result).toMatchObject({ status: 1, stderr: 'read escape sequence\n' });
    expect(result.stdout).toContain('attached-5');
  });

  it('the container stays up after the detach', async () => {
    await detached();
    expect((await docker(daemon, ['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('shell running\n');
  });

  it('exec -i answers without a prompt', async () => {
    await detached();
    async function* lines() {
      yield encoder.encode('echo from-exec\nhostname\n');
    }
    const exec = await docker(daemon, ['exec', '-i', 'shell', 'sh'], { stdin: lines() });
    expect(exec.stdout).toBe(`from-exec\n${(await docker(daemon, ['inspect', '-f', '{{.Config.Hostname}}', 'shell'])).stdout}`);
  });

  it("exiting the attached shell stops the container with the shell's status", async () => {
    expect((await exited()).status).toBe(4);
    expect((await docker(daemon, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'shell'])).stdout).toBe('exited 4\n');
  });
});

describe('mounts in the guest', () => {
  const share = shared(async () => {
    expect((await sh(guest, 'mkdir -p /srv/share && echo from-host > /srv/share/f.txt')).status).toBe(0);
  });
  const bind = shared(async () => {
    await share();
    return run('-v', '/srv/share:/data', 'busybox', 'sh', '-c', 'cat /data/f.txt; echo from-container > /data/g.txt');
  });

  it('-v HOSTDIR:PATH shows the host directory in the container', async () => {
    expect(await bind()).toMatchObject({ status: 0, stdout: 'from-host\n' });
  });

  it('-v HOSTDIR:PATH: what the container writes is on the host', async () => {
    await bind();
    expect((await sh(guest, 'cat /srv/share/g.txt')).stdout).toBe('from-container\n');
  });

  it('--mount type=bind,readonly is read-only', async () => {
    await share();
    const ro = await run('--mount', 'type=bind,source=/srv/share,target=/ro,readonly', 'busybox', 'sh', '-c', 'touch /ro/x');
    expect(ro.status).toBe(1);
    expect(ro.stderr).toContain('Read-only file system');
  });

  it('--tmpfs mounts a tmpfs with docker\'s options and the size asked for', async () => {
    const tmpfs = await run('--tmpfs', '/scratch:size=1m', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts');
    expect(tmpfs.stdout).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/);
  });

  it('inspect shows a :ro bind mount as docker does', async () => {
    await docker(daemon, ['create', '--name', 'mnt', '-v', '/srv/share:/data:ro', 'busybox']);
    try {
      const mounts = JSON.parse((await docker(daemon, ['inspect', '-f', '{{json .Mounts}}', 'mnt'])).stdout) as unknown;
      expect(mounts).toEqual([{ Type: 'bind', Source: '/srv/share', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' }]);
    } finally {
      await docker(daemon, ['rm', 'mnt']);
    }
  });

  it('a missing -v source is made on the host, as docker makes it (tests/guest/volumes.test.ts checks its content)', async () => {
    expect((await run('-v', '/no/such/dir:/x', 'busybox', 'true')).status).toBe(0);
    expect((await sh(guest, '[ -d /no/such/dir ]')).status).toBe(0);
  });

  it('a named volume is created on first use and outlives the container (tests/guest/volumes.test.ts has more)', async () => {
    const named = await run('-v', 'myvol:/x', 'busybox', 'true');
    expect(named.status, named.stderr).toBe(0);
    expect(await docker(daemon, ['volume', 'rm', 'myvol'])).toMatchObject({ status: 0, stdout: 'myvol\n' });
  });
});
