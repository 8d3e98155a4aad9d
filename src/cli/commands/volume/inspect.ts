// docker volume inspect (cli/command/volume/inspect.go, with cli/command/inspect).

import type { DockerEnv } from '../../env';
import { StatusError, defineCommand, requiresMinArgs, type CommandDefinition, type StringValue } from '../../flags';
import { parseFormat } from '../../formatter';
import { checkResponse, inspectFormatHelp } from '../image/common';
import { renderInspect } from '../image/inspect';

/** volume.Volume as the CLI decodes and re-encodes it: Go's field order, omitempty fields dropped. */
function goVolume(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (raw.ClusterVolume) out.ClusterVolume = raw.ClusterVolume;
  if (typeof raw.CreatedAt === 'string' && raw.CreatedAt !== '') out.CreatedAt = raw.CreatedAt;
  out.Driver = raw.Driver ?? '';
  out.Labels = raw.Labels ?? null;
  out.Mountpoint = raw.Mountpoint ?? '';
  out.Name = raw.Name ?? '';
  out.Options = raw.Options ?? null;
  out.Scope = raw.Scope ?? '';
  if (raw.Status && Object.keys(raw.Status).length > 0) out.Status = raw.Status;
  if (raw.UsageData) out.UsageData = raw.UsageData;
  return out;
}

export function volumeInspectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ format: StringValue }, DockerEnv>({
    use: 'inspect [OPTIONS] VOLUME [VOLUME...]',
    short: 'Display detailed information on one or more volumes',
    args: requiresMinArgs(1),
    flags: (f) => ({ format: f.string('format', 'f', '', inspectFormatHelp) }),
    run: async ({ args, options, env }) => {
      const format = options.format.value;
      if (format !== '' && format !== 'json') {
        try {
          parseFormat(format);
        } catch (error) {
          throw new StatusError((error as Error).message, 64);
        }
      }
      const elements: unknown[] = [];
      const errors: string[] = [];
      for (const name of args) {
        try {
          const response = await checkResponse(await env.client.request('GET', `/volumes/${encodeURIComponent(name)}`));
          elements.push(goVolume(await response.json<Record<string, unknown>>()));
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      if (format === '' || elements.length > 0) env.stdout(renderInspect(format, elements));
      if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
    },
  });
}
