// docker 28's iptables rules as the bridge driver loads them (golden), and the default address pools.

import { describe, expect, it } from 'vitest';
import { builtinRules, dockerChains, type RuleState } from '../../src/engine/network/driver';
import { SubnetIpam, nextPoolSubnet, formatCidr, parseCidr, type Cidr } from '../../src/engine/network/ipam';

const state: RuleState = {
  networks: [
    { bridge: 'docker0', subnet: '172.17.0.0/16', gatewayCidr: '172.17.0.1/16', internal: false, masquerade: true, icc: true },
    { bridge: 'br-0123456789ab', subnet: '172.18.0.0/16', gatewayCidr: '172.18.0.1/16', internal: true, masquerade: true, icc: true },
  ],
  ports: [{ bridge: 'docker0', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80, hostVeth: 'veth1234567' }],
};

describe('the bridge driver\'s rules', () => {
  it('fills docker\'s chains for a default bridge with a published port and an internal network', () => {
    expect(dockerChains(state)).toBe(
      [
        '*filter',
        ':DOCKER - [0:0]',
        ':DOCKER-BRIDGE - [0:0]',
        ':DOCKER-CT - [0:0]',
        ':DOCKER-FORWARD - [0:0]',
        ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
        ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
        '-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT',
        '-A DOCKER ! -i docker0 -o docker0 -j DROP',
        '-A DOCKER ! -i br-0123456789ab -o br-0123456789ab -j DROP',
        '-A DOCKER-BRIDGE -o docker0 -j DOCKER',
        '-A DOCKER-BRIDGE -o br-0123456789ab -j DOCKER',
        '-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A DOCKER-CT -o br-0123456789ab -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A DOCKER-FORWARD -j DOCKER-CT',
        '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1',
        '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
        '-A DOCKER-FORWARD -i docker0 -j ACCEPT',
        '-A DOCKER-FORWARD -i br-0123456789ab -o br-0123456789ab -j ACCEPT',
        '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
        '-A DOCKER-ISOLATION-STAGE-1 ! -s 172.18.0.0/16 -o br-0123456789ab -j DROP',
        '-A DOCKER-ISOLATION-STAGE-1 -i br-0123456789ab ! -d 172.18.0.0/16 -j DROP',
        '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
        '-A DOCKER-ISOLATION-STAGE-2 -o br-0123456789ab -j DROP',
        'COMMIT',
        '*nat',
        ':DOCKER - [0:0]',
        '-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('puts the jumps, MASQUERADE and hairpin rules in the built-in chains (none for an internal network)', () => {
    expect(builtinRules(state)).toEqual([
      '-t filter -A FORWARD -j DOCKER-USER',
      '-t filter -A FORWARD -j DOCKER-FORWARD',
      '-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-t nat -A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER',
      '-t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-t nat -A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE',
      '-t nat -A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
    ]);
  });
});

describe('address pools', () => {
  it('takes docker\'s default pools in order, skipping what is used and the host\'s 192.168.86.0/24', () => {
    const used: Cidr[] = [parseCidr('172.17.0.0/16') as Cidr];
    expect(formatCidr(nextPoolSubnet(used) as Cidr)).toBe('172.18.0.0/16');
    for (let second = 18; second <= 31; second++) used.push(parseCidr(`172.${second}.0.0/16`) as Cidr);
    expect(formatCidr(nextPoolSubnet(used) as Cidr)).toBe('192.168.0.0/20');
    used.push(parseCidr('192.168.0.0/17') as Cidr, parseCidr('192.168.86.0/24') as Cidr);
    expect(formatCidr(nextPoolSubnet(used) as Cidr)).toBe('192.168.128.0/20');
  });

  it('allocates the lowest free address, never the gateway, and refuses a taken or foreign --ip', () => {
    const ipam = new SubnetIpam('10.0.0.0/24', '10.0.0.1');
    expect([ipam.allocate('n'), ipam.allocate('n')]).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(() => ipam.reserve('10.0.0.3')).toThrow('Address already in use');
    expect(() => ipam.reserve('10.0.1.3')).toThrow('no configured subnet or ip-range contain the IP address 10.0.1.3');
    ipam.release('10.0.0.2');
    expect(ipam.allocate('n')).toBe('10.0.0.2');
    const tiny = new SubnetIpam('10.0.0.0/30', '10.0.0.1');
    expect(tiny.allocate('tiny')).toBe('10.0.0.2');
    expect(() => tiny.allocate('tiny')).toThrow("no available IPv4 addresses on this network's address pools: tiny");
  });
});
