// The guest's /usr/bin/docker (vm-images/docker-client) against the engine on the host: argv, stdio,
// pipes, exit statuses, raw mode and resizes at the console, signals, the daemon as a service, and
// /var/run/docker.sock relayed to the Engine API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { DocksideEngine } from '../../src/app/engine';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { MemoryStore } from '../../src/engine/store';
import { nodeRegistry } from '../../src/node/bundled-registry';
import { eventually, sh, startGuest } from '../helpers/guest';

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

describe('docker in the guest', () => {
  it('runs the CLI with argv through a pipe, and keeps stdout and stderr apart', async () => {
    const r = await sh(guest, 'docker --help | head -3; echo "status=$?"');
    expect(r.stdout).toMatch(/^Usage: {2}docker \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\nstatus=0\n$/);
    const bad = await sh(guest, 'docker --no-such-flag >/dev/null; echo "status=$?"');
    expect(bad.stdout).toBe('status=125\n');
    expect(bad.stderr).toContain('unknown flag: --no-such-flag');
  });

  it('passes exit statuses through', async () => {
    const r = await sh(guest, 'docker inspect nosuch; echo "status=$?"');
    expect(r.stdout.trim().split('\n').pop()).toBe('status=1');
    expect(r.stderr).not.toBe('');
  });

  it('does not read stdin unless the command does, and carries it when it does', async () => {
    const r = await sh(guest, 'printf "a\\nb\\n" | while read l; do docker --help >/dev/null; echo "line $l"; done; printf "hello\\0world" | docker __test-cat | od -c | head -1');
    expect(r.stdout).toBe('line a\nline b\n0000000   h   e   l   l   o  \\0   w   o   r   l   d\n');
  });

  it('moves a megabyte through stdin and stdout intact', async () => {
    const r = await sh(guest, 'head -c 1048576 /dev/urandom > /tmp/big; docker __test-cat < /tmp/big | cmp - /tmp/big && echo same');
    expect(r.stdout).toBe('same\n');
  }, 60_000);

  it('prints the client and server blocks of docker version at the console', async () => {
    guest.attachConsole(100, 30);
    await eventually(async () => (screen.includes('root@dockside:~# ') ? true : undefined), 10_000, 'the prompt');
    guest.writeConsole('docker version > /tmp/version 2>&1; echo "status=$?" >> /tmp/version\n');
    const text = await eventually(async () => {
      const t = await fileText('/tmp/version');
      return t?.includes('status=') ? t : undefined;
    }, 20_000, 'docker version');
    expect(text).toMatch(/^Client:\n/);
    expect(text).toMatch(/\nServer: /);
    expect(text).toMatch(/status=0\n$/);
  }, 30_000);

  it('puts the terminal in raw mode when the CLI asks, passes resizes, and restores the terminal', async () => {
    guest.writeConsole('stty -g > /tmp/stty.before; docker __test-tty; echo "status=$?" > /tmp/tty.status; stty -g > /tmp/stty.after\n');
    await eventually(async () => (screen.includes('raw\r\n') ? true : undefined), 10_000, 'raw mode');
    expect(screen).toContain('tty stdin=true stdout=true size=30x100');
    guest.resizeConsole(120, 40);
    // Raw: a key arrives without Enter.
    guest.writeConsole('x');
    await eventually(async () => (screen.includes('resized 40x120') ? true : undefined), 10_000, 'the key and the resize');
    expect(screen).toContain('got "x"');
    guest.writeConsole('q');
    expect(await eventually(() => fileText('/tmp/tty.status'), 10_000, 'the exit status')).toBe('status=7\n');
    const before = await eventually(() => fileText('/tmp/stty.before'));
    expect(await eventually(() => fileText('/tmp/stty.after'))).toBe(before);
  }, 30_000);

  it('gives docker run -it a shell at the terminal size that follows resizes', async () => {
    expect((await sh(guest, 'docker pull busybox >/dev/null; echo $?')).stdout).toBe('0\n');
    guest.resizeConsole(100, 30);
    const start = screen.length;
    const seen = (text: string) => async () => (screen.slice(start).includes(text) ? true : undefined);
    guest.writeConsole('docker run -it --rm busybox sh\n');
    await eventually(seen('/ # '), 20_000, 'the container prompt');
    guest.writeConsole('stty size; echo $((6*7))\r');
    await eventually(seen('30 100\r\n42\r\n'), 10_000, 'stty size in the container');
    guest.resizeConsole(120, 40);
    // The new size reaches the container's pty on its own time (SIGWINCH → docker → engine → agent): ask
    // until it shows, each time after the previous answer.
    await eventually(async () => {
      const mark = screen.length;
      guest.writeConsole('stty size\r');
      await eventually(async () => (screen.slice(mark).includes('/ # ') ? true : undefined), 10_000, 'stty size to answer');
      return screen.slice(mark).includes('40 120\r\n') ? true : undefined;
    }, 20_000, 'the new size in the container');
    guest.writeConsole('exit 5\r');
    await eventually(async () => (screen.slice(start).endsWith('root@dockside:~# ') || screen.slice(start).endsWith('root@dockside:~# \x1b[6n') ? true : undefined), 10_000, 'the host prompt');
    guest.writeConsole('echo "status=$?" > /tmp/it.status\n');
    expect(await eventually(() => fileText('/tmp/it.status'), 10_000, 'the exit status')).toBe('status=5\n');
  }, 60_000);

  it('docker cp copies directories both ways between the guest\'s files and a container', async () => {
    const r = await sh(
      guest,
      'docker pull busybox >/dev/null && mkdir -p /tmp/d/sub /tmp/d/empty && echo hi > /tmp/d/sub/f && docker run -d --name cpd busybox sleep 100 >/dev/null && ' +
        'docker cp /tmp/d cpd:/ && docker exec cpd cat /d/sub/f && docker exec cpd ls -d /d/empty && ' +
        'cd /tmp && docker cp d/. cpd:/copy && docker exec cpd cat /copy/sub/f && ' +
        'docker cp cpd:/d /tmp/back && cat /tmp/back/sub/f && ls -d /tmp/back/empty && docker cp cpd:/copy/. /tmp/back && ls /tmp/back; ' +
        'docker cp /tmp/nope cpd:/; docker cp cpd:/d /tmp/back/sub/f; docker rm -f cpd >/dev/null; echo "status=$?"',
    );
    expect(r.stdout).toBe('hi\n/d/empty\nhi\nhi\n/tmp/back/empty\nempty\nsub\nstatus=0\n');
    expect(r.stderr).toBe('lstat /tmp/nope: no such file or directory\ncannot copy directory\n');
  }, 60_000);

  it('dies of Ctrl-C like a process when the CLI does not handle signals', async () => {
    guest.writeConsole('docker __test-hang; echo "status=$?" > /tmp/hang.status\n');
    await eventually(async () => (screen.includes('hanging') ? true : undefined), 10_000, 'the command');
    guest.writeConsole('\x03');
    expect(await eventually(() => fileText('/tmp/hang.status'), 10_000, 'the exit status')).toBe('status=130\n');
  }, 30_000);
});

