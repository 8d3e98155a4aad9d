#!/usr/bin/env bash
# Builds Dockside's bundled container images (linux/386) from Debian bookworm i386 packages into an OCI
# image layout, and describes them (packages, versions, blobs, sizes) in a manifest:
#
#   vm-images/images/build.sh [OUTDIR [MANIFEST]]
#     OUTDIR    default vm-images/images/dist (oci-layout, index.json, blobs/sha256/...)
#     MANIFEST  default vm-images/images/manifest.json
#
# Images: busybox:latest, hello-world:latest, debian:bookworm (= debian:latest), nginx:latest,
# python:3, redis:latest; nginx, python and redis are FROM that debian (they reuse its layer blob).
# Same package versions and SOURCE_DATE_EPOCH give the same digests (layers are written by oci.py).
#
# Run as root on Debian bookworm (amd64 is fine: the i386 programs run in a chroot):
#   dpkg --add-architecture i386 && apt-get update
#   apt-get install debootstrap gcc gcc-multilib dpkg-dev patch python3
# Environment: SOURCE_DATE_EPOCH (default below), WORK (scratch, default /tmp/dockside-images),
# DEB_CACHE (downloaded .debs kept between runs, default /tmp/dockside-images-debs),
# MIRROR (default: the Debian URI in /etc/apt/sources.list*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/dist}")
manifest=$(realpath -m "${2:-$here/manifest.json}")
work=${WORK:-/tmp/dockside-images}
cache=${DEB_CACHE:-/tmp/dockside-images-debs}
# 2025-05-20T00:00:00Z: every file time, every layer entry and every `created` derives from it.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1747699200}
suite=bookworm
if [ -z "${MIRROR:-}" ]; then
  MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i} /^deb / {print ($2 ~ /^\[/ ? $3 : $2)}' |
    grep -E '/debian/?$' | head -1 || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi
py=/usr/bin/python3
start=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - start ))s)"; }

