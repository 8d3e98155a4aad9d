// docker volume inspect (cli/command/volume/inspect.go, with cli/command/inspect).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMinArgs, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, inspectFormatHelp } from '../image/common';
import { inspectEach } from '../image/inspect';

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
    run: ({ args, options, env }) =>
      inspectEach(env, args, options.format.value, async (name) =>
        goVolume(await (await checkResponse(await env.client.request('GET', `/volumes/${encodeURIComponent(name)}`))).json<Record<string, unknown>>()),
      ),
  });
}
