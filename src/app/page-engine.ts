// The engine in the page: the daemon's store saved with the machine (page-machine.ts), the bundled images
// served next to the site as the built-in registry (and Docker Hub through a proxy when the
// registry-proxy setting is on), and the guest's sockets served by it.

import { familiarString, parseNormalizedNamed } from '../engine/images/reference';
import { withOptionalRemote } from '../engine/registry/distribution';
import type { RegistrySource } from '../engine/registry/source';
import type { Store } from '../engine/store';
import type { Guest } from '../vm/guest';
import { BundledRegistry } from './bundled-registry';
import { DocksideEngine } from './engine';

export interface PageEngine {
  engine: DocksideEngine;
  /** The images `docker pull` finds without the network, as "name:tag" (docker's familiar form). */
  offlineImages: () => Promise<string[]>;
  /** The proxy images come through when the setting is on; undefined when offline only. */
  registryProxy: string | undefined;
}

/** `resumed`: the guest and the store were resumed together from a saved pair (running containers are taken back). */
export async function startPageEngine(guest: Guest, store: Store, registryProxy: string | undefined, resumed = false): Promise<PageEngine> {
  const bundled = new BundledRegistry(`${import.meta.env.BASE_URL}images/`);
  let registry: RegistrySource = bundled;
  try {
    registry = withOptionalRemote(bundled, registryProxy);
  } catch (error) {
    console.error('dockside: registry proxy setting ignored:', error);
    registryProxy = undefined;
  }
  const engine = await DocksideEngine.start({ guest, store, resumed, registry, onError: (error) => console.error('dockside engine:', error) });
  return { engine, offlineImages: () => offlineImages(bundled), registryProxy };
}

/** The bundled layout's images by their names, sorted. */
export async function offlineImages(registry: RegistrySource): Promise<string[]> {
  const names: string[] = [];
  for (const descriptor of (await registry.index()).manifests) {
    const name = descriptor.annotations?.['org.opencontainers.image.ref.name'];
    if (name) names.push(familiarString(parseNormalizedNamed(name)));
  }
  return names.sort();
}
