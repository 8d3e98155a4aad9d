// The network commands of docker, one file per command (see docker/cli's cli/command/network).

import type { CommandDefinition } from '../../flags';
import { defineCommand } from '../../flags';
import type { DockerEnv } from '../../env';
import { networkConnectCommand } from './connect';
import { networkCreateCommand } from './create';
import { networkDisconnectCommand } from './disconnect';
import { networkInspectCommand } from './inspect';
import { networkListCommand } from './list';
import { networkPruneCommand } from './prune';
import { networkRemoveCommand } from './remove';

/** `docker network`: the management command. */
export function networkCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'network',
    short: 'Manage networks',
    subcommands: [
      networkConnectCommand(),
      networkCreateCommand(),
      networkDisconnectCommand(),
      networkInspectCommand(),
      networkListCommand(),
      networkPruneCommand(),
      networkRemoveCommand(),
    ],
  });
}
