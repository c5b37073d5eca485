#!/usr/bin/env bash
# Builds local/debian:bookworm from Debian's packages (no container registry needed) unless present.
# The host's extra CA certificates go in, so HTTPS from inside the containers trusts what the host trusts.
set -euo pipefail
image=${DEBIAN_IMAGE:-local/debian:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
docker=${DOCKER:-/usr/bin/docker}
if [ -n "$($docker images -q "$image")" ]; then
  echo "$image is present"
  exit 0
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
dir=$(mktemp -d)
trap 'as_root rm -rf "$dir"' EXIT
as_root debootstrap --variant=minbase --include=ca-certificates bookworm "$dir" "$mirror" >/dev/null
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
  as_root cp /usr/local/share/ca-certificates/* "$dir/usr/local/share/ca-certificates/"
  as_root chroot "$dir" update-ca-certificates >/dev/null
fi
as_root rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb
as_root tar -C "$dir" -c . | $docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' - "$image"
echo "built $image"
