// The guest's /usr/bin/docker (vm-images/docker-client) against the engine on the host: argv, stdio,
// pipes, exit statuses, raw mode and resizes at the console, signals, the daemon as a service, and
// /var/run/docker.sock relayed to the Engine API. One test, one behaviour: the tests that check one
// command share its result (shared()), in file order.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { DocksideEngine } from '../../src/app/engine';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { MemoryStore } from '../../src/engine/store';
import { nodeRegistry } from '../../src/node/bundled-registry';
import { eventually, shared, sh, startGuest } from '../helpers/guest';

let guest: Guest;
let engine: DocksideEngine;
let screen = '';
const errors: unknown[] = [];
const decoder = new TextDecoder();

/** Test-only commands, handled before the real CLI sees argv. */
async function run(argv: readonly string[], env: DockerEnv): Promise<number> {
  if (argv[0] === '__test-tty') {
    env.stdout(`tty stdin=${env.stdinIsTerminal} stdout=${env.stdoutIsTerminal} size=${env.rows}x${env.columns}\r\n`);
    env.setRawMode(true);
    const resized = new Promise<string>((resolve) => env.onResize((rows, cols) => resolve(`${rows}x${cols}`)));
    env.stdout('raw\r\n');
    let typed = '';
    for await (const chunk of env.stdin ?? []) {
      typed += decoder.decode(chunk);
      env.stdout(`got ${JSON.stringify(typed)}\r\n`);
      if (typed.includes('x')) env.stdout(`resized ${await resized}\r\n`);
      if (typed.includes('q')) break;
    }
    env.setRawMode(false);
    return 7;
  }
  if (argv[0] === '__test-cat') {
    for await (const chunk of env.stdin ?? []) await env.writeStdout(chunk);
    return 0;
  }
  if (argv[0] === '__test-hang') {
    env.stdout('hanging\n');
    return new Promise<number>(() => undefined);
  }
  return runDocker(argv, env);
}

async function fileText(path: string): Promise<string | undefined> {
  const r = await sh(guest, `cat ${path} 2>/dev/null`);
  return r.status === 0 && r.stdout.endsWith('\n') ? r.stdout : undefined;
}

beforeAll(async () => {
  guest = await startGuest();
  guest.onConsoleData((data) => (screen += decoder.decode(data)));
  engine = await DocksideEngine.start({ guest, store: new MemoryStore(), registry: nodeRegistry(), run, onError: (e) => errors.push(e) });
}, 60_000);
afterAll(async () => {
  await engine?.dispose();
  await guest?.destroy();
});

/** The console attached at 100x30, at the host prompt. */
const consoleReady = shared(async () => {
  guest.attachConsole(100, 30);
  await eventually(async () => (screen.includes('root@dockside:~# ') ? true : undefined), 10_000, 'the prompt');
});

describe('docker in the guest', () => {
  it('runs the CLI with argv, its output through a pipe', async () => {
    const r = await sh(guest, 'docker --help | head -3; echo "status=$?"');
    expect(r.stdout).toMatch(/^Usage: {2}docker \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\nstatus=0\n$/);
  });

  it("keeps stdout and stderr apart: an unknown flag is docker's error on stderr, and 125", async () => {
    const bad = await sh(guest, 'docker --no-such-flag >/dev/null; echo "status=$?"');
    expect(bad.stdout).toBe('status=125\n');
    expect(bad.stderr).toContain('unknown flag: --no-such-flag');
  });

  it('passes exit statuses through', async () => {
    const r = await sh(guest, 'docker inspect nosuch; echo "status=$?"');
    expect(r.stdout.trim().split('\n').pop()).toBe('status=1');
    expect(r.stderr).not.toBe('');
  });

  it('does not read stdin unless the command does', async () => {
    const r = await sh(guest, 'printf "a\\nb\\n" | while read l; do docker --help >/dev/null; echo "line $l"; done');
    expect(r.stdout).toBe('line a\nline b\n');
  });

  it('carries stdin when the command reads it, NUL bytes and all', async () => {
    const r = await sh(guest, 'printf "hello\\0world" | docker __test-cat | od -c | head -1');
    expect(r.stdout).toBe('0000000   h   e   l   l   o  \\0   w   o   r   l   d\n');
  });

  it('moves a megabyte through stdin and stdout intact', async () => {
    const r = await sh(guest, 'head -c 1048576 /dev/urandom > /tmp/big; docker __test-cat < /tmp/big | cmp - /tmp/big && echo same');
    expect(r.stdout).toBe('same\n');
  }, 60_000);

  it("reports the guest kernel's release as uname -r does (docker info and version)", async () => {
    const r = await sh(guest, 'uname -r; docker info --format "{{.KernelVersion}}"; docker version --format "{{.Server.KernelVersion}}"');
    const [uname, info, version] = r.stdout.split('\n');
    expect(uname).toMatch(/^6\.1\.\d+/);
    expect([info, version]).toEqual([uname, uname]);
  });

  it('prints the client and server blocks of docker version at the console', async () => {
    await consoleReady();
    guest.writeConsole('docker version > /tmp/version 2>&1; echo "status=$?" >> /tmp/version\n');
    const text = await eventually(async () => {
      const t = await fileText('/tmp/version');
      return t?.includes('status=') ? t : undefined;
    }, 20_000, 'docker version');
    expect(text).toMatch(/^Client:\n/);
    expect(text).toMatch(/\nServer: /);
    expect(text).toMatch(/status=0\n$/);
  }, 30_000);
});

