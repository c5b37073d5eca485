#!/usr/bin/env bash
# Local stand-ins for the official python, postgres, redis and nginx images, built from a Debian base
# made by debootstrap (debian.sh): for machines that reach no container registry (CI). Each image is
# built only when absent, so a second run costs nothing. `make compose-smoke` passes their names as
# the build arguments PYTHON_IMAGE, NGINX_IMAGE and the POSTGRES_IMAGE, REDIS_IMAGE variables.
set -euo pipefail
cd "$(dirname "$0")"
docker=${DOCKER:-/usr/bin/docker}
./debian.sh
for name in python postgres redis nginx; do
  image=local/$name:bookworm
  if [ -z "$($docker images -q "$image")" ]; then
    echo "building $image"
    $docker build -q -t "$image" -f "$name.Dockerfile" . >/dev/null
  fi
done
