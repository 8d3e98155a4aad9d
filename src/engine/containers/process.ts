// What a process of a container runs as (its own, an exec's, a healthcheck's): environment, user from
// the image's passwd and group files, capabilities, no-new-privileges and the container's seccomp
// filter; and how docker words a failed execve.

import { invalidParameter, systemError } from '../errors';
import { RuntimeError, type ProcessSpec, type User } from '../runtime/types';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import { SeccompError, seccompErrorMessage, seccompFilter } from './seccomp';
import { parseSecurityOpt } from './security-opt';
import { ALL_CAPABILITIES, capabilitiesFor } from './spec';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ProcessOptions {
  env: string[];
  user: string;
  cwd: string;
  tty: boolean;
  consoleSize?: [number, number];
  hostname?: string;
  privileged?: boolean;
}

/** How docker reports a failed execve of the container's process (and the exit code it records). */
export function execFailure(error: unknown, command: string): { message: string; exitCode: number } | undefined {
  if (!(error instanceof RuntimeError) || (error.op !== 'execve' && error.op !== 'exec')) return undefined;
  let reason: string;
  let exitCode = 127;
  if (error.code === 'ENOENT') {
    reason = command.includes('/') ? `exec: "${command}": stat ${command}: no such file or directory` : `exec: "${command}": executable file not found in $PATH`;
  } else if (error.code === 'EACCES') {
    reason = `exec: "${command}": permission denied`;
    exitCode = 126;
  } else if (error.code === 'EISDIR') {
    reason = `exec: "${command}": is a directory`;
    exitCode = 126;
  } else {
    reason = `exec: "${command}": ${error.message}`;
    exitCode = 126;
  }
  return { message: reason, exitCode };
}

/** --security-opt no-new-privileges (also =true, :true; =false turns it off), as moby parses it. */
export function noNewPrivileges(securityOpt: readonly string[]): boolean {
  try {
    return parseSecurityOpt(securityOpt).noNewPrivileges;
  } catch {
    return false; // refused at create
  }
}

/** Builds a process spec: env with HOSTNAME (and TERM for a TTY), the user from the image's passwd. */
export async function processSpec(context: ContainerContext, live: LiveContainer, args: string[], options: ProcessOptions): Promise<ProcessSpec> {
  const env = [...options.env];
  const has = (key: string) => env.some((entry) => entry.startsWith(`${key}=`));
  if (!has('PATH')) env.unshift(DEFAULT_PATH);
  if (options.hostname !== undefined && !has('HOSTNAME')) env.splice(1, 0, `HOSTNAME=${options.hostname}`);
  if (options.tty && !has('TERM')) env.push('TERM=xterm');
  const user = await resolveUser(context, live, options.user);
  if (!has('HOME')) env.push(`HOME=${user.home}`);
  return {
    args,
    env,
    cwd: options.cwd || '/',
    user: { uid: user.uid, gid: user.gid, groups: user.groups },
    terminal: options.tty,
    rows: options.consoleSize?.[0] || undefined,
    cols: options.consoleSize?.[1] || undefined,
    // The bounding set: docker's defaults, --cap-add/--cap-drop, everything with --privileged (exec too).
    capabilities: options.privileged
      ? [...ALL_CAPABILITIES]
      : capabilitiesFor({ privileged: live.record.hostConfig.Privileged, capAdd: live.record.hostConfig.CapAdd, capDrop: live.record.hostConfig.CapDrop }),
    // The container's and every exec's processes, as runc applies the container's setting to both.
    noNewPrivileges: noNewPrivileges(live.record.hostConfig.SecurityOpt ?? []),
    // The container's filter, for execs too (runc gives an exec the container's seccomp, --privileged or not).
    seccomp: seccompOf(context, live),
  };
}

/**
 * The container's seccomp filter (docker's default profile, a custom one, or none), computed once per
 * run. Throws the error docker gives for a profile that cannot be used.
 */
export function seccompOf(context: ContainerContext, live: LiveContainer): Uint8Array | undefined {
  if (live.seccomp) return live.seccomp.program;
  const hostConfig = live.record.hostConfig;
  try {
    const program = seccompFilter({
      profile: parseSecurityOpt(hostConfig.SecurityOpt ?? []).seccompProfile,
      privileged: hostConfig.Privileged ?? false,
      capabilities: capabilitiesFor({ privileged: hostConfig.Privileged, capAdd: hostConfig.CapAdd, capDrop: hostConfig.CapDrop }),
      kernelVersion: context.deps.host.kernelVersion,
    });
    live.seccomp = { program };
    return program;
  } catch (error) {
    if (error instanceof SeccompError) throw systemError(seccompErrorMessage(error));
    throw systemError((error as Error).message);
  }
}

async function resolveUser(context: ContainerContext, live: LiveContainer, spec: string): Promise<User & { home: string }> {
  if (spec === '') return { uid: 0, gid: 0, groups: [], home: '/root' };
  const [userPart, groupPart] = spec.split(':');
  const read = async (file: string): Promise<string> => {
    const paths = live.record.layerDirs.map((dir) => `${dir}${file}`);
    const files = await context.runtime.readFiles(paths).catch(() => ({}) as Record<string, string | null>);
    for (const path of paths) if (files[path]) return files[path] ?? '';
    return '';
  };
  let uid: number;
  let gid = 0;
  let home = '/';
  const passwd = (await read('/etc/passwd')).split('\n').map((line) => line.split(':'));
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((fields) => fields[2] === userPart);
    if (entry) {
      gid = Number(entry[3]);
      home = entry[5] || '/';
    }
  } else {
    const entry = passwd.find((fields) => fields[0] === userPart);
    if (!entry) throw invalidParameter(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5] || '/';
  }
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const entry = (await read('/etc/group')).split('\n').map((line) => line.split(':')).find((fields) => fields[0] === groupPart);
      if (!entry) throw invalidParameter(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid, groups: [], home };
}
