#!/bin/bash
# Run once by the postgres image when it creates the primary's cluster
# (/docker-entrypoint-initdb.d): the role the standby replicates as, its
# physical replication slot (WAL kept while the standby is away) and the
# pg_hba.conf line letting it connect for replication.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE :"role" WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('replica_1');
SQL
echo "host replication $REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
