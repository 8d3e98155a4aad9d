#!/usr/bin/env bash
# Builds the guest agent: build.sh OUTDIR -> OUTDIR/dockside-agent (static i686, stripped).
# Needs gcc with 32-bit support (Debian: apt-get install gcc-multilib).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
sources=(main.c json.c streams.c process.c container.c net.c cgroup.c files.c sockets.c util.c errnames.c)
# Reproducible: fixed source paths in the binary, no build id, no timestamps.
(cd "$here" && gcc -std=c11 -m32 -march=i686 -static -Os -s \
  -Wall -Wextra -Werror -ffunction-sections -fdata-sections -Wl,--gc-sections -ffile-prefix-map="$here"=. -Wl,--build-id=none \
  -o "$out/dockside-agent" "${sources[@]}")
echo "dockside-agent: $(stat -c %s "$out/dockside-agent") bytes"
