// Option value parsers with docker's results and error texts (docker/cli v28 opts and
// go-connections' nat package).

import { describe, expect, it } from 'vitest';
import {
  checkRestartWithAutoRemove,
  convertToStandardNotation,
  formatCpus,
  parseCpus,
  parseEnvFile,
  parseExpose,
  parseLink,
  parseMemory,
  parseMemorySwap,
  parseMount,
  parsePortSpec,
  parsePortSpecs,
  parseRestartPolicy,
  parseUlimit,
  parseVolume,
  readKVEnvStrings,
  splitVolumeFlags,
  validateEnv,
  validateLabel,
  validateRestartPolicy,
} from '../../src/cli/opts';

describe('ports', () => {
  it('-p forms', () => {
    expect(parsePortSpecs(['8080:80'])).toEqual({ exposedPorts: { '80/tcp': {} }, portBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } });
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual([{ port: '80/udp', binding: { HostIp: '127.0.0.1', HostPort: '8080' } }]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ port: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '' } }]);
    expect(parsePortSpec('80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '' } }]);
    expect(parsePortSpec('[::1]:8080:80')).toEqual([{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]);
    expect(parsePortSpec('8000-8002:80-82').map((m) => `${m.binding.HostPort}->${m.port}`)).toEqual(['8000->80/tcp', '8001->81/tcp', '8002->82/tcp']);
    expect(parsePortSpec('8000-8002:80')).toEqual([{ port: '80/tcp', binding: { HostIp: '', HostPort: '8000-8002' } }]);
    expect(parsePortSpec('53:53/SCTP')[0].port).toBe('53/sctp');
  });

  it.each([
    ['8080:abc', 'invalid containerPort: abc'],
    ['8080:80/xyz', 'invalid proto: xyz'],
    ['1.2.3:8080:80', 'invalid IP address: 1.2.3'],
    ['70000:80', 'invalid hostPort: 70000'],
    ['8000-8001:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001'],
    ['8080:', 'no port specified: 8080:<empty>'],
  ])('-p %s: %s', (spec, message) => {
    expect(() => parsePortSpec(spec)).toThrow(message);
  });

  it('--publish long form and --expose', () => {
    expect(convertToStandardNotation(['published=8080,target=80', 'published=53,target=53,protocol=udp', '9000:90'])).toEqual(['8080:80/tcp', '53:53/udp', '9000:90']);
    expect(() => convertToStandardNotation(['published=1,target'])).toThrow("invalid publish opts format (should be name=value but got 'target')");
    expect(parseExpose('90')).toEqual(['90/tcp']);
    expect(parseExpose('7000-7002/udp')).toEqual(['7000/udp', '7001/udp', '7002/udp']);
    expect(() => parseExpose('1:2')).toThrow('invalid port format for --expose: 1:2');
    expect(() => parseExpose('x')).toThrow('invalid range format for --expose: x, error: strconv.ParseUint: parsing "x": invalid syntax');
  });
});

