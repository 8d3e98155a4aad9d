// A Daemon on the real guest whose images are directories made in the guest from its own busybox (no
// registry, no pull): what the guest tests of containers, volumes and networks start from.

import { expect } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import type { Guest } from '../../src/vm/guest';
import { FakeImages, docker, type FakeImage } from './fake-images';
import { sh } from './guest';

/** A busybox root filesystem: the guest's busybox with a link per applet, root in /etc/passwd and /etc/group. */
export const BUSYBOX_LAYER = '/var/lib/docker/test-layers/busybox';

const makeBusyboxLayer = `mkdir -p ${BUSYBOX_LAYER}/bin ${BUSYBOX_LAYER}/etc ${BUSYBOX_LAYER}/proc ${BUSYBOX_LAYER}/sys ${BUSYBOX_LAYER}/dev ${BUSYBOX_LAYER}/tmp ${BUSYBOX_LAYER}/root
cp /bin/busybox ${BUSYBOX_LAYER}/bin/busybox && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${BUSYBOX_LAYER}/bin/$applet; done
echo 'root:x:0:0:root:/root:/bin/sh' > ${BUSYBOX_LAYER}/etc/passwd; echo 'root:x:0:' > ${BUSYBOX_LAYER}/etc/group`;

export interface GuestDaemonOptions {
  /** The images by reference; busybox:latest (the layer above, Cmd sh) when not given. */
  images?: Record<string, FakeImage>;
  /** More shell run in the guest after the busybox layer is made (other layers' files). */
  setup?: string;
}

export async function guestDaemon(guest: Guest, options: GuestDaemonOptions = {}): Promise<{ daemon: Daemon; images: FakeImages }> {
  const setup = await sh(guest, options.setup ? `${makeBusyboxLayer}\n${options.setup}` : makeBusyboxLayer);
  expect(setup.status, setup.stderr).toBe(0);
  const images = new FakeImages(options.images ?? { 'busybox:latest': { config: { Cmd: ['sh'] }, layerDirs: [BUSYBOX_LAYER] } });
  const daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: guest.runtime,
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
    host: { name: 'dockside', cpus: 1, memoryBytes: 128 * 1024 * 1024, kernelVersion: '6.1.0' },
  });
  images.install(daemon);
  return { daemon, images };
}

/** Runs a docker command that must succeed (its stderr is the failure message) and returns its trimmed stdout. */
export async function dockerOk(daemon: Daemon, args: string[]): Promise<string> {
  const result = await docker(daemon, args);
  expect(result.status, `docker ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}
