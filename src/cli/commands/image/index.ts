// The image commands of docker, one file per command (see docker/cli's cli/command/image), and the
// registry commands (search, login, logout) that docker/cli keeps in cli/command/registry.

import type { CommandDefinition } from '../../flags';
import { defineCommand } from '../../flags';
import type { DockerEnv } from '../../env';
import { buildCommand } from './build';
import { historyCommand } from './history';
import { importCommand } from './import';
import { imageInspectCommand } from './inspect';
import { imageListCommand, imagesTopCommand } from './list';
import { loadCommand } from './load';
import { loginCommand, logoutCommand } from './login';
import { imagePruneCommand } from './prune';
import { pullCommand } from './pull';
import { pushCommand } from './push';
import { imageRemoveCommand, rmiCommand } from './remove';
import { saveCommand } from './save';
import { searchCommand } from './search';
import { tagCommand } from './tag';

export { pullImage } from './pull';
export { legacyBuilderNotice } from './build';

/** `docker image`: the management command (build is added by the builder when it exists). */
export function imageManagementCommand(extra: readonly CommandDefinition<DockerEnv>[] = []): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'image',
    short: 'Manage images',
    subcommands: [
      ...extra,
      historyCommand(),
      importCommand(),
      imageInspectCommand(),
      loadCommand(),
      imageListCommand(),
      imagePruneCommand(),
      pullCommand(),
      pushCommand(),
      imageRemoveCommand(),
      saveCommand(),
      tagCommand(),
    ],
  });
}

export function imageCommands(): CommandDefinition<DockerEnv>[] {
  return [
    imageManagementCommand([buildCommand()]),
    buildCommand(),
    pullCommand(),
    pushCommand(),
    imagesTopCommand(),
    loginCommand(),
    logoutCommand(),
    searchCommand(),
    historyCommand(),
    importCommand(),
    loadCommand(),
    rmiCommand(),
    saveCommand(),
    tagCommand(),
  ];
}
