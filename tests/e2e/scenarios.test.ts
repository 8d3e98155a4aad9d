// The notes' scenarios, typed at the product's own prompt: one `npx dockside sh` session (the guest
// restored once, with the engine and the bundled images) on a real pseudo-terminal made by util-linux
// `script`, driven like a learner would drive it: a command, then what the terminal shows.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/node/artifacts';
import { shared } from '../helpers/guest';
import { required } from '../helpers/requirements';

const SCRIPT = '/usr/bin/script';
const present = required(existsSync(SCRIPT), `util-linux ${SCRIPT} (Debian's bsdutils)`, 'the notes typed at `npx dockside sh`');

/** The guest's host prompt. */
const HOST_PROMPT = 'root@dockside:~# ';
const CTRL_P = '\x10';
const CTRL_Q = '\x11';

class Terminal {
  private output = '';
  /** Where the last wait ended: later waits only look at what came after. */
  private mark = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      // Strip the terminal's control sequences (cursor queries, colours) and carriage returns.
      if (process.env.DEBUG_SCENARIOS) process.stderr.write(chunk);
      this.output += chunk.toString('utf8').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '');
      for (const wake of this.waiters) wake();
    });
  }

  type(text: string): void {
    this.child.stdin.write(text);
  }

  /** Waits until `pattern` shows up after the mark; returns everything from the mark to its end. */
  async waitFor(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(this.mark);
      const index = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
      if (index >= 0) {
        const length = typeof pattern === 'string' ? pattern.length : (rest.slice(index).match(pattern)?.[0].length ?? 0);
        this.mark += index + length;
        return rest.slice(0, index + length);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; the terminal shows:\n${rest.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 200);
        this.waiters.add(wake);
      });
    }
  }

  /** Runs a command line at the host prompt; resolves with its output (the echoed line removed). */
  async run(command: string, timeoutMs = 60_000): Promise<string> {
    this.type(`${command}\r`);
    const shown = await this.waitFor(HOST_PROMPT, timeoutMs);
    const lines = shown.split('\n');
    return lines.slice(1, -1).join('\n');
  }
}

