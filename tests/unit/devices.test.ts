// The devices cgroup: docker's rules (moby's defaults, --device permissions, --device-cgroup-rule,
// --privileged) and runc's always-allowed devices, reduced like runc's emulator to a default and
// its exceptions (what the agent turns into its eBPF program).

import { describe, expect, it } from 'vitest';
import { deviceFilter, dockerDeviceRules, parseDeviceCgroupRule, type DeviceCgroupRule } from '../../src/engine/containers/devices';
import type { DeviceFilter } from '../../src/engine/runtime/types';

/** What the agent's program decides for one access (the same matching rules, in TypeScript). */
function allowed(filter: DeviceFilter, type: 'b' | 'c', major: number, minor: number, access: string): boolean {
  const hit = filter.rules.some(
    (r) => r.type === type && (r.major === -1 || r.major === major) && (r.minor === -1 || r.minor === minor) && access.split('').every((c) => r.access.includes(c)),
  );
  return hit ? !filter.defaultAllow : filter.defaultAllow;
}

const c = (major: number, minor: number, access = 'rwm') => ({ type: 'c' as const, major, minor, access });
const b = (major: number, minor: number, access = 'rwm') => ({ type: 'b' as const, major, minor, access });

describe('the devices cgroup of a docker container', () => {
  it('by default: mknod of anything, the standard nodes, pts, ptmx and tun; nothing else', () => {
    const filter = deviceFilter(dockerDeviceRules({ privileged: false, devices: [] }));
    expect(filter).toEqual({
      defaultAllow: false,
      rules: [b(-1, -1, 'm'), c(-1, -1, 'm'), c(1, 3), c(1, 5), c(1, 7), c(1, 8), c(1, 9), c(5, 0), c(5, 1), c(5, 2), c(10, 200), c(136, -1)],
    });
    expect(allowed(filter, 'b', 8, 0, 'm')).toBe(true); // mknod /tmp/sda b 8 0 works
    expect(allowed(filter, 'b', 8, 0, 'r')).toBe(false); // reading it does not
    expect(allowed(filter, 'c', 4, 65, 'rw')).toBe(false); // a serial port
    expect(allowed(filter, 'c', 136, 3, 'rw')).toBe(true);
    expect(allowed(filter, 'c', 1, 3, 'rw')).toBe(true);
    expect(allowed(filter, 'c', 10, 229, 'rw')).toBe(false); // fuse
  });

  it('--device adds its nodes with their permissions (rwm by default)', () => {
    const filter = deviceFilter(
      dockerDeviceRules({ privileged: false, devices: [{ type: 'c', major: 4, minor: 65, permissions: 'r' }, { type: 'b', major: 8, minor: 32, permissions: 'rwm' }, { type: 'c', major: 10, minor: 229, permissions: 'rw' }] }),
    );
    expect(allowed(filter, 'c', 4, 65, 'r')).toBe(true);
    expect(allowed(filter, 'c', 4, 65, 'w')).toBe(false);
    expect(allowed(filter, 'c', 4, 65, 'rw')).toBe(false);
    expect(allowed(filter, 'b', 8, 32, 'rw')).toBe(true);
    expect(allowed(filter, 'c', 10, 229, 'rw')).toBe(true); // after moby's deny, so it wins
    expect(filter.rules).toContainEqual(c(4, 65, 'r'));
  });

  it('--device-cgroup-rule adds rules, with moby\'s format check', () => {
    const filter = deviceFilter(dockerDeviceRules({ privileged: false, devices: [], cgroupRules: ['c 42:* rmw', 'b *:7 r'] }));
    expect(allowed(filter, 'c', 42, 9, 'rw')).toBe(true);
    expect(allowed(filter, 'b', 3, 7, 'r')).toBe(true);
    expect(allowed(filter, 'b', 3, 7, 'w')).toBe(false);
    expect(parseDeviceCgroupRule('a *:* rwm')).toEqual({ allow: true, type: 'a', major: -1, minor: -1, access: 'rwm' });
    expect(() => parseDeviceCgroupRule('c 1:3')).toThrow("invalid device cgroup rule format: 'c 1:3'");
  });

  it('--privileged allows every device', () => {
    const filter = deviceFilter(dockerDeviceRules({ privileged: true, devices: [{ type: 'c', major: 4, minor: 65, permissions: 'r' }] }));
    expect(filter).toEqual({ defaultAllow: true, rules: [] });
    expect(allowed(filter, 'b', 8, 0, 'rwm')).toBe(true);
  });

  it('follows runc\'s emulator: a wildcard resets, a deny takes access away, holes in wildcards are refused', () => {
    const rule = (allow: boolean, type: 'a' | 'b' | 'c', major: number, minor: number, access = 'rwm'): DeviceCgroupRule => ({ allow, type, major, minor, access });
    expect(deviceFilter([rule(false, 'a', -1, -1), rule(true, 'c', 1, 3), rule(false, 'c', 1, 3, 'w')])).toEqual({ defaultAllow: false, rules: [c(1, 3, 'rm')] });
    expect(deviceFilter([rule(true, 'c', 1, 3), rule(false, 'a', -1, -1)])).toEqual({ defaultAllow: false, rules: [] });
    expect(deviceFilter([rule(true, 'a', -1, -1), rule(false, 'b', 8, -1, 'w')])).toEqual({ defaultAllow: true, rules: [b(8, -1, 'w')] });
    expect(() => deviceFilter([rule(false, 'a', -1, -1), rule(true, 'c', -1, -1, 'rw'), rule(false, 'c', 1, 3, 'r')])).toThrow(
      'requested rule [c 1:3 r] not supported by devices cgroupv1 (cannot punch hole in existing wildcard rule [c *:* rw])',
    );
  });
});
