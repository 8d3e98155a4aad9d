// The system commands of docker, one file per command (see docker/cli's cli/command/system).

import type { CommandDefinition } from '../../flags';
import type { DockerEnv } from '../../env';

export function systemCommands(): CommandDefinition<DockerEnv>[] {
  return [];
}
