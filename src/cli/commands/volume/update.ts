// docker volume update (cli/command/volume/update.go): cluster volumes only, hidden without a swarm.

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition } from '../../flags';

export function volumeUpdateCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'update [OPTIONS] [VOLUME]',
    short: 'Update a volume (cluster volumes only)',
    hidden: true,
    args: exactArgs(1),
    flags: (f) => {
      f.string('availability', '', 'active', 'Cluster Volume availability ("active", "pause", "drain")');
      f.setAnnotation('availability', 'version', ['1.42']);
      f.setAnnotation('availability', 'swarm', ['manager']);
      return undefined;
    },
    run: () => {
      throw new Error('Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node and join a swarm.');
    },
  });
}
