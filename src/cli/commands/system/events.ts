// docker events (docker/cli system/events.go).

import { defineCommand, noArgs, StatusError, type ListValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { goMap, goTypeName, parseFormat, toGoJson, type Template } from '../../formatter';
import { filterFlag, filtersJson } from '../container/common';
import { parseTimestamp } from '../container/timestamps';
import { call } from '../container/util';
import type { EventMessage } from '../../../api';


/**
 * jsonmessage.RFC3339NanoFixed in UTC: 2006-01-02T15:04:05.000000000Z07:00. timeNano is an int64
 * (a double cannot hold it: 1764920600506000000 would print .505999872).
 */
export function eventTime(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  const fraction = String(timeNano % 1_000_000_000n).padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** An event line of GET /events, its timeNano read as the exact int64 it is. */
export interface DecodedEvent {
  event: EventMessage;
  timeNano: bigint;
}

export function decodeEvent(line: string): DecodedEvent {
  const event = JSON.parse(line) as EventMessage;
  const digits = /"timeNano":(-?\d+)/.exec(line)?.[1];
  const timeNano = digits !== undefined ? BigInt(digits) : BigInt(event.time ?? 0) * 1_000_000_000n;
  return { event, timeNano };
}

export function prettyEvent({ event, timeNano }: DecodedEvent): string {
  const attributes = Object.keys(event.Actor.Attributes ?? {})
    .sort()
    .map((key) => `${key}=${event.Actor.Attributes[key]}`);
  return `${eventTime(timeNano)} ${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}\n`;
}

/** What a template sees: docker's events.Message (Go field names, Attributes a map, int64 times). */
export function eventTemplateValue({ event, timeNano }: DecodedEvent): unknown {
  const actor = { [goTypeName]: 'events.Actor', ID: event.Actor.ID, Attributes: goMap({ ...(event.Actor.Attributes ?? {}) }) };
  const message = {
    [goTypeName]: '*events.Message',
    Status: event.status ?? '',
    ID: event.id ?? '',
    From: event.from ?? '',
    Type: event.Type,
    Action: event.Action,
    Actor: actor,
    Scope: event.scope ?? '',
    Time: BigInt(event.time ?? 0),
    TimeNano: timeNano,
  };
  // `{{json .}}` encodes it as docker does (its JSON keys, omitempty)
  return Object.defineProperty(message, 'toJSON', { value: () => event, enumerable: false });
}

/** docker's makeTemplate: parsed, then run once on an empty message, so a bad field fails before any event (exit 64). */
function makeTemplate(format: string): Template {
  try {
    const template = parseFormat(format);
    template.execute(eventTemplateValue({ event: { Type: '' as EventMessage['Type'], Action: '', Actor: { ID: '', Attributes: {} }, scope: '' as EventMessage['scope'], time: 0, timeNano: 0 }, timeNano: 0n }));
    return template;
  } catch (error) {
    throw new StatusError(`Error parsing format: ${(error as Error).message.replace(/^template parsing error: /, '')}`, 64);
  }
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
      const template = format !== '' && format !== 'json' ? makeTemplate(format) : undefined;
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
            const decoded = decodeEvent(line);
            if (format === 'json') env.stdout(`${toGoJson(decoded.event)}\n`);
            else if (template) env.stdout(`${template.execute(eventTemplateValue(decoded))}\n`);
            else env.stdout(prettyEvent(decoded));
          }
          if (stopped) break;
        }
      } finally {
        off();
      }
    },
  });
}
