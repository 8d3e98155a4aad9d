// GuestConsole (src/app/guest-console.ts) on a fake console: what it types and when, the host
// prompt's detection (escape sequences, a container's prompt that is not the host's), waitFor and
// keys without Enter; and the page's progress store on fake-indexeddb.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { GuestConsole, HOST_PROMPT, type ConsolePort } from '../../src/app/guest-console';
import { IdbProgressStore } from '../../src/app/progress-store';
import { shellWords } from '../../src/app/lesson-env';
import { Progress } from '../../src/lessons/progress';

class FakePort implements ConsolePort {
  written: string[] = [];
  private listeners = new Set<(data: Uint8Array) => void>();
  onConsoleData(listener: (data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  writeConsole(data: Uint8Array | string): void {
    this.written.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
  }
  out(text: string): void {
    for (const l of this.listeners) l(new TextEncoder().encode(text));
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const PROMPT = 'root@dockside:~# ';

describe('GuestConsole', () => {
  it('knows the host prompt, with colours or a path, and not a container shell', () => {
    expect(HOST_PROMPT.test('root@dockside:~# ')).toBe(true);
    expect(HOST_PROMPT.test('x\r\nroot@dockside:/root/app# ')).toBe(true);
    expect(HOST_PROMPT.test('/ # ')).toBe(false);
    expect(HOST_PROMPT.test('root@3f2a1b4c5d6e:/# ')).toBe(false);
    expect(HOST_PROMPT.test('root@dockside:~# docker ps')).toBe(false);
  });

  it('types each line once the prompt is back, and resolves when the last one has finished', async () => {
    const port = new FakePort();
    const console = new GuestConsole(port);
    port.out(`\x1b[?2004h${PROMPT}`);
    expect(console.atPrompt).toBe(true);
    let finished = false;
    const typing = console.type(['docker pull busybox', 'docker images']).then(() => (finished = true));
    await tick();
    expect(port.written).toEqual(['docker pull busybox\r']);
    port.out('docker pull busybox\r\nUsing default tag: latest\r\n');
    await tick();
    expect(port.written).toHaveLength(1); // still running
    port.out(`Status: Downloaded newer image\r\n\x1b[?2004h${PROMPT}`);
    await tick();
    expect(port.written).toEqual(['docker pull busybox\r', 'docker images\r']);
    expect(finished).toBe(false);
    port.out(`docker images\r\nREPOSITORY\r\n${PROMPT}`);
    await typing;
    expect(finished).toBe(true);
  });

  it('types input into a running command after waitFor, keys without Enter, then waits for the host prompt', async () => {
    const port = new FakePort();
    const console = new GuestConsole(port);
    port.out(PROMPT);
    const prompts: number[] = [];
    console.onPrompt(() => prompts.push(1));
    const typing = console.type(['docker run -it busybox sh', { input: 'exit', waitFor: '/ # ' }, { input: '\x03', enter: false }]);
    await tick();
    port.out('docker run -it busybox sh\r\n');
    await tick();
    expect(port.written).toEqual(['docker run -it busybox sh\r']);
    port.out('/ # ');
    await tick();
    expect(port.written).toEqual(['docker run -it busybox sh\r', 'exit\r', '\x03']);
    port.out(`exit\r\n${PROMPT}`);
    await typing;
    expect(prompts).toEqual([1]);
  });

  it('clears what the learner left half typed at the prompt (Ctrl-U) before typing', async () => {
    const port = new FakePort();
    const console = new GuestConsole(port);
    port.out(PROMPT);
    port.out('doc');
    const typing = console.type(['docker ps']);
    await tick();
    expect(port.written).toEqual(['\x15']);
    port.out(`\r${PROMPT}\x1b[J`); // what busybox ash prints for Ctrl-U
    await tick();
    expect(port.written).toEqual(['\x15', 'docker ps\r']);
    port.out(`docker ps\r\nCONTAINER ID\r\n${PROMPT}`);
    await typing;
  });

  it('times out with the end of the screen when the prompt never comes back', async () => {
    const port = new FakePort();
    const console = new GuestConsole(port);
    port.out(PROMPT);
    const typing = console.type(['docker logs -f web'], { timeoutMs: 20 });
    await tick();
    port.out('docker logs -f web\r\nhello from web\r\n');
    await expect(typing).rejects.toThrow(/timed out waiting for the shell prompt to come back.*\n[\s\S]*hello from web/);
  });
});

describe('the transcript of commands typed at the prompt', () => {
  it('gives each command line and its output when the prompt comes back, the prompt in the same chunk', async () => {
    const port = new FakePort();
    const console = new GuestConsole(port);
    const seen: { line: string; output: string }[] = [];
    console.onCommand(({ line, output }) => seen.push({ line, output }));
    port.out(PROMPT);
    port.out('docker pz\b\bps\r\n');
    port.out(`Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\r\n\x1b[?2004h${PROMPT}`);
    port.out(`\r\n${PROMPT}`); // an empty line: no command
    expect(seen).toEqual([{ line: 'docker ps', output: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }]);
  });

  it('splits simple lines into words as sh would, and gives up on shell syntax', () => {
    expect(shellWords(`docker ps --format '{{.Names}} x' -a`)).toEqual(['docker', 'ps', '--format', '{{.Names}} x', '-a']);
    expect(shellWords('docker run -e "A=b c" busybox\\ x')).toEqual(['docker', 'run', '-e', 'A=b c', 'busybox x']);
    expect(shellWords('docker ps | head')).toBeUndefined();
    expect(shellWords('docker rm $(docker ps -aq)')).toBeUndefined();
  });
});

describe('IdbProgressStore', () => {
  it('keeps progress across opens (a reload)', async () => {
    const first = await Progress.open(new IdbProgressStore('progress-test'));
    await first.visit('01-docker/01-client-server', 5);
    await first.markDone('01-docker/01-client-server', 'version', 7);
    const again = await Progress.open(new IdbProgressStore('progress-test'));
    expect(again.current).toEqual({ version: 1, last: '01-docker/01-client-server', lessons: { '01-docker/01-client-server': { steps: { version: 7 }, visitedAt: 5 } } });
    await again.clearLesson('01-docker/01-client-server');
    expect((await Progress.open(new IdbProgressStore('progress-test'))).lesson('01-docker/01-client-server').steps).toEqual({});
  });
});
