// The image commands of docker, one file per command (see docker/cli's cli/command/image).

import type { CommandDefinition } from '../../flags';
import type { DockerEnv } from '../../env';

export function imageCommands(): CommandDefinition<DockerEnv>[] {
  return [];
}
