// The container commands of docker, one file per command (see docker/cli's cli/command/container):
// the top-level shortcuts (docker run, docker ps, ...) and `docker container <command>`.

import { defineCommand, type CommandDefinition } from '../../flags';
import type { DockerEnv } from '../../env';
import { attachCommand } from './attach';
import { commitCommand } from './commit';
import { cpCommand } from './cp';
import { createCommand } from './create';
import { diffCommand } from './diff';
import { execCommand } from './exec';
import { exportCommand } from './export';
import { containerInspectCommand } from './inspect';
import { killCommand } from './kill';
import { psCommand } from './list';
import { logsCommand } from './logs';
import { pauseCommand } from './pause';
import { portCommand } from './port';
import { pruneCommand } from './prune';
import { renameCommand } from './rename';
import { restartCommand } from './restart';
import { rmCommand } from './rm';
import { runCommand } from './run';
import { startCommand } from './start';
import { statsCommand } from './stats';
import { stopCommand } from './stop';
import { topCommand } from './top';
import { unpauseCommand } from './unpause';
import { updateCommand } from './update';
import { waitCommand } from './wait';

function shared(): CommandDefinition<DockerEnv>[] {
  return [
    attachCommand(),
    commitCommand(),
    cpCommand(),
    createCommand(),
    diffCommand(),
    execCommand(),
    exportCommand(),
    killCommand(),
    logsCommand(),
    pauseCommand(),
    portCommand(),
    renameCommand(),
    restartCommand(),
    rmCommand(),
    runCommand(),
    startCommand(),
    statsCommand(),
    stopCommand(),
    topCommand(),
    unpauseCommand(),
    updateCommand(),
    waitCommand(),
  ];
}

export function containerManagementCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'container',
    short: 'Manage containers',
    subcommands: [...shared(), containerInspectCommand(), psCommand('ls [OPTIONS]', ['ps', 'list']), pruneCommand()].sort((a, b) => (a.use < b.use ? -1 : 1)),
  });
}

export function containerCommands(): CommandDefinition<DockerEnv>[] {
  return [...shared(), psCommand(), containerManagementCommand()];
}
