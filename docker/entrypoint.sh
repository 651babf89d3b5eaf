#!/bin/bash
# Entrypoint of the telecom image, around the official image's /entrypoint.sh
# (which turns HOST/PORT/USER/PASSWORD into Odoo's --db_* options).
#
#  1. admin_passwd: Odoo reads the master password only from its configuration
#     file, so a private copy of /etc/odoo/odoo.conf gets
#     `admin_passwd = $ODOO_ADMIN_PASSWORD` (a random one when unset, which locks
#     the database manager) and ODOO_RC points Odoo to that copy.
#  2. database: when TELECOM_DB is set, every installable addon found in
#     /mnt/extra-addons that is not installed in it yet is installed (with demo
#     data unless odoo.conf says without_demo); a new database also gets
#     TELECOM_LANGUAGES (default ru_RU,en_US; the demo data makes Russian the
#     language of admin and the demo users).
#     tools/run does the same on a developer machine.
#  3. exec the official entrypoint with the container's command.
set -euo pipefail

SOURCE_RC="${ODOO_RC:-/etc/odoo/odoo.conf}"
RENDERED_RC="${TELECOM_RENDERED_RC:-/tmp/odoo.conf}"
ADDONS_DIR=/mnt/extra-addons
HELPERS=/usr/local/lib/telecom/helpers.py

log() { echo "telecom-entrypoint: $*" >&2; }

render_config() {
    local password="${ODOO_ADMIN_PASSWORD:-}"
    if [[ -z "$password" ]]; then
        password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        log "ODOO_ADMIN_PASSWORD is not set: using a random master password (database manager locked)"
    fi
    (
        umask 077
        TELECOM_ADMIN_PASSWD="$password" awk '
            /^[[:space:]]*admin_passwd[[:space:]]*=/ { next }
            { print }
            /^[[:space:]]*\[options\][[:space:]]*$/ {
                print "admin_passwd = " ENVIRON["TELECOM_ADMIN_PASSWD"]
            }
        ' "$SOURCE_RC" >"$RENDERED_RC"
    )
    export ODOO_RC="$RENDERED_RC"
}

# Same connection settings as the official entrypoint (compose sets them).
psql_db() {
    PGPASSWORD="${PASSWORD:-}" psql -X -h "${HOST:-db}" -p "${PORT:-5432}" \
        -U "${USER:-odoo}" -d "$TELECOM_DB" -tA "$@"
}

prepare_database() {
    [[ -n "${TELECOM_DB:-}" && -d "$ADDONS_DIR" ]] || return 0
    local addons=() installed="" missing=() addon args=()
    mapfile -t addons < <(python3 "$HELPERS" addons "$ADDONS_DIR")
    ((${#addons[@]})) || return 0
    wait-for-psql.py --db_host "${HOST:-db}" --db_port "${PORT:-5432}" \
        --db_user "${USER:-odoo}" --db_password "${PASSWORD:-}" --timeout=60
    installed="$(psql_db -c "select name from ir_module_module where state = 'installed'" \
        2>/dev/null || true)"
    for addon in "${addons[@]}"; do
        grep -qx "$addon" <<<"$installed" || missing+=("$addon")
    done
    ((${#missing[@]})) || return 0
    if ! grep -qx base <<<"$installed"; then
        args+=(--load-language "${TELECOM_LANGUAGES:-ru_RU,en_US}")
        log "creating database $TELECOM_DB (demo data, ${TELECOM_LANGUAGES:-ru_RU,en_US}): this takes a few minutes"
    fi
    local modules
    modules="$(IFS=,; echo "${missing[*]}")"
    log "installing into $TELECOM_DB: $modules"
    /entrypoint.sh odoo --database "$TELECOM_DB" --init "$modules" "${args[@]}" \
        --stop-after-init --no-http --workers 0 --max-cron-threads 0
}

render_config
prepare_database
exec /entrypoint.sh "$@"
