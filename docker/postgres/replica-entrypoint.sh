#!/bin/bash
# Entrypoint of the streaming standby of docker-compose.scale.yml: on the first
# start (empty data directory) it clones the primary with pg_basebackup -R
# (standby.signal + primary_conninfo written, WAL streamed during the copy, the
# primary's slot replica_1 used), then runs the image's own entrypoint, which
# finds a cluster and starts it as a hot standby: read-only queries only.
set -euo pipefail

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
    until pg_isready -q -h "$PRIMARY_HOST" -p "${PRIMARY_PORT:-5432}"; do
        echo "replica: waiting for the primary $PRIMARY_HOST"
        sleep 2
    done
    echo "replica: cloning $PRIMARY_HOST with pg_basebackup"
    PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" \
        -p "${PRIMARY_PORT:-5432}" -U "$REPLICATION_USER" -D "$PGDATA" \
        -R -X stream -S replica_1 -c fast
    chmod 0700 "$PGDATA"
fi
exec docker-entrypoint.sh "$@"
