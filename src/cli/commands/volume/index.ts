// The volume commands of docker, one file per command (see docker/cli's cli/command/volume).

import type { CommandDefinition } from '../../flags';
import { defineCommand } from '../../flags';
import type { DockerEnv } from '../../env';
import { volumeCreateCommand } from './create';
import { volumeInspectCommand } from './inspect';
import { volumeListCommand } from './list';
import { volumePruneCommand } from './prune';
import { volumeRemoveCommand } from './remove';
import { volumeUpdateCommand } from './update';

/** `docker volume`: the management command. */
export function volumeCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'volume COMMAND',
    short: 'Manage volumes',
    subcommands: [volumeCreateCommand(), volumeInspectCommand(), volumeListCommand(), volumePruneCommand(), volumeRemoveCommand(), volumeUpdateCommand()],
  });
}
