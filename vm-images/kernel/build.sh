#!/usr/bin/env bash
# Builds the guest kernel (bzImage) from Debian's linux-source-6.1 with patches/ applied: i386 tinyconfig plus
# config.fragment, everything built in, no modules. Needs: linux-source-6.1 build-essential bc bison flex libelf-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../dist}
work=${WORK:-/tmp/dockside-kernel}
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "missing $tarball: apt-get install linux-source-6.1" >&2; exit 1; }
mkdir -p "$work" "$out"
src=$work/linux-source-6.1
if [ ! -f "$src/Makefile" ]; then
  echo "unpacking $tarball"
  tar -C "$work" -xf "$tarball"
fi
cd "$src"
# Our fixes to Debian's source (vm-images/kernel/patches, each says why); a reused tree keeps them applied.
for patch in "$here"/patches/*.patch; do
  if ! patch -p1 -R -s -f --dry-run < "$patch" >/dev/null 2>&1; then
    patch -p1 -s -f < "$patch"
  fi
done
export ARCH=i386 KBUILD_BUILD_TIMESTAMP='2026-01-01 00:00:00' KBUILD_BUILD_USER=dockside KBUILD_BUILD_HOST=dockside
make -s tinyconfig
scripts/kconfig/merge_config.sh -m .config "$here/config.fragment" >/dev/null
make -s olddefconfig
# Every option the fragment turns on must have survived olddefconfig (a missing dependency drops it silently).
missing=0
while IFS= read -r line; do
  case "$line" in CONFIG_*=y) grep -qx "$line" .config || { echo "not set: $line" >&2; missing=1; } ;; esac
done < "$here/config.fragment"
for off in CONFIG_IPV6_SIT CONFIG_X86_PAE CONFIG_HIGHMEM4G CONFIG_HIGHMEM64G CONFIG_MODULES CONFIG_64BIT; do
  if grep -q "^$off=y" .config; then echo "must be off: $off" >&2; missing=1; fi
done
[ "$missing" = 0 ] || exit 1
make -s -j"$(nproc)" bzImage
cp arch/x86/boot/bzImage "$out/bzImage"
cp .config "$out/kernel.config"
echo "kernel: $(stat -c %s "$out/bzImage") bytes"
