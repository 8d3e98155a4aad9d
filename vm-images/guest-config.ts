// How the guest machine is configured. The saved state is only valid for these values, so they are
// also written into manifest.json, which is what the loaders read.

/** Kernel log on ttyS0 (the learner's shell is on hvc0); init_on_free keeps freed pages zero so the state stays small. */
export const GUEST_CMDLINE =
  'console=ttyS0 quiet loglevel=3 init_on_free=1 tsc=reliable mitigations=off random.trust_cpu=on rdinit=/init';

/** 256 MiB: room for a few containers; untouched pages cost nothing in the saved state. */
export const GUEST_MEMORY_SIZE = 256 * 1024 * 1024;
