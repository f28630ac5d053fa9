#!/usr/bin/env bash
# Makes a Docker engine available for the gateway-docker tests and builds their images offline.
# Idempotent and non-interactive: installs Debian's docker.io when dockerd is missing, starts
# dockerd when no engine answers (waiting up to DOCKER_START_TIMEOUT seconds, default 60),
# then runs gateway-docker/src/test/docker/build-images.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive
log() { echo "[docker-setup] $*"; }

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io"
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends docker.io </dev/null >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  deadline=$((SECONDS + ${DOCKER_START_TIMEOUT:-60}))
  until docker info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd did not answer within ${DOCKER_START_TIMEOUT:-60}s; last log lines:"
      tail -n 20 /var/log/dockerd.log >&2 || true
      exit 1
    fi
    sleep 1
  done
fi
log "engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) answers"

"$ROOT/gateway-docker/src/test/docker/build-images.sh"
