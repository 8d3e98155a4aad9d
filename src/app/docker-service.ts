// `service docker start|stop|restart|status` and `systemctl start|stop|restart|status|is-active
// docker`, `systemctl daemon-reload` in the guest: the scripts in the initramfs (/usr/sbin/service,
// /usr/bin/systemctl) hand their argv here through the service socket. Texts follow Debian's
// /etc/init.d/docker and systemd's.

import type { DockerEnv } from '../cli/env';

/** What the service commands need of the engine. */
export interface DaemonControl {
  readonly isRunning: boolean;
  /** When the daemon last started or stopped. */
  readonly changedAt: Date;
  startDaemon(): Promise<void>;
  stopDaemon(): Promise<void>;
  now(): Date;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** systemd's timestamp: "Mon 2026-11-23 03:40:00 UTC". */
export function systemdTimestamp(date: Date): string {
  return `${DAYS[date.getUTCDay()]} ${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** systemd's relative time: "3s ago", "5min ago", "1h 2min ago", "2 days ago". */
export function systemdAgo(from: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min}min ${s % 60}s ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h}h ${min % 60}min ago`;
  const d = Math.floor(h / 24);
  return `${d} day${d === 1 ? '' : 's'} ${h % 24}h ago`;
}

export function systemctlStatus(control: DaemonControl): string {
  const since = `${systemdTimestamp(control.changedAt)}; ${systemdAgo(control.changedAt, control.now())}`;
  const active = control.isRunning ? `active (running) since ${since}` : `inactive (dead) since ${since}`;
  return [
    `${control.isRunning ? '●' : '○'} docker.service - Docker Application Container Engine`,
    '     Loaded: loaded (/lib/systemd/system/docker.service; enabled; preset: enabled)',
    `     Active: ${active}`,
    `TriggeredBy: ${control.isRunning ? '●' : '○'} docker.socket`,
    '       Docs: https://docs.docker.com',
    '',
  ].join('\n');
}

/** Runs one service command; argv[0] is "service" or "systemctl" (as the guest scripts send it). */
export async function serviceCommand(control: DaemonControl, argv: readonly string[], env: Pick<DockerEnv, 'stdout' | 'stderr'>): Promise<number> {
  const [tool, verb] = argv;
  if (tool === 'service') {
    switch (verb) {
      case 'start':
        if (control.isRunning) {
          env.stdout('Starting Docker: docker (already running).\n');
          return 0;
        }
        await control.startDaemon();
        env.stdout('Starting Docker: docker.\n');
        return 0;
      case 'stop':
        if (!control.isRunning) {
          env.stdout('Stopping Docker: docker (not running).\n');
          return 0;
        }
        env.stdout('Stopping Docker: docker');
        await control.stopDaemon();
        env.stdout('.\n');
        return 0;
      case 'restart':
      case 'force-reload':
      case '--full-restart':
        env.stdout('Stopping Docker: docker');
        await control.stopDaemon();
        env.stdout('.\nStarting Docker: docker');
        await control.startDaemon();
        env.stdout('.\n');
        return 0;
      case 'status':
        env.stdout(control.isRunning ? 'Docker is running.\n' : 'Docker is not running ... failed!\n');
        return control.isRunning ? 0 : 3;
      case '--status-all':
        env.stdout(` [ ${control.isRunning ? '+' : '-'} ]  docker\n`);
        return 0;
      default:
        env.stderr('Usage: service docker {start|stop|restart|status}\n');
        return 1;
    }
  }
  if (tool === 'systemctl') {
    switch (verb) {
      case 'daemon-reload':
      case 'enable':
      case 'disable':
      case 'reload':
        return 0;
      case 'start':
        await control.startDaemon();
        return 0;
      case 'stop':
        await control.stopDaemon();
        return 0;
      case 'restart':
        await control.stopDaemon();
        await control.startDaemon();
        return 0;
      case 'is-active':
        env.stdout(control.isRunning ? 'active\n' : 'inactive\n');
        return control.isRunning ? 0 : 3;
      case 'is-enabled':
        env.stdout('enabled\n');
        return 0;
      case 'status':
        env.stdout(systemctlStatus(control));
        return control.isRunning ? 0 : 3;
      default:
        env.stderr(`Unknown command verb ${verb ?? ''}.\n`);
        return 1;
    }
  }
  env.stderr(`dockside-service: unknown tool ${tool ?? ''}\n`);
  return 1;
}
