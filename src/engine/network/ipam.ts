// IPv4 address management as docker's default IPAM does it: subnets given by the user or taken from
// the default pools (172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/20 ... in /20s), avoiding
// every subnet already in use and the host's own routes; addresses from the lowest free one of the
// --ip-range (or the subnet), never the network address, the broadcast or the gateway.

export interface Cidr {
  /** The address as written (host bits may be set). */
  ip: number;
  prefix: number;
}

export function ipToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    out = out * 256 + n;
  }
  return out;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const ip = ipToInt(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  return { ip, prefix };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(cidr: Cidr): number {
  return (cidr.ip & maskOf(cidr.prefix)) >>> 0;
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIp(cidr.ip)}/${cidr.prefix}`;
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ((ip & maskOf(cidr.prefix)) >>> 0) === networkOf(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.ip & maskOf(prefix)) >>> 0) === ((b.ip & maskOf(prefix)) >>> 0);
}

/** The next subnet of docker's default address pools that overlaps none of `used`. */
export function nextPoolSubnet(used: readonly Cidr[]): Cidr | undefined {
  const candidates: Cidr[] = [];
  for (let second = 17; second <= 31; second++) candidates.push({ ip: ((172 << 24) | (second << 16)) >>> 0, prefix: 16 });
  for (let third = 0; third < 256; third += 16) candidates.push({ ip: ((192 << 24) | (168 << 16) | (third << 8)) >>> 0, prefix: 20 });
  return candidates.find((candidate) => !used.some((other) => overlaps(candidate, other)));
}

export class AddressInUseError extends Error {
  constructor(readonly ip: string) {
    super('Address already in use');
  }
}

/** The addresses of one network's subnet. */
export class SubnetIpam {
  private readonly used = new Set<number>();
  readonly subnet: Cidr;
  private readonly range: Cidr;
  private readonly gateway: number | undefined;

  constructor(subnet: string, gateway: string | undefined, ipRange?: string) {
    const parsed = parseCidr(subnet);
    if (!parsed) throw new Error(`ipam: bad subnet ${subnet}`);
    this.subnet = { ip: networkOf(parsed), prefix: parsed.prefix };
    const range = ipRange ? parseCidr(ipRange) : undefined;
    this.range = range ? { ip: networkOf(range), prefix: range.prefix } : this.subnet;
    this.gateway = gateway ? ipToInt(gateway) : undefined;
  }

  private usable(n: number): boolean {
    const base = networkOf(this.subnet);
    const broadcast = (base | (~maskOf(this.subnet.prefix) >>> 0)) >>> 0;
    return n !== base && n !== broadcast && n !== this.gateway && !this.used.has(n);
  }

  /** The lowest free address of the range. */
  allocate(networkName: string): string {
    const base = networkOf(this.range);
    const size = 2 ** (32 - this.range.prefix);
    for (let offset = 0; offset < size; offset++) {
      const n = (base + offset) >>> 0;
      if (this.usable(n)) {
        this.used.add(n);
        return intToIp(n);
      }
    }
    throw new Error(`no available IPv4 addresses on this network's address pools: ${networkName}`);
  }

  /** A requested address (--ip): it must be in the subnet and free. */
  reserve(ip: string): void {
    const n = ipToInt(ip);
    if (n === undefined || !contains(this.subnet, n)) throw new Error(`no configured subnet or ip-range contain the IP address ${ip}`);
    if (!this.usable(n)) throw new AddressInUseError(ip);
    this.used.add(n);
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
