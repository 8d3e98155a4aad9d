// The system commands of docker, one file per command (see docker/cli's cli/command/system).

import { defineCommand, type CommandDefinition } from '../../flags';
import type { DockerEnv } from '../../env';
import { eventsCommand } from './events';
import { infoCommand } from './info';
import { inspectCommand } from './inspect';
import { versionCommand } from './version';

export function systemCommands(): CommandDefinition<DockerEnv>[] {
  return [
    eventsCommand(),
    infoCommand(),
    inspectCommand(),
    versionCommand(),
    defineCommand<undefined, DockerEnv>({ use: 'system', short: 'Manage Docker', subcommands: [eventsCommand(), infoCommand()] }),
  ];
}
