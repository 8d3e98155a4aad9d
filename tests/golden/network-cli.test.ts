// docker/cli v28.2.2's golden files for the network commands (cli/command/network/testdata), produced
// by our commands over a fake engine client that answers what list_test.go feeds its fake client.
// Read in place from ../shared/conformance.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientResponse, type ClientRequestOptions, type ClientResponse, type EngineClient } from '../../src/cli/client';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { conformance } from '../helpers/requirements';

const { dir: testdata, present } = conformance('docker-cli-v28.2.2/cli/command/network/testdata', 'docker/cli network golden tests');

const golden = (name: string): string => readFileSync(join(testdata, name), 'utf8');
const encoder = new TextEncoder();

interface Seen {
  method: string;
  path: string;
  options: ClientRequestOptions;
}

/** builders.NetworkResource: a zero network.Summary with the given fields. */
function networkResource(fields: { Id?: string; Name?: string; Driver?: string; Scope?: string }): Record<string, unknown> {
  return {
    Name: fields.Name ?? '',
    Id: fields.Id ?? '',
    Created: '0001-01-01T00:00:00Z',
    Scope: fields.Scope ?? '',
    Driver: fields.Driver ?? '',
    EnableIPv4: false,
    EnableIPv6: false,
    IPAM: { Driver: '', Options: null, Config: null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: null,
    Options: null,
    Labels: null,
  };
}

function fakeClient(list: unknown[], seen: Seen[]): EngineClient {
  return {
    version: '1.47',
    async request(method, path, options = {}): Promise<ClientResponse> {
      seen.push({ method, path, options });
      return clientResponse(200, { 'content-type': 'application/json' }, encoder.encode(JSON.stringify(list)));
    },
    async hijack() {
      throw new Error('not used');
    },
  };
}

async function docker(client: EngineClient, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env: DockerEnv = {
    client,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    writeStdout: async () => {},
    stdin: undefined,
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    rows: 24,
    columns: 80,
    setRawMode: () => {},
    onResize: () => () => {},
    onSignal: () => () => {},
    environment: {},
    readFile: async (path) => {
      throw new Error(`open ${path}: no such file or directory`);
    },
    writeFile: async () => {},
    now: () => new Date('2025-06-01T12:00:00Z'),
  };
  const status = await runDocker(argv, env);
  return { status, stdout, stderr };
}

describe.skipIf(!present)('docker/cli network goldens', () => {
  it('network-list.golden: network list with flags', async () => {
    const seen: Seen[] = [];
    const client = fakeClient([networkResource({ Id: '123454321', Name: 'network_1', Driver: '09.7.01', Scope: 'global' })], seen);
    const result = await docker(client, ['network', 'ls', '--filter', 'image.name=ubuntu']);
    expect(result).toEqual({ status: 0, stdout: golden('network-list.golden'), stderr: '' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/networks', options: { query: { filters: '{"image.name":{"ubuntu":true}}' } } });
  });

  it('network-list-sort.golden: network list sort order', async () => {
    const client = fakeClient(['network-2-foo', 'network-1-foo', 'network-10-foo'].map((Name) => networkResource({ Name })), []);
    const result = await docker(client, ['network', 'ls', '--format', '{{ .Name }}']);
    expect(result).toEqual({ status: 0, stdout: golden('network-list-sort.golden'), stderr: '' });
  });
});
