// `docker builder` (cli/command/builder): build (the legacy builder's docker build) and prune.

import type { DockerEnv } from '../../env';
import { defineCommand, type CommandDefinition } from '../../flags';
import { buildCommand } from '../image/build';
import { builderPruneCommand } from './prune';

export function builderCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'builder',
    short: 'Manage builds',
    subcommands: [buildCommand(), builderPruneCommand()],
  });
}
