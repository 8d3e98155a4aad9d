// The OCI/docker parsers accept what registries and `docker save` produce, keep docker's nulls,
// and name the document and field of anything wrong.

import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/go/digest';
import { isLayerMediaType, layerCompression, mediaTypes } from '../../src/engine/oci/media-types';
import {
  OciFormatError,
  parseDescriptor,
  parseImageConfig,
  parseImageIndex,
  parseImageManifest,
  parseManifestDocument,
} from '../../src/engine/oci/parse';
import { formatPlatform, selectManifest } from '../../src/engine/oci/platform';

const d1 = digestOf('1');
const d2 = digestOf('2');
const d3 = digestOf('3');

/** Shaped like the config of a docker-built busybox image. */
const dockerConfig = {
  architecture: '386',
  config: {
    Hostname: '',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sh'],
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
    Image: 'sha256:ignored',
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/data': {} },
    WorkingDir: '/',
    User: 'nobody',
    StopSignal: 'SIGQUIT',
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
  },
  created: '2024-09-26T21:31:42Z',
  history: [
    { created: '2024-09-26T21:31:42Z', created_by: 'BusyBox 1.37.0 (glibc), Debian 13' },
    { created: '2024-09-26T21:31:42Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
  ],
  os: 'linux',
  rootfs: { type: 'layers', diff_ids: [d1] },
};

describe('image config', () => {
  it('parses a docker config, keeping nulls and dropping unknown fields', () => {
    const config = parseImageConfig(new TextEncoder().encode(JSON.stringify(dockerConfig)));
    expect(config.architecture).toBe('386');
    expect(config.rootfs.diff_ids).toEqual([d1]);
    expect(config.config).toEqual({
      Hostname: '',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['sh'],
      Entrypoint: null,
      OnBuild: null,
      Labels: null,
      ExposedPorts: { '80/tcp': {} },
      Volumes: { '/data': {} },
      WorkingDir: '/',
      User: 'nobody',
      StopSignal: 'SIGQUIT',
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000, Retries: 3 },
    });
    expect(config.history?.[1]).toEqual({ created: '2024-09-26T21:31:42Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true });
  });

  it('accepts an image without layers (diff_ids null) and without config', () => {
    const config = parseImageConfig({ architecture: '386', os: 'linux', rootfs: { type: 'layers', diff_ids: null } });
    expect(config.rootfs.diff_ids).toEqual([]);
    expect(config.config).toBeUndefined();
  });

  it.each([
    [{ ...dockerConfig, os: 3 }, 'invalid image config: os: expected a string, got number'],
    [{ ...dockerConfig, rootfs: undefined }, 'invalid image config: rootfs: missing'],
    [{ ...dockerConfig, rootfs: { type: 'tar', diff_ids: [] } }, 'invalid image config: rootfs.type: expected "layers", got "tar"'],
    [{ ...dockerConfig, rootfs: { type: 'layers', diff_ids: ['sha256:12'] } }, 'invalid image config: rootfs.diff_ids[0]: invalid checksum digest length: "sha256:12"'],
    [{ ...dockerConfig, config: { Env: ['A=1', 2] } }, 'invalid image config: config.Env[1]: expected a string, got number'],
    [{ ...dockerConfig, config: { ExposedPorts: { '80/tcp': true } } }, 'invalid image config: config.ExposedPorts.80/tcp: expected an object, got boolean'],
    [{ ...dockerConfig, config: { Healthcheck: { Interval: 1.5 } } }, 'invalid image config: config.Healthcheck.Interval: expected an integer, got number'],
    [{ ...dockerConfig, history: [{ empty_layer: 'yes' }] }, 'invalid image config: history[0].empty_layer: expected a boolean, got string'],
    [[], 'invalid image config: expected an object, got array'],
    ['{"architecture":', 'invalid image config: not JSON'],
  ])('refuses %j', (input, message) => {
    let error: unknown;
    try {
      parseImageConfig(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OciFormatError);
    expect((error as Error).message).toContain(message);
  });
});

const dockerManifest = {
  schemaVersion: 2,
  mediaType: mediaTypes.dockerManifest,
  config: { mediaType: mediaTypes.dockerConfig, size: 1457, digest: d1 },
  layers: [{ mediaType: mediaTypes.dockerLayerGzip, size: 2_152_262, digest: d2 }],
};

const ociIndex = {
  schemaVersion: 2,
  mediaType: mediaTypes.ociIndex,
  manifests: [
    { mediaType: mediaTypes.ociManifest, digest: d1, size: 610, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: mediaTypes.ociManifest, digest: d2, size: 610, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
    { mediaType: mediaTypes.ociManifest, digest: d3, size: 610, platform: { architecture: '386', os: 'linux' } },
    { mediaType: mediaTypes.ociManifest, digest: d3, size: 566, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
  ],
};

describe('manifests and indexes', () => {
  it('parses a docker v2 schema 2 manifest', () => {
    expect(parseImageManifest(JSON.stringify(dockerManifest))).toEqual(dockerManifest);
  });

  it('parses an OCI manifest without mediaType', () => {
    const manifest = { schemaVersion: 2, config: { mediaType: mediaTypes.ociConfig, size: 2, digest: d1 }, layers: [], annotations: { a: 'b' } };
    expect(parseImageManifest(manifest)).toEqual(manifest);
  });

  it('parses an index and picks the linux/386 manifest', () => {
    const index = parseImageIndex(ociIndex);
    expect(index.manifests).toHaveLength(4);
    expect(selectManifest(index)?.digest).toBe(d3);
    expect(selectManifest(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe(d2);
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64' })).toBeUndefined();
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
  });

  it('tells an index from a manifest by mediaType, Content-Type or shape', () => {
    expect(parseManifestDocument(ociIndex).kind).toBe('index');
    expect(parseManifestDocument(dockerManifest).kind).toBe('manifest');
    const { mediaType: _dropped, ...bare } = dockerManifest;
    void _dropped;
    expect(parseManifestDocument(bare, `${mediaTypes.dockerManifest}; charset=utf-8`).kind).toBe('manifest');
    expect(parseManifestDocument({ schemaVersion: 2, manifests: [] }).kind).toBe('index');
    expect(parseManifestDocument({ ...ociIndex, mediaType: mediaTypes.dockerManifestList }).kind).toBe('index');
  });

  it.each([
    [() => parseImageManifest({ ...dockerManifest, schemaVersion: 1 }), 'invalid image manifest: schemaVersion: manifest schema 1 is not supported'],
    [() => parseImageManifest({ ...dockerManifest, mediaType: mediaTypes.ociIndex }), 'invalid image manifest: mediaType: expected an image manifest media type'],
    [() => parseImageManifest({ ...dockerManifest, layers: [{ mediaType: 'x', size: -1, digest: d1 }] }), 'invalid image manifest: layers[0].size: must not be negative, got -1'],
    [() => parseImageManifest({ ...dockerManifest, config: { mediaType: 'x', size: 1, digest: 'sha256:xyz' } }), 'invalid image manifest: config.digest: invalid checksum digest length'],
    [() => parseImageManifest({ schemaVersion: 2, layers: [] }), 'invalid image manifest: config: expected an object, got nothing'],
    [() => parseImageIndex({ schemaVersion: 2, manifests: [{ mediaType: 'x', size: 1, digest: d1, platform: { os: 'linux' } }] }), 'invalid image index: manifests[0].platform.architecture: expected a string, got nothing'],
    [() => parseManifestDocument({ schemaVersion: 1, mediaType: mediaTypes.dockerManifestSchema1Signed }), 'invalid manifest: manifest schema 1'],
    [() => parseDescriptor({ mediaType: 'x', size: 1, digest: d1, annotations: { a: 1 } }), 'invalid descriptor: annotations.a: expected a string, got number'],
  ])('refuses %#', (parse, message) => {
    expect(parse).toThrow(message);
  });
});

describe('media types', () => {
  it('knows layer types and their compression', () => {
    expect(layerCompression(mediaTypes.dockerLayerGzip)).toBe('gzip');
    expect(layerCompression(mediaTypes.ociLayerZstd)).toBe('zstd');
    expect(layerCompression(mediaTypes.ociLayer)).toBe('none');
    expect(isLayerMediaType(mediaTypes.dockerConfig)).toBe(false);
    expect(layerCompression('toString')).toBeUndefined();
  });
});
