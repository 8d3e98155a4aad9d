// The guest kernel and /init give containers what they need: checked in the real guest.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { sh, startGuest } from '../helpers/guest';

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
    const killed = await sh(guest, 'kill -9 $$');
    expect(killed.status).toBe(137);
  });

  it('gives unshare a new pid, mount, uts, ipc and net namespace', async () => {
    const r = await sh(
      guest,
      `unshare --pid --fork --mount --uts --ipc --net --mount-proc sh -c 'hostname box; echo pid=$$; hostname; ps -o pid,comm | wc -l; ip -o link | wc -l'
hostname`,
    );
    expect(r.stderr).toBe('');
    const [pid, inner, processes, links, outer] = r.stdout.trim().split('\n');
    expect(pid).toBe('pid=1');
    expect(inner).toBe('box');
    // the new /proc shows only sh, ps and wc (plus the header line), the new net namespace only lo
    expect(Number(processes)).toBeLessThanOrEqual(4);
    expect(links.trim()).toBe('1');
    expect(outer).toBe('dockside');
  });

  it('mounts overlayfs on tmpfs with copy-up and whiteouts', async () => {
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
    expect(r.stdout).toBe(
      'base\nnew\nadded\nadded changed kept \nold\nchanged deleted kept \nupper/deleted character special file 0,0\nnew\n',
    );
  });

  it('has cgroup v2 with cpuset, cpu, io, memory and pids for children', async () => {
    const r = await sh(guest, 'cat /sys/fs/cgroup/cgroup.controllers; cat /sys/fs/cgroup/cgroup.subtree_control; mount | grep cgroup2');
    const [controllers, subtree, mount] = r.stdout.trim().split('\n');
    expect(controllers.split(' ').sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
    expect(subtree.split(' ').sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
    expect(mount).toMatch(/^cgroup2 on \/sys\/fs\/cgroup type cgroup2/);
  });

  it('OOM-kills an allocation over memory.max in a child cgroup and counts it', async () => {
    const r = await sh(
      guest,
      `cg=/sys/fs/cgroup/oomtest; mkdir $cg; echo 8M > $cg/memory.max; echo 0 > $cg/memory.swap.max
sh -c 'echo $$ > /sys/fs/cgroup/oomtest/cgroup.procs; x=$(head -c 20000000 /dev/zero | tr "\\0" a); echo survived'
echo status=$?
grep -E '^(oom|oom_kill) ' $cg/memory.events
echo 0 > /dev/null; rmdir $cg && echo removed`,
    );
    expect(r.stdout).not.toContain('survived');
    expect(r.stdout).toContain('status=137');
    expect(r.stdout).toMatch(/^oom_kill [1-9]/m);
    expect(r.stdout).toContain('removed');
    // the guest lives on
    expect((await sh(guest, 'echo alive')).stdout).toBe('alive\n');
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

  it('connects a veth pair on docker0 into a net namespace, pinging both ways', async () => {
    const r = await sh(
      guest,
      `unshare --net sleep 600 & ns=$!
while [ "$(readlink /proc/$ns/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do usleep 10000; done
ip link add vhost0 type veth
peer=$(ip -o link | sed -n 's/^[0-9]*: \\(veth[0-9]*\\)@vhost0.*/\\1/p')
ip link set $peer netns $ns
ip link set vhost0 master docker0 up
nsenter -t $ns -n sh -c "ip link set lo up; ip link set $peer name eth0; ip addr add 172.17.0.99/16 dev eth0; ip link set eth0 up; ip route add default via 172.17.0.1"
nsenter -t $ns -n ping -c 1 -W 5 172.17.0.1 >/dev/null && echo inside-to-host
ping -c 1 -W 5 172.17.0.99 >/dev/null && echo host-to-inside
/usr/sbin/brctl show docker0 | grep -c vhost0
kill $ns; wait $ns 2>/dev/null
# the namespace (and with it both veth ends) is torn down asynchronously
for i in $(seq 250); do ip link show vhost0 >/dev/null 2>&1 || break; usleep 20000; done
ip link show vhost0 >/dev/null 2>&1 || echo veth-gone`,
    );
    expect(r.stdout).toBe('inside-to-host\nhost-to-inside\n1\nveth-gone\n');
  });
});
