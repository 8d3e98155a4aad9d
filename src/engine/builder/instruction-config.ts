// What the instructions that make no layer (ENV, EXPOSE, HEALTHCHECK, STOPSIGNAL...) do to the
// config, with moby's checks and the `#(nop)` texts the config is committed with.

import type { ContainerConfig } from '../oci/types';
import type { HealthConfig as DockerfileHealth } from './instructions';
import { goQuoteList, goQuoteRune } from '../../go/strconv';
import { formatDuration } from '../../go/duration';
import { BuildRequestError } from './build-types';

const defaultShell = ['/bin/sh', '-c'];
export const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function copyConfig(config: ContainerConfig): ContainerConfig {
  return JSON.parse(JSON.stringify(config)) as ContainerConfig;
}

export function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...defaultShell];
}

export function envKey(entry: string): string {
  return entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
}

/** Go's %v of a []string: [a b]. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

const signalNames = new Set(
  'ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ'.split(' '),
);

/** moby's signal.ParseSignal, enough to refuse what docker refuses. */
export function checkSignal(signal: string): void {
  if (/^\d+$/.test(signal)) {
    if (Number(signal) === 0) throw new BuildRequestError(`Invalid signal: ${signal}`);
    return;
  }
  const name = signal.toUpperCase().replace(/^SIG/, '');
  if (signalNames.has(name) || /^RTMIN(\+\d+)?$/.test(name) || /^RTMAX(-\d+)?$/.test(name)) return;
  throw new BuildRequestError(`Invalid signal: ${signal}`);
}

/** nat.ParsePortSpecs for EXPOSE: "80", "80/udp", "8000-8002/tcp" → port keys. */
export function exposedPorts(ports: readonly string[]): string[] {
  const out: string[] = [];
  for (const spec of ports) {
    const [range, proto = 'tcp'] = spec.split('/');
    if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) throw new Error(`invalid containerPort: ${range}`);
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (start > 65535 || end > 65535 || end < start) throw new Error(`invalid containerPort: ${range}`);
    for (let port = start; port <= end; port++) out.push(`${port}/${proto.toLowerCase()}`);
  }
  return out;
}

export function healthConfig(health: DockerfileHealth): NonNullable<ContainerConfig['Healthcheck']> {
  return {
    Test: health.test,
    ...(health.interval ? { Interval: health.interval } : {}),
    ...(health.timeout ? { Timeout: health.timeout } : {}),
    ...(health.startPeriod ? { StartPeriod: health.startPeriod } : {}),
    ...(health.startInterval ? { StartInterval: health.startInterval } : {}),
    ...(health.retries ? { Retries: health.retries } : {}),
  };
}

/** A time.Duration held as a number of nanoseconds, as Go prints it. */
const goDuration = (nanoseconds = 0): string => formatDuration(BigInt(Math.trunc(nanoseconds)));

/** moby's HEALTHCHECK commit text: Go's %q of the *HealthConfig. */
export function healthComment(health: NonNullable<ContainerConfig['Healthcheck']>): string {
  return `&{${goQuoteList(health.Test)} "${goDuration(health.Interval)}" "${goDuration(health.Timeout)}" "${goDuration(health.StartPeriod)}" "${goDuration(health.StartInterval)}" ${goQuoteRune(health.Retries ?? 0)}}`;
}
