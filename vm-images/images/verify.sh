#!/usr/bin/env bash
# Checks the OCI layout made by build.sh and runs every image's programs for real: unpacks each image's
# layers (whiteouts applied, GNU tar reading what oci.py wrote) and runs commands in a chroot of it.
# i386 programs run on an amd64 Linux host. Run as root:  vm-images/images/verify.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath "${1:-$here/dist}")
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/dockside-verify.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

$py "$here/oci.py" validate "$out"

# run IMAGE CMD...: in a chroot of the unpacked image, with /proc and the host's /dev (nginx logs to
# /dev/stdout), in a private mount namespace; prints the output and fails on a non-zero exit.
run() {
  local image=$1; shift
  local root=$tmp/${image//[:\/]/_}
  [ -d "$root" ] || $py "$here/oci.py" unpack "$out" "$image" "$root"
  echo "--- $image: $*"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
    unshare --mount --propagation private -- sh -c \
      'mkdir -p "$0/proc" "$0/dev" && mount -t proc proc "$0/proc" && mount --bind /dev "$0/dev" && exec chroot "$0" "$@"' "$root" "$@"
}

run busybox:latest sh -c 'echo ok; busybox | head -1; ls /bin | wc -l; id'
run hello-world:latest /hello | tee "$tmp/hello.out"
grep -q 'Hello from Dockside' "$tmp/hello.out"
run debian:bookworm bash -c 'apt --version; dpkg -l | head; ping -V; ps --version; ip -V; cat /etc/debian_version'
run debian:bookworm bash -c 'dpkg --audit && apt-get check && echo "dpkg/apt state consistent"; dpkg -l | grep -c ^ii'
run debian:latest bash -c 'getcap /bin/ping 2>/dev/null || true; ls -l /bin/ping; ls /usr/share/doc | wc -l; ls /usr/share/man'
run nginx:latest nginx -t
run nginx:latest sh -c 'ls -l /var/log/nginx; ls /usr/share/nginx/html; cat /etc/nginx/conf.d/default.conf | grep root'
run nginx:latest sh -c '/docker-entrypoint.sh nginx -V 2>&1 | head -2'
if grep -q 'docker.io/library/python:3' "$out/index.json"; then
  run python:3 python3 -c 'import sys, os, re; print(sys.version); print(re.sub("o", "0", "ok"))'
fi
if grep -q 'docker.io/library/redis:latest' "$out/index.json"; then
  run redis:latest redis-server --version
  run redis:latest sh -c 'id redis; ls -ld /data; cd /data && /usr/local/bin/docker-entrypoint.sh redis-server --port 0 --unixsocket /tmp/r.sock --daemonize yes && sleep 0.5 && redis-cli -s /tmp/r.sock set greeting hi && redis-cli -s /tmp/r.sock get greeting && redis-cli -s /tmp/r.sock config get protected-mode && redis-cli -s /tmp/r.sock shutdown nosave || true; ps -o user,args -C redis-server || true'
fi
echo "verify: all checks passed"
