// The devices cgroup of a container: docker's rules (moby's default spec, --device with its cgroup
// permissions, --device-cgroup-rule, everything with --privileged) followed by the devices runc always
// allows, reduced the way runc's devices emulator reduces them for cgroup v2: a default (allow or deny)
// and the exceptions to it, which the agent turns into a BPF_PROG_TYPE_CGROUP_DEVICE program.

import type { DeviceAccessRule, DeviceFilter } from '../runtime/types';

/** One rule as docker and runc write them; major or minor -1 means any. */
export interface DeviceCgroupRule {
  allow: boolean;
  type: 'a' | 'b' | 'c';
  major: number;
  minor: number;
  access: string;
}

const rule = (allow: boolean, type: 'a' | 'b' | 'c', major: number, minor: number, access = 'rwm'): DeviceCgroupRule => ({ allow, type, major, minor, access });

/** moby's DefaultLinuxSpec: deny everything, then the standard character devices (and never fuse). */
const MOBY_DEFAULT: DeviceCgroupRule[] = [
  rule(false, 'a', -1, -1),
  rule(true, 'c', 1, 5), // /dev/zero
  rule(true, 'c', 1, 3), // /dev/null
  rule(true, 'c', 1, 9), // /dev/urandom
  rule(true, 'c', 1, 8), // /dev/random
  rule(true, 'c', 5, 0), // /dev/tty
  rule(true, 'c', 5, 1), // /dev/console
  rule(false, 'c', 10, 229), // /dev/fuse
];

/** runc's AllowedDevices, appended to every container's rules. */
const RUNC_ALLOWED: DeviceCgroupRule[] = [
  rule(true, 'c', -1, -1, 'm'), // mknod of any character device
  rule(true, 'b', -1, -1, 'm'), // and of any block device
  rule(true, 'c', 1, 3), // /dev/null
  rule(true, 'c', 1, 8), // /dev/random
  rule(true, 'c', 1, 7), // /dev/full
  rule(true, 'c', 5, 0), // /dev/tty
  rule(true, 'c', 1, 5), // /dev/zero
  rule(true, 'c', 1, 9), // /dev/urandom
  rule(true, 'c', 136, -1), // /dev/pts/*
  rule(true, 'c', 5, 2), // /dev/ptmx
  rule(true, 'c', 10, 200), // /dev/net/tun
];

const CGROUP_RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** moby's AppendDevicePermissionsFromCgroupRules (--device-cgroup-rule 'c 42:* rmw'). */
export function parseDeviceCgroupRule(text: string): DeviceCgroupRule {
  const match = CGROUP_RULE.exec(text);
  if (!match) throw new Error(`invalid device cgroup rule format: '${text}'`);
  const number = (part: string) => (part === '*' ? -1 : Number(part));
  return rule(true, match[1] as 'a' | 'b' | 'c', number(match[2]), number(match[3]), match[4]);
}

export interface DeviceRuleOptions {
  privileged: boolean;
  /** The nodes --device brought in, each with the permissions its --device gave (rwm by default). */
  devices: readonly { type: 'b' | 'c'; major: number; minor: number; permissions: string }[];
  /** --device-cgroup-rule */
  cgroupRules?: readonly string[] | null;
}

/** The ordered rules runc receives for a docker container. */
export function dockerDeviceRules(options: DeviceRuleOptions): DeviceCgroupRule[] {
  if (options.privileged) return [rule(true, 'a', -1, -1), ...RUNC_ALLOWED];
  return [
    ...MOBY_DEFAULT,
    ...options.devices.map((d) => rule(true, d.type, d.major, d.minor, d.permissions)),
    ...(options.cgroupRules ?? []).map(parseDeviceCgroupRule),
    ...RUNC_ALLOWED,
  ];
}

const key = (r: { type: string; major: number; minor: number }) => `${r.type} ${r.major} ${r.minor}`;
const union = (a: string, b: string) => 'rwm'.split('').filter((c) => a.includes(c) || b.includes(c)).join('');
const minus = (a: string, b: string) => 'rwm'.split('').filter((c) => a.includes(c) && !b.includes(c)).join('');
const show = (r: { type: string; major: number; minor: number }) => `${r.type} ${r.major < 0 ? '*' : r.major}:${r.minor < 0 ? '*' : r.minor}`;

/**
 * runc's devices emulator: a wildcard ("a") rule sets the default and forgets every exception; a rule
 * against the default adds an exception; a rule like the default takes access away from the exception
 * with the same type and numbers, and may not punch a hole in a wildcard exception (runc's error).
 */
export function deviceFilter(rules: readonly DeviceCgroupRule[]): DeviceFilter {
  let defaultAllow = false;
  let exceptions = new Map<string, DeviceAccessRule>();
  for (const r of rules) {
    if (r.type === 'a') {
      defaultAllow = r.allow;
      exceptions = new Map();
      continue;
    }
    const k = key(r);
    if (r.allow !== defaultAllow) {
      const old = exceptions.get(k);
      exceptions.set(k, { type: r.type, major: r.major, minor: r.minor, access: union(old?.access ?? '', r.access) });
      continue;
    }
    for (const partial of [
      { type: r.type, major: -1, minor: r.minor },
      { type: r.type, major: r.major, minor: -1 },
      { type: r.type, major: -1, minor: -1 },
    ]) {
      if (key(partial) === k) continue;
      const wildcard = exceptions.get(key(partial));
      if (wildcard && minus(wildcard.access, minus(wildcard.access, r.access)) !== '') {
        throw new Error(`requested rule [${show(r)} ${r.access}] not supported by devices cgroupv1 (cannot punch hole in existing wildcard rule [${show(partial)} ${wildcard.access}])`);
      }
    }
    const old = exceptions.get(k);
    if (!old) continue;
    const left = minus(old.access, r.access);
    if (left === '') exceptions.delete(k);
    else exceptions.set(k, { ...old, access: left });
  }
  // runc's order: by major, minor, then type
  const sorted = [...exceptions.values()].sort((a, b) => a.major - b.major || a.minor - b.minor || a.type.localeCompare(b.type));
  return { defaultAllow, rules: sorted };
}
