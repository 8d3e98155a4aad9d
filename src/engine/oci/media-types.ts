// Media types of the OCI image spec and of docker's image manifest v2 schema 2, which registries and
// `docker save` still use for most images.

export const mediaTypes = {
  ociDescriptor: 'application/vnd.oci.descriptor.v1+json',
  ociLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',

  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type MediaType = (typeof mediaTypes)[keyof typeof mediaTypes];

export const indexMediaTypes: readonly string[] = [mediaTypes.ociIndex, mediaTypes.dockerManifestList];
export const manifestMediaTypes: readonly string[] = [mediaTypes.ociManifest, mediaTypes.dockerManifest];
export const configMediaTypes: readonly string[] = [mediaTypes.ociConfig, mediaTypes.dockerConfig];

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const layerCompressions: Record<string, LayerCompression> = {
  [mediaTypes.ociLayer]: 'none',
  [mediaTypes.ociLayerGzip]: 'gzip',
  [mediaTypes.ociLayerZstd]: 'zstd',
  [mediaTypes.ociLayerNondistributable]: 'none',
  [mediaTypes.ociLayerNondistributableGzip]: 'gzip',
  [mediaTypes.ociLayerNondistributableZstd]: 'zstd',
  [mediaTypes.dockerLayer]: 'none',
  [mediaTypes.dockerLayerGzip]: 'gzip',
  [mediaTypes.dockerLayerForeignGzip]: 'gzip',
};

export function isLayerMediaType(mediaType: string): boolean {
  return Object.hasOwn(layerCompressions, mediaType);
}

/** How a layer blob of this media type is compressed, or undefined if it is not a layer type. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return Object.hasOwn(layerCompressions, mediaType) ? layerCompressions[mediaType] : undefined;
}
