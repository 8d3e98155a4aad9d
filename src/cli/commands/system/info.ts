// docker info (docker/cli system/info.go): the client section, then the server's.

import { defineCommand, noArgs, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { aliasGoFields, bytesSize, goTypeName, parseFormat, toGoJson } from '../../formatter';
import { CLIENT_INFO } from './version';
import { callJson } from '../container/util';
import type { SystemInfo } from '../../../api';

type Info = SystemInfo;

export function renderServerInfo(info: Info): string {
  let out = 'Server:\n';
  out += ` Containers: ${info.Containers}\n  Running: ${info.ContainersRunning}\n  Paused: ${info.ContainersPaused}\n  Stopped: ${info.ContainersStopped}\n`;
  out += ` Images: ${info.Images}\n`;
  out += ` Server Version: ${info.ServerVersion}\n`;
  out += ` Storage Driver: ${info.Driver}\n`;
  for (const [key, value] of info.DriverStatus ?? []) out += `  ${key}: ${value}\n`;
  out += ` Logging Driver: ${info.LoggingDriver}\n`;
  out += ` Cgroup Driver: ${info.CgroupDriver}\n`;
  if (info.CgroupVersion) out += ` Cgroup Version: ${info.CgroupVersion}\n`;
  out += ' Plugins:\n';
  out += `  Volume: ${(info.Plugins.Volume ?? []).join(' ')}\n`;
  out += `  Network: ${(info.Plugins.Network ?? []).join(' ')}\n`;
  if ((info.Plugins.Authorization ?? []).length > 0) out += `  Authorization: ${(info.Plugins.Authorization ?? []).join(' ')}\n`;
  out += `  Log: ${(info.Plugins.Log ?? []).join(' ')}\n`;
  if ((info.CDISpecDirs ?? []).length > 0) out += ` CDI spec directories:\n${(info.CDISpecDirs ?? []).map((d) => `  ${d}\n`).join('')}`;
  out += ` Swarm: ${info.Swarm.LocalNodeState}\n`;
  out += ` Runtimes: ${Object.keys(info.Runtimes).sort().join(' ')}\n`;
  out += ` Default Runtime: ${info.DefaultRuntime}\n`;
  out += ` Init Binary: ${info.InitBinary}\n`;
  out += ` containerd version: ${info.ContainerdCommit.ID}\n`;
  out += ` runc version: ${info.RuncCommit.ID}\n`;
  out += ` init version: ${info.InitCommit.ID}\n`;
  if (info.SecurityOptions.length > 0) {
    out += ' Security Options:\n';
    for (const option of info.SecurityOptions) {
      const fields = Object.fromEntries(option.split(',').map((kv) => kv.split('=') as [string, string]));
      out += `  ${fields.name}\n`;
      if (fields.profile !== undefined) out += `   Profile: ${fields.profile}\n`;
    }
  }
  out += ` Kernel Version: ${info.KernelVersion}\n`;
  out += ` Operating System: ${info.OperatingSystem}\n`;
  out += ` OSType: ${info.OSType}\n`;
  out += ` Architecture: ${info.Architecture}\n`;
  out += ` CPUs: ${info.NCPU}\n`;
  out += ` Total Memory: ${bytesSize(info.MemTotal)}\n`;
  out += ` Name: ${info.Name}\n`;
  out += ` ID: ${info.ID}\n`;
  out += ` Docker Root Dir: ${info.DockerRootDir}\n`;
  out += ` Debug Mode: ${info.Debug}\n`;
  if (info.Debug) {
    out += `  File Descriptors: ${info.NFd ?? 0}\n  Goroutines: ${info.NGoroutines ?? 0}\n  System Time: ${info.SystemTime ?? ''}\n  EventsListeners: ${info.NEventsListener ?? 0}\n`;
  }
  if (info.HttpProxy) out += ` HTTP Proxy: ${info.HttpProxy}\n`;
  if (info.HttpsProxy) out += ` HTTPS Proxy: ${info.HttpsProxy}\n`;
  if (info.NoProxy) out += ` No Proxy: ${info.NoProxy}\n`;
  if ((info.Labels ?? []).length > 0) out += ` Labels:\n${(info.Labels ?? []).map((l) => `  ${l}\n`).join('')}`;
  out += ` Experimental: ${info.ExperimentalBuild}\n`;
  const insecure = info.RegistryConfig?.InsecureRegistryCIDRs ?? [];
  if (insecure.length > 0) out += ` Insecure Registries:\n${insecure.map((c) => `  ${c}\n`).join('')}`;
  const mirrors = info.RegistryConfig?.Mirrors ?? [];
  if (mirrors.length > 0) out += ` Registry Mirrors:\n${mirrors.map((m) => `  ${m}\n`).join('')}`;
  out += ` Live Restore Enabled: ${info.LiveRestoreEnabled}\n`;
  if ((info.DefaultAddressPools ?? []).length > 0) {
    out += ' Default Address Pools:\n';
    for (const pool of info.DefaultAddressPools ?? []) out += `   Base: ${pool.Base}, Size: ${pool.Size}\n`;
  }
  // docker ends the server section with an empty line.
  return `${out}\n`;
}

/** Fields of moby's system.Info whose Go names differ from their JSON keys. */
const INFO_GO_FIELDS = { CpuCfsPeriod: 'CPUCfsPeriod', CpuCfsQuota: 'CPUCfsQuota', HttpProxy: 'HTTPProxy', HttpsProxy: 'HTTPSProxy', BridgeNfIp6tables: 'BridgeNfIP6tables' };

export function infoCommand() {
  return defineCommand<{ format: StringValue }, DockerEnv>({
    use: 'info [OPTIONS]',
    short: 'Display system-wide information',
    categoryTop: 12,
    aliasesText: 'docker system info, docker info',
    args: noArgs,
    flags: (flags) => ({
      format: flags.string('format', 'f', '', `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`),
    }),
    run: async ({ options, env }) => {
      const format = options.format.value;
      let info: Info | undefined;
      let failure: Error | undefined;
      try {
        info = await callJson<Info>(env, 'GET', '/info');
      } catch (error) {
        failure = error as Error;
      }
      if (format !== '') {
        if (!info) throw failure ?? new Error('no info');
        // docker's dockerInfo: system.Info (Go names where its JSON keys differ) and the client's clientInfo
        const { DefaultAPIVersion, GitCommit, GoVersion, Os, Arch, BuildTime } = CLIENT_INFO;
        const clientInfo = { Debug: false, Version: CLIENT_INFO.Version, DefaultAPIVersion, GitCommit, GoVersion, Os, Arch, BuildTime, Context: 'default', Plugins: [], Warnings: null };
        const value = aliasGoFields({ [goTypeName]: 'system.dockerInfo', ...info, ClientInfo: clientInfo }, INFO_GO_FIELDS);
        env.stdout(format === 'json' ? `${toGoJson(value)}\n` : `${parseFormat(format).execute(value)}\n`);
        return;
      }
      env.stdout('Client:\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\n');
      if (!info) {
        env.stdout('Server:\n');
        throw failure ?? new Error('no info');
      }
      env.stdout(renderServerInfo(info));
      for (const warning of info.Warnings ?? []) env.stderr(`${warning}\n`);
    },
  });
}
