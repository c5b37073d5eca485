#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into the running compose stack: the files replace the
# materials, chats, support and media volumes, the dump replaces the database. The web, worker and beat services are
# stopped meanwhile and started again (with migrations, if the code is newer than the backup).
#   deploy/restore.sh /var/backups/sferum/2026-11-30
set -euo pipefail
dir=${1:?usage: deploy/restore.sh DIR}
compose=(docker-compose ${COMPOSE_ENV_FILE:+--env-file "$COMPOSE_ENV_FILE"})
( cd "$dir" && sha256sum --quiet -c SHA256SUMS )
"${compose[@]}" stop worker beat
"${compose[@]}" exec -T web sh -c 'find /data/materials /data/chats /data/support /data/media -mindepth 1 -delete && tar -C /data -x' <"$dir/files.tar"
"${compose[@]}" stop web
"${compose[@]}" exec -T postgres pg_restore -U sferum -d sferum --clean --if-exists --no-owner --single-transaction <"$dir/db.dump"
"${compose[@]}" up -d --no-build
echo "restored from $dir"
