// docker's bridge driver in the guest kernel: bridges (docker0, br-<12 hex>), a container's extra veths
// (network connect on a running container), and docker 28's iptables rules, made with the guest's own
// ip, nsenter and iptables (legacy) through Runtime.hostShell.
//
// The rules are docker's (iptables, userland-proxy off, so published ports are DNAT for localhost
// and from the bridges too, with the bridge ports in hairpin mode): in filter, FORWARD jumps to DOCKER-USER then DOCKER-FORWARD, which runs DOCKER-CT (replies),
// DOCKER-ISOLATION-STAGE-1/2 (no traffic between two bridges), DOCKER-BRIDGE (into the DOCKER chain for
// what goes to a bridge: published ports accepted, the rest dropped) and accepts what leaves a bridge;
// in nat, PREROUTING and OUTPUT send local destinations to DOCKER (the DNAT of published ports), and
// POSTROUTING masquerades each non-internal bridge's subnet. The engine computes every docker chain
// from its networks and ports and loads them with one `iptables-restore --noflush` (which replaces
// those chains whole); the rules in the built-in chains are added and removed one by one, so a
// learner's own rules (and DOCKER-USER) are left alone.

import type { Runtime } from '../runtime/types';

export interface BridgeNetwork {
  bridge: string;
  /** CIDR of the subnet, e.g. 172.18.0.0/16 */
  subnet: string;
  /** The bridge's own address with its prefix, e.g. 172.18.0.1/16 */
  gatewayCidr: string;
  internal: boolean;
  masquerade: boolean;
  icc: boolean;
}

export interface PortRule {
  bridge: string;
  proto: 'tcp' | 'udp' | 'sctp';
  /** "" or 0.0.0.0 for every address of the host. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  /** The container's veth on the bridge: in hairpin mode, so it reaches itself through its own port. */
  hostVeth?: string;
}

export interface RuleState {
  networks: BridgeNetwork[];
  ports: PortRule[];
}

