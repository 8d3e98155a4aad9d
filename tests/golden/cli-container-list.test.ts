// docker/cli v28.2.2's golden files for `docker ps`, rendered by our formatter from the same data
// docker's tests feed (cli/command/container/list_test.go with internal/test/builders, and
// cli/command/formatter/container_test.go). Read in place from ../shared/conformance.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerWrite, type ContainerSummary, type PortSummary } from '../../src/cli/formatter';
import { conformance } from '../helpers/requirements';

const { dir: conformanceDir, present } = conformance('docker-cli-v28.2.2/cli/command', 'docker/cli golden tests (ps)');

function golden(path: string): string {
  return readFileSync(join(conformanceDir, path), 'utf8');
}

const nowMs = Date.UTC(2025, 5, 1, 12, 0, 0);

/** builders.Container: id "container_id", command "top", image busybox:latest, created a minute ago. */
function builtContainer(name: string, ...builders: ((c: ContainerSummary) => void)[]): ContainerSummary {
  const container: ContainerSummary = {
    Id: 'container_id',
    Names: [`/${name}`],
    Command: 'top',
    Image: 'busybox:latest',
    Status: 'Up 1 minute',
    Created: nowMs / 1000 - 60,
    State: '',
  };
  for (const build of builders) build(container);
  return container;
}
const withName = (name: string) => (c: ContainerSummary) => void c.Names.push(`/${name}`);
const withLabel = (key: string, value: string) => (c: ContainerSummary) => void (c.Labels = { ...c.Labels, [key]: value });
const withSize = (size: number) => (c: ContainerSummary) => void (c.SizeRw = size);
const withPort = (privatePort: number, publicPort: number, type: string, ip?: string) => (c: ContainerSummary) => {
  const port: PortSummary = { PrivatePort: privatePort, PublicPort: publicPort, Type: type, ...(ip ? { IP: ip } : {}) };
  c.Ports = [...(c.Ports ?? []), port];
};

const ps = (format: string, containers: ContainerSummary[], options: { quiet?: boolean; trunc?: boolean } = {}): string =>
  containerWrite({ format, quiet: options.quiet, trunc: options.trunc ?? true, nowMs }, containers);

describe.skipIf(!present)('docker/cli v28.2.2 golden files: docker ps', () => {
  it('container-list-without-format.golden', () => {
    const containers = [
      builtContainer('c1'),
      builtContainer('c2', withName('foo')),
      builtContainer('c3', withPort(80, 80, 'tcp'), withPort(81, 81, 'tcp'), withPort(82, 82, 'tcp')),
      builtContainer('c4', withPort(81, 81, 'udp')),
      builtContainer('c5', withPort(82, 82, 'tcp', '8.8.8.8')),
    ];
    expect(ps('', containers)).toBe(golden('container/testdata/container-list-without-format.golden'));
  });

  it('container-list-without-format-no-trunc.golden', () => {
    const containers = [builtContainer('c1'), builtContainer('c2', withName('foo/bar'))];
    expect(ps('', containers, { trunc: false })).toBe(golden('container/testdata/container-list-without-format-no-trunc.golden'));
  });

  it('container-list-format-name-name.golden', () => {
    const containers = [builtContainer('c1'), builtContainer('c2', withName('foo/bar'))];
    expect(ps('{{.Names}} {{.Names}}', containers)).toBe(golden('container/testdata/container-list-format-name-name.golden'));
  });

  it('container-list-format-with-arg.golden', () => {
    const containers = [builtContainer('c1', withLabel('some.label', 'value')), builtContainer('c2', withName('foo/bar'), withLabel('foo', 'bar'))];
    expect(ps('{{.Names}} {{.Label "some.label"}}', containers)).toBe(golden('container/testdata/container-list-format-with-arg.golden'));
  });

  it('container-list-with-format.golden and container-list-quiet.golden', () => {
    const containers = [builtContainer('c1', withLabel('some.label', 'value')), builtContainer('c2', withName('foo/bar'), withLabel('foo', 'bar'))];
    const format = '{{ .Names }} {{ .Image }} {{ .Labels }}';
    expect(ps(format, containers)).toBe(golden('container/testdata/container-list-with-format.golden'));
    expect(ps(format, containers, { quiet: true })).toBe(golden('container/testdata/container-list-quiet.golden'));
  });

  it('container-list-with-config-format.golden', () => {
    const containers = [
      builtContainer('c1', withLabel('some.label', 'value'), withSize(10_700_000)),
      builtContainer('c2', withName('foo/bar'), withLabel('foo', 'bar'), withSize(3_200_000)),
    ];
    expect(ps('{{ .Names }} {{ .Image }} {{ .Labels }} {{ .Size}}', containers)).toBe(golden('container/testdata/container-list-with-config-format.golden'));
  });

  it('container-context-write-special-headers.golden', () => {
    const created = nowMs / 1000 - 24 * 3600;
    const containers: ContainerSummary[] = [
      { Id: 'containerID1', Names: ['/foobar_baz'], Image: 'ubuntu', Command: '', Created: created, State: 'running', Status: '' },
      { Id: 'containerID2', Names: ['/foobar_bar'], Image: 'ubuntu', Command: '', Created: created, State: 'running', Status: '' },
    ];
    const format = 'table {{truncate .ID 5}}\\t{{json .Image}} {{.RunningFor}}/{{title .Status}}/{{pad .Ports 2 2}}.{{upper .Names}} {{lower .Status}}';
    expect(containerWrite({ format, size: true, trunc: false, nowMs }, containers)).toBe(golden('formatter/testdata/container-context-write-special-headers.golden'));
  });
});
