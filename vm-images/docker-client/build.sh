#!/usr/bin/env bash
# Builds the guest's docker client: build.sh OUTDIR -> OUTDIR/docker (static i686, stripped).
# Needs gcc with 32-bit support (Debian: apt-get install gcc-multilib).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
(cd "$here" && gcc -std=c11 -m32 -march=i686 -static -Os -s \
  -Wall -Wextra -Werror -ffunction-sections -fdata-sections -Wl,--gc-sections -ffile-prefix-map="$here"=. -Wl,--build-id=none \
  -o "$out/docker" docker.c)
echo "docker client: $(stat -c %s "$out/docker") bytes"
