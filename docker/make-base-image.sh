#!/usr/bin/env bash
# Makes a local debian:bookworm-slim when the engine has none and no registry is reachable:
# a minimal Debian bookworm root filesystem from debootstrap, imported as an image (about a minute).
# Anywhere a registry is reachable, `docker pull debian:bookworm-slim` does the same job.
#
#   docker/make-base-image.sh [image-name]      (default: debian:bookworm-slim; needs root and debootstrap)
set -euo pipefail
image="${1:-debian:bookworm-slim}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image is present"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is needed: apt-get install -y debootstrap" >&2; exit 1; }

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
echo "building $image with debootstrap from $mirror ..."
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
# as the official slim image: no apt caches, docs or man pages
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' - "$image" >/dev/null
echo "imported $image"
