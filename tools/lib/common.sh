# shellcheck shell=bash
# shellcheck disable=SC2034  # variables set here are used by the scripts that source it
# Shared by tools/test and tools/run: Odoo and Python checks, PostgreSQL discovery
# (or a private cluster), the database role, addon discovery and cleanup on exit.
# Source it after setting TOOL_NAME; it defines functions and a few variables only.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HELPERS="$REPO_ROOT/tools/lib/helpers.py"
# Where the addons are; TELECOM_ADDONS_DIR points the tools elsewhere (tool tests).
ADDONS_DIR="$(cd "${TELECOM_ADDONS_DIR:-$REPO_ROOT/addons}" 2>/dev/null && pwd || true)"
DB_USER="${TELECOM_DB_USER:-odoo}"
DB_PASSWORD="${TELECOM_DB_PASSWORD:-}"

say()  { printf '[%s] %s\n' "$TOOL_NAME" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$TOOL_NAME" "$*" >&2; }
die()  { local rc="$1"; shift; printf '[%s] ERROR: %s\n' "$TOOL_NAME" "$*" >&2; exit "$rc"; }
helper() { python3 "$HELPERS" "$@"; }

# ------------------------------------------------------------------ cleanup on exit
# Cleanup commands run in reverse order of registration when the script exits,
# whatever the reason (success, failure, set -e, Ctrl-C).
CLEANUPS=()
on_exit() { CLEANUPS+=("$1"); }
run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${CLEANUPS[$i]}" || true
    done
    CLEANUPS=()
}
trap run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------- Python and Odoo
print_odoo_install_help() {
    cat >&2 <<'EOF'
Odoo 18.0 must be importable by `python3` (import odoo). Either:

  * let the tools set up their private environment in var/venv: run again with
        ODOO_SOURCE=<Odoo 18.0 source directory or tarball>  (or, to download
        Odoo's nightly source tarball, TELECOM_SETUP_ODOO=1), or answer "y"
        when asked on a terminal (README.md, "A machine without Odoo");
  * or run the product with Docker instead (official odoo:18.0 image):
        docker compose up
  * or install Odoo 18.0 yourself from its source distribution, e.g.
        git clone --branch 18.0 --depth 1 https://github.com/odoo/odoo
        cd odoo && pip install -r requirements.txt && pip install -e .
    then come back here and run the command again.
EOF
}

# The tools' private environment (tools/lib/odoo_env.py); never the system Python.
VENV_DIR="${TELECOM_VENV:-$REPO_ROOT/var/venv}"

use_venv() {  # puts $VENV_DIR first on PATH: its python3, pip and odoo
    export VIRTUAL_ENV="$VENV_DIR"
    export PATH="$VENV_DIR/bin:$PATH"
    hash -r
    say "using the private Python environment $VENV_DIR"
}

odoo_series() { (cd / && "$1" "$HELPERS" odoo-version 2>/dev/null) || true; }

# Sets ODOO (array): the command that runs Odoo ($ODOO_BIN, `odoo` on PATH, or python3 -m odoo).
# When python3 cannot import Odoo 18.0, uses var/venv if it can, else offers to
# set it up (tools/lib/odoo_env.py: asks on a terminal; without one proceeds only
# when ODOO_SOURCE or TELECOM_SETUP_ODOO=1 is set).
require_odoo() {
    command -v python3 >/dev/null || die 2 "python3 not found: install Python 3.10+ first."
    local version
    version="$(odoo_series python3)"
    if [[ "$version" != "18.0" && "${VIRTUAL_ENV:-}" != "$VENV_DIR" ]]; then
        if [[ -z "$version" ]]; then
            say "\`import odoo\` fails with $(command -v python3)"
        else
            say "Odoo $version found with $(command -v python3), 18.0 is required"
        fi
        if [[ -x "$VENV_DIR/bin/python" && "$(odoo_series "$VENV_DIR/bin/python")" == "18.0" ]]; then
            use_venv
        else
            local rc=0
            python3 "$REPO_ROOT/tools/lib/odoo_env.py" odoo "$VENV_DIR" || rc=$?
            if ((rc != 0)); then
                print_odoo_install_help
                exit 2
            fi
            use_venv
        fi
        version="$(odoo_series python3)"
    fi
    [[ "$version" == "18.0" ]] || die 2 "Odoo 18.0 is not importable by $(command -v python3) (found: ${version:-none})"
    if [[ -n "${ODOO_BIN:-}" ]]; then
        ODOO=("$ODOO_BIN")
    elif command -v odoo >/dev/null; then
        ODOO=(odoo)
    else
        ODOO=(python3 -m odoo)
    fi
    CORE_ADDONS_PATH="$(cd / && helper core-addons-path)"
}

# Installs requirements*.txt only when something is missing or at the wrong version.
ensure_requirements() {
    local files=() file missing
    for file in "$@"; do files+=("$REPO_ROOT/$file"); done
    missing="$(helper missing-requirements "${files[@]}")" || die 1 "cannot read ${files[*]}"
    [[ -z "$missing" ]] && return 0
    say "installing missing Python requirements: $(echo "$missing" | tr '\n' ' ')"
    local pip=(python3 -m pip install -q --disable-pip-version-check)
    local reqs=() arg
    for file in "${files[@]}"; do reqs+=(-r "$file"); done
    if ! "${pip[@]}" "${reqs[@]}"; then
        # Where Odoo was installed without pip metadata (e.g. the official Docker
        # image), OCA wheels cannot resolve their `odoo` dependency: install them
        # with --no-deps and everything else normally.
        warn "pip install failed; retrying with --no-deps for the odoo-addon-* wheels"
        local plain=() oca=()
        while IFS= read -r arg; do
            arg="${arg%%#*}"; arg="${arg//[[:space:]]/}"
            [[ -z "$arg" ]] && continue
            if [[ "$arg" == odoo-addon-* ]]; then oca+=("$arg"); else plain+=("$arg"); fi
        done < <(cat "${files[@]}")
        ((${#plain[@]} == 0)) || "${pip[@]}" "${plain[@]}" || die 1 "pip install failed"
        ((${#oca[@]} == 0)) || "${pip[@]}" --no-deps "${oca[@]}" || die 1 "pip install failed"
    fi
    missing="$(helper missing-requirements "${files[@]}")"
    [[ -z "$missing" ]] || die 1 "still missing after pip install: $missing"
}

# apt_install PACKAGE...: installs Debian packages when we are root with apt-get.
apt_install() {
    [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null || return 1
    say "installing $* (apt-get)"
    apt-get update -qq >/dev/null \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ------------------------------------------------------------------------ PostgreSQL
pg_answers() { pg_isready -q -h "$1" -p "$2" -t 3 >/dev/null 2>&1; }

pg_bindir() {
    # initdb/pg_ctl are rarely on PATH on Debian: look in /usr/lib/postgresql/*/bin.
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        # a symbolic link on PATH: the directory of the real one (pg_basebackup...)
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" ]] || return 1
    echo "$dir"
}

# Runs a command as the owner of the private cluster (initdb refuses root).
as_pg_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

# start_private_cluster DIR PERSISTENT: a cluster in DIR (a new temporary directory
# when DIR is empty), trust auth, unix socket in DIR (and 127.0.0.1) on a free port,
# superuser `postgres`. PERSISTENT=0 deletes it on exit; PERSISTENT=1 keeps the data
# (tools/run) and only stops the server on exit.
start_private_cluster() {
    local dir="$1" persistent="$2" bindir port
    [[ -n "$dir" ]] || dir="$(mktemp -d -t telecom-pg.XXXXXX)"
    bindir="$(pg_bindir)" || { apt_install postgresql && bindir="$(pg_bindir)"; } \
        || die 1 "no PostgreSQL server answers and initdb is not installed
  (apt-get install postgresql, or set PGHOST/PGPORT to a running server)."
    PG_OWNER="$(id -un)"
    [[ "$(id -u)" == 0 ]] && PG_OWNER=nobody
    mkdir -p "$dir"
    chown "$PG_OWNER" "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        say "initialising a private PostgreSQL cluster in $dir"
        as_pg_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
            --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die 1 "initdb failed"; }
    fi
    if as_pg_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        # Left running by an earlier session: reuse it (port: line 4 of postmaster.pid).
        PGHOST="$dir" PGPORT="$(sed -n 4p "$dir/data/postmaster.pid")" PRIVATE_CLUSTER=1
        say "private PostgreSQL already running (socket $dir, port $PGPORT)"
        return
    fi
    port="$(helper free-port)"
    local opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200"
    [[ "$persistent" == 1 ]] || opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_pg_owner "$bindir/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start \
        >/dev/null || { cat "$dir/server.log" >&2; die 1 "cannot start the private PostgreSQL"; }
    if [[ "$persistent" == 1 ]]; then
        on_exit "as_pg_owner '$bindir/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null"
    else
        on_exit "as_pg_owner '$bindir/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null; rm -rf '$dir'"
    fi
    PGHOST="$dir"
    PGPORT="$port"
    PRIVATE_CLUSTER=1
    say "private PostgreSQL running (socket $dir, port $port)"
}

# Sets and exports PGHOST/PGPORT: $PGHOST/$PGPORT when set (and answering), else
# 127.0.0.1:5432 or the local unix socket; when none answers, a private cluster
# (see start_private_cluster).
# $1 = directory for a private cluster, $2 = 1 to keep it between runs.
find_postgres() {
    if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
        apt_install postgresql || die 1 "PostgreSQL is not installed (psql, pg_isready missing):
  install it (apt-get install postgresql) or set PGHOST/PGPORT to a server."
    fi
    PRIVATE_CLUSTER=0
    local candidates=() candidate
    if [[ -n "${PGHOST:-}${PGPORT:-}" ]]; then
        # Set explicitly: that server or, if it does not answer, a private one.
        candidates+=("${PGHOST:-127.0.0.1}:${PGPORT:-5432}")
    else
        candidates+=("127.0.0.1:5432" "/var/run/postgresql:5432")
    fi
    for candidate in "${candidates[@]}"; do
        if pg_answers "${candidate%:*}" "${candidate##*:}"; then
            PGHOST="${candidate%:*}" PGPORT="${candidate##*:}"
            export PGHOST PGPORT
            say "PostgreSQL at $PGHOST:$PGPORT"
            return 0
        fi
    done
    warn "no PostgreSQL answers at ${candidates[*]}"
    start_private_cluster "$1" "$2"
    export PGHOST PGPORT
}

# psql as a role allowed to create roles: postgres, then the current OS user.
psql_admin() {
    local user
    for user in postgres "$(id -un)"; do
        if psql -X -q -d postgres -U "$user" -tAc "select 1" >/dev/null 2>&1; then
            psql -X -q -v ON_ERROR_STOP=1 -d postgres -U "$user" "$@"
            return
        fi
    done
    return 1
}

# Makes sure the role Odoo connects as ($TELECOM_DB_USER, default odoo) exists.
ensure_db_role() {
    [[ "$DB_USER" != postgres ]] || die 1 "Odoo refuses to connect as 'postgres': set TELECOM_DB_USER to another role."
    export PGPASSWORD="${DB_PASSWORD:-${PGPASSWORD:-}}"
    [[ -n "$PGPASSWORD" ]] || unset PGPASSWORD
    if psql -X -q -d postgres -U "$DB_USER" -tAc "select 1" >/dev/null 2>&1; then
        return 0
    fi
    local exists
    exists="$(psql_admin -tAc "select 1 from pg_roles where rolname = '$DB_USER'")" \
        || die 1 "cannot connect to PostgreSQL at $PGHOST:$PGPORT as '$DB_USER', 'postgres' or '$(id -un)'."
    if [[ "$exists" != 1 ]]; then
        say "creating PostgreSQL role '$DB_USER' (LOGIN CREATEDB)"
        psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB" >/dev/null
    fi
    psql -X -q -d postgres -U "$DB_USER" -tAc "select 1" >/dev/null 2>&1 \
        || die 1 "role '$DB_USER' exists but cannot log in to $PGHOST:$PGPORT (password? pg_hba.conf?)"
}

# Odoo's command-line options for the database connection.
odoo_db_args() {
    DB_ARGS=(--db_host "$PGHOST" --db_port "$PGPORT" --db_user "$DB_USER")
    [[ -z "$DB_PASSWORD" ]] || DB_ARGS+=(--db_password "$DB_PASSWORD")
}

db_exists() {
    [[ "$(psql -X -d postgres -U "$DB_USER" -tAc "select 1 from pg_database where datname = '$1'")" == 1 ]]
}

# --------------------------------------------------------------------------- addons
# Sets ADDONS (array) and ADDONS_PATH (repository addons first, then Odoo's own).
discover_addons() {
    ADDONS=()
    if [[ -n "$ADDONS_DIR" ]]; then
        mapfile -t ADDONS < <(helper addons "$ADDONS_DIR")
    fi
    ADDONS_PATH="$CORE_ADDONS_PATH"
    ((${#ADDONS[@]} == 0)) || ADDONS_PATH="$ADDONS_DIR,$CORE_ADDONS_PATH"
}

join_by() { local IFS="$1"; shift; echo "$*"; }
