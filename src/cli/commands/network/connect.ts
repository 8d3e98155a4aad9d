// docker network connect (cli/command/network/connect.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition, type IntValue, type ListValue, type StringSliceValue, type StringValue } from '../../flags';
import { checkResponse } from '../image/common';

interface ConnectOptions {
  ip: StringValue;
  ip6: StringValue;
  links: ListValue;
  aliases: StringSliceValue;
  linkLocalIps: StringSliceValue;
  driverOpts: StringSliceValue;
  gwPriority: IntValue;
}

/** convertDriverOpt: "k=v" pairs, trimmed. */
function convertDriverOpt(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const key = (equals === -1 ? value : value.slice(0, equals)).trim();
    if (equals === -1 || key === '') throw new Error('invalid key/value pair format in driver options');
    out[key] = value.slice(equals + 1).trim();
  }
  return out;
}

export function networkConnectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<ConnectOptions, DockerEnv>({
    use: 'connect [OPTIONS] NETWORK CONTAINER',
    short: 'Connect a container to a network',
    args: exactArgs(2),
    flags: (f) => ({
      ip: f.string('ip', '', '', 'IPv4 address (e.g., "172.30.100.104")'),
      ip6: f.string('ip6', '', '', 'IPv6 address (e.g., "2001:db8::33")'),
      links: f.list('link', '', 'Add link to another container'),
      aliases: f.stringSlice('alias', '', [], 'Add network-scoped alias for the container'),
      linkLocalIps: f.stringSlice('link-local-ip', '', [], 'Add a link-local address for the container'),
      driverOpts: f.stringSlice('driver-opt', '', [], 'driver options for the network'),
      gwPriority: f.int('gw-priority', '', 0, 'Highest gw-priority provides the default gateway. Accepts positive and negative values.'),
    }),
    run: async ({ args, options, env }) => {
      const [network, container] = args;
      const driverOpts = convertDriverOpt(options.driverOpts.value);
      const ipamConfig: Record<string, unknown> = {};
      if (options.ip.value !== '') ipamConfig.IPv4Address = options.ip.value;
      if (options.ip6.value !== '') ipamConfig.IPv6Address = options.ip6.value;
      if (options.linkLocalIps.value.length > 0) ipamConfig.LinkLocalIPs = options.linkLocalIps.value;
      // network.EndpointSettings as the Go client marshals it (no field is omitted when empty).
      const endpointConfig = {
        IPAMConfig: ipamConfig,
        Links: options.links.value.length > 0 ? options.links.value : null,
        Aliases: options.aliases.value,
        MacAddress: '',
        DriverOpts: driverOpts,
        GwPriority: options.gwPriority.value,
        NetworkID: '',
        EndpointID: '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: null,
      };
      await checkResponse(
        await env.client.request('POST', `/networks/${encodeURIComponent(network)}/connect`, { body: { Container: container, EndpointConfig: endpointConfig } }),
      );
    },
  });
}
