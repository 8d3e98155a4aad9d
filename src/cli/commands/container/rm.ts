// docker rm (docker/cli container/rm.go).

import { defineCommand, requiresMinArgs, type BoolValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, DaemonError } from './util';

export function rmCommand() {
  return defineCommand<{ force: BoolValue; link: BoolValue; volumes: BoolValue }, DockerEnv>({
    use: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
    aliases: ['remove'],
    short: 'Remove one or more containers',
    aliasesText: 'docker container rm, docker container remove, docker rm',
    args: requiresMinArgs(1),
    flags: (flags) => ({
      volumes: flags.bool('volumes', 'v', false, 'Remove anonymous volumes associated with the container'),
      link: flags.bool('link', 'l', false, 'Remove the specified link'),
      force: flags.bool('force', 'f', false, 'Force the removal of a running container (uses SIGKILL)'),
    }),
    run: async ({ args, options, env }) => {
      const errors: string[] = [];
      for (const raw of args) {
        const ref = raw.replace(/^\/+/, '');
        if (ref === '') {
          errors.push('Container name cannot be empty');
          continue;
        }
        try {
          await call(env, 'DELETE', `/containers/${enc(ref)}`, {
            query: { force: options.force.value ? '1' : undefined, link: options.link.value ? '1' : undefined, v: options.volumes.value ? '1' : undefined },
          });
          env.stdout(`${ref}\n`);
        } catch (error) {
          if (options.force.value && error instanceof DaemonError && error.status === 404) continue;
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
  });
}
