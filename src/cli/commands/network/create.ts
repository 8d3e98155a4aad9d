// docker network create (cli/command/network/create.go): the IPAM configuration is checked on the
// client side as docker does, then POST /networks/create; the daemon's answer is the new id.

import type { DockerEnv } from '../../env';
import {
  defineCommand,
  exactArgs,
  type BoolValue,
  type CommandDefinition,
  type ListValue,
  type MapValue,
  type StringSliceValue,
  type StringValue,
} from '../../flags';
import { convertKVStringsToMap, validateLabel } from '../../opts';
import { checkResponse } from '../image/common';
import type { NetworkCreateResponse } from '../../../api';

interface CreateOptions {
  driver: StringValue;
  driverOpts: MapValue;
  labels: ListValue;
  internal: BoolValue;
  ipv4: BoolValue;
  ipv6: BoolValue;
  attachable: BoolValue;
  ingress: BoolValue;
  scope: StringValue;
  configOnly: BoolValue;
  configFrom: StringValue;
  ipamDriver: StringValue;
  subnets: StringSliceValue;
  ipRanges: StringSliceValue;
  gateways: StringSliceValue;
  auxAddresses: MapValue;
  ipamOpts: MapValue;
}

// ---- addresses as Go's net package reads them (IPv4 and IPv6) ----

interface Ip {
  bytes: number[];
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail4 = v4;
    // "::ffff:1.2.3.4" → "::ffff"; "::1.2.3.4" → "::".
    head = text.slice(0, lastColon);
    if (head.endsWith(':')) head += ':';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      const value = parseInt(piece, 16);
      out.push(value >> 8, value & 255);
    }
    return out;
  };
  const left = group(halves[0]);
  const right = halves.length === 2 ? group(halves[1]) : [];
  if (!left || !right) return undefined;
  const total = left.length + right.length + tail4.length;
  if (halves.length === 1 && total !== 16) return undefined;
  if (halves.length === 2 && total > 14) return undefined;
  return [...left, ...new Array<number>(16 - total).fill(0), ...right, ...tail4];
}

function parseIp(text: string): Ip | undefined {
  const bytes = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  return bytes ? { bytes } : undefined;
}

interface Cidr {
  ip: Ip;
  network: number[];
  bits: number;
}

/** net.ParseCIDR. */
function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const ip = slash === -1 ? undefined : parseIp(text.slice(0, slash));
  const bitsText = slash === -1 ? '' : text.slice(slash + 1);
  const max = ip ? ip.bytes.length * 8 : 0;
  if (!ip || !/^\d+$/.test(bitsText) || (bitsText.length > 1 && bitsText.startsWith('0')) || Number(bitsText) > max) {
    throw new Error(`invalid CIDR address: ${text}`);
  }
  const bits = Number(bitsText);
  const network = ip.bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return { ip, network, bits };
}

function contains(cidr: Cidr, ip: Ip | undefined): boolean {
  if (!ip || ip.bytes.length !== cidr.network.length) return false;
  return ip.bytes.every((byte, i) => {
    const keep = Math.max(0, Math.min(8, cidr.bits - i * 8));
    return (byte & ((0xff << (8 - keep)) & 0xff)) === cidr.network[i];
  });
}

/** subnetMatches: whether the address (or the address of a CIDR) lies in the subnet. */
function subnetMatches(subnet: string, data: string): boolean {
  let cidr: Cidr;
  try {
    cidr = parseCidr(subnet);
  } catch (error) {
    throw new Error(`invalid subnet: ${(error as Error).message}`);
  }
  const ip = data.includes('/') ? parseCidr(data).ip : parseIp(data);
  return contains(cidr, ip);
}

interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** createIPAMConfig. */
function createIpamConfig(options: CreateOptions): { Driver: string; Options: Record<string, string>; Config: IpamConfig[] } {
  const subnets = options.subnets.value;
  if (subnets.length < options.ipRanges.value.length || subnets.length < options.gateways.value.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, { subnet: string; ipRange: string; gateway: string; aux: Record<string, string> }>();
  for (const subnet of subnets) {
    for (const other of data.keys()) {
      if (subnetMatches(subnet, other) || subnetMatches(other, subnet)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    data.set(subnet, { subnet, ipRange: '', gateway: '', aux: {} });
  }
  for (const range of options.ipRanges.value) {
    let match = false;
    for (const subnet of subnets) {
      parseCidr(range);
      if (!subnetMatches(subnet, range)) continue;
      const entry = data.get(subnet)!;
      if (entry.ipRange !== '') throw new Error(`cannot configure multiple ranges (${range}, ${entry.ipRange}) on the same subnet (${subnet})`);
      entry.ipRange = range;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${range}`);
  }
  for (const gateway of options.gateways.value) {
    let match = false;
    for (const subnet of subnets) {
      if (!subnetMatches(subnet, gateway)) continue;
      const entry = data.get(subnet)!;
      if (entry.gateway !== '') throw new Error(`cannot configure multiple gateways (${gateway}, ${entry.gateway}) for the same subnet (${subnet})`);
      entry.gateway = gateway;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${gateway}`);
  }
  for (const [key, address] of options.auxAddresses.value) {
    let match = false;
    for (const subnet of subnets) {
      if (!subnetMatches(subnet, address)) continue;
      data.get(subnet)!.aux[key] = address;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${address}`);
  }
  const config = [...data.values()].map((entry) => {
    const item: IpamConfig = {};
    if (entry.subnet) item.Subnet = entry.subnet;
    if (entry.ipRange) item.IPRange = entry.ipRange;
    if (entry.gateway) item.Gateway = entry.gateway;
    if (Object.keys(entry.aux).length > 0) item.AuxiliaryAddresses = entry.aux;
    return item;
  });
  return { Driver: options.ipamDriver.value, Options: Object.fromEntries(options.ipamOpts.value), Config: config };
}

export function networkCreateCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<CreateOptions, DockerEnv>({
    use: 'create [OPTIONS] NETWORK',
    short: 'Create a network',
    args: exactArgs(1),
    flags: (f) => {
      const driver = f.string('driver', 'd', 'bridge', 'Driver to manage the Network');
      const driverOpts = f.map('opt', 'o', 'Set driver specific options');
      const labels = f.list('label', '', 'Set metadata on a network', validateLabel);
      const internal = f.bool('internal', '', false, 'Restrict external access to the network');
      const ipv4 = f.bool('ipv4', '', true, 'Enable or disable IPv4 address assignment');
      const ipv6 = f.bool('ipv6', '', false, 'Enable or disable IPv6 address assignment');
      const attachable = f.bool('attachable', '', false, 'Enable manual container attachment');
      f.setAnnotation('attachable', 'version', ['1.25']);
      const ingress = f.bool('ingress', '', false, 'Create swarm routing-mesh network');
      f.setAnnotation('ingress', 'version', ['1.29']);
      const scope = f.string('scope', '', '', "Control the network's scope");
      f.setAnnotation('scope', 'version', ['1.30']);
      const configOnly = f.bool('config-only', '', false, 'Create a configuration only network');
      f.setAnnotation('config-only', 'version', ['1.30']);
      const configFrom = f.string('config-from', '', '', 'The network from which to copy the configuration');
      f.setAnnotation('config-from', 'version', ['1.30']);
      const ipamDriver = f.string('ipam-driver', '', 'default', 'IP Address Management Driver');
      const subnets = f.stringSlice('subnet', '', [], 'Subnet in CIDR format that represents a network segment');
      const ipRanges = f.stringSlice('ip-range', '', [], 'Allocate container ip from a sub-range');
      const gateways = f.stringSlice('gateway', '', [], 'IPv4 or IPv6 Gateway for the master subnet');
      const auxAddresses = f.map('aux-address', '', 'Auxiliary IPv4 or IPv6 addresses used by Network driver');
      const ipamOpts = f.map('ipam-opt', '', 'Set IPAM driver specific options');
      return { driver, driverOpts, labels, internal, ipv4, ipv6, attachable, ingress, scope, configOnly, configFrom, ipamDriver, subnets, ipRanges, gateways, auxAddresses, ipamOpts };
    },
    run: async ({ args, options, env, flags }) => {
      const ipam = createIpamConfig(options);
      // network.CreateRequest as the Go client marshals it: CreateOptions' fields, then Name.
      const body: Record<string, unknown> = { Driver: options.driver.value, Scope: options.scope.value };
      if (flags.changed('ipv4')) body.EnableIPv4 = options.ipv4.value;
      if (flags.changed('ipv6')) body.EnableIPv6 = options.ipv6.value;
      Object.assign(body, {
        IPAM: ipam,
        Internal: options.internal.value,
        Attachable: options.attachable.value,
        Ingress: options.ingress.value,
        ConfigOnly: options.configOnly.value,
        ConfigFrom: options.configFrom.value !== '' ? { Network: options.configFrom.value } : null,
        Options: Object.fromEntries(options.driverOpts.value),
        Labels: convertKVStringsToMap(options.labels.value),
        Name: args[0],
      });
      const response = await checkResponse(await env.client.request('POST', '/networks/create', { body }));
      const created = await response.json<Partial<NetworkCreateResponse>>();
      env.stdout(`${created.Id ?? ''}\n`);
    },
  });
}
