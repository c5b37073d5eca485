#!/usr/bin/env bash
# Backs up the running compose stack into DIR: the database (pg_dump, custom format) and the files
# (materials, chats, support and media volumes, one tar). Run beside docker-compose.yml, or with COMPOSE_FILE and
# COMPOSE_PROJECT_NAME set; COMPOSE_ENV_FILE names another env file than .env. docs/deploy.md has the rest.
#   deploy/backup.sh /var/backups/sferum/$(date +%F)
set -euo pipefail
dir=${1:?usage: deploy/backup.sh DIR}
compose=(docker-compose ${COMPOSE_ENV_FILE:+--env-file "$COMPOSE_ENV_FILE"})
mkdir -p "$dir"
"${compose[@]}" exec -T postgres pg_dump -U sferum -d sferum --format=custom >"$dir/db.dump"
"${compose[@]}" exec -T web tar -C /data -c materials chats support media >"$dir/files.tar"
( cd "$dir" && sha256sum db.dump files.tar >SHA256SUMS )
echo "backed up to $dir: $(du -sh "$dir" | cut -f1)"
