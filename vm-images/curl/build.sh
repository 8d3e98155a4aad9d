#!/usr/bin/env bash
# Builds the guest's curl: build.sh OUTDIR -> OUTDIR/curl (static i686, stripped), OUTDIR/curl.version.
# Debian bookworm's curl source package (Debian's patches applied), configured for HTTP over TCP and
# unix sockets only, so `curl --unix-socket /var/run/docker.sock http://localhost/...` works in the guest.
# Why not Debian's binary curl:i386: with the libraries it loads (OpenSSL, GnuTLS, Kerberos, LDAP,
# libssh2, ...) it adds 17 MB to the initramfs (7.3 MB gzip -9), all of it in guest RAM; this adds 1.4 MB
# (0.66 MB gzip -9). Needs: gcc-multilib, dpkg-dev, make; the deb-src lists are fetched into the work
# directory, the system's apt configuration is not touched.
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
work=${CURL_WORK:-/tmp/dockside-curl}
rm -rf "$work"; mkdir -p "$work/apt/lists/partial" "$work/src" "$out"
cat > "$work/apt/sources.list" <<LIST
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm-updates main
LIST
apt=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
apt-get "${apt[@]}" update >/dev/null
# The same version as Debian's curl:i386 binary package.
version=$(apt-cache policy curl:i386 | sed -n 's/^ *Candidate: //p')
(cd "$work/src" && apt-get "${apt[@]}" source --download-only "curl=$version" >/dev/null 2>&1 \
  && dpkg-source --no-check -x curl_*.dsc curl >/dev/null)
cd "$work/src/curl"
# Reproducible: no build id, source paths mapped, no timestamps in curl's version output.
CC="gcc -m32 -march=i686" CFLAGS="-Os -ffunction-sections -fdata-sections -ffile-prefix-map=$work/src/curl=." \
  LDFLAGS="-static -Wl,--gc-sections -Wl,--build-id=none" \
  ./configure --host=i686-linux-gnu --build=x86_64-linux-gnu --disable-shared --enable-static \
  --without-ssl --without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
  --without-nghttp2 --without-libssh2 --without-librtmp --without-libgsasl --disable-ldap --disable-ldaps \
  --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb \
  --disable-smtp --disable-gopher --disable-mqtt --disable-manual --disable-ntlm --disable-alt-svc \
  --disable-hsts --disable-ftp --disable-file --disable-threaded-resolver --enable-unix-sockets >/dev/null
make -j"$(nproc)" LDFLAGS="-all-static -Wl,--gc-sections -Wl,--build-id=none" >/dev/null
strip -o "$out/curl" src/curl
echo "curl:source-static-i686 $version" > "$out/curl.version"
echo "curl: $(stat -c %s "$out/curl") bytes"
