// A container's seccomp filter, decided as docker decides it: docker's default profile unless
// --security-opt seccomp=unconfined or --privileged (which turns it off unless a profile is given too),
// or the profile the CLI inlined with --security-opt seccomp=<file>; resolved against the container's
// capabilities and compiled to the classic BPF program the agent installs before execve.

import { compileFilter } from './bpf';
import { DEFAULT_PROFILE } from './default-profile';
import { checkProfile, parseProfile, resolveProfile, SeccompError, type SeccompProfile } from './profile';
import { SYSCALLS_I386 } from './syscalls-i386';

export { SeccompError } from './profile';

export interface SeccompOptions {
  /** moby's SeccompProfile of the container: the last seccomp= of --security-opt, or "". */
  profile: string;
  privileged: boolean;
  /** The container's capability bounding set. */
  capabilities: readonly string[];
  /** The host kernel ("6.1.0"), for rules with minKernel. */
  kernelVersion: string;
}

/** The filter (8-byte sock_filter entries), or undefined when the container runs unconfined. */
export function seccompFilter(options: SeccompOptions): Uint8Array | undefined {
  if (options.profile === 'unconfined') return undefined;
  let profile: SeccompProfile;
  if (options.privileged) {
    // moby: a privileged container has no filter unless it names one, and "builtin" is then read as JSON
    if (options.profile === '') return undefined;
    profile = parseProfile(options.profile);
  } else if (options.profile === '' || options.profile === 'builtin') {
    profile = DEFAULT_PROFILE;
  } else {
    profile = parseProfile(options.profile);
  }
  const resolved = resolveProfile(profile, { capabilities: options.capabilities, kernelVersion: options.kernelVersion, arch: 'x86' });
  if (!resolved) return undefined;
  checkProfile(resolved);
  return compileFilter(resolved, { table: SYSCALLS_I386 });
}

const RUNC_CREATE = 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed';

/** docker's text for a profile that failed at the stage where it failed. */
export function seccompErrorMessage(error: SeccompError): string {
  switch (error.stage) {
    case 'daemon':
      return error.message;
    case 'runtime':
      return `${RUNC_CREATE}: ${error.message}: unknown`;
    case 'init':
      return `${RUNC_CREATE}: unable to start container process: error during container init: ${error.message}: unknown`;
  }
}
