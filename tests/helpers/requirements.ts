// What some tests need from outside the repository (the conformance data in ../shared/conformance,
// system tools such as xz and bzip2, the real docker 28 client). Locally a missing one skips the tests
// that need it, with the reason printed; under CI it fails the test file, so nothing is skipped there
// without anyone noticing.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/node/artifacts';

/** True on a CI machine: CI is set to anything but '', '0' or 'false' (GitHub and most CIs set CI=true). */
export const ci = ((value: string | undefined) => value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false')(process.env.CI);

/**
 * Returns `present`. When it is false: under CI throws (so the test file fails to load, loudly); otherwise
 * prints which tests are skipped and why, and the caller skips them with describe.skipIf / it.skipIf.
 */
export function required(present: boolean, what: string, tests: string): boolean {
  if (present) return true;
  if (ci) throw new Error(`${what} is missing, and CI=${process.env.CI ?? ''} requires it (for ${tests})`);
  console.warn(`skipping ${tests}: ${what} is missing (under CI this fails)`);
  return false;
}

/** ../shared/conformance/<relative> (see its README); `present` is false locally when it is absent. */
export function conformance(relative: string, tests: string): { dir: string; present: boolean } {
  const dir = join(projectRoot, '../shared/conformance', relative);
  return { dir, present: required(existsSync(dir), dir, tests) };
}

/** Whether a system command runs (`xz --help` exits 0). */
export function toolRuns(command: string, args: string[] = ['--help']): boolean {
  return spawnSync(command, args).status === 0;
}

/** A system tool that .ci/run installs; see required(). */
export function tool(command: string, tests: string, args: string[] = ['--help']): boolean {
  return required(toolRuns(command, args), `the system's ${command} (Debian installs it with apt-get)`, tests);
}

export const REAL_DOCKER = process.env.DOCKSIDE_DOCKER_CLI ?? '/usr/local/bin/docker';

/** The real docker 28 client that the comparisons run next to ours; see required(). */
export function realDocker28(tests: string): boolean {
  const present = existsSync(REAL_DOCKER) && /^Docker version 28\./.test(spawnSync(REAL_DOCKER, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return required(present, `a docker 28 client at ${REAL_DOCKER}`, tests);
}
