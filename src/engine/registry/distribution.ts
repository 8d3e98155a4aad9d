// Pulling real linux/386 images from a real registry (Docker Hub serves i386 variants of the
// official images) through a CORS proxy, for a page that has the network and a setting that turns
// it on. The OCI distribution API: an anonymous bearer token per repository, manifests by tag or
// digest (an index picks linux/386), blobs by digest (the store verifies them).
//
// `WithRemoteRegistry` puts it behind the built-in registry: the bundled layout answers first, the
// remote one only for repositories or tags the layout lacks.

import { mediaTypes } from '../oci/media-types';
import type { ImageIndex } from '../oci/types';
import type { RegistrySource, RemoteManifest } from './source';
import { readBodyWithProgress } from './read-body';

export interface DistributionOptions {
  /**
   * Turns a registry URL into the URL to fetch, e.g. (url) => `https://proxy.example/?${encodeURIComponent(url)}`.
   * Without a proxy a page cannot reach registry-1.docker.io (no CORS headers).
   */
  proxy: (url: string) => string;
  fetch?: typeof fetch;
  /** The registry's host (Docker Hub's is registry-1.docker.io) and its token service. */
  host?: string;
  tokenUrl?: string;
  tokenService?: string;
}

/**
 * The proxy setting as a function: `{url}` in the setting is replaced by the registry URL, encoded
 * (`https://proxy.example/?url={url}`); a setting without it is a prefix the raw URL is appended to
 * (`https://proxy.example/`, as cors-anywhere takes it). Throws on anything but an http(s) URL.
 */
export function proxyFromSetting(setting: string): (url: string) => string {
  const trimmed = setting.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed.replace('{url}', 'x'));
  } catch {
    throw new Error(`invalid registry proxy ${JSON.stringify(setting)}: not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`invalid registry proxy ${JSON.stringify(setting)}: only http and https proxies`);
  return trimmed.includes('{url}') ? (url) => trimmed.replace('{url}', encodeURIComponent(url)) : (url) => `${trimmed}${url}`;
}

/** The built-in registry, and Docker Hub through a proxy when a proxy setting is given. */
export function withOptionalRemote(bundled: RegistrySource, proxySetting: string | undefined, fetcher?: typeof fetch): RegistrySource {
  if (!proxySetting?.trim()) return bundled;
  return new WithRemoteRegistry(bundled, new DistributionRegistry({ proxy: proxyFromSetting(proxySetting), fetch: fetcher }));
}

const manifestAccept = [mediaTypes.ociIndex, mediaTypes.dockerManifestList, mediaTypes.ociManifest, mediaTypes.dockerManifest].join(', ');

export class DistributionRegistry {
  private readonly tokens = new Map<string, string>();
  private readonly fetcher: typeof fetch;
  private readonly host: string;
  /** Repository of each digest asked for, so blob() knows where to fetch it from. */
  private readonly repositoryOf = new Map<string, string>();

  constructor(private readonly options: DistributionOptions) {
    this.fetcher = options.fetch ?? ((...args) => fetch(...args));
    this.host = options.host ?? 'registry-1.docker.io';
  }

  private async token(repository: string): Promise<string> {
    const cached = this.tokens.get(repository);
    if (cached) return cached;
    const url = `${this.options.tokenUrl ?? 'https://auth.docker.io/token'}?service=${encodeURIComponent(this.options.tokenService ?? 'registry.docker.io')}&scope=${encodeURIComponent(`repository:${repository}:pull`)}`;
    const response = await this.fetcher(this.options.proxy(url));
    if (!response.ok) throw new Error(`Get "${url}": ${response.status} ${response.statusText}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token ?? '';
    this.tokens.set(repository, token);
    return token;
  }

  private async get(repository: string, path: string, accept?: string): Promise<Response> {
    const url = `https://${this.host}/v2/${repository}/${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token(repository)}` };
    if (accept) headers.accept = accept;
    return this.fetcher(this.options.proxy(url), { headers });
  }

  /** The manifest a tag or digest names, or undefined when the registry does not know it. */
  async manifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
    const response = await this.get(repository, `manifests/${reference}`, manifestAccept);
    if (response.status === 404 || response.status === 401) return undefined;
    if (!response.ok) throw new Error(`Get "https://${this.host}/v2/${repository}/manifests/${reference}": ${response.status} ${response.statusText}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    this.remember(repository, bytes);
    return { bytes, mediaType };
  }

  private remember(repository: string, manifest: Uint8Array): void {
    try {
      const document = JSON.parse(new TextDecoder().decode(manifest)) as { config?: { digest: string }; layers?: { digest: string }[]; manifests?: { digest: string }[] };
      for (const descriptor of [document.config, ...(document.layers ?? []), ...(document.manifests ?? [])]) {
        if (descriptor) this.repositoryOf.set(descriptor.digest, repository);
      }
    } catch {
      // not JSON: nothing to remember
    }
  }

  async blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
    const repository = this.repositoryOf.get(digest);
    if (!repository) throw new Error(`blob ${digest}: unknown to the remote registry`);
    const response = await this.get(repository, `blobs/${digest}`);
    if (!response.ok || !response.body) throw new Error(`Get blob ${digest}: ${response.status} ${response.statusText}`);
    const out = await readBodyWithProgress(response.body, onProgress);
    const manifest = out.length < 65536 ? out : undefined;
    if (manifest) this.remember(repository, manifest);
    return out;
  }
}

/** The built-in registry first, then a remote one for what it lacks. */
export class WithRemoteRegistry implements RegistrySource {
  constructor(
    private readonly bundled: RegistrySource,
    private readonly remote: DistributionRegistry,
  ) {}

  index(): Promise<ImageIndex> {
    return this.bundled.index();
  }

  async blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
    try {
      return await this.bundled.blob(digest, onProgress);
    } catch {
      return this.remote.blob(digest, onProgress);
    }
  }

  /** `docker.io/library/busybox` → `library/busybox` on Docker Hub. */
  async manifest(name: string, reference: string): Promise<RemoteManifest | undefined> {
    const repository = name.startsWith('docker.io/') ? name.slice('docker.io/'.length) : name;
    return this.remote.manifest(repository, reference);
  }
}
