#!/usr/bin/env bash
# Builds the Docker images the gateway-docker tests use, without any image registry:
#   mcp-gateway-test/node-base:1          busybox-static + the host's node + its shared libraries (docker import)
#   mcp-gateway-test/server-everything:1  @modelcontextprotocol/server-everything from npm on top (docker build)
# Idempotent: an image that exists is kept. Work files go to build/docker/ (gitignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
HERE="$ROOT/gateway-docker/src/test/docker"
WORK="$ROOT/build/docker"
BASE_IMAGE="mcp-gateway-test/node-base:1"
EVERYTHING_IMAGE="mcp-gateway-test/server-everything:1"
EVERYTHING_VERSION="2026.8.31"

log() { echo "[build-images] $*"; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

is_static() { ! ldd "$1" >/dev/null 2>&1; }

find_busybox() {
  if [ -x /bin/busybox ] && is_static /bin/busybox; then
    echo /bin/busybox
    return
  fi
  # No static busybox on the host: unpack Debian's busybox-static without installing it.
  local debs="$WORK/debs"
  mkdir -p "$debs"
  if [ ! -x "$debs/root/bin/busybox" ]; then
    (cd "$debs" && { apt-get download busybox-static >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get download busybox-static; }; })
    dpkg-deb -x "$debs"/busybox-static_*.deb "$debs/root"
  fi
  echo "$debs/root/bin/busybox"
}

build_base() {
  local node rootfs busybox
  node="$(readlink -f "$(command -v node)")"
  busybox="$(find_busybox)"
  rootfs="$WORK/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,usr/bin,etc,tmp,proc,sys,dev,app}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  cp "$node" "$rootfs/usr/bin/node"
  # The shared libraries node needs, at the paths the loader expects.
  for lib in $(ldd "$node" | grep -oE '/[^ ]+'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import \
      -c 'ENV PATH=/usr/bin:/bin' -c 'ENV HOME=/tmp' -c 'WORKDIR /' -c 'CMD ["/bin/sh"]' \
      - "$BASE_IMAGE" >/dev/null
  log "imported $BASE_IMAGE (node $("$node" --version))"
}

build_everything() {
  local context="$WORK/everything"
  mkdir -p "$context"
  if [ ! -f "$context/node_modules/@modelcontextprotocol/server-everything/package.json" ] \
      || ! grep -q "\"version\": \"$EVERYTHING_VERSION\"" "$context/node_modules/@modelcontextprotocol/server-everything/package.json"; then
    (cd "$context" && npm install --no-audit --no-fund --omit=dev --prefix . \
        "@modelcontextprotocol/server-everything@$EVERYTHING_VERSION" </dev/null)
  fi
  DOCKER_BUILDKIT=0 docker build -q -f "$HERE/Dockerfile.server-everything" -t "$EVERYTHING_IMAGE" "$context" >/dev/null
  log "built $EVERYTHING_IMAGE (server-everything $EVERYTHING_VERSION)"
}

mkdir -p "$WORK"
if image_exists "$BASE_IMAGE"; then log "$BASE_IMAGE exists"; else build_base; fi
if image_exists "$EVERYTHING_IMAGE"; then log "$EVERYTHING_IMAGE exists"; else build_everything; fi
