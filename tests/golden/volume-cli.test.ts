// docker/cli v28.2.2's golden files for the volume commands (cli/command/volume/testdata), produced by
// our commands over a fake engine client that answers what each upstream *_test.go feeds its fake
// client (builders.Volume: name "volume", driver "local", mountpoint "/data/volume", scope "local").

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientResponse, type ClientRequestOptions, type ClientResponse, type EngineClient } from '../../src/cli/client';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { conformance } from '../helpers/requirements';

const { dir: testdata, present } = conformance('docker-cli-v28.2.2/cli/command/volume/testdata', 'docker/cli volume golden tests');

const golden = (name: string): string => readFileSync(join(testdata, name), 'utf8');
const encoder = new TextEncoder();

type Handler = (method: string, path: string, options: ClientRequestOptions) => unknown;
type Seen = { method: string; path: string; options: ClientRequestOptions }[];

function fakeClient(handler: Handler, seen: Seen = []): EngineClient {
  return {
    version: '1.47',
    async request(method, path, options = {}): Promise<ClientResponse> {
      seen.push({ method, path, options });
      return clientResponse(200, { 'content-type': 'application/json' }, encoder.encode(JSON.stringify(handler(method, path, options))));
    },
    async hijack() {
      throw new Error('not used');
    },
  };
}

async function docker(client: EngineClient, argv: string[], options: { stdin?: string; config?: object } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env: DockerEnv = {
    client,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    writeStdout: async () => {},
    stdin:
      options.stdin === undefined
        ? undefined
        : (async function* (text: string) {
            if (text !== '') yield encoder.encode(text);
          })(options.stdin),
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    rows: 24,
    columns: 80,
    setRawMode: () => {},
    onResize: () => () => {},
    onSignal: () => () => {},
    environment: { HOME: '/root' },
    readFile: async (path) => {
      if (path === '/root/.docker/config.json' && options.config) return encoder.encode(JSON.stringify(options.config));
      throw new Error(`open ${path}: no such file or directory`);
    },
    writeFile: async () => {},
    now: () => new Date('2025-06-01T12:00:00Z'),
  };
  const status = await runDocker(argv, env);
  return { status, stdout, stderr };
}

const volume = (extra: object = {}) => ({ Name: 'volume', Driver: 'local', Mountpoint: '/data/volume', Scope: 'local', Labels: null, Options: null, ...extra });

describe.skipIf(!present)('docker/cli v28.2.2 golden files: volume commands', () => {
  it('volume-list-*.golden', async () => {
    const three = fakeClient(() => ({ Volumes: [volume(), volume({ Name: 'foo', Driver: 'bar' }), volume({ Name: 'baz', Labels: { foo: 'bar' } })] }));
    expect((await docker(three, ['volume', 'ls'])).stdout).toBe(golden('volume-list-without-format.golden'));
    expect((await docker(three, ['volume', 'ls'], { config: { volumesFormat: '{{ .Name }} {{ .Driver }} {{ .Labels }}' } })).stdout).toBe(
      golden('volume-list-with-config-format.golden'),
    );
    expect((await docker(three, ['volume', 'ls', '--format', '{{ .Name }} {{ .Driver }} {{ .Labels }}'])).stdout).toBe(golden('volume-list-with-format.golden'));
    const sort = fakeClient(() => ({ Volumes: [volume({ Name: 'volume-2-foo' }), volume({ Name: 'volume-10-foo' }), volume({ Name: 'volume-1-foo' })] }));
    expect((await docker(sort, ['volume', 'ls', '--format', '{{ .Name }}'])).stdout).toBe(golden('volume-list-sort.golden'));
  });

  it('volume-inspect-*.golden', async () => {
    const single = fakeClient(() => volume());
    expect((await docker(single, ['volume', 'inspect', 'foo'])).stdout).toBe(golden('volume-inspect-without-format.single-volume.golden'));
    const labelled = fakeClient((_method, path) => volume({ Name: decodeURIComponent(path.split('/')[2]), Labels: { foo: 'bar' } }));
    expect((await docker(labelled, ['volume', 'inspect', 'foo', 'bar'])).stdout).toBe(golden('volume-inspect-without-format.multiple-volume-with-labels.golden'));
    const withLabels = fakeClient(() => volume({ Labels: { foo: 'bar' } }));
    expect((await docker(withLabels, ['volume', 'inspect', '--format', '{{.Name}}', 'foo'])).stdout).toBe(golden('volume-inspect-with-format.simple-template.golden'));
    expect((await docker(withLabels, ['volume', 'inspect', '--format', '{{json .Labels}}', 'foo'])).stdout).toBe(golden('volume-inspect-with-format.json-template.golden'));
  });

  it('volume-prune*.golden', async () => {
    const seen: Seen = [];
    const empty = fakeClient(() => ({ VolumesDeleted: null, SpaceReclaimed: 0 }), seen);
    expect((await docker(empty, ['volume', 'prune', '--all'], { stdin: 'y' })).stdout).toBe(golden('volume-prune-success.all.golden'));
    expect(seen.at(-1)?.options.query?.filters).toBe('{"all":{"true":true}}');
    expect((await docker(empty, ['volume', 'prune', '--all', '--force'])).stdout).toBe(golden('volume-prune-success.all-forced.golden'));
    expect((await docker(empty, ['volume', 'prune', '--filter', 'label=foobar'], { stdin: 'y' })).stdout).toBe(golden('volume-prune-success.label-filter.golden'));
    expect(seen.at(-1)?.options.query?.filters).toBe('{"label":{"foobar":true}}');
    expect((await docker(empty, ['volume', 'prune', '--force'])).stdout).toBe(golden('volume-prune.empty.golden'));
    const deleted = fakeClient(() => ({ VolumesDeleted: ['foo', 'bar', 'baz'], SpaceReclaimed: 2000 }));
    expect((await docker(deleted, ['volume', 'prune', '--force'])).stdout).toBe(golden('volume-prune.deletedVolumes.golden'));
    for (const input of ['y', 'Y']) expect((await docker(deleted, ['volume', 'prune'], { stdin: input })).stdout).toBe(golden('volume-prune-yes.golden'));
    for (const input of ['n', 'N', 'no', 'anything', 'really long input']) {
      const no = await docker(deleted, ['volume', 'prune'], { stdin: input });
      expect(no.stdout).toBe(golden('volume-prune-no.golden'));
      expect(no.status).toBe(0);
    }
    expect((await docker(empty, ['volume', 'prune', 'foo'])).stderr).toContain("'docker volume prune' accepts no arguments");
    expect((await docker(empty, ['volume', 'prune', '--all', '--filter', 'all=1', '--force'])).stderr).toBe('conflicting options: cannot specify both --all and --filter all=1\n');
  });
});
