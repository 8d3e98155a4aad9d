// A stress loop for the guest kernel: N containers that a 16 MiB memory cgroup OOM-kills while their
// binaries are paged in from the 9p share, optionally under host CPU contention. Before the kernel's
// 9p patch (vm-images/kernel/patches) about 1 kill in 13 oopsed the guest and hung the container.
// Not part of `npm test` (minutes, and a probability, not a check): run it after touching the kernel,
// the 9p share or the agent's process handling.
//
//   node --import tsx scripts/oom-stress.ts [kills=20] [--burners=3] [--guest-tar]
//
// --burners=N runs N busy loops on the host alongside; --guest-tar keeps layers in guest tmpfs (the
// baseline). Exits 0 when every container exited 137 with OOMKilled, 2 on the first hang (and prints
// the guest's processes and kernel log from the oops on), 1 on any other outcome.

import { spawn, type ChildProcess } from 'node:child_process';
import { InProcessClient } from '../src/cli/client';
import { runDocker } from '../src/cli/docker';
import { Daemon } from '../src/engine/daemon';
import { MemoryStore } from '../src/engine/store';
import { loadGuestArtifacts } from '../src/node/artifacts';
import { nodeRegistry } from '../src/node/bundled-registry';
import { Guest } from '../src/vm/guest';
import { GuestRuntime } from '../src/vm/runtime';
import { captureEnv } from '../tests/helpers/docker-env';

const args = process.argv.slice(2);
const kills = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const burners = Number(args.find((a) => a.startsWith('--burners='))?.slice('--burners='.length) ?? 0);
const layersInShare = !args.includes('--guest-tar');

const busy: ChildProcess[] = [];
for (let i = 0; i < burners; i++) busy.push(spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));

const guest = await Guest.start(await loadGuestArtifacts('restore'), 'restore');
const files = { write: (path: string, data: Uint8Array) => guest.writeFile(path, data), read: (path: string) => guest.readFile(path), tree: guest.shareTree() };
const daemon = new Daemon({ store: new MemoryStore(), runtime: new GuestRuntime(guest.agent, files, { layersInShare }), registry: nodeRegistry() });
const client = new InProcessClient((request) => daemon.router.handle(request));
const captured = captureEnv(client, { now: () => new Date() });

async function guestShell(script: string): Promise<string> {
  let out = '';
  const decode = (chunk: Uint8Array) => void (out += new TextDecoder().decode(chunk));
  const process = await guest.runtime.spawn(
    { args: ['sh', '-c', script], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
    { stdin: false, stdout: decode, stderr: decode },
  );
  await process.wait();
  return out;
}

function finish(code: number): never {
  for (const child of busy) child.kill();
  process.exit(code);
}

console.log(`${kills} OOM kills, layers ${layersInShare ? 'in the 9p share' : 'in guest tmpfs'}, ${burners} host burners`);
await runDocker(['pull', 'busybox'], captured.env);
for (let i = 0; i < kills; i++) {
  const started = performance.now();
  const name = `hog${i}`;
  const run = runDocker(['run', '--name', name, '-m', '16m', 'busybox', 'sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived'], captured.env);
  const hang = setTimeout(() => {
    void (async () => {
      console.log(`${name} hung; the guest's processes and kernel log:`);
      console.log(await guestShell("ps -o pid,stat,args | grep -v '\\['; dmesg | grep -A 80 -m1 -E 'BUG|Oops' || dmesg | tail -40"));
      finish(2);
    })();
  }, 60_000);
  const status = await run;
  clearTimeout(hang);
  const state = (await (await client.request('GET', `/containers/${name}/json`)).json<{ State: { OOMKilled: boolean } }>()).State;
  console.log(`${name}: exit ${status}, OOMKilled ${state.OOMKilled}, ${(performance.now() - started).toFixed(0)} ms`);
  if (status !== 137 || !state.OOMKilled) finish(1);
  await runDocker(['rm', name], captured.env);
}
await guest.destroy();
finish(0);