describe('volumes and mounts', () => {
  it('-v specs', () => {
    expect(parseVolume('/data')).toMatchObject({ type: 'volume', source: '', target: '/data' });
    expect(parseVolume('myvol:/p:ro')).toMatchObject({ type: 'volume', source: 'myvol', target: '/p', readOnly: true });
    expect(parseVolume('/host:/c:rw,rshared')).toMatchObject({ type: 'bind', source: '/host', target: '/c', readOnly: false, propagation: 'rshared' });
    expect(() => parseVolume(':/x')).toThrow('invalid spec: :/x: empty section between colons');
    expect(() => parseVolume('/a:/b:ro:x')).toThrow('invalid spec: /a:/b:ro:x: too many colons');
    expect(splitVolumeFlags(['/data', './src:/app:ro', 'db:/v'], '/home/me')).toEqual({ binds: ['/home/me/src:/app:ro', 'db:/v'], volumes: ['/data'] });
    // docker's loader reads a one-letter source as a Windows drive: "v:/v" is an anonymous volume.
    expect(splitVolumeFlags(['v:/v'], '/')).toEqual({ binds: [], volumes: ['v:/v'] });
  });

  it('--mount', () => {
    expect(parseMount('type=bind,source=/a,target=/b,readonly')).toEqual({ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
    expect(parseMount('src=v,dst=/data,volume-opt=size=1g')).toEqual({
      Type: 'volume', Source: 'v', Target: '/data', VolumeOptions: { Labels: {}, DriverConfig: { Options: { size: '1g' } } },
    });
    expect(parseMount('type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 67108864, Mode: 0o1770 } });
    expect(() => parseMount('type=bind,source=/a')).toThrow('target is required');
    expect(() => parseMount('type=bind,x,target=/b')).toThrow("invalid field 'x' must be a key=value pair");
    expect(() => parseMount('type=bind,k=v,target=/b')).toThrow("unexpected key 'k' in 'k=v'");
    expect(() => parseMount('type=bind,target=/b,volume-nocopy')).toThrow("cannot mix 'volume-*' options with mount type 'bind'");
    expect(() => parseMount('target=/b,readonly=maybe')).toThrow('invalid value for readonly: maybe');
  });
});

describe('environment and labels', () => {
  const lookup = (name: string): string | undefined => ({ HOME: '/root', EMPTY: '' })[name];

  it('-e', () => {
    expect(validateEnv('A=1', lookup)).toBe('A=1');
    expect(validateEnv('HOME', lookup)).toBe('HOME=/root');
    expect(validateEnv('EMPTY', lookup)).toBe('EMPTY=');
    expect(validateEnv('UNSET', lookup)).toBe('UNSET');
    expect(() => validateEnv('=x', lookup)).toThrow('invalid environment variable: =x');
  });

  it('--env-file', () => {
    const content = '\ufeff# comment\n\n   A=1\nB="quoted value" \nHOME\nUNSET\nC=\r\n';
    expect(parseEnvFile('f.env', content, lookup)).toEqual(['A=1', 'B="quoted value" ', 'HOME=/root', 'C=']);
    expect(() => parseEnvFile('bad.env', 'C =1\n', lookup)).toThrow("invalid env file (bad.env): variable 'C ' contains whitespaces");
    expect(() => parseEnvFile('bad.env', '=1\n', lookup)).toThrow("invalid env file (bad.env): no variable name on line '=1'");
    expect(() => parseEnvFile('bin.env', new Uint8Array([0x41, 0x3d, 0x0a, 0x42, 0xff, 0x0a]), lookup)).toThrow('invalid env file (bin.env): invalid utf8 bytes at line 2: [66 255]');
    expect(readKVEnvStrings([{ name: 'f', content: 'A=1\n' }], ['A=2'], lookup)).toEqual(['A=1', 'A=2']);
  });

  it('labels', () => {
    expect(validateLabel('com.example=1')).toBe('com.example=1');
    expect(() => validateLabel('=x')).toThrow("invalid label '=x': empty name");
    expect(() => validateLabel('a b=x')).toThrow("label 'a b' contains whitespaces");
  });
});

describe('resources and policies', () => {
  it('--cpus', () => {
    expect(parseCpus('1.5')).toBe(1_500_000_000);
    expect(parseCpus('0.01')).toBe(10_000_000);
    expect(parseCpus('3/2')).toBe(1_500_000_000);
    expect(parseCpus('2e-1')).toBe(200_000_000);
    expect(() => parseCpus('abc')).toThrow('failed to parse abc as a rational number');
    expect(() => parseCpus('0.0000000001')).toThrow('value is too precise');
    // big.Rat refuses exponents beyond 1e6 (this was a RangeError: Maximum BigInt size exceeded)
    expect(() => parseCpus('0e99999999999999999999999')).toThrow('failed to parse 0e99999999999999999999999 as a rational number');
    expect(() => parseCpus('1e1000001')).toThrow('failed to parse 1e1000001 as a rational number');
    expect(parseCpus('1e-0')).toBe(1_000_000_000);
    expect(formatCpus(1_500_000_000)).toBe('1.500');
    expect(formatCpus(0)).toBe('');
  });

  it('-m and --memory-swap', () => {
    expect(parseMemory('512m')).toBe(536_870_912);
    expect(parseMemorySwap('-1')).toBe(-1);
    expect(() => parseMemory('1x')).toThrow("invalid suffix: 'x'");
  });

  it('--restart', () => {
    expect(parseRestartPolicy('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(parseRestartPolicy('always')).toEqual({ Name: 'always', MaximumRetryCount: 0 });
    expect(() => parseRestartPolicy(':1')).toThrow('invalid restart policy format: no policy provided before colon');
    expect(() => parseRestartPolicy('on-failure:x')).toThrow('invalid restart policy format: maximum retry count must be an integer');
    expect(() => validateRestartPolicy(parseRestartPolicy('always:2'))).toThrow("invalid restart policy: maximum retry count can only be used with 'on-failure'");
    expect(() => validateRestartPolicy(parseRestartPolicy('sometimes'))).toThrow(
      "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
    );
    expect(() => checkRestartWithAutoRemove(parseRestartPolicy('always'), true)).toThrow('conflicting options: cannot specify both --restart and --rm');
    expect(() => checkRestartWithAutoRemove(parseRestartPolicy('no'), true)).not.toThrow();
  });

  it('--ulimit and --link', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ Name: 'nofile', Soft: 1024, Hard: 2048 });
    expect(parseUlimit('nproc=10')).toEqual({ Name: 'nproc', Soft: 10, Hard: 10 });
    expect(() => parseUlimit('nofile')).toThrow('invalid ulimit argument: nofile');
    expect(() => parseUlimit('bogus=1')).toThrow('invalid ulimit type: bogus');
    expect(() => parseUlimit('nofile=20:10')).toThrow('ulimit soft limit must be less than or equal to hard limit: 20 > 10');
    expect(parseLink('web:db')).toEqual(['web', 'db']);
    expect(parseLink('web')).toEqual(['web', 'web']);
    expect(() => parseLink('a:b:c')).toThrow('bad format for links: a:b:c');
  });
});
