// `docker`: the root command with docker's global flags, and every command of the areas below.

import { addHelpFlag, defineCommand, execute, type CommandDefinition } from './flags';
import type { DockerEnv } from './env';
import { systemCommands } from './commands/system';
import { imageCommands, legacyBuilderNotice } from './commands/image';
import { containerCommands } from './commands/container';
import { networkCommand } from './commands/network';
import { volumeCommand } from './commands/volume';
import { builderCommand } from './commands/builder';

export const CLIENT_VERSION = '28.2.2';

export function dockerCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'docker [OPTIONS] COMMAND [ARG...]',
    short: 'A self-sufficient runtime for containers',
    version: `Docker version ${CLIENT_VERSION}, build e6534b4\n`,
    persistentFlags: addHelpFlag,
    flags: (f) => {
      f.string('config', '', '/root/.docker', 'Location of client config files');
      f.string('context', 'c', '', 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")');
      f.bool('debug', 'D', false, 'Enable debug mode');
      f.list('host', 'H', 'Daemon socket to connect to');
      f.string('log-level', 'l', 'info', 'Set the logging level ("debug", "info", "warn", "error", "fatal")');
      f.bool('tls', '', false, 'Use TLS; implied by --tlsverify');
      f.string('tlscacert', '', '/root/.docker/ca.pem', 'Trust certs signed only by this CA');
      f.string('tlscert', '', '/root/.docker/cert.pem', 'Path to TLS certificate file');
      f.string('tlskey', '', '/root/.docker/key.pem', 'Path to TLS key file');
      f.bool('tlsverify', '', false, 'Use TLS and verify the remote');
      f.bool('version', 'v', false, 'Print version information and quit');
      return undefined;
    },
    subcommands: [...systemCommands(), ...imageCommands(), ...containerCommands(), networkCommand(), volumeCommand(), builderCommand()],
  });
}

/** Runs `docker ARGV...` (argv without the program name) and returns docker's exit status. */
export async function runDocker(argv: readonly string[], env: DockerEnv): Promise<number> {
  // docker build goes to the buildx plugin when there is one; without it docker says so first.
  if (!legacyBuilderNotice(argv, env)) return 1;
  return execute(dockerCommand(), argv, env);
}