describe.runIf(present)('the notes, typed at `npx dockside sh`', () => {
  let term: Terminal;

  beforeAll(async () => {
    // The learner's environment, not vitest's (its NODE_OPTIONS and VITEST_* would reach the child).
    const env: Record<string, string> = { TERM: 'xterm' };
    for (const key of ['PATH', 'HOME', 'LANG']) if (process.env[key]) env[key] = process.env[key] as string;
    const child = spawn(SCRIPT, ['-qfec', `node ${join(projectRoot, 'bin', 'dockside.mjs')} sh`, '/dev/null'], { cwd: projectRoot, env });
    term = new Terminal(child);
    await term.waitFor(HOST_PROMPT, 60_000);
    // A wide terminal, so that no command line wraps when the shell echoes it.
    await term.run('stty cols 400 rows 50');
    expect(await term.run('docker pull -q busybox && docker pull -q debian')).toBe('docker.io/library/busybox:latest\ndocker.io/library/debian:latest');
  }, 120_000);

  afterAll(async () => {
    if (!term || term.child.exitCode !== null) return;
    term.type('exit 0\r');
    const exited = new Promise((resolve) => term.child.once('exit', resolve));
    const timer = setTimeout(() => term.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });

  describe('docker run -it --rm debian bash', () => {
    const osRelease = shared(async () => {
      term.type('docker run -it --rm debian bash\r');
      await term.waitFor(/root@[0-9a-f]{12}:\/# /);
      term.type('cat /etc/os-release\r');
      return term.waitFor(/root@[0-9a-f]{12}:\/# /);
    });

    it('gives a shell in a Debian 12 container', async () => {
      expect(await osRelease()).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"');
    });

    it('exit returns to the host, and --rm removed the container', async () => {
      await osRelease();
      term.type('exit\r');
      await term.waitFor(HOST_PROMPT);
      expect(await term.run('docker ps -aq | wc -l')).toBe('0');
    });
  });

  describe('run -dit and attach', () => {
    const detached = shared(async () => {
      expect(await term.run('docker run -dit --name att busybox sh')).toMatch(/^[0-9a-f]{64}$/);
      term.type('docker attach att\r');
      term.type('\r');
      await term.waitFor('/ # ');
      term.type(`echo attached-$((1+1))\r`);
      await term.waitFor('attached-2');
      term.type(`${CTRL_P}${CTRL_Q}`);
      await term.waitFor(HOST_PROMPT);
    });
    const exited = shared(async () => {
      await detached();
      term.type('docker attach att\r');
      term.type('\r');
      await term.waitFor('/ # ');
      term.type('exit\r');
      await term.waitFor(HOST_PROMPT);
    });

    it('Ctrl-P Ctrl-Q leaves the container up', async () => {
      await detached();
      expect(await term.run('docker ps --format "{{.Names}} {{.Status}}"')).toMatch(/^att Up /);
    });

    it('exiting the attached shell stops it', async () => {
      await exited();
      expect(await term.run('docker ps -a --format "{{.Names}} {{.Status}}"')).toMatch(/^att Exited \(0\) /);
    });

    it('rm removes the stopped container', async () => {
      await exited();
      expect(await term.run('docker rm att')).toBe('att');
    });
  });

  describe('exec', () => {
    const running = shared(async () => {
      await term.run('docker run -d --name ex busybox sleep 1000');
    });
    const execShell = shared(async () => {
      await running();
      term.type('docker exec -it ex sh\r');
      await term.waitFor('/ # ');
      term.type('ps\r');
      const ps = await term.waitFor('/ # ');
      term.type('exit\r');
      await term.waitFor(HOST_PROMPT);
      return ps;
    });
    afterAll(async () => {
      expect(await term.run('docker rm -f ex')).toBe('ex');
    });

    it('exec -i answers without a prompt', async () => {
      await running();
      expect(await term.run('printf "echo no-prompt\\nhostname\\n" | docker exec -i ex sh')).toMatch(/^no-prompt\n[0-9a-f]{12}$/);
    });

    it("exec -it gives a prompt in the container's namespaces", async () => {
      expect(await execShell()).toContain('sleep 1000');
    });

    it('exiting an exec leaves the container up', async () => {
      await execShell();
      expect(await term.run('docker ps --format "{{.Names}} {{.Status}}"')).toMatch(/^ex Up /);
    });
  });

  describe('create, then start -ai', () => {
    const created = shared(() => term.run('docker create -it --name cr busybox sh'));
    afterAll(async () => {
      expect(await term.run('docker rm cr')).toBe('cr');
    });

    it('create makes a container that is Created', async () => {
      expect(await created()).toMatch(/^[0-9a-f]{64}$/);
      expect(await term.run('docker ps -a --format "{{.Names}} {{.Status}}"')).toBe('cr Created');
    });

    it("start -ai attaches to it and exits with the shell's status", async () => {
      await created();
      term.type('docker start -ai cr\r');
      term.type('\r');
      await term.waitFor('/ # ');
      term.type('echo started-$((20+1))\r');
      await term.waitFor('started-21');
      term.type('exit 3\r');
      await term.waitFor(HOST_PROMPT);
      expect(await term.run('echo status=$?')).toBe('status=3');
    });
  });

  describe('stop and kill', () => {
    const stopped = shared(async () => {
      await term.run(`docker run -d --name polite busybox sh -c 'trap "exit 0" TERM; sleep 1000 & wait'`);
      await term.run('docker run -d --name stubborn busybox sleep 1000');
      await term.run('docker run -d --name killed busybox sleep 1000');
      const said = await term.run('docker stop polite && docker stop -t 1 stubborn && docker kill killed');
      const codes = await term.run(`docker inspect -f '{{.Name}} {{.State.ExitCode}}' polite stubborn killed`);
      return { said, codes: codes.split('\n') };
    });

    it('stop and kill print the names', async () => {
      expect((await stopped()).said).toBe('polite\nstubborn\nkilled');
    });

    it('stop: exit code 0 for a process that handles SIGTERM', async () => {
      expect((await stopped()).codes[0]).toBe('/polite 0');
    });

    it('stop -t 1: 137 for one that ignores it (killed after the timeout)', async () => {
      expect((await stopped()).codes[1]).toBe('/stubborn 137');
    });

    it('kill: 137', async () => {
      expect((await stopped()).codes[2]).toBe('/killed 137');
    });

    it('ps -a shows their exit codes', async () => {
      await stopped();
      expect(await term.run('docker ps -a --format "{{.Names}} {{.Status}}" | sort')).toMatch(/^killed Exited \(137\) .*\npolite Exited \(0\) .*\nstubborn Exited \(137\) /);
    });
  });

  describe('rm', () => {
    const busy = shared(async () => {
      await term.run('docker run -d --name busy busybox sleep 1000');
    });

    it('refuses a running container', async () => {
      await busy();
      expect(await term.run('docker rm busy; echo status=$?')).toBe(
        'Error response from daemon: cannot remove container "/busy": container is running: stop the container before removing or force remove\nstatus=1',
      );
    });

    it('rm -f removes it', async () => {
      await busy();
      expect(await term.run('docker rm -f busy')).toBe('busy');
    });

    it('rm $(docker ps -aq) removes the rest', async () => {
      expect((await term.run('docker rm $(docker ps -aq)')).split('\n').sort()).toHaveLength(3);
      expect(await term.run('docker ps -aq | wc -l')).toBe('0');
    });
  });

  describe('commit, export | import', () => {
    const made = shared(async () => {
      await term.run(`docker run --name made busybox sh -c 'echo committed-content > /hello'`);
    });
    const committed = shared(async () => {
      await made();
      return term.run('docker commit -m first made mine:v1');
    });
    const imported = shared(async () => {
      await made();
      return term.run('docker export made | docker import - imported:v1');
    });
    afterAll(async () => {
      await term.run('docker rm made && docker rmi mine:v1 imported:v1');
    });

    it('commit makes an image of the container', async () => {
      expect(await committed()).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it("history shows the commit's layer with the container's command and the -m message, inspect the message", async () => {
      await committed();
      expect(await term.run(`docker history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' mine:v1 | head -1`)).toBe('sh -c echo committed-content > /hello|first');
      expect(await term.run(`docker inspect -f '{{.Comment}}' mine:v1`)).toBe('first');
    });

    it('the committed image runs with the file', async () => {
      await committed();
      expect(await term.run('docker run --rm mine:v1 cat /hello')).toBe('committed-content');
    });

    it('export | import makes an image', async () => {
      expect(await imported()).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('the imported image runs with the file', async () => {
      await imported();
      expect(await term.run('docker run --rm imported:v1 cat /hello')).toBe('committed-content');
    });

    it("cp reads the stopped container's files again after the export (each mounts its layers for a moment)", async () => {
      await imported();
      expect(await term.run('docker cp made:/hello - | tar -xOf -')).toBe('committed-content');
      expect(await term.run('docker cp made:/. - | tar -tf - | grep -c hello')).toBe('1');
    });

    it('images lists both new images', async () => {
      await committed();
      await imported();
      expect(await term.run('docker images --format "{{.Repository}}:{{.Tag}}" | sort | tr "\\n" " "; echo')).toBe('busybox:latest debian:latest imported:v1 mine:v1 ');
    });
  });

  describe('-m 16m', () => {
    // The allocation takes the guest a while to refuse (seconds when idle, a minute on a loaded host).
    const hog = shared(() => term.run(`docker run --name hog -m 16m busybox sh -c 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived'; echo status=$?`, 170_000));

    it('the container is OOM-killed: 137', async () => {
      const output = await hog();
      expect(output).not.toContain('survived');
      expect(output.split('\n').at(-1)).toBe('status=137');
    }, 180_000);

    it('inspect says OOMKilled', async () => {
      await hog();
      expect(await term.run(`docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog`)).toBe('true 137');
    });

    it('the guest lives on', async () => {
      await hog();
      expect(await term.run('docker rm hog && echo alive')).toBe('hog\nalive');
    });
  });

  describe("a container's process on the host", () => {
    const hostPid = shared(async () => {
      await term.run('docker run -d --name seen busybox sleep 4242');
      return term.run(`ps -o pid,args | grep '[s]leep 4242' | awk '{ print $1 }'`);
    });
    const top = shared(async () => {
      await hostPid();
      return (await term.run('docker top seen')).split('\n');
    });

    it('ps aux on the host shows it', async () => {
      expect(await hostPid()).toMatch(/^\d+$/);
    });

    it("docker top prints ps -ef's header", async () => {
      expect((await top())[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    });

    it('docker top shows the same host pid', async () => {
      expect((await top())[1].split(/\s+/)[1]).toBe(await hostPid());
    });

    it('inside the container it is pid 1', async () => {
      await hostPid();
      expect(await term.run('docker exec seen ps -o pid,args | grep "[s]leep 4242" | awk "{ print \\$1 }"')).toBe('1');
    });
  });

  it('pause shows (Paused); unpause brings it back', async () => {
    expect(await term.run('docker pause seen')).toBe('seen');
    expect(await term.run('docker ps --filter name=seen --format "{{.Status}}"')).toMatch(/^Up .* \(Paused\)$/);
    expect(await term.run('docker unpause seen && docker ps --filter name=seen --format "{{.Status}}"')).toMatch(/^seen\nUp [^(]*$/);
    await term.run('docker rm -f seen');
  });

  it('a restart policy brings a crashing container back', async () => {
    await term.run(`docker run -d --name crashy --restart on-failure:2 busybox sh -c 'exit 3'`);
    const deadline = Date.now() + 30_000;
    let state = '';
    while (Date.now() < deadline) {
      state = await term.run(`docker inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' crashy`);
      if (state === '2 exited 3') break;
    }
    expect(state).toBe('2 exited 3');
    await term.run('docker rm crashy');
  });
});