describe('the daemon as a service', () => {
  it('stops: the sockets go away and docker cannot connect', async () => {
    const r = await sh(guest, 'service docker stop; docker ps; echo "status=$?"; service docker status; echo "status=$?"; ls /var/run/docker.sock 2>&1');
    expect(r.stdout).toBe('Stopping Docker: docker.\nstatus=1\nDocker is not running ... failed!\nstatus=3\nls: /var/run/docker.sock: No such file or directory\n');
    expect(r.stderr).toBe('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
    expect(engine.isRunning).toBe(false);
  });

  it('starts again with systemctl and reports its status', async () => {
    const r = await sh(guest, 'systemctl daemon-reload && systemctl start docker && docker --help > /dev/null && echo ok; systemctl is-active docker; systemctl status docker | head -3');
    expect(r.stdout).toMatch(/^ok\nactive\n● docker\.service - Docker Application Container Engine\n {5}Loaded: loaded \(\/lib\/systemd\/system\/docker\.service; enabled; preset: enabled\)\n {5}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; \d+s ago\n$/);
    const restart = await sh(guest, 'service docker restart && systemctl restart docker && systemctl status nosuch; echo "status=$?"');
    expect(restart.stdout).toBe('Stopping Docker: docker.\nStarting Docker: docker.\nstatus=4\n');
    expect(restart.stderr).toBe('Unit nosuch.service not found.\n');
  });

  it('stops running containers and brings back the --restart always ones at the next start', async () => {
    const setup = await sh(guest, 'docker pull busybox >/dev/null && docker run -d --stop-timeout 1 --restart always --name web busybox sleep 1000 >/dev/null && docker run -d --stop-timeout 1 --name once busybox sleep 1000 >/dev/null && echo ok');
    expect(setup.stdout).toBe('ok\n');
    const r = await sh(guest, 'service docker stop >/dev/null; pgrep -x sleep | wc -l; service docker start >/dev/null; docker ps -a --format "{{.Names}} {{.State}}" | sort; docker rm -f web once >/dev/null');
    expect(r.stdout).toBe('0\nonce exited\nweb running\n');
  }, 60_000);
});

describe('/var/run/docker.sock', () => {
  it('is a unix socket whose bytes reach the Engine API', async () => {
    const r = await sh(guest, 'ls -l /var/run/docker.sock | cut -c1; printf "GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\nConnection: close\\r\\n\\r\\n" | dockside-sockcat /var/run/docker.sock');
    expect(r.stdout).toMatch(/^s\nHTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toMatch(/\r\nApi-Version: 1\.\d+\r\n/);
    expect(r.stdout.endsWith('OK')).toBe(true);
  });

  it('keeps a connection alive for several requests and half-closes cleanly', async () => {
    const request = 'GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n';
    const r = await sh(guest, `printf "${request}${request}" | dockside-sockcat /var/run/docker.sock | grep -o "HTTP/1.1 200 OK" | wc -l`);
    expect(r.stdout.trim()).toBe('2');
    expect(errors).toEqual([]);
  });
});

describe('a crashed agent', () => {
  it('is respawned by init, says so, and listens on the docker sockets again', async () => {
    const before = (await sh(guest, 'pidof dockside-agent')).stdout.trim();
    // The script runs under the agent it kills: the host fails the call when the new agent starts.
    await expect(sh(guest, 'kill -9 $(pidof dockside-agent); sleep 30')).rejects.toThrow(/the guest agent restarted/);
    const r = await eventually(async () => {
      const after = await sh(guest, 'pidof dockside-agent; docker ps --format "{{.Names}}"; echo "status=$?"; printf "GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\nConnection: close\\r\\n\\r\\n" | dockside-sockcat /var/run/docker.sock | tail -c 2').catch(() => undefined);
      return after?.stdout.includes('status=0') ? after : undefined;
    }, 30_000, 'docker through the respawned agent');
    const [pid, ...rest] = r.stdout.split('\n');
    expect(pid).not.toBe(before);
    expect(rest.join('\n')).toBe('status=0\nOK');
  }, 60_000);
});
