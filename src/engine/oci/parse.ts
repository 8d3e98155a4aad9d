// Validating parsers: from untrusted JSON (a registry, a `docker load` tar, the store) to the typed
// shapes of ./types. Each error names the document and the path of the bad field, e.g.
// `invalid image config: config.Env[1]: expected a string, got number`. Fields that the types do
// not know are dropped; an image's id stays the digest of the bytes it came in, not of our copy.

import { InvalidDigestError, parseDigest, type Digest } from '../../go/digest';
import { indexMediaTypes, manifestMediaTypes, mediaTypes } from './media-types';
import type {
  ContainerConfig,
  Descriptor,
  HealthConfig,
  HistoryEntry,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform,
} from './types';

export class OciFormatError extends Error {
  constructor(
    /** "image manifest", "image index", "image config", ... */
    readonly document: string,
    /** Where in the document, e.g. "layers[2].digest"; empty for the document itself. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`invalid ${document}: ${path ? `${path}: ` : ''}${problem}`);
    this.name = 'OciFormatError';
  }
}

type JsonObject = { [key: string]: unknown };

/** Carries the document name and the path of the value being read, for error messages. */
class Field {
  constructor(
    readonly document: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(problem: string): never {
    throw new OciFormatError(this.document, this.path, problem);
  }

  child(key: string | number, value: unknown): Field {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    return new Field(this.document, path, value);
  }

  object(): JsonObject {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      this.fail(`expected an object, got ${kindOf(this.value)}`);
    }
    return this.value as JsonObject;
  }

  /** A member of this object; `undefined` when absent. */
  member(key: string): Field {
    const object = this.object();
    return this.child(key, Object.hasOwn(object, key) ? object[key] : undefined);
  }

  get present(): boolean {
    return this.value !== undefined;
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail(`expected a string, got ${kindOf(this.value)}`);
    return this.value;
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') this.fail(`expected a boolean, got ${kindOf(this.value)}`);
    return this.value;
  }

  integer(): number {
    if (typeof this.value !== 'number' || !Number.isSafeInteger(this.value)) {
      this.fail(`expected an integer, got ${kindOf(this.value)}`);
    }
    return this.value;
  }

  digest(): Digest {
    const text = this.string();
    try {
      return parseDigest(text);
    } catch (error) {
      if (error instanceof InvalidDigestError) this.fail(`${error.message}: ${JSON.stringify(text)}`);
      throw error;
    }
  }

  array<T>(item: (field: Field) => T): T[] {
    if (!Array.isArray(this.value)) this.fail(`expected an array, got ${kindOf(this.value)}`);
    return this.value.map((value, index) => item(this.child(index, value)));
  }

  stringArray(): string[] {
    return this.array((item) => item.string());
  }

  stringMap(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.object())) result[key] = this.child(key, value).string();
    return result;
  }