[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (debootstrap, chroot)" >&2; exit 1; }
dpkg --print-foreign-architectures | grep -qx i386 || { echo "build.sh: dpkg --add-architecture i386 && apt-get update" >&2; exit 1; }
for tool in debootstrap gcc gzip; do command -v $tool >/dev/null || { echo "build.sh: needs $tool" >&2; exit 1; }; done

case "$work" in /tmp/?*|/var/tmp/?*|/work/?*/*) ;; *) echo "build.sh: WORK=$work: use a scratch directory under /tmp" >&2; exit 1;; esac
rm -rf "$work"; mkdir -p "$work" "$cache"
chmod 0755 "$work"

# Run a command in a root directory: a private mount namespace with /proc, a clean environment.
in_root() {
  local root=$1; shift
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
    DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" PYTHONHASHSEED=0 \
    unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}
# dpkg-query-style package list of a root: package:arch, version, source, source version.
packages_of() {
  dpkg-query --admindir="$1/var/lib/dpkg" -W \
    -f='${db:Status-Abbrev}\t${binary:Package}\t${Version}\t${source:Package}\t${source:Version}\n' |
    awk -F'\t' '$1 ~ /^ii/ {print $2 "\t" $3 "\t" $4 "\t" $5}' | LC_ALL=C sort
}
# What the official images leave out of a layer (debuerreotype's list, plus logs with dates in them).
tidy_root() {
  local r=$1
  rm -f "$r"/var/log/dpkg.log "$r"/var/log/bootstrap.log "$r"/var/log/alternatives.log \
        "$r"/var/log/apt/*.log "$r"/var/log/apt/eipp.log.xz "$r"/var/cache/ldconfig/aux-cache \
        "$r"/var/cache/debconf/*-old "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
        "$r"/var/cache/apt/archives/partial/*.deb "$r"/etc/passwd- "$r"/etc/group- "$r"/etc/shadow- \
        "$r"/etc/gshadow-
  rm -rf "$r"/tmp/* "$r"/var/tmp/* "$r"/root/.cache
  # A new user's "last password change" is today: clamp it to the epoch (as debuerreotype does).
  local day=$(( SOURCE_DATE_EPOCH / 86400 )) f
  for f in "$r"/etc/shadow; do
    awk -F: -v OFS=: -v d="$day" '$3 > d {$3 = d} {print}' "$f" > "$f.new" && cat "$f.new" > "$f" && rm "$f.new"
  done
  # Docs, man pages, locales: what the slim dpkg config keeps out (files from before it existed).
  # Inside the root, so absolute symlinks resolve there (as debuerreotype-slimify does it).
  in_root "$r" sh -c '
    for d in doc info linda lintian/overrides locale man; do
      [ -d /usr/share/$d ] || continue
      find /usr/share/$d -mindepth 1 -not -type d -not -type l \
        -not -path "/usr/share/doc/*/copyright" -not -path /usr/share/locale/locale.alias \
        -not -path /usr/share/locale/all_languages -not -path /usr/share/locale/languages \
        -not -path "/usr/share/locale/currency/*" -not -path "/usr/share/locale/l10n/*" -delete
      while [ -n "$(find /usr/share/$d -mindepth 1 -depth \( -empty -o -xtype l \) -print -delete)" ]; do :; done
    done'
  mkdir -p "$r"/usr/share/man/man{1,2,3,4,5,6,7,8}
}

###################################################################################### busybox
step "busybox (vm-images/busybox/build.sh: Debian's busybox source, static config, our patches)"
# The guest's busybox (vm-images/busybox/build.sh says why not Debian's busybox-static binary).
BUSYBOX_WORK=$work/busybox-build bash "$here/../busybox/build.sh" "$work/busybox-bin" >/dev/null
read -r _ bb_version _ < "$work/busybox-bin/busybox.version"
printf 'busybox:source-static-i686\t%s+dockside1\tbusybox\t%s\n' "$bb_version" "$bb_version" > "$work/busybox.packages"
bb=$work/busybox
mkdir -p "$bb"/{bin,dev,etc,home,root,tmp,usr/sbin,var/spool/mail,var/www}
chmod 0700 "$bb/root"; chmod 1777 "$bb/tmp"
install -m 0755 "$work/busybox-bin/busybox" "$bb/bin/busybox"
for applet in $(sed 's|.*/||' "$work/busybox-bin/busybox.links" | LC_ALL=C sort); do
  ln -s busybox "$bb/bin/$applet"
done
cat > "$bb/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat > "$bb/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
EOF
sed 's/^\([^:]*\):.*/\1:*::0:::::/' "$bb/etc/passwd" > "$bb/etc/shadow"
chmod 0600 "$bb/etc/shadow"
chown 8:8 "$bb/var/spool/mail"; chown 33:33 "$bb/var/www"

################################################################################## hello-world
step "hello-world (gcc -m32 -static -nostdlib)"
hw=$work/hello-world
mkdir -p "$hw"
gcc -m32 -static -Os -s -nostdlib -ffreestanding -fno-pie -no-pie -fno-asynchronous-unwind-tables \
  -fno-stack-protector -Wl,--build-id=none -Wl,-z,noseparate-code -Wl,-z,norelro -Wl,-z,noexecstack \
  -o "$hw/hello" "$here/hello/hello.c"
chmod 0755 "$hw/hello"

####################################################################################### debian
step "debian:$suite (debootstrap --variant=minbase, i386, from $MIRROR)"
deb=$work/debian
debootstrap --arch=i386 --variant=minbase --include=procps,iproute2,iputils-ping --cache-dir="$cache" \
  "$suite" "$deb" "$MIRROR" > "$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
# debuerreotype's minimizing config: no daemons started by maintainer scripts, apt keeps no caches, ...
printf '#!/bin/sh\n\n# For most Docker users, "apt-get install" only wants to install packages, not start services.\nexit 101\n' \
  > "$deb/usr/sbin/policy-rc.d"
chmod 0755 "$deb/usr/sbin/policy-rc.d"
echo force-unsafe-io > "$deb/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
cat > "$deb/etc/apt/apt.conf.d/docker-clean" <<'EOF'
# Remove downloaded .debs and caches after every install and update: an image layer should not carry them.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::GzipIndexes "true";' > "$deb/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' > "$deb/etc/apt/apt.conf.d/docker-no-languages"
echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$deb/etc/apt/apt.conf.d/docker-autoremove-suggests"
# The slim variant: dpkg itself leaves docs, man pages and translations out of every later install.
cat > "$deb/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# This is the "slim" variant of the Debian base image: files that containers rarely need are not
# installed, and this configuration keeps them out of packages installed later too.
path-exclude /usr/share/doc/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*

path-include /usr/share/doc/*/copyright
path-include /usr/share/locale/all_languages
path-include /usr/share/locale/currency/*
path-include /usr/share/locale/l10n/*
path-include /usr/share/locale/languages
path-include /usr/share/locale/locale.alias
EOF
chmod 0644 "$deb"/etc/dpkg/dpkg.cfg.d/* "$deb"/etc/apt/apt.conf.d/docker-*
# The image's sources are the official image's; the build's apt reads $MIRROR (bookworm and
# bookworm-updates; bookworm-security only with DEBIAN_SECURITY=1: its mirror here serves index files
# that do not match their Release file, and apt then fails).
rm -f "$deb/etc/apt/sources.list"
cat > "$work/debian.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$MIRROR" "$suite" "$suite"
  if [ "${DEBIAN_SECURITY:-0}" = 1 ]; then
    printf '\nTypes: deb\nURIs: %s-security\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "${MIRROR%/}" "$suite"
  fi
} > "$work/build.sources"
install -m 0644 "$work/build.sources" "$deb/etc/apt/sources.list.d/debian.sources"
step "debian: updates"
in_root "$deb" apt-get -q update > "$work/apt-update.log" 2>&1 || { cat "$work/apt-update.log"; exit 1; }
if grep -q '^[EW]:' "$work/apt-update.log"; then cat "$work/apt-update.log"; exit 1; fi
in_root "$deb" apt-get -qy upgrade > "$work/apt-upgrade.log" 2>&1 || { cat "$work/apt-upgrade.log"; exit 1; }
in_root "$deb" apt-mark auto '.*' > /dev/null
in_root "$deb" apt-mark manual procps iproute2 iputils-ping > /dev/null

# FROM debian: copy its root, install with apt in a chroot (its lists are still there, so the versions
# are those of the base), customise, tidy; the layer is the difference.
derive() {
  local name=$1; shift
  step "$name: apt-get install --no-install-recommends $*"
  cp -a "$deb" "$work/$name"
  install -m 0644 "$work/build.sources" "$work/$name/etc/apt/sources.list.d/debian.sources"
  cat /etc/resolv.conf > "$work/$name/etc/resolv.conf"
  in_root "$work/$name" apt-get -qy install --no-install-recommends "$@" > "$work/$name-install.log" ||
    { tail -30 "$work/$name-install.log"; exit 1; }
}
finish() {
  local r=$work/$1
  install -m 0644 "$work/debian.sources" "$r/etc/apt/sources.list.d/debian.sources"
  # docker gives every container its own /etc/hostname, /etc/hosts and /etc/resolv.conf
  printf '' > "$r/etc/hostname"; printf '' > "$r/etc/resolv.conf"
  chmod 0644 "$r/etc/hostname" "$r/etc/resolv.conf"
  rm -rf "$r/dev"/* "$r/run"/*
  tidy_root "$r"
  packages_of "$r" > "$work/$1.packages"
}
finish debian
version_of() { dpkg-query --admindir="$work/$1/var/lib/dpkg" -W -f='${Version}' "$2" | sed 's/^[0-9]*://; s/-[^-]*$//'; }

######################################################################################## nginx
derive nginx nginx
ng=$work/nginx
rm -f "$ng/etc/nginx/sites-enabled/default"
install -m 0644 "$here/nginx/default.conf" "$ng/etc/nginx/conf.d/default.conf"
mkdir -p "$ng/usr/share/nginx/html"
rm -f "$ng"/usr/share/nginx/html/*
install -m 0644 "$here/nginx/index.html" "$here/nginx/50x.html" "$ng/usr/share/nginx/html/"
install -m 0755 "$here/nginx/docker-entrypoint.sh" "$ng/docker-entrypoint.sh"
mkdir -p "$ng/docker-entrypoint.d"
ln -sf /dev/stdout "$ng/var/log/nginx/access.log"
ln -sf /dev/stderr "$ng/var/log/nginx/error.log"
finish nginx
nginx_version=$(version_of nginx nginx)

####################################################################################### python
# python:3 is left out unless DOCKSIDE_PYTHON=1: with it the images take about 43.5 MB compressed,
# more than the 40 MB budget of the site (without it about 39.4 MB).
py3=$work/python python_version=none skip='"python"'
if [ "${DOCKSIDE_PYTHON:-0}" = 1 ]; then
  derive python python3-minimal
  # Like the official image, no compiled bytecode in the layer (Python writes it again on first import).
  find "$py3/usr/lib" -depth -type d -name __pycache__ -exec rm -rf '{}' +
  finish python
  python_version=$(version_of python python3.11-minimal)
  skip=
fi

######################################################################################## redis
derive redis redis-server
rd=$work/redis
install -m 0755 "$here/redis/docker-entrypoint.sh" "$rd/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$rd/data"
in_root "$rd" chown redis:redis /data
finish redis
redis_version=$(version_of redis redis-server)

################################################################################### the layout
step "layers, configs, manifests"
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
nop='/bin/sh -c #(nop) '
cat > "$work/spec.json" <<EOF
{
  "sourceDateEpoch": $SOURCE_DATE_EPOCH,
  "tmpdir": "$work",
  "skip": [$skip],
  "budget": 40000000,
  "tools": {
    "debootstrap": "$(dpkg-query -W -f='${Version}' debootstrap)",
    "gcc": "$(gcc --version | head -1)",
    "gzip": "$(gzip --version | head -1)",
    "python": "$($py --version)",
    "mirror": "$MIRROR"
  },
  "exclude": ["dev/*", "proc/*", "sys/*", "var/lib/apt/lists/*", "var/cache/apt/*.bin",
              "var/cache/apt/archives/*.deb", "var/cache/apt/archives/lock", "var/lib/dpkg/lock*",
              "var/cache/debconf/*-old", "var/log/apt/*.log", "var/log/apt/eipp.log.xz"],
  "layers": {
    "busybox": {"root": "$bb"},
    "hello-world": {"root": "$hw"},
    "debian": {"root": "$deb"},
    "nginx": {"root": "$ng", "base": "debian"},
    "python": {"root": "$py3", "base": "debian"},
    "redis": {"root": "$rd", "base": "debian"}
  },
  "images": [
    {
      "tags": ["docker.io/library/busybox:latest"],
      "layers": ["busybox"],
      "packages": "$work/busybox.packages",
      "built": "vm-images/busybox/build.sh (Debian busybox source, static config, vm-images/busybox/patches, sha256 $(sha256sum "$work/busybox-bin/busybox" | cut -d' ' -f1)), applet symlinks in /bin, passwd/group/shadow",
      "config": {"Env": ["$PATH_ENV"], "Cmd": ["sh"]},
      "history": [
        {"created_by": "${nop}ADD file:{busybox} in / "},
        {"created_by": "${nop} CMD [\"sh\"]", "empty_layer": true}
      ]
    },
    {
      "tags": ["docker.io/library/hello-world:latest"],
      "layers": ["hello-world"],
      "built": "vm-images/images/hello/hello.c with $(gcc --version | head -1), -m32 -static -Os -s -nostdlib",
      "config": {"Env": ["$PATH_ENV"], "Cmd": ["/hello"]},
      "history": [
        {"created_by": "${nop}COPY file:{hello-world} in / "},
        {"created_by": "${nop} CMD [\"/hello\"]", "empty_layer": true}
      ]
    },
    {
      "tags": ["docker.io/library/debian:bookworm", "docker.io/library/debian:latest"],
      "layers": ["debian"],
      "packages": "$work/debian.packages",
      "built": "debootstrap --arch=i386 --variant=minbase --include=procps,iproute2,iputils-ping $suite; apt-get upgrade from $suite-updates$([ "${DEBIAN_SECURITY:-0}" = 1 ] && echo " and $suite-security"); slim (no docs, man pages, locales)",
      "config": {"Env": ["$PATH_ENV"], "Cmd": ["bash"]},
      "history": [
        {"created_by": "${nop}ADD file:{debian} in / "},
        {"created_by": "${nop} CMD [\"bash\"]", "empty_layer": true}
      ]
    },
    {
      "tags": ["docker.io/library/nginx:latest"],
      "layers": ["debian", "nginx"],
      "packages": "$work/nginx.packages",
      "built": "FROM debian:$suite; apt-get install --no-install-recommends nginx; vm-images/images/nginx/",
      "config": {
        "ExposedPorts": {"80/tcp": {}},
        "Env": ["$PATH_ENV", "NGINX_VERSION=$nginx_version"],
        "Entrypoint": ["/docker-entrypoint.sh"],
        "Cmd": ["nginx", "-g", "daemon off;"],
        "StopSignal": "SIGQUIT"
      },
      "history": [
        {"created_by": "${nop}ADD file:{debian} in / "},
        {"created_by": "${nop} CMD [\"bash\"]", "empty_layer": true},
        {"created_by": "${nop} ENV NGINX_VERSION=$nginx_version", "empty_layer": true, "offset": 600},
        {"created_by": "/bin/sh -c set -eux; apt-get install -y --no-install-recommends nginx; rm /etc/nginx/sites-enabled/default; ln -sf /dev/stdout /var/log/nginx/access.log; ln -sf /dev/stderr /var/log/nginx/error.log # and COPY default.conf /etc/nginx/conf.d/, index.html 50x.html /usr/share/nginx/html/, docker-entrypoint.sh /", "offset": 600},
        {"created_by": "${nop} ENTRYPOINT [\"/docker-entrypoint.sh\"]", "empty_layer": true, "offset": 600},
        {"created_by": "${nop} EXPOSE 80", "empty_layer": true, "offset": 600},
        {"created_by": "${nop} STOPSIGNAL SIGQUIT", "empty_layer": true, "offset": 600},
        {"created_by": "${nop} CMD [\"nginx\" \"-g\" \"daemon off;\"]", "empty_layer": true, "offset": 600}
      ]
    },
    {
      "tags": ["docker.io/library/python:3"],
      "layers": ["debian", "python"],
      "packages": "$work/python.packages",
      "built": "FROM debian:$suite; apt-get install --no-install-recommends python3-minimal; no __pycache__",
      "config": {
        "Env": ["$PATH_ENV", "LANG=C.UTF-8", "PYTHON_VERSION=$python_version"],
        "Cmd": ["python3"]
      },
      "history": [
        {"created_by": "${nop}ADD file:{debian} in / "},
        {"created_by": "${nop} CMD [\"bash\"]", "empty_layer": true},
        {"created_by": "${nop} ENV LANG=C.UTF-8", "empty_layer": true, "offset": 1200},
        {"created_by": "${nop} ENV PYTHON_VERSION=$python_version", "empty_layer": true, "offset": 1200},
        {"created_by": "/bin/sh -c set -eux; apt-get install -y --no-install-recommends python3-minimal; find /usr/lib -depth -type d -name __pycache__ -exec rm -rf '{}' +", "offset": 1200},
        {"created_by": "${nop} CMD [\"python3\"]", "empty_layer": true, "offset": 1200}
      ]
    },
    {
      "tags": ["docker.io/library/redis:latest"],
      "layers": ["debian", "redis"],
      "packages": "$work/redis.packages",
      "built": "FROM debian:$suite; apt-get install --no-install-recommends redis-server; vm-images/images/redis/docker-entrypoint.sh",
      "config": {
        "ExposedPorts": {"6379/tcp": {}},
        "Env": ["$PATH_ENV", "REDIS_VERSION=$redis_version"],
        "Entrypoint": ["docker-entrypoint.sh"],
        "Cmd": ["redis-server"],
        "Volumes": {"/data": {}},
        "WorkingDir": "/data"
      },
      "history": [
        {"created_by": "${nop}ADD file:{debian} in / "},
        {"created_by": "${nop} CMD [\"bash\"]", "empty_layer": true},
        {"created_by": "${nop} ENV REDIS_VERSION=$redis_version", "empty_layer": true, "offset": 1800},
        {"created_by": "/bin/sh -c set -eux; apt-get install -y --no-install-recommends redis-server; mkdir /data; chown redis:redis /data # and COPY docker-entrypoint.sh /usr/local/bin/", "offset": 1800},
        {"created_by": "${nop} VOLUME [/data]", "empty_layer": true, "offset": 1800},
        {"created_by": "${nop} WORKDIR /data", "empty_layer": true, "offset": 1800},
        {"created_by": "${nop} ENTRYPOINT [\"docker-entrypoint.sh\"]", "empty_layer": true, "offset": 1800},
        {"created_by": "${nop} EXPOSE 6379", "empty_layer": true, "offset": 1800},
        {"created_by": "${nop} CMD [\"redis-server\"]", "empty_layer": true, "offset": 1800}
      ]
    }
  ]
}
EOF
$py "$here/oci.py" assemble "$work/spec.json" "$out" "$manifest"
$py "$here/oci.py" validate "$out" > /dev/null
step "done: $out, $manifest"
