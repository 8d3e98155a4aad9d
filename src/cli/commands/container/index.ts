// The container commands of docker, one file per command (see docker/cli's cli/command/container).

import type { CommandDefinition } from '../../flags';
import type { DockerEnv } from '../../env';

export function containerCommands(): CommandDefinition<DockerEnv>[] {
  return [];
}