  /** A set written as a map to empty objects ({"80/tcp": {}}); the values' contents are ignored. */
  emptyObjectSet(): Record<string, Record<string, never>> {
    const result: Record<string, Record<string, never>> = {};
    for (const [key, value] of Object.entries(this.object())) {
      this.child(key, value).object();
      result[key] = {};
    }
    return result;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'nothing';
  return typeof value;
}

/** Sets target[key] from an optional member, leaving it absent when the member is. */
function optional<T extends object, K extends keyof T>(target: T, key: K, field: Field, read: (field: Field) => T[K]): void {
  if (field.present) target[key] = read(field);
}

/** Like optional(), but a JSON null is kept (docker writes `"Cmd": null`, and inspect shows it). */
function nullable<T extends object, K extends keyof T>(target: T, key: K, field: Field, read: (field: Field) => T[K]): void {
  if (field.value === null) target[key] = null as T[K];
  else optional(target, key, field, read);
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Accepts raw bytes, a JSON string or an already parsed value. */
function root(document: string, input: unknown): Field {
  if (input instanceof Uint8Array || typeof input === 'string') {
    let text: string;
    try {
      text = typeof input === 'string' ? input : textDecoder.decode(input);
    } catch {
      throw new OciFormatError(document, '', 'not UTF-8 text');
    }
    try {
      return new Field(document, '', JSON.parse(text) as unknown);
    } catch (error) {
      throw new OciFormatError(document, '', `not JSON: ${(error as Error).message}`);
    }
  }
  return new Field(document, '', input);
}

function schemaVersion2(field: Field): 2 {
  const version = field.member('schemaVersion');
  if (!version.present) version.fail('missing');
  const value = version.integer();
  if (value === 1) version.fail('manifest schema 1 is not supported (docker removed it); expected 2');
  if (value !== 2) version.fail(`expected 2, got ${value}`);
  return 2;
}

function platformField(field: Field): Platform {
  const platform: Platform = {
    architecture: field.member('architecture').string(),
    os: field.member('os').string(),
  };
  optional(platform, 'os.version', field.member('os.version'), (f) => f.string());
  optional(platform, 'os.features', field.member('os.features'), (f) => f.stringArray());
  optional(platform, 'variant', field.member('variant'), (f) => f.string());
  return platform;
}

function descriptorField(field: Field): Descriptor {
  const size = field.member('size').integer();
  if (size < 0) field.member('size').fail(`must not be negative, got ${size}`);
  const descriptor: Descriptor = {
    mediaType: field.member('mediaType').string(),
    digest: field.member('digest').digest(),
    size,
  };
  optional(descriptor, 'urls', field.member('urls'), (f) => f.stringArray());
  optional(descriptor, 'annotations', field.member('annotations'), (f) => f.stringMap());
  optional(descriptor, 'platform', field.member('platform'), platformField);
  optional(descriptor, 'artifactType', field.member('artifactType'), (f) => f.string());
  optional(descriptor, 'data', field.member('data'), (f) => f.string());
  return descriptor;
}

export function parsePlatform(input: unknown): Platform {
  return platformField(root('platform', input));
}

export function parseDescriptor(input: unknown): Descriptor {
  return descriptorField(root('descriptor', input));
}

function checkMediaType(field: Field, allowed: readonly string[], what: string): string | undefined {
  const mediaType = field.member('mediaType');
  if (!mediaType.present) return undefined;
  const value = mediaType.string();
  if (!allowed.includes(value)) mediaType.fail(`expected ${what} media type (${allowed.join(' or ')}), got ${value}`);
  return value;
}

function indexField(field: Field): ImageIndex {
  field.object();
  const index: ImageIndex = {
    schemaVersion: schemaVersion2(field),
    manifests: field.member('manifests').array(descriptorField),
  };
  const mediaType = checkMediaType(field, indexMediaTypes, 'an index');
  if (mediaType !== undefined) index.mediaType = mediaType;
  optional(index, 'artifactType', field.member('artifactType'), (f) => f.string());
  optional(index, 'subject', field.member('subject'), descriptorField);
  optional(index, 'annotations', field.member('annotations'), (f) => f.stringMap());
  return index;
}

/** An OCI image index or a docker manifest list. */
export function parseImageIndex(input: unknown): ImageIndex {
  return indexField(root('image index', input));
}

function manifestField(field: Field): ImageManifest {
  field.object();
  const manifest: ImageManifest = {
    schemaVersion: schemaVersion2(field),
    config: descriptorField(field.member('config')),
    layers: field.member('layers').array(descriptorField),
  };
  const mediaType = checkMediaType(field, manifestMediaTypes, 'an image manifest');
  if (mediaType !== undefined) manifest.mediaType = mediaType;
  optional(manifest, 'artifactType', field.member('artifactType'), (f) => f.string());
  optional(manifest, 'subject', field.member('subject'), descriptorField);
  optional(manifest, 'annotations', field.member('annotations'), (f) => f.stringMap());
  return manifest;
}

/** An OCI image manifest or a docker v2 schema 2 manifest. */
export function parseImageManifest(input: unknown): ImageManifest {
  return manifestField(root('image manifest', input));
}

export type ManifestDocument = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/**
 * What a registry returns for a tag: an index (manifest list) or a single manifest. The kind comes
 * from the document's mediaType, else the Content-Type it was served with, else its shape
 * (`manifests` vs `config`), as containerd decides it.
 */
export function parseManifestDocument(input: unknown, contentType?: string): ManifestDocument {
  const field = root('manifest', input);
  const declared = field.member('mediaType');
  const mediaType = (declared.present ? declared.string() : undefined) ?? contentType?.split(';')[0]?.trim();
  if (mediaType === mediaTypes.dockerManifestSchema1 || mediaType === mediaTypes.dockerManifestSchema1Signed) {
    field.fail(`manifest schema 1 (${mediaType}) is not supported`);
  }
  const isIndex =
    mediaType !== undefined && (indexMediaTypes.includes(mediaType) || manifestMediaTypes.includes(mediaType))
      ? indexMediaTypes.includes(mediaType)
      : field.member('manifests').present && !field.member('config').present;
  if (isIndex) return { kind: 'index', index: indexField(new Field('image index', '', field.value)) };
  return { kind: 'manifest', manifest: manifestField(new Field('image manifest', '', field.value)) };
}

function healthField(field: Field): HealthConfig {
  const health: HealthConfig = {};
  nullable(health, 'Test', field.member('Test'), (f) => f.stringArray());
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    optional(health, key, field.member(key), (f) => f.integer());
  }
  return health;
}

function containerConfigField(field: Field): ContainerConfig {
  const config: ContainerConfig = {};
  for (const key of ['Hostname', 'Domainname', 'User', 'WorkingDir', 'StopSignal'] as const) {
    optional(config, key, field.member(key), (f) => f.string());
  }
  for (const key of ['Env', 'Entrypoint', 'Cmd', 'OnBuild', 'Shell'] as const) {
    nullable(config, key, field.member(key), (f) => f.stringArray());
  }
  nullable(config, 'ExposedPorts', field.member('ExposedPorts'), (f) => f.emptyObjectSet());
  nullable(config, 'Volumes', field.member('Volumes'), (f) => f.emptyObjectSet());
  nullable(config, 'Labels', field.member('Labels'), (f) => f.stringMap());
  optional(config, 'ArgsEscaped', field.member('ArgsEscaped'), (f) => f.boolean());
  if (field.member('Healthcheck').value !== null) {
    optional(config, 'Healthcheck', field.member('Healthcheck'), healthField);
  }
  return config;
}

function historyField(field: Field): HistoryEntry {
  const entry: HistoryEntry = {};
  for (const key of ['created', 'created_by', 'author', 'comment'] as const) {
    optional(entry, key, field.member(key), (f) => f.string());
  }
  optional(entry, 'empty_layer', field.member('empty_layer'), (f) => f.boolean());
  return entry;
}

/** An image config (OCI or docker; the same JSON). */
export function parseImageConfig(input: unknown): ImageConfig {
  const field = root('image config', input);
  field.object();
  const rootfs = field.member('rootfs');
  if (!rootfs.present) rootfs.fail('missing');
  const rootfsType = rootfs.member('type');
  if (rootfsType.string() !== 'layers') rootfsType.fail(`expected "layers", got ${JSON.stringify(rootfsType.value)}`);
  // Docker writes `"diff_ids": null` for an image without layers (FROM scratch + metadata only).
  const diffIds = rootfs.member('diff_ids');
  const config: ImageConfig = {
    architecture: field.member('architecture').string(),
    os: field.member('os').string(),
    rootfs: { type: 'layers', diff_ids: diffIds.value === null || !diffIds.present ? [] : diffIds.array((f) => f.digest()) },
  };
  for (const key of ['created', 'author', 'os.version', 'variant', 'comment', 'docker_version', 'container'] as const) {
    optional(config, key, field.member(key), (f) => f.string());
  }
  optional(config, 'os.features', field.member('os.features'), (f) => f.stringArray());
  if (field.member('config').value !== null) optional(config, 'config', field.member('config'), containerConfigField);
  if (field.member('container_config').value !== null) {
    optional(config, 'container_config', field.member('container_config'), containerConfigField);
  }
  if (field.member('history').value !== null) optional(config, 'history', field.member('history'), (f) => f.array(historyField));
  return config;
}
