#!/usr/bin/env bash
# Rebuilds every guest artifact in vm-images/dist from Debian packages, then the saved state and the
# manifest. Run on Debian bookworm as root: `npm run build:vm`.
# Needs: dpkg --add-architecture i386 && apt-get update &&
#        apt-get install linux-source-6.1 build-essential bc bison flex libelf-dev cpio seabios zstd gcc-multilib dpkg-dev patch
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# DOCKSIDE_VM_DIR=/some/dir builds a scratch guest there (manifest.json and dist/) instead of the
# committed one; Node loaders use it when the same variable is set.
vmdir=${DOCKSIDE_VM_DIR:-$here}
dist=$vmdir/dist
mkdir -p "$dist"
cd "$here/.."

# DOCKSIDE_KEEP_KERNEL=1 reuses dist/bzImage (a kernel build takes ~15 minutes on 2 cores).
if [ "${DOCKSIDE_KEEP_KERNEL:-}" = 1 ] && [ -f "$here/dist/bzImage" ]; then
  [ -f "$dist/bzImage" ] || cp "$here/dist/bzImage" "$here/dist/kernel.config" "$dist/"
  echo "keeping $dist/bzImage"
  kept_kernel=1
else
  bash "$here/kernel/build.sh" "$dist"
fi
bash "$here/initramfs/build.sh" "$dist"
# The embedded DNS server is not in the image: the engine carries it (src/engine/network/dns-server-binary.ts).
bash "$here/dns/build.sh"
cp /usr/share/seabios/bios.bin "$dist/seabios.bin"

version() { dpkg-query -W -f='${Version}' "$1"; }
{
  echo '{'
  if [ "${kept_kernel:-0}" = 1 ]; then
    # The kept bzImage's own lines (linux-source-6.1 need not be installed, the compiler may differ now).
    node -e 'const s = require(process.argv[1]).sources;
      for (const k of ["kernel", "kernel-compiler"]) console.log(`  ${JSON.stringify(k)}: ${JSON.stringify(s[k])},`);' "$here/manifest.json"
  else
    echo "  \"kernel\": \"linux-source-6.1 $(version linux-source-6.1), i386 tinyconfig + vm-images/kernel/config.fragment + vm-images/kernel/patches ($(ls vm-images/kernel/patches | paste -sd, -))\","
    echo "  \"kernel-compiler\": \"$(gcc --version | head -1)\","
  fi
  echo "  \"initramfs\": \"$(paste -sd, "$dist/initramfs.packages" | sed 's/,/, /g')\","
  echo "  \"busybox\": \"Debian's busybox source $(sed -n 's/^version=//p' vm-images/busybox/build.sh) with its static flavour's config + vm-images/busybox/patches ($(ls vm-images/busybox/patches | paste -sd, -)), $(gcc --version | head -1) -m32 -static, glibc libc6-dev-i386 $(version libc6-dev-i386), sha256 $(cat "$dist/busybox.sha256"); /bin/busybox of the initramfs and of busybox:latest (vm-images/busybox/build.sh)\","
  echo "  \"agent\": \"vm-images/agent/*.c, $(gcc --version | head -1) -m32 -static, glibc libc6-dev-i386 $(version libc6-dev-i386), dockside-agent sha256 $(sha256sum "$dist/dockside-agent" | cut -d' ' -f1)\","
  echo "  \"dns-server\": \"vm-images/dns/dockside-dns.c, $(gcc --version | head -1) -m32 -nostdlib (freestanding static i386), sha256 $(sed -n "s/^export const DNS_SERVER_SHA256 = '\\(.*\\)';/\\1/p" src/engine/network/dns-server-binary.ts), carried by the engine in src/engine/network/dns-server-binary.ts\","
  echo "  \"docker-client\": \"vm-images/docker-client/docker.c, same compiler and glibc as the agent (static i686); installed as /usr/bin/docker\","
  echo "  \"bios\": \"seabios $(version seabios) (/usr/share/seabios/bios.bin)\","
  echo "  \"emulator\": \"v86 $(node -p "require('./node_modules/v86/package.json').version")\","
  echo "  \"state-compression\": \"$(zstd --version | head -1), level 19\""
  echo '}'
} > "$dist/sources.json"
rm -f "$dist/initramfs.packages" "$dist/busybox.sha256"

node --import tsx "$here/make-state.ts"
zstd -q -19 -f "$dist/state.bin" -o "$dist/state.bin.zst"
rm -f "$dist/state.bin"
node --import tsx "$here/write-manifest.ts"
