#!/usr/bin/env bash
# Builds the guest initramfs (gzip cpio) from Debian i386 packages: busybox (built from Debian's source,
# vm-images/busybox), iptables (legacy) with the libraries it loads, and the files under rootfs/.
# Needs: dpkg --add-architecture i386, cpio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../dist}
work=${WORK:-/tmp/dockside-initramfs}
rm -rf "$work"; mkdir -p "$work/debs" "$work/x" "$out"
packages="bridge-utils:i386 iptables:i386 libxtables12:i386 libip4tc2:i386 libip6tc2:i386 libc6:i386"
(cd "$work/debs" && apt-get download $packages 2>/dev/null)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
# Record what went in (package, version) for the manifest.
for deb in "$work"/debs/*.deb; do dpkg-deb -W --showformat='${Package}:${Architecture} ${Version}\n' "$deb"; done | sort > "$out/initramfs.packages"

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/i386-linux-gnu,usr/lib/i386-linux-gnu/xtables,etc,root,proc,sys,dev,tmp,run,newroot,mnt,var/lib/docker}
# busybox: Debian's busybox-static source and config with our patches (vm-images/busybox/build.sh says
# why not Debian's binary); also kept in the output directory's sources for the manifest.
bash "$here/../busybox/build.sh" "$work/busybox"
cp "$work/busybox/busybox" "$root/bin/busybox"
cat "$work/busybox/busybox.version" >> "$out/initramfs.packages"
sha256sum "$work/busybox/busybox" | cut -d' ' -f1 > "$out/busybox.sha256"
for applet in $(cat "$work/busybox/busybox.links"); do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
# iptables (legacy backend) and only the extensions docker's rules use.
x=$work/x
cp "$x/usr/sbin/xtables-legacy-multi" "$root/usr/sbin/"
for name in iptables iptables-save iptables-restore; do ln -sf xtables-legacy-multi "$root/usr/sbin/$name"; done
for lib in libxtables.so.12 libip4tc.so.2 libip6tc.so.2; do cp -L "$x/usr/lib/i386-linux-gnu/$lib" "$root/usr/lib/i386-linux-gnu/"; done
cp -L "$x/lib/i386-linux-gnu/libc.so.6" "$x/lib/i386-linux-gnu/ld-linux.so.2" "$root/lib/i386-linux-gnu/"
ln -sf i386-linux-gnu/ld-linux.so.2 "$root/lib/ld-linux.so.2"
for ext in libxt_standard libxt_tcp libxt_udp libipt_icmp libxt_conntrack libxt_state libxt_addrtype \
           libxt_MASQUERADE libxt_DNAT libxt_SNAT libxt_NAT libipt_REJECT libxt_comment libxt_multiport \
           libxt_mark libxt_MARK libxt_mac libxt_physdev libxt_LOG; do
  cp "$x/usr/lib/i386-linux-gnu/xtables/$ext.so" "$root/usr/lib/i386-linux-gnu/xtables/"
done
# Debian's brctl: busybox's applet cannot `brctl show`.
rm -f "$root/usr/sbin/brctl"; cp "$x/sbin/brctl" "$root/usr/sbin/brctl"
cp -a "$here/rootfs/." "$root/"
# The guest agent (vm-images/agent): static i686, started by init (see rootfs/etc/inittab).
# The binary is also kept in the output directory, committed and listed in the manifest.
bash "$here/../agent/build.sh" "$out"
cp "$out/dockside-agent" "$root/sbin/dockside-agent"
# The docker client (vm-images/docker-client): argv, environment and stdio to the CLI on the host
# through the agent's sockets; as dockside-service it carries `service docker ...` and `systemctl`.
bash "$here/../docker-client/build.sh" "$work/docker-client"
mkdir -p "$root/usr/lib/dockside"
cp "$work/docker-client/docker" "$root/usr/bin/docker"
ln -sf /usr/bin/docker "$root/usr/lib/dockside/dockside-service"
ln -sf /usr/bin/docker "$root/usr/bin/dockside-sockcat"
# curl (issue 6: `curl --unix-socket /var/run/docker.sock http://localhost/...` in the learner's shell):
# Debian's curl source built static with HTTP and unix sockets only (vm-images/curl/build.sh says why
# not Debian's binary package).
bash "$here/../curl/build.sh" "$work/curl"
cp "$work/curl/curl" "$root/usr/bin/curl"
cat "$work/curl/curl.version" >> "$out/initramfs.packages"
mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
# Reproducible archive: sorted names, fixed times, no owners from the build machine.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n > "$out/initramfs.cpio.gz"
echo "initramfs: $(stat -c %s "$out/initramfs.cpio.gz") bytes"