const FILTER_CHAINS = ['DOCKER', 'DOCKER-BRIDGE', 'DOCKER-CT', 'DOCKER-FORWARD', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2'];
const NAT_CHAINS = ['DOCKER'];

/** The docker chains' contents as iptables-restore reads them (each chain declared is replaced). */
export function dockerChains(state: RuleState): string {
  const filter: string[] = [];
  const nat: string[] = [];
  const ports = (bridge: string) => state.ports.filter((port) => port.bridge === bridge);
  for (const network of state.networks) {
    const br = network.bridge;
    for (const port of ports(br)) {
      filter.push(`-A DOCKER -d ${port.containerIp}/32 ! -i ${br} -o ${br} -p ${port.proto} -m ${port.proto} --dport ${port.containerPort} -j ACCEPT`);
    }
  }
  for (const network of state.networks) {
    const br = network.bridge;
    filter.push(`-A DOCKER ! -i ${br} -o ${br} -j DROP`);
  }
  for (const network of state.networks) filter.push(`-A DOCKER-BRIDGE -o ${network.bridge} -j DOCKER`);
  for (const network of state.networks) filter.push(`-A DOCKER-CT -o ${network.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  filter.push('-A DOCKER-FORWARD -j DOCKER-CT', '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1', '-A DOCKER-FORWARD -j DOCKER-BRIDGE');
  for (const network of state.networks) {
    // com.docker.network.bridge.enable_icc=false: no traffic between the bridge's own containers.
    if (!network.icc) filter.push(`-A DOCKER-FORWARD -i ${network.bridge} -o ${network.bridge} -j DROP`);
    if (network.internal) filter.push(`-A DOCKER-FORWARD -i ${network.bridge} -o ${network.bridge} -j ACCEPT`);
    else filter.push(`-A DOCKER-FORWARD -i ${network.bridge} -j ACCEPT`);
  }
  for (const network of state.networks) {
    if (network.internal) {
      filter.push(`-A DOCKER-ISOLATION-STAGE-1 ! -s ${network.subnet} -o ${network.bridge} -j DROP`);
      filter.push(`-A DOCKER-ISOLATION-STAGE-1 -i ${network.bridge} ! -d ${network.subnet} -j DROP`);
    } else {
      filter.push(`-A DOCKER-ISOLATION-STAGE-1 -i ${network.bridge} ! -o ${network.bridge} -j DOCKER-ISOLATION-STAGE-2`);
    }
  }
  for (const network of state.networks) filter.push(`-A DOCKER-ISOLATION-STAGE-2 -o ${network.bridge} -j DROP`);
  for (const network of state.networks) {
    const br = network.bridge;
    for (const port of ports(br)) {
      const destination = port.hostIp && port.hostIp !== '0.0.0.0' ? `-d ${port.hostIp}/32 ` : '';
      // Without docker-proxy (hairpin mode) the DNAT also applies to what comes from the bridge itself.
      nat.push(`-A DOCKER ${destination}-p ${port.proto} -m ${port.proto} --dport ${port.hostPort} -j DNAT --to-destination ${port.containerIp}:${port.containerPort}`);
    }
  }
  const lines = ['*filter', ...FILTER_CHAINS.map((chain) => `:${chain} - [0:0]`), ...filter, 'COMMIT', '*nat', ...NAT_CHAINS.map((chain) => `:${chain} - [0:0]`), ...nat, 'COMMIT'];
  return lines.join('\n') + '\n';
}

/** The rules docker puts in the built-in chains, as `-t TABLE -A CHAIN ...` argument strings. */
export function builtinRules(state: RuleState): string[] {
  const rules = ['-t filter -A FORWARD -j DOCKER-USER', '-t filter -A FORWARD -j DOCKER-FORWARD', '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER', '-t nat -A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER'];
  for (const network of state.networks) {
    if (network.masquerade && !network.internal) rules.push(`-t nat -A POSTROUTING -s ${network.subnet} ! -o ${network.bridge} -j MASQUERADE`);
    // Published ports reached from the host's own addresses (127.0.0.1 too): docker without its proxy.
    if (!network.internal) rules.push(`-t nat -A POSTROUTING -o ${network.bridge} -m addrtype --src-type LOCAL -j MASQUERADE`);
  }
  for (const port of state.ports) {
    rules.push(`-t nat -A POSTROUTING -s ${port.containerIp}/32 -d ${port.containerIp}/32 -p ${port.proto} -m ${port.proto} --dport ${port.containerPort} -j MASQUERADE`);
  }
  return rules;
}

/** Single-quoted for sh. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class NetworkDriverError extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
  ) {
    super(`${step}: ${output.trim() || 'failed'}`);
    this.name = 'NetworkDriverError';
  }
}

export interface VethAttachment {
  /** The container's init process in the guest (its network namespace is /proc/PID/ns/net). */
  pid: number;
  bridge: string;
  hostVeth: string;
  /** The interface's name inside the container (eth1, ...). */
  iface: string;
  /** CIDR */
  address: string;
  mac: string;
  mtu: number;
}

export class BridgeDriver {
  /** One guest change at a time: rules are computed from the whole state, and veth names must not race. */
  private queue: Promise<unknown> = Promise.resolve();
  private applied: string[] = [];

  constructor(private readonly runtime: Runtime) {}

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async shell(step: string, script: string, args: string[] = []): Promise<string> {
    const result = await this.runtime.hostShell(script, args);
    if (result.exitCode !== 0) throw new NetworkDriverError(step, result.stderr || result.stdout);
    return result.stdout;
  }

  /** Makes a bridge with its address, up (nothing if it is already there: a daemon restart). */
  createBridge(network: BridgeNetwork): Promise<void> {
    return this.run(() =>
      this.shell(
        `failed to create bridge ${network.bridge}`,
        [
          'if ! ip link show "$1" >/dev/null 2>&1; then',
          '  ip link add "$1" type bridge || exit 1',
          '  ip addr add "$2" dev "$1" || { ip link del "$1"; exit 1; }',
          'fi',
          'ip link set "$1" up',
          'echo 1 > /proc/sys/net/ipv4/conf/"$1"/route_localnet',
        ].join('\n'),
        [network.bridge, network.gatewayCidr],
      ).then(() => undefined),
    );
  }

  removeBridge(bridge: string): Promise<void> {
    return this.run(() => this.shell(`failed to remove bridge ${bridge}`, 'ip link show "$1" >/dev/null 2>&1 || exit 0; ip link del "$1"', [bridge]).then(() => undefined));
  }

  /** Loads docker's chains for this state and brings the built-in chains' rules in line with it. */
  syncRules(state: RuleState): Promise<void> {
    return this.run(async () => {
      const wanted = builtinRules(state);
      const removed = this.applied.filter((rule) => !wanted.includes(rule));
      const script = [
        'set -e',
        'iptables -N DOCKER-USER 2>/dev/null || true',
        'iptables -P FORWARD DROP',
        ...[...FILTER_CHAINS.map((c) => `iptables -t filter -N ${c} 2>/dev/null || true`), ...NAT_CHAINS.map((c) => `iptables -t nat -N ${c} 2>/dev/null || true`)],
        `iptables-restore --noflush <<'EOF'\n${dockerChains(state)}EOF`,
        // DNAT of 127.0.0.1 to a container's address needs the bridge to route loopback sources.
        ...state.networks.map((network) => `echo 1 > /proc/sys/net/ipv4/conf/${network.bridge}/route_localnet 2>/dev/null || true`),
        ...[...new Set(state.ports.map((port) => port.hostVeth).filter((veth) => veth))].map((veth) => `echo 1 > /sys/class/net/${veth}/brport/hairpin_mode 2>/dev/null || true`),
        ...removed.map((rule) => `iptables ${rule.replace(' -A ', ' -D ')} 2>/dev/null || true`),
        ...wanted.map((rule) => `iptables ${rule.replace(' -A ', ' -C ')} 2>/dev/null || iptables ${rule}`),
      ].join('\n');
      await this.shell('failed to program iptables', script);
      this.applied = wanted;
    });
  }

  /** A veth from the bridge into a running container's network namespace, addressed and up. */
  attach(attachment: VethAttachment, gateway?: string): Promise<void> {
    const { pid, bridge, hostVeth, iface, address, mac, mtu } = attachment;
    return this.run(() =>
      this.shell(
        `failed to add interface ${hostVeth} to sandbox`,
        [
          'set -e',
          'N="nsenter -t $1 -n"',
          // The peer is made inside the namespace (its kernel name is free there), renamed, then moved out.
          '$N ip link add "$2" type veth',
          'PEER=$($N ip -o link show | sed -n "s/^[0-9]*: \\([^:@]*\\)@$2:.*/\\1/p")',
          '$N ip link set "$PEER" name "$3"',
          '$N ip link set "$3" netns 1',
          'ip link set "$3" master "$4" mtu "$7" up',
          '$N ip link set "$2" address "$6" mtu "$7"',
          '$N ip addr add "$5" dev "$2"',
          '$N ip link set "$2" up',
          'if [ -n "$8" ] && ! $N ip route | grep -q "^default"; then $N ip route add default via "$8"; fi',
        ].join('\n'),
        [String(pid), iface, hostVeth, bridge, address, mac, String(mtu), gateway ?? ''],
      ).then(() => undefined),
    );
  }

  /** Removes a container's interface (both ends of its veth go). */
  detach(pid: number, iface: string): Promise<void> {
    return this.run(() => this.shell(`failed to remove interface ${iface}`, 'nsenter -t "$1" -n ip link del "$2"', [String(pid), iface]).then(() => undefined));
  }
}
