// Resource and policy options of docker run/create: --cpus, -m/--memory, --memory-swap,
// --restart, --ulimit, --link. Error texts are docker's (and the daemon's where docker leaves
// the check to it, noted below).

import { parseInt64 } from '../../go/strconv';
import { ramInBytes } from '../../go/units';

/** opts.ParseCPUs: an exact rational ("1.5", "3/2", "2e-1") times 1e9, which must be whole. */
export function parseCpus(value: string): number {
  const invalid = (): Error => new Error(`failed to parse ${value} as a rational number`);
  let numerator: bigint;
  let denominator: bigint;
  const fraction = /^([+-]?\d+)\/(\d+)$/.exec(value);
  if (fraction) {
    numerator = BigInt(fraction[1]);
    denominator = BigInt(fraction[2]);
    if (denominator === 0n) throw invalid();
  } else {
    const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
    if (!decimal || (decimal[2] === '' && (decimal[3] ?? '') === '')) throw invalid();
    const digits = (decimal[2] || '0') + (decimal[3] ?? '');
    let exponent = -(decimal[3] ?? '').length + Number(decimal[4] ?? '0');
    // big.Rat.SetString refuses an exponent beyond 1e6 either way ("avoid excessively large exponents")
    if (Math.abs(exponent) > 1e6) throw invalid();
    numerator = BigInt(digits) * (decimal[1] === '-' ? -1n : 1n);
    denominator = 1n;
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator = 10n ** BigInt(-exponent);
    exponent = 0;
  }
  const nano = numerator * 1_000_000_000n;
  if (nano % denominator !== 0n) throw new Error('value is too precise');
  return Number(nano / denominator);
}

/** NanoCPUs.String(): "1.500" (three decimals), "" for zero. */
export function formatCpus(nanoCpus: number): string {
  if (nanoCpus === 0) return '';
  const negative = nanoCpus < 0;
  const magnitude = BigInt(Math.abs(nanoCpus));
  // big.Rat.FloatString(3) rounds half away from zero.
  const thousandths = (magnitude * 1000n + 500_000_000n) / 1_000_000_000n;
  const text = `${thousandths / 1000n}.${String(thousandths % 1000n).padStart(3, '0')}`;
  return negative ? `-${text}` : text;
}

/** -m / --memory: go-units RAMInBytes ("512m" → 536870912). */
export function parseMemory(value: string): number {
  return ramInBytes(value);
}

/** --memory-swap: like --memory, and -1 means unlimited. */
export function parseMemorySwap(value: string): number {
  return value === '-1' ? -1 : ramInBytes(value);
}

export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

/** opts.ParseRestartPolicy: "no", "always", "unless-stopped", "on-failure[:N]" ("" stays empty). */
export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  const name = colon === -1 ? policy : policy.slice(0, colon);
  const count = colon === -1 ? '' : policy.slice(colon + 1);
  if (colon !== -1 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let maximumRetryCount = 0;
  if (count !== '') {
    // Go's strconv.Atoi: decimal digits with an optional sign.
    if (!/^[+-]?\d+$/.test(count)) throw new Error('invalid restart policy format: maximum retry count must be an integer');
    maximumRetryCount = Number(count);
  }
  return { Name: name, MaximumRetryCount: maximumRetryCount };
}

/** The daemon's ValidateRestartPolicy (docker shows it as "Error response from daemon: ..."). */
export function validateRestartPolicy(policy: RestartPolicy): void {
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
    case 'no':
      if (policy.MaximumRetryCount !== 0) {
        let message = "invalid restart policy: maximum retry count can only be used with 'on-failure'";
        if (policy.MaximumRetryCount < 0) message += ' and cannot be negative';
        throw new Error(message);
      }
      return;
    case 'on-failure':
      if (policy.MaximumRetryCount < 0) throw new Error('invalid restart policy: maximum retry count cannot be negative');
      return;
    case '':
      return;
    default:
      throw new Error(
        `invalid restart policy: unknown policy '${policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

/** The client's check of --rm with a restart policy. */
export function checkRestartWithAutoRemove(policy: RestartPolicy, autoRemove: boolean): void {
  if (autoRemove && policy.Name !== '' && policy.Name !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

const ulimitNames = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** go-units ParseUlimit: "nofile=1024[:2048]". */
export function parseUlimit(value: string): Ulimit {
  const equals = value.indexOf('=');
  if (equals === -1) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, equals);
  const limits = value.slice(equals + 1);
  if (!ulimitNames.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) throw new Error(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  const hard = parts.length === 2 ? Number(parseInt64(parts[1], 10, 64)) : undefined;
  const soft = Number(parseInt64(parts[0], 10, 64));
  const effectiveHard = hard ?? soft;
  if (effectiveHard !== -1) {
    if (soft === -1) {
      throw new Error(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${effectiveHard}`);
    }
    if (soft > effectiveHard) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${effectiveHard}`);
  }
  return { Name: name, Soft: soft, Hard: effectiveHard };
}

/** opts.ParseLink: "web:db" → ["web", "db"]; "web" → ["web", "web"]. */
export function parseLink(value: string): [string, string] {
  if (value === '') throw new Error('empty string specified for links');
  const parts = value.split(':');
  if (parts.length > 2) throw new Error(`bad format for links: ${value}`);
  if (parts.length === 1) return [value, value];
  if (parts[0].startsWith('/')) {
    const alias = parts[1].slice(parts[1].lastIndexOf('/') + 1);
    return [parts[0].slice(1), alias];
  }
  return [parts[0], parts[1]];
}
