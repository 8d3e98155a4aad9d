// The engine in the page: the daemon's state in IndexedDB (it survives a reload), the bundled images
// served next to the site as the built-in registry, and the guest's sockets served by it.

import type { Guest } from '../vm/guest';
import { BundledRegistry } from './bundled-registry';
import { DocksideEngine } from './engine';
import { IdbStore } from './idb-store';

export function startPageEngine(guest: Guest): Promise<DocksideEngine> {
  return DocksideEngine.start({
    guest,
    store: new IdbStore(),
    registry: new BundledRegistry(`${import.meta.env.BASE_URL}images/`),
    onError: (error) => console.error('dockside engine:', error),
  });
}