describe('docker at the console: raw mode', () => {
  // One run of the test command `docker __test-tty`: it reports the terminal, goes raw, echoes keys and
  // the first resize, and exits 7 at "q".
  const started = shared(async () => {
    await consoleReady();
    guest.writeConsole('stty -g > /tmp/stty.before; docker __test-tty; echo "status=$?" > /tmp/tty.status; stty -g > /tmp/stty.after\n');
    await eventually(async () => (screen.includes('raw\r\n') ? true : undefined), 10_000, 'raw mode');
  });
  const typed = shared(async () => {
    await started();
    guest.resizeConsole(120, 40);
    // Raw: a key arrives without Enter.
    guest.writeConsole('x');
    await eventually(async () => (screen.includes('got "x"') ? true : undefined), 10_000, 'the key');
  });
  const quit = shared(async () => {
    await typed();
    await eventually(async () => (screen.includes('resized ') ? true : undefined), 10_000, 'the resize');
    guest.writeConsole('q');
    return eventually(() => fileText('/tmp/tty.status'), 10_000, 'the exit status');
  });

  it('tells the CLI that stdin and stdout are terminals, and their size', async () => {
    await started();
    expect(screen).toContain('tty stdin=true stdout=true size=30x100');
  }, 30_000);

  it('in raw mode, a key arrives without Enter', async () => {
    await typed();
    expect(screen).toContain('got "x"');
  }, 30_000);

  it('passes a resize to the CLI', async () => {
    await typed();
    await eventually(async () => (screen.includes('resized 40x120') ? true : undefined), 10_000, 'the resize');
  }, 30_000);

  it("exits with the CLI's status", async () => {
    expect(await quit()).toBe('status=7\n');
  }, 30_000);

  it('restores the terminal', async () => {
    await quit();
    const before = await eventually(() => fileText('/tmp/stty.before'));
    expect(await eventually(() => fileText('/tmp/stty.after'))).toBe(before);
  }, 30_000);
});

describe('docker run -it at the console', () => {
  let start = 0;
  const seen = (text: string) => async () => (screen.slice(start).includes(text) ? true : undefined);
  const inside = shared(async () => {
    await consoleReady();
    expect((await sh(guest, 'docker pull busybox >/dev/null; echo $?')).stdout).toBe('0\n');
    guest.resizeConsole(100, 30);
    start = screen.length;
    guest.writeConsole('docker run -it --rm busybox sh\n');
    await eventually(seen('/ # '), 20_000, 'the container prompt');
  });
  const sized = shared(async () => {
    await inside();
    guest.writeConsole('stty size; echo $((6*7))\r');
    await eventually(seen('30 100\r\n42\r\n'), 10_000, 'stty size in the container');
  });
  const resized = shared(async () => {
    await sized();
    guest.resizeConsole(120, 40);
    // The new size reaches the container's pty on its own time (SIGWINCH → docker → engine → agent): ask
    // until it shows, each time after the previous answer.
    await eventually(async () => {
      const mark = screen.length;
      guest.writeConsole('stty size\r');
      await eventually(async () => (screen.slice(mark).includes('/ # ') ? true : undefined), 10_000, 'stty size to answer');
      return screen.slice(mark).includes('40 120\r\n') ? true : undefined;
    }, 20_000, 'the new size in the container');
  });

  it('gives the container a shell at the terminal size', async () => {
    await sized();
  }, 60_000);

  it('follows a resize of the terminal', async () => {
    await resized();
  }, 60_000);

  it("exits to the host prompt with the container's status", async () => {
    await resized();
    guest.writeConsole('exit 5\r');
    await eventually(async () => (screen.slice(start).endsWith('root@dockside:~# ') || screen.slice(start).endsWith('root@dockside:~# \x1b[6n') ? true : undefined), 10_000, 'the host prompt');
    guest.writeConsole('echo "status=$?" > /tmp/it.status\n');
    expect(await eventually(() => fileText('/tmp/it.status'), 10_000, 'the exit status')).toBe('status=5\n');
  }, 60_000);
});

