// --security-opt as the daemon reads it (moby's parseSecurityOpt): no-new-privileges, seccomp=,
// apparmor=, label=, writable-cgroups; "key:value" is the deprecated spelling of "key=value".

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** "" (the daemon's default), "unconfined", "builtin", or a profile's JSON. */
  seccompProfile: string;
  apparmorProfile: string;
  labels: string[];
  writableCgroups?: boolean;
}

/** Go's strconv.ParseBool. */
function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** Throws moby's error text for an option it does not know. */
export function parseSecurityOpt(options: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccompProfile: '', apparmorProfile: '', labels: [] };
  for (const opt of options) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'writable-cgroups') {
      out.writableCgroups = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    const separator = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (separator === '') throw new Error(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const key = opt.slice(0, opt.indexOf(separator));
    const value = opt.slice(opt.indexOf(separator) + 1);
    switch (key) {
      case 'label':
        out.labels.push(value);
        break;
      case 'apparmor':
        out.apparmorProfile = value;
        break;
      case 'seccomp':
        out.seccompProfile = value;
        break;
      case 'no-new-privileges':
      case 'writable-cgroups': {
        const on = parseBool(value);
        if (on === undefined) throw new Error(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        if (key === 'no-new-privileges') out.noNewPrivileges = on;
        else out.writableCgroups = on;
        break;
      }
      default:
        throw new Error(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}
