// docker/cli v28.2.2's golden files for the image commands (cli/command/image/testdata), produced by
// our commands over a fake engine client that answers what each upstream *_test.go feeds its fake
// client. Read in place from ../shared/conformance.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientResponse, type ClientRequestOptions, type ClientResponse, type EngineClient } from '../../src/cli/client';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { conformance } from '../helpers/requirements';

const { dir: testdata, present } = conformance('docker-cli-v28.2.2/cli/command/image/testdata', 'docker/cli image golden tests');

const golden = (name: string): string => readFileSync(join(testdata, name), 'utf8');
const encoder = new TextEncoder();
const now = new Date('2025-06-01T12:00:00Z');
const nowSeconds = now.getTime() / 1000;

type Answer = { status?: number; body: unknown; contentType?: string };
type Handler = (method: string, path: string, options: ClientRequestOptions) => Answer;

/** A fake engine client made of one function, as docker/cli's fakeClient is made of function fields. */
function fakeClient(handler: Handler, seen: { method: string; path: string; options: ClientRequestOptions }[] = []): EngineClient {
  return {
    version: '1.47',
    async request(method, path, options = {}): Promise<ClientResponse> {
      seen.push({ method, path, options });
      const answer = handler(method, path, options);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      return clientResponse(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' }, encoder.encode(text));
    },
    async hijack() {
      throw new Error('not used');
    },
  };
}

async function docker(client: EngineClient, argv: string[], stdin?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env: DockerEnv = {
    client,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    writeStdout: async () => {},
    stdin:
      stdin === undefined
        ? undefined
        : (async function* () {
            yield encoder.encode(stdin);
          })(),
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    rows: 24,
    columns: 80,
    setRawMode: () => {},
    onResize: () => () => {},
    onSignal: () => () => {},
    environment: {},
    readFile: async (path) => encoder.encode(readFileSync(join(testdata, '..', path), 'utf8')),
    writeFile: async () => {},
    now: () => now,
  };
  const status = await runDocker(argv, env);
  return { status, stdout, stderr };
}

/** Go's zero image.InspectResponse as moby's client decodes and the CLI re-indents it. */
const zeroInspect = {
  Id: '',
  RepoTags: null,
  RepoDigests: null,
  Parent: '',
  Comment: '',
  DockerVersion: '',
  Author: '',
  Config: null,
  Architecture: '',
  Os: '',
  Size: 0,
  GraphDriver: { Data: null, Name: '' },
  RootFS: {},
  Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
};

describe.skipIf(!present)('docker/cli v28.2.2 golden files: image commands', () => {
  it('history-command-success.*.golden', async () => {
    const history = (items: object[]): Handler => () => ({ body: items });
    const simple = fakeClient(history([{ Id: '1234567890123456789', Created: nowSeconds, Comment: 'none', CreatedBy: '', Size: 0, Tags: null }]));
    expect((await docker(simple, ['history', 'image:tag'])).stdout).toBe(golden('history-command-success.simple.golden'));
    const quiet = fakeClient((_method, path) => ({ body: [{ Id: decodeURIComponent(path.split('/')[2]), Created: nowSeconds, CreatedBy: '', Size: 0, Comment: '' }] }));
    expect((await docker(quiet, ['history', '--quiet', 'image:tag'])).stdout).toBe(golden('history-command-success.quiet.golden'));
    const nonHuman = fakeClient(
      history([{ Id: 'abcdef', Created: Date.UTC(2017, 0, 1, 12, 0, 3) / 1000, CreatedBy: 'rose', Comment: 'new history item!', Size: 0, Tags: null }]),
    );
    expect((await docker(nonHuman, ['history', '--human=false', 'image:tag'])).stdout).toBe(golden('history-command-success.non-human.golden'));
    const plain = fakeClient(history([{ Id: '1234567890123456789', Created: nowSeconds, CreatedBy: '', Size: 0, Comment: '' }]));
    expect((await docker(plain, ['history', '--quiet', '--no-trunc', 'image:tag'])).stdout).toBe(golden('history-command-success.quiet-no-trunc.golden'));
    expect((await docker(plain, ['history', '--platform', 'linux/amd64', 'image:tag'])).stdout).toBe(golden('history-command-success.platform.golden'));
  });

  it('inspect-command-success.*.golden', async () => {
    const zero = fakeClient(() => ({ body: zeroInspect }));
    expect((await docker(zero, ['image', 'inspect', 'image'])).stdout).toBe(golden('inspect-command-success.simple.golden'));
    expect((await docker(zero, ['image', 'inspect', 'image1', 'image2'])).stdout).toBe(golden('inspect-command-success.simple-many.golden'));
    const withId = fakeClient((_method, path) => ({ body: { ...zeroInspect, Id: decodeURIComponent(path.split('/')[2]) } }));
    expect((await docker(withId, ['image', 'inspect', "--format='{{.ID}}'", 'image'])).stdout).toBe(golden('inspect-command-success.format.golden'));
  });

  it('list-command-*.golden', async () => {
    const seen: { method: string; path: string; options: ClientRequestOptions }[] = [];
    const empty = fakeClient(() => ({ body: [] }), seen);
    expect((await docker(empty, ['images'])).stdout).toBe(golden('list-command-success.simple.golden'));
    expect((await docker(empty, ['images', '--format', 'raw'])).stdout).toBe(golden('list-command-success.format.golden'));
    expect((await docker(empty, ['images', '-q', '--format', 'table'])).stdout).toBe(golden('list-command-success.quiet-format.golden'));
    expect((await docker(empty, ['images', 'image'])).stdout).toBe(golden('list-command-success.match-name.golden'));
    expect(seen.at(-1)?.options.query?.filters).toBe('{"reference":{"image":true}}');
    expect((await docker(empty, ['images', '--filter', 'name=value'])).stdout).toBe(golden('list-command-success.filters.golden'));
    expect(seen.at(-1)?.options.query?.filters).toBe('{"name":{"value":true}}');
    expect((await docker(empty, ['images', 'ls'])).stderr).toBe(golden('list-command-ambiguous.golden'));
  });

  it('load-command-success.*.golden', async () => {
    const text = fakeClient(() => ({ body: 'Success', contentType: 'text/plain' }));
    expect((await docker(text, ['load'], 'tar')).stdout).toBe(golden('load-command-success.simple.golden'));
    expect((await docker(text, ['load', '--input', 'testdata/load-command-success.input.txt'])).stdout).toBe(golden('load-command-success.input-file.golden'));
    expect((await docker(text, ['load', '--platform', 'linux/amd64'], 'tar')).stdout).toBe(golden('load-command-success.with platform.golden'));
    const json = fakeClient(() => ({ body: '{"ID": "1"}' }));
    expect((await docker(json, ['load'], 'tar')).stdout).toBe(golden('load-command-success.json.golden'));
  });

  it('prune-command-success.*.golden', async () => {
    const report = (body: object): Handler => () => ({ body });
    expect((await docker(fakeClient(report({ ImagesDeleted: null, SpaceReclaimed: 0 })), ['image', 'prune', '--all'], 'Y\n')).stdout).toBe(
      golden('prune-command-success.all.golden'),
    );
    expect((await docker(fakeClient(report({ ImagesDeleted: [{ Deleted: 'image1' }], SpaceReclaimed: 1 })), ['image', 'prune', '--force'])).stdout).toBe(
      golden('prune-command-success.force-deleted.golden'),
    );
    expect((await docker(fakeClient(report({ ImagesDeleted: [{ Untagged: 'image1' }], SpaceReclaimed: 2 })), ['image', 'prune', '--force'])).stdout).toBe(
      golden('prune-command-success.force-untagged.golden'),
    );
    const seen: { method: string; path: string; options: ClientRequestOptions }[] = [];
    const labels = fakeClient(report({ ImagesDeleted: null, SpaceReclaimed: 0 }), seen);
    expect((await docker(labels, ['image', 'prune', '--force', '--filter', 'label=foobar'])).stdout).toBe(golden('prune-command-success.label-filter.golden'));
    expect(JSON.parse(String(seen[0].options.query?.filters))).toEqual({ label: { foobar: true }, dangling: { true: true } });
  });

  it('pull-command-success.*.golden', async () => {
    const seen: { method: string; path: string; options: ClientRequestOptions }[] = [];
    const pull = fakeClient(() => ({ body: '' }), seen);
    expect((await docker(pull, ['pull', 'image:tag'])).stdout).toBe(golden('pull-command-success.simple.golden'));
    expect(seen.at(-1)?.options.query).toEqual({ fromImage: 'docker.io/library/image', tag: 'tag' });
    expect((await docker(pull, ['pull', 'image'])).stdout).toBe(golden('pull-command-success.simple-no-tag.golden'));
    expect((await docker(pull, ['pull', '--quiet', 'image'])).stdout).toBe(golden('pull-command-success.simple-quiet.golden'));
  });

  it('remove-command-success.*.golden', async () => {
    const remove = (answer: (image: string) => Answer): EngineClient => fakeClient((_method, path) => answer(decodeURIComponent(path.split('/')[2])));
    expect((await docker(remove((image) => ({ body: [{ Deleted: image }] })), ['rmi', 'image1'])).stdout).toBe(golden('remove-command-success.Image Deleted.golden'));
    expect((await docker(remove((image) => ({ body: [{ Untagged: image }] })), ['rmi', 'image1'])).stdout).toBe(golden('remove-command-success.Image Untagged.golden'));
    const both = remove((image) => ({ body: image === 'image1' ? [{ Untagged: image }] : [{ Deleted: image }] }));
    expect((await docker(both, ['rmi', 'image1', 'image2'])).stdout).toBe(golden('remove-command-success.Image Deleted and Untagged.golden'));
    const notFound = await docker(remove(() => ({ status: 404, body: { message: 'No such image: image1' } })), ['rmi', '-f', 'image1']);
    expect(notFound.status).toBe(0);
    expect(notFound.stdout).toBe(golden('remove-command-success.Image not found with force option.golden'));
    expect(notFound.stderr).toBe('Error response from daemon: No such image: image1\n');
  });
});
