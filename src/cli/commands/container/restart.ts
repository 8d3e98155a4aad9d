// docker restart (docker/cli container/restart.go).

import { stopOrRestartCommand } from './stop-restart';

export function restartCommand() {
  return stopOrRestartCommand('restart', 'Restart one or more containers');
}