describe("docker cp between the guest's files and a container", () => {
  const container = shared(async () => {
    const r = await sh(guest, 'docker pull busybox >/dev/null && mkdir -p /tmp/d/sub /tmp/d/empty && echo hi > /tmp/d/sub/f && docker run -d --name cpd busybox sleep 100 >/dev/null && echo ok');
    expect(r.stdout).toBe('ok\n');
  });
  const copiedIn = shared(async () => {
    await container();
    return sh(guest, 'docker cp /tmp/d cpd:/ && docker exec cpd cat /d/sub/f && docker exec cpd ls -d /d/empty');
  });
  const copiedContents = shared(async () => {
    await container();
    return sh(guest, 'cd /tmp && docker cp d/. cpd:/copy && docker exec cpd cat /copy/sub/f');
  });
  afterAll(async () => {
    expect((await sh(guest, 'docker rm -f cpd >/dev/null; echo "status=$?"')).stdout).toBe('status=0\n');
  });

  it('copies a directory into the container, empty directories too', async () => {
    expect(await copiedIn()).toMatchObject({ stdout: 'hi\n/d/empty\n', stderr: '' });
  }, 60_000);

  it("copies a directory's contents (d/.), from a path relative to the working directory", async () => {
    expect(await copiedContents()).toMatchObject({ stdout: 'hi\n', stderr: '' });
  }, 60_000);

  it('copies a directory out of the container', async () => {
    await copiedIn();
    expect(await sh(guest, 'docker cp cpd:/d /tmp/back && cat /tmp/back/sub/f && ls -d /tmp/back/empty')).toMatchObject({ stdout: 'hi\n/tmp/back/empty\n', stderr: '' });
  }, 60_000);

  it("copies a directory's contents out (cpd:/copy/.) into an existing directory", async () => {
    await copiedContents();
    expect(await sh(guest, 'mkdir -p /tmp/back2 && docker cp cpd:/copy/. /tmp/back2 && ls /tmp/back2')).toMatchObject({ stdout: 'empty\nsub\n', stderr: '' });
  }, 60_000);

  it("fails like docker for a local source that does not exist", async () => {
    await container();
    expect((await sh(guest, 'docker cp /tmp/nope cpd:/')).stderr).toBe('lstat /tmp/nope: no such file or directory\n');
  }, 60_000);

  it('fails like docker to copy a directory onto a file', async () => {
    await copiedIn();
    expect((await sh(guest, 'docker cp cpd:/d /tmp/d/sub/f')).stderr).toBe('cannot copy directory\n');
  }, 60_000);
});

describe('signals', () => {
  it('dies of Ctrl-C like a process when the CLI does not handle signals', async () => {
    guest.writeConsole('docker __test-hang; echo "status=$?" > /tmp/hang.status\n');
    await eventually(async () => (screen.includes('hanging') ? true : undefined), 10_000, 'the command');
    guest.writeConsole('\x03');
    expect(await eventually(() => fileText('/tmp/hang.status'), 10_000, 'the exit status')).toBe('status=130\n');
  }, 30_000);
});

