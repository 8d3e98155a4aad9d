// docker events (docker/cli system/events.go).

import { defineCommand, noArgs, type ListValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { parseFormat, toGoJson } from '../../formatter';
import { filterFlag, filtersJson } from '../container/common';
import { parseTimestamp } from '../container/timestamps';
import { call } from '../container/util';
import type { EventMessage } from '../../../api';


/** jsonmessage.RFC3339NanoFixed in UTC: 2006-01-02T15:04:05.000000000Z07:00. */
export function eventTime(timeNano: number): string {
  const ms = Math.floor(timeNano / 1e6);
  const iso = new Date(ms).toISOString();
  const fraction = String(Math.round(timeNano % 1e9)).padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

export function prettyEvent(event: EventMessage): string {
  const attributes = Object.keys(event.Actor.Attributes ?? {})
    .sort()
    .map((key) => `${key}=${event.Actor.Attributes[key]}`);
  const time = event.timeNano ? eventTime(event.timeNano) : eventTime(event.time * 1e9);
  return `${time} ${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}\n`;
}

export function eventsCommand() {
  return defineCommand<{ since: StringValue; until: StringValue; filter: ListValue; format: StringValue }, DockerEnv>({
    use: 'events [OPTIONS]',
    short: 'Get real time events from the server',
    aliasesText: 'docker system events, docker events',
    args: noArgs,
    flags: (flags) => ({
      since: flags.string('since', '', '', 'Show all events created since timestamp'),
      until: flags.string('until', '', '', 'Stream events until this timestamp'),
      filter: filterFlag(flags),
      format: flags.string('format', '', '', `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`),
    }),
    run: async ({ options, env }) => {
      const now = env.now();
      const format = options.format.value;
      const template = format !== '' && format !== 'json' ? parseFormat(format) : undefined;
      const response = await call(env, 'GET', '/events', {
        query: {
          filters: filtersJson(options.filter.value),
          since: options.since.value !== '' ? parseTimestamp(options.since.value, now) : undefined,
          until: options.until.value !== '' ? parseTimestamp(options.until.value, now) : undefined,
        },
      });
      const decoder = new TextDecoder();
      let buffer = '';
      let stopped = false;
      const off = env.onSignal(() => (stopped = true));
      try {
        for await (const chunk of response.stream()) {
          buffer += decoder.decode(chunk, { stream: true });
          let newline = buffer.indexOf('\n');
          while (newline !== -1) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
            if (line.trim() === '') continue;
            const event = JSON.parse(line) as EventMessage;
            if (format === 'json') env.stdout(`${toGoJson(event)}\n`);
            else if (template) env.stdout(`${template.execute(event)}\n`);
            else env.stdout(prettyEvent(event));
          }
          if (stopped) break;
        }
      } finally {
        off();
      }
    },
  });
}
