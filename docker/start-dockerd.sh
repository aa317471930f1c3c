#!/usr/bin/env bash
# Starts a Docker engine on this machine if none answers (CI and fresh developer machines), and waits for it.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
command -v dockerd >/dev/null || { echo "dockerd is not installed: apt-get install -y docker.io" >&2; exit 1; }
log="${DOCKERD_LOG:-/tmp/dockerd.log}"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "dockerd did not start; its log:" >&2
tail -20 "$log" >&2
exit 1
