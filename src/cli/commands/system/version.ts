// docker version (docker/cli system/version.go): the client's and the server's versions, written like
// docker's default template through a tab writer with minimum width 20.

import { defineCommand, noArgs, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { aliasGoFields, goMap, goTypeName, parseFormat, toGoJson } from '../../formatter';
import { callJson } from '../container/util';
import type { Version } from '../../../api';

export const CLIENT_INFO = {
  Version: '28.2.2',
  DefaultAPIVersion: '1.50',
  GoVersion: 'go1.24.3',
  GitCommit: 'e6534b4',
  BuildTime: 'Fri May 30 12:07:14 2025',
  Os: 'linux',
  Arch: '386',
};

type ServerVersion = Version;

function row(label: string, value: string, indent: string): string {
  const cell = `${indent}${label}:`;
  return `${cell.padEnd(Math.max(20, cell.length + 1))}${value}\n`;
}

/** Go's time layout "Mon Jan  2 15:04:05 2006" for the server's RFC 3339 build time. */
function ansicTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

/**
 * What a version template sees: docker's versionInfo struct, with Go's field names (`APIVersion`) and
 * every field of types.Version, also those its JSON omits when empty.
 */
function templateValue(client: Record<string, string>, server: ServerVersion | undefined): unknown {
  // `{{json .}}` encodes them as docker does, with the JSON keys and its omitempty fields left out
  const encodesAs = <T extends object>(object: T, json: object): T => Object.defineProperty(object, 'toJSON', { value: () => json, enumerable: false });
  const templateClient = encodesAs(aliasGoFields({ Platform: null, ...client }, { ApiVersion: 'APIVersion' }), client);
  if (!server) return { Client: templateClient, Server: null };
  const templateServer = aliasGoFields(
    {
      [goTypeName]: '*types.Version',
      Platform: { Name: server.Platform?.Name ?? '' },
      Components: (server.Components ?? []).map((c) => ({ Name: c.Name, Version: c.Version, Details: goMap({ ...(c.Details ?? {}) }) })),
      Version: server.Version,
      ApiVersion: server.ApiVersion,
      MinAPIVersion: server.MinAPIVersion ?? '',
      GitCommit: server.GitCommit,
      GoVersion: server.GoVersion,
      Os: server.Os,
      Arch: server.Arch,
      KernelVersion: server.KernelVersion ?? '',
      Experimental: server.Experimental ?? false,
      BuildTime: server.BuildTime ?? '',
    },
    { ApiVersion: 'APIVersion' },
  );
  return { Client: templateClient, Server: encodesAs(templateServer, server) };
}

export function versionCommand() {
  return defineCommand<{ format: StringValue }, DockerEnv>({
    use: 'version [OPTIONS]',
    short: 'Show the Docker version information',
    categoryTop: 11,
    args: noArgs,
    flags: (flags) => ({
      format: flags.string('format', 'f', '', `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`),
    }),
    run: async ({ options, env }) => {
      let server: ServerVersion | undefined;
      let failure: Error | undefined;
      try {
        server = await callJson<ServerVersion>(env, 'GET', '/version');
      } catch (error) {
        failure = error as Error;
      }
      // negotiated by the call above (docker's client.ServerVersion pings first)
      const apiVersion = env.client.version;
      const client = {
        Version: CLIENT_INFO.Version,
        ApiVersion: apiVersion,
        DefaultAPIVersion: CLIENT_INFO.DefaultAPIVersion,
        GitCommit: CLIENT_INFO.GitCommit,
        GoVersion: CLIENT_INFO.GoVersion,
        Os: CLIENT_INFO.Os,
        Arch: CLIENT_INFO.Arch,
        BuildTime: CLIENT_INFO.BuildTime,
        Context: 'default',
      };
      // docker shows the engine's build time as it prints it (Go's ANSIC layout), in JSON too
      if (server) {
        server = {
          ...server,
          Components: server.Components?.map((c) => (c.Name === 'Engine' && c.Details?.BuildTime ? { ...c, Details: { ...c.Details, BuildTime: ansicTime(c.Details.BuildTime) } } : c)),
        };
      }
      const format = options.format.value;
      if (format !== '') {
        env.stdout(format === 'json' ? `${toGoJson({ Client: client, Server: server ?? null })}\n` : `${parseFormat(format, 'version').execute(templateValue(client, server))}\n`);
        if (failure) throw failure;
        return;
      }
      let out = 'Client:\n';
      out += row('Version', client.Version, ' ');
      out += row('API version', apiVersion === client.DefaultAPIVersion ? apiVersion : `${apiVersion} (downgraded from ${client.DefaultAPIVersion})`, ' ');
      out += row('Go version', client.GoVersion, ' ');
      out += row('Git commit', client.GitCommit, ' ');
      out += row('Built', client.BuildTime, ' ');
      out += row('OS/Arch', `${client.Os}/${client.Arch}`, ' ');
      out += row('Context', client.Context, ' ');
      if (server) {
        out += `\nServer:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}\n`;
        for (const component of server.Components ?? []) {
          out += ` ${component.Name}:\n`;
          const d = component.Details ?? {};
          if (component.Name === 'Engine') {
            out += row('Version', component.Version, '  ');
            out += row('API version', `${d.ApiVersion} (minimum version ${d.MinAPIVersion})`, '  ');
            out += row('Go version', d.GoVersion ?? '', '  ');
            out += row('Git commit', d.GitCommit ?? '', '  ');
            out += row('Built', ansicTime(d.BuildTime), '  ');
            out += row('OS/Arch', `${d.Os}/${d.Arch}`, '  ');
            out += row('Experimental', d.Experimental ?? 'false', '  ');
          } else {
            out += row('Version', component.Version, '  ');
            for (const key of Object.keys(d).sort()) out += row(key, d[key], '  ');
          }
        }
      }
      env.stdout(out);
      if (failure) throw failure;
    },
  });
}
