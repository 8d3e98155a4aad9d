// The learner's console (virtio console port 0): a real login shell that knows the terminal size,
// follows resizes, and receives large pastes intact (the writer waits for guest receive buffers).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { eventually, sh, startGuest } from '../helpers/guest';

let guest: Guest;
let screen = '';
beforeAll(async () => {
  guest = await startGuest();
  guest.onConsoleData((data) => (screen += new TextDecoder().decode(data)));
});
afterAll(async () => {
  await guest?.destroy();
});

async function fileText(path: string): Promise<string | undefined> {
  const r = await sh(guest, `cat ${path} 2>/dev/null`);
  return r.status === 0 && r.stdout.endsWith('\n') ? r.stdout : undefined;
}

describe('console', () => {
  it('prints nothing before a terminal is attached', () => {
    expect(screen).toBe('');
  });

  it('starts a root login shell at the attached terminal size', async () => {
    guest.attachConsole(100, 30);
    await eventually(async () => (screen.includes('root@dockside:~# ') ? true : undefined), 10_000, 'the prompt');
    guest.writeConsole('stty size > /tmp/size1\n');
    expect(await eventually(() => fileText('/tmp/size1'), 10_000, 'stty size')).toBe('30 100\n');
  });

  it('follows a resize of the terminal', async () => {
    guest.resizeConsole(132, 43);
    guest.writeConsole('stty size > /tmp/size2\n');
    expect(await eventually(() => fileText('/tmp/size2'), 10_000, 'stty size after resize')).toBe('43 132\n');
  });

  it('delivers a 64 KiB paste without losing a byte', async () => {
    const lines = Array.from({ length: 640 }, (_, i) => `${String(i).padStart(4, '0')} ${'x'.repeat(94)}`);
    const text = `${lines.join('\n')}\n`;
    const bytes = new TextEncoder().encode(text);
    guest.writeConsole(`stty -echo; head -c ${bytes.length} > /tmp/paste; stty echo\n`);
    await eventually(async () => ((await sh(guest, 'pidof head')).status === 0 ? true : undefined), 10_000, 'head to start');
    guest.writeConsole(bytes);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    const got = await eventually(
      async () => {
        const r = await sh(guest, 'pidof head >/dev/null || sha256sum /tmp/paste');
        return r.stdout ? r.stdout.split(' ')[0] : undefined;
      },
      30_000,
      'the paste',
    );
    expect(got).toBe(hex);
  });

  it('has brctl show at the prompt (Debian brctl, not the busybox applet)', async () => {
    guest.writeConsole('brctl show > /tmp/brctl 2>&1\n');
    expect(await eventually(() => fileText('/tmp/brctl'), 10_000, 'brctl')).toMatch(/^bridge name\tbridge id\t+STP enabled\tinterfaces\ndocker0\t/);
  });

  it('interrupts a foreground command with Ctrl-C', async () => {
    guest.writeConsole('sleep 1000; echo after""-sleep\n');
    await eventually(async () => ((await sh(guest, 'pidof sleep')).status === 0 ? true : undefined), 10_000, 'sleep');
    guest.writeConsole('\x03');
    await eventually(async () => ((await sh(guest, 'pidof sleep')).status !== 0 ? true : undefined), 10_000, 'sleep to end');
    guest.writeConsole('echo $?-done\n');
    await eventually(async () => (screen.includes('130-done') ? true : undefined), 10_000, 'the status of the interrupted command');
    expect(screen).not.toContain('after-sleep\r\n');
  });
});
