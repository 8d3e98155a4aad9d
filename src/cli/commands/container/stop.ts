// docker stop (docker/cli container/stop.go).

import { stopOrRestartCommand } from './stop-restart';

export function stopCommand() {
  return stopOrRestartCommand('stop', 'Stop one or more running containers');
}
