// The learner's machine saved and resumed as one pair with the engine's store (issue 14, `dockside sh
// --state`): a file in /root, a volume's content, and containers that were running when the machine
// was saved are all there in the resumed machine; `docker ps` agrees with the guest's processes, the
// engine still hears the running container's output and its exit; the embedded DNS of a user network
// goes on.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocksideEngine } from '../../src/app/engine';
import { resumePair, savePair } from '../../src/app/machine-pair';
import { MemoryStore } from '../../src/engine/store';
import { loadGuestArtifacts } from '../../src/node/artifacts';
import { startNodeEngine } from '../../src/node/sh';
import { readStateFile, writeStateFile } from '../../src/node/state-file';
import type { Guest } from '../../src/vm/guest';
import { eventually, sh, startGuest } from '../helpers/guest';

let guest: Guest | undefined;
let engine: DocksideEngine | undefined;
let dir: string;
/** The last tick the ticker printed before the save. */
let ticksBefore = 0;
let sleeperPidBefore = '';

const lastTick = (logs: string): number => Math.max(0, ...[...logs.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dockside-resume-'));
  const first = await startGuest();
  const store = new MemoryStore();
  const firstEngine = await startNodeEngine(first, store);
  const setup = await sh(
    first,
    `set -e
mkdir -p /root/app && echo hi > /root/app/x
docker volume create keepme >/dev/null
docker run --rm -v keepme:/d busybox sh -c 'echo precious > /d/f'
docker run -d --name sleeper busybox sleep 1000 >/dev/null
docker run -d --name ticker busybox sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done' >/dev/null
docker network create pairnet >/dev/null
docker run -d --name pa --network pairnet busybox sleep 1000 >/dev/null
docker run -d --name pb --network pairnet --network-alias bee busybox sleep 1000 >/dev/null
docker inspect -f '{{.State.Pid}}' sleeper`,
  );
  expect(setup.stderr.replace(/Unable to find image[^]*?Status: Downloaded newer image for busybox:latest\n/, '')).toBe('');
  expect(setup.status).toBe(0);
  sleeperPidBefore = setup.stdout.trim();
  await eventually(async () => ((await sh(first, 'docker logs ticker')).stdout.includes('tick 2') ? true : undefined), 60_000, 'the ticker');
  const pair = await savePair(first, store);
  ticksBefore = lastTick((await sh(first, 'docker logs ticker')).stdout);
  const file = join(dir, 'machine.pair');
  await writeStateFile(file, pair);
  await firstEngine.dispose();
  await first.destroy(); // the machine is gone: only the file is left

  const resumedStore = new MemoryStore();
  guest = await resumePair(await loadGuestArtifacts('restore'), await readStateFile(file), resumedStore);
  engine = await startNodeEngine(guest, resumedStore, true);
}, 600_000);

afterAll(async () => {
  await engine?.dispose();
  await guest?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('a machine resumed from its saved pair', () => {
  it('has the file written in /root', async () => {
    expect(await sh(guest!, 'cat /root/app/x')).toEqual({ stdout: 'hi\n', stderr: '', status: 0 });
  });

  it("has the volume's content, read by a new container", async () => {
    expect(await sh(guest!, 'docker run --rm -v keepme:/d busybox cat /d/f')).toEqual({ stdout: 'precious\n', stderr: '', status: 0 });
  });

  it('still runs the container that was running, with the same process', async () => {
    const ps = await sh(guest!, "docker ps --format '{{.Names}} {{.Status}}' --filter name=sleeper; docker inspect -f '{{.State.Status}} {{.State.Pid}}' sleeper");
    expect(ps.stderr).toBe('');
    expect(ps.stdout).toMatch(/^sleeper Up \d+ seconds?\nrunning (\d+)\n$/);
    expect(ps.stdout.trim().split(' ').at(-1)).toBe(sleeperPidBefore);
    const proc = await sh(guest!, `tr '\\0' ' ' < /proc/${sleeperPidBefore}/cmdline`);
    expect(proc.stdout).toBe('sleep 1000 ');
  });

  it("agrees with the guest's processes: docker ps lists exactly the containers whose cgroups have processes", async () => {
    const listed = (await sh(guest!, 'docker ps -q --no-trunc')).stdout.trim().split('\n').filter(Boolean).sort();
    const live = await sh(guest!, 'for d in /sys/fs/cgroup/docker/*/; do grep -q . "$d/cgroup.procs" && basename "$d"; done; true');
    expect(listed).toHaveLength(4); // sleeper, ticker, pa, pb
    expect(live.stdout.trim().split('\n').filter(Boolean).sort()).toEqual(listed);
  });

  it("keeps hearing the running container's output", async () => {
    const ticks = await eventually(
      async () => {
        const n = lastTick((await sh(guest!, 'docker logs ticker')).stdout);
        return n > ticksBefore + 2 ? n : undefined;
      },
      60_000,
      'new ticks after the resume',
    );
    expect(ticks).toBeGreaterThan(ticksBefore + 2);
  });

  it('keeps the embedded DNS of the containers on a user network, one server each, and teaches it new containers', async () => {
    const lookup = await sh(guest!, 'docker exec pa nslookup bee');
    expect(lookup.stdout).toContain('Name:\tbee\nAddress: 172.18.0.3');
    const servers = await sh(guest!, 'ps -o args | grep -c "^/run/dockside/dns/[d]ockside-dns"');
    expect(servers.stdout.trim()).toBe('2');
    const joined = await sh(guest!, 'docker run -d --name pc --network pairnet busybox sleep 1000 >/dev/null && docker exec pa nslookup pc && docker exec pc nslookup pb');
    expect(joined.status, joined.stderr).toBe(0);
    expect(joined.stdout).toContain('Name:\tpc\nAddress: 172.18.0.4');
    expect(joined.stdout).toContain('Name:\tpb\nAddress: 172.18.0.3');
  });

  it("sees the container's exit: docker stop ends it and docker ps stops listing it", async () => {
    const stop = await sh(guest!, "docker stop -t 1 sleeper && docker ps -a --format '{{.Names}} {{.Status}}' --filter name=sleeper");
    expect(stop.stderr).toBe('');
    expect(stop.stdout).toMatch(/^sleeper\nsleeper Exited \(137\) /);
    expect((await sh(guest!, `[ -e /proc/${sleeperPidBefore} ] && echo alive || echo gone`)).stdout).toBe('gone\n');
  });
});
