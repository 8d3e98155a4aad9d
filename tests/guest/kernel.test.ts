// The guest kernel and /init give containers what they need: checked in the real guest.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { shared, sh, startGuest } from '../helpers/guest';

let guest: Guest;
beforeAll(async () => {
  guest = await startGuest();
});
afterAll(async () => {
  await guest?.destroy();
});

describe('guest kernel', () => {
  it('is a 32-bit i686 Linux 6.1', async () => {
    const r = await sh(guest, 'uname -m; uname -r');
    expect(r.status).toBe(0);
    const [machine, release] = r.stdout.trim().split('\n');
    expect(machine).toBe('i686');
    expect(release).toMatch(/^6\.1\./);
  });

  it('reports exit statuses and keeps stdout and stderr apart', async () => {
    const r = await sh(guest, 'echo out; echo err >&2; exit 7');
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', status: 7 });
  });

  it('reports a shell killed by SIGKILL as 137', async () => {
    expect((await sh(guest, 'kill -9 $$')).status).toBe(137);
  });

  describe('unshare --pid --fork --mount --uts --ipc --net --mount-proc', () => {
    const lines = shared(async () => {
      const r = await sh(
        guest,
        `unshare --pid --fork --mount --uts --ipc --net --mount-proc sh -c 'hostname box; echo pid=$$; hostname; ps -o pid,comm | wc -l; ip -o link | wc -l'
hostname`,
      );
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n');
    });

    it('gives a new pid namespace: the shell is pid 1', async () => {
      expect((await lines())[0]).toBe('pid=1');
    });

    it("gives a new mount namespace whose /proc shows only the namespace's processes", async () => {
      // sh, ps and wc, plus the header line
      expect(Number((await lines())[2])).toBeLessThanOrEqual(4);
    });

    it("gives a new uts namespace: its own hostname, the host's unchanged", async () => {
      const all = await lines();
      expect(all[1]).toBe('box');
      expect(all[4]).toBe('dockside');
    });

    it('gives a new net namespace with only lo', async () => {
      expect((await lines())[3].trim()).toBe('1');
    });
  });

  describe('overlayfs on tmpfs', () => {
    const lines = shared(async () => {
      const r = await sh(
        guest,
        `set -e; d=$(mktemp -d); cd $d; mkdir lower upper work merged
echo base > lower/kept; echo old > lower/changed; echo gone > lower/deleted
mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged
echo new > merged/changed; rm merged/deleted; echo added > merged/added
cat merged/kept merged/changed merged/added; ls merged | tr '\\n' ' '; echo
cat lower/changed; ls lower | tr '\\n' ' '; echo
stat -c '%n %F %t,%T' upper/deleted; cat upper/changed
umount merged`,
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout.split('\n');
    });

    it('shows the lower files, the changes and the new files in the merged directory', async () => {
      expect((await lines()).slice(0, 4)).toEqual(['base', 'new', 'added', 'added changed kept ']);
    });

    it('leaves the lower directory as it was', async () => {
      expect((await lines()).slice(4, 6)).toEqual(['old', 'changed deleted kept ']);
    });

    it('records a deleted file as a whiteout (a 0,0 character device) in the upper directory', async () => {
      expect((await lines())[6]).toBe('upper/deleted character special file 0,0');
    });

    it('copies a changed file up', async () => {
      expect((await lines()).slice(7)).toEqual(['new', '']);
    });
  });

  describe('cgroup v2', () => {
    const lines = shared(async () => (await sh(guest, 'cat /sys/fs/cgroup/cgroup.controllers; cat /sys/fs/cgroup/cgroup.subtree_control; mount | grep cgroup2')).stdout.trim().split('\n'));

    it('is mounted at /sys/fs/cgroup', async () => {
      expect((await lines())[2]).toMatch(/^cgroup2 on \/sys\/fs\/cgroup type cgroup2/);
    });

    it('has the cpuset, cpu, io, memory and pids controllers', async () => {
      expect((await lines())[0].split(' ').sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
    });

    it('enables them all for children', async () => {
      expect((await lines())[1].split(' ').sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
    });
  });

  describe('an allocation over memory.max in a child cgroup', () => {
    const oom = shared(async () =>
      sh(
        guest,
        `cg=/sys/fs/cgroup/oomtest; mkdir $cg; echo 8M > $cg/memory.max; echo 0 > $cg/memory.swap.max
sh -c 'echo $$ > /sys/fs/cgroup/oomtest/cgroup.procs; x=$(head -c 20000000 /dev/zero | tr "\\0" a); echo survived'
echo status=$?
grep -E '^(oom|oom_kill) ' $cg/memory.events
echo 0 > /dev/null; rmdir $cg && echo removed`,
      ),
    );

    it('is OOM-killed (137)', async () => {
      const { stdout } = await oom();
      expect(stdout).not.toContain('survived');
      expect(stdout).toContain('status=137');
    });

    it('is counted in memory.events', async () => {
      expect((await oom()).stdout).toMatch(/^oom_kill [1-9]/m);
    });

    it('leaves a cgroup that can be removed', async () => {
      expect((await oom()).stdout).toContain('removed');
    });

    it('leaves the guest alive', async () => {
      await oom();
      expect((await sh(guest, 'echo alive')).stdout).toBe('alive\n');
    });
  });

  it('runs iptables (legacy) with the nat table', async () => {
    const r = await sh(
      guest,
      `iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j RETURN
iptables -t nat -S POSTROUTING; iptables -t nat -S PREROUTING
iptables -t nat -F`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE');
    expect(r.stdout).toContain('-A PREROUTING -m addrtype --dst-type LOCAL -j RETURN');
  });

  describe('a veth pair on docker0 into a net namespace', () => {
    const lines = shared(async () => {
      const r = await sh(
        guest,
        `unshare --net sleep 600 & ns=$!
while [ "$(readlink /proc/$ns/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do usleep 10000; done
ip link add vhost0 type veth
peer=$(ip -o link | sed -n 's/^[0-9]*: \\(veth[0-9]*\\)@vhost0.*/\\1/p')
ip link set $peer netns $ns
ip link set vhost0 master docker0 up
nsenter -t $ns -n sh -c "ip link set lo up; ip link set $peer name eth0; ip addr add 172.17.0.99/16 dev eth0; ip link set eth0 up; ip route add default via 172.17.0.1"
nsenter -t $ns -n ping -c 1 -W 5 172.17.0.1 >/dev/null && echo inside-to-host || echo no-inside-to-host
ping -c 1 -W 5 172.17.0.99 >/dev/null && echo host-to-inside || echo no-host-to-inside
/usr/sbin/brctl show docker0 | grep -c vhost0
kill $ns; wait $ns 2>/dev/null
# the namespace (and with it both veth ends) is torn down asynchronously
for i in $(seq 250); do ip link show vhost0 >/dev/null 2>&1 || break; usleep 20000; done
ip link show vhost0 >/dev/null 2>&1 && echo veth-left || echo veth-gone`,
      );
      return r.stdout.split('\n');
    });

    it('is a port of the bridge', async () => {
      expect((await lines())[2]).toBe('1');
    });

    it('lets the namespace ping the host', async () => {
      expect((await lines())[0]).toBe('inside-to-host');
    });

    it('lets the host ping the namespace', async () => {
      expect((await lines())[1]).toBe('host-to-inside');
    });

    it('goes away with the namespace', async () => {
      expect((await lines()).slice(3)).toEqual(['veth-gone', '']);
    });
  });
});
