#!/usr/bin/env bash
# Builds the busybox of the guest (initramfs) and of the busybox:latest image:
#   build.sh OUTDIR -> OUTDIR/busybox (static i686, stripped), OUTDIR/busybox.version, and
#   OUTDIR/busybox.links (the applets' paths, as `busybox --list-full` prints them: the i386 binary
#   need not run on the build machine)
# Debian bookworm's busybox source package (the source of busybox-static:i386, Debian's patches applied),
# built as debian/rules builds its "static" flavour (Debian's config, hardening flags, -Os), plus our
# patches in patches/ (each says why). Why not Debian's binary: `wget -T N` segfaults there
# (patches/0001-static-config-enable-wget-timeout.patch). Needs: gcc-multilib (static glibc from
# libc6-dev-i386), dpkg-dev, make, patch; the deb-src lists are fetched into the work directory, the
# system's apt configuration is not touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:?usage: build.sh OUTDIR}")
work=${BUSYBOX_WORK:-/tmp/dockside-busybox}
# The source of busybox-static:i386 1:1.35.0-4+deb12u1+b1 (a binNMU: same source, rebuilt).
version=1:1.35.0-4+deb12u1
# Ours on top of Debian's: busybox prints it in its banner (`busybox --help`).
extra_version="Debian $version+dockside1"
rm -rf "$work"; mkdir -p "$work/apt/lists/partial" "$work/src" "$out"
cat > "$work/apt/sources.list" <<LIST
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm-updates main
LIST
apt=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
apt-get "${apt[@]}" update >/dev/null
(cd "$work/src" && apt-get "${apt[@]}" source --download-only "busybox=$version" >/dev/null 2>&1 \
  && dpkg-source --no-check -x busybox_*.dsc busybox >/dev/null)
src=$work/src/busybox
for p in "$here"/patches/*.patch; do patch -s -p1 -d "$src" < "$p"; done

# As debian/rules does for the static flavour: .config from debian/config, completed by oldconfig and
# checked against it (a config option left unanswered would fail here).
cd "$src"
export KCONFIG_NOTIMESTAMP=1 SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1747699200}
cc="gcc -m32"
d=$src/b/static
mkdir -p "$d"
cat debian/config/os/linux debian/config/pkg/static > "$d/.config"
{ yes "" || true; } | make -s -C "$d" -f "$src/Makefile" KBUILD_SRC="$src" CC="$cc" silentoldconfig >/dev/null
diff -u debian/config/pkg/static "$d/.config"
# Debian's i386 flags (hardening=+all), without -O2 so busybox's -Os applies, as debian/rules does.
eval "$(DEB_HOST_ARCH=i386 DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
CFLAGS=$(echo " $CFLAGS " | sed 's/ -O2 / /')
make -s -C "$d" -j"$(nproc)" all CC="$cc" SKIP_STRIP=y BB_EXTRA_VERSION="$extra_version" \
  CONFIG_EXTRA_CFLAGS="$CFLAGS $CPPFLAGS" CONFIG_EXTRA_LDFLAGS="$CFLAGS $LDFLAGS" >/dev/null 2>"$work/build.log" ||
  { tail -30 "$work/build.log"; exit 1; }
make -s -C "$d" busybox.links CC="$cc" >/dev/null
sed 's|^/||' "$d/busybox.links" | LC_ALL=C sort > "$out/busybox.links"
# As dh_strip strips an executable.
strip --remove-section=.comment --remove-section=.note -o "$out/busybox" "$d/busybox"
echo "busybox:source-static-i686 $version + vm-images/busybox/patches ($(cd "$here/patches" && ls | paste -sd, -))" > "$out/busybox.version"
echo "busybox: $(stat -c %s "$out/busybox") bytes, sha256 $(sha256sum "$out/busybox" | cut -d' ' -f1)"
