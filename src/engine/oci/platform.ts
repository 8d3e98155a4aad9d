// Choosing an image for the guest out of an index. The guest is 32-bit x86, so Dockside's images
// are linux/386; pulls pick that entry from a multi-platform index.

import type { Descriptor, ImageIndex, Platform } from './types';

export const guestPlatform: Platform = { os: 'linux', architecture: '386' };

/** Whether a descriptor's platform satisfies the wanted one (a wanted variant must match exactly). */
export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (!candidate) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || candidate.variant === wanted.variant;
}

/** The first manifest of the index for the platform, as containerd's platform matcher picks it. */
export function selectManifest(index: ImageIndex, wanted: Platform = guestPlatform): Descriptor | undefined {
  return index.manifests.find((descriptor) => platformMatches(descriptor.platform, wanted));
}

/** "linux/386", "linux/arm/v7": how docker writes a platform in messages. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part).join('/');
}