describe('the daemon as a service', () => {
  const stopped = shared(() => sh(guest, 'service docker stop'));

  it('service docker stop says so', async () => {
    expect((await stopped()).stdout).toBe('Stopping Docker: docker.\n');
  });

  it('stopped, docker cannot connect', async () => {
    await stopped();
    const r = await sh(guest, 'docker ps; echo "status=$?"');
    expect(r.stdout).toBe('status=1\n');
    expect(r.stderr).toBe('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
  });

  it('stopped, docker version and info print the client section before the error, as docker does', async () => {
    await stopped();
    const version = await sh(guest, 'docker version; echo "status=$?"');
    expect(version.stdout).toMatch(/^Client:\n Version: {11}28\.2\.2\n API version: {7}1\.50\n[^]*\n Context: {11}default\nstatus=1\n$/);
    expect(version.stderr).toBe('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
    const info = await sh(guest, 'docker info; echo "status=$?"');
    expect(info.stdout).toBe('Client:\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\nServer:\nstatus=1\n');
    expect(info.stderr).toBe('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
  });

  it('stopped, service docker status says it is not running, with status 3', async () => {
    await stopped();
    expect((await sh(guest, 'service docker status; echo "status=$?"')).stdout).toBe('Docker is not running ... failed!\nstatus=3\n');
  });

  it('stopped, the socket is gone and the engine is not running', async () => {
    await stopped();
    expect((await sh(guest, 'ls /var/run/docker.sock 2>&1')).stdout).toBe('ls: /var/run/docker.sock: No such file or directory\n');
    expect(engine.isRunning).toBe(false);
  });

  const started = shared(async () => {
    await stopped();
    return sh(guest, 'systemctl daemon-reload && systemctl start docker && docker --help > /dev/null && echo ok; systemctl is-active docker');
  });

  it('starts again with systemctl', async () => {
    expect((await started()).stdout).toBe('ok\nactive\n');
  });

  it('systemctl status docker reports it as systemd does', async () => {
    await started();
    expect((await sh(guest, 'systemctl status docker | head -3')).stdout).toMatch(
      /^● docker\.service - Docker Application Container Engine\n {5}Loaded: loaded \(\/lib\/systemd\/system\/docker\.service; enabled; preset: enabled\)\n {5}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; \d+s ago\n$/,
    );
  });

  it('service docker restart and systemctl restart docker restart it', async () => {
    await started();
    expect(await sh(guest, 'service docker restart && systemctl restart docker; echo "status=$?"')).toMatchObject({ stdout: 'Stopping Docker: docker.\nStarting Docker: docker.\nstatus=0\n', stderr: '' });
  });

  it('systemctl status of an unknown unit fails as systemd does (4)', async () => {
    expect(await sh(guest, 'systemctl status nosuch; echo "status=$?"')).toMatchObject({ stdout: 'status=4\n', stderr: 'Unit nosuch.service not found.\n' });
  });

  const restarted = shared(async () => {
    await started();
    const setup = await sh(guest, 'docker pull busybox >/dev/null && docker run -d --stop-timeout 1 --restart always --name web busybox sleep 1000 >/dev/null && docker run -d --stop-timeout 1 --name once busybox sleep 1000 >/dev/null && echo ok');
    expect(setup.stdout).toBe('ok\n');
    return sh(guest, 'service docker stop >/dev/null; pgrep -x sleep | wc -l; service docker start >/dev/null; docker ps -a --format "{{.Names}} {{.State}}" | sort');
  });
  afterAll(async () => {
    await sh(guest, 'docker rm -f web once >/dev/null');
  });

  it('stopping the daemon stops the running containers', async () => {
    expect((await restarted()).stdout).toMatch(/^0\n/);
  }, 60_000);

  it('starting it brings back the --restart always ones, not the others', async () => {
    expect((await restarted()).stdout).toMatch(/\nonce exited\nweb running\n$/);
  }, 60_000);
});

describe('/var/run/docker.sock', () => {
  const ping = shared(() => sh(guest, 'ls -l /var/run/docker.sock | cut -c1; printf "GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\nConnection: close\\r\\n\\r\\n" | dockside-sockcat /var/run/docker.sock'));

  it('is a unix socket', async () => {
    expect((await ping()).stdout).toMatch(/^s\n/);
  });

  it('its bytes reach the Engine API: GET /_ping', async () => {
    const { stdout } = await ping();
    expect(stdout).toMatch(/^s\nHTTP\/1\.1 200 OK\r\n/);
    expect(stdout).toMatch(/\r\nApi-Version: 1\.\d+\r\n/);
    expect(stdout.endsWith('OK')).toBe(true);
  });

  it('keeps a connection alive for several requests and half-closes cleanly', async () => {
    const request = 'GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n';
    const r = await sh(guest, `printf "${request}${request}" | dockside-sockcat /var/run/docker.sock | grep -o "HTTP/1.1 200 OK" | wc -l`);
    expect(r.stdout.trim()).toBe('2');
  });

  it('has reported no error to the engine', () => {
    expect(errors).toEqual([]);
  });
});

describe('a crashed agent', () => {
  const respawned = shared(async () => {
    const before = (await sh(guest, 'pidof dockside-agent')).stdout.trim();
    // The script runs under the agent it kills: the host fails the call when the new agent starts.
    await expect(sh(guest, 'kill -9 $(pidof dockside-agent); sleep 30')).rejects.toThrow(/the guest agent restarted/);
    const r = await eventually(async () => {
      const after = await sh(guest, 'pidof dockside-agent; docker ps --format "{{.Names}}"; echo "status=$?"; printf "GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\nConnection: close\\r\\n\\r\\n" | dockside-sockcat /var/run/docker.sock | tail -c 2').catch(() => undefined);
      return after?.stdout.includes('status=0') ? after : undefined;
    }, 30_000, 'docker through the respawned agent');
    const [pid, ...rest] = r.stdout.split('\n');
    return { before, pid, rest: rest.join('\n') };
  });

  it('is respawned by init', async () => {
    const { before, pid } = await respawned();
    expect(pid).toMatch(/^\d+$/);
    expect(pid).not.toBe(before);
  }, 60_000);

  it('and the docker sockets listen again', async () => {
    expect((await respawned()).rest).toBe('status=0\nOK');
  }, 60_000);
});
