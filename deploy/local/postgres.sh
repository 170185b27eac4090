#!/usr/bin/env bash
# The tests' local PostgreSQL server (`make test`), run from Debian's packages.
#
#   deploy/local/postgres.sh up       install (if needed), init, start, create role and database
#   deploy/local/postgres.sh down     stop the server (the data stays)
#   deploy/local/postgres.sh status   say whether it runs; exit 0 if it does, 3 if not
#   deploy/local/postgres.sh url      print the SQLAlchemy URL the tests use
#
# The cluster lives in build/test/postgres/ (ignored by git) and listens on 127.0.0.1:55433, so it
# clashes neither with a system server on 5432 nor with anything in .fyhub/, the state of `make up`
# that tests never touch (older checkouts kept this server there, on 55432). It is owned by the
# `postgres` OS user when run as root, because the server refuses to run as root. It is a throw-away test server: fsync is off.
#
# Overrides: FYHUB_LOCAL_PG_DIR (state folder), FYHUB_LOCAL_PG_PORT (port).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${FYHUB_LOCAL_PG_DIR:-$ROOT/build/test/postgres}"
HOST=127.0.0.1
PORT="${FYHUB_LOCAL_PG_PORT:-55433}"
DB_USER=fyhub
DB_PASSWORD=fyhub
DB_NAME=fyhub_test
OS_USER=postgres
START_TIMEOUT_S=60

DATA="$STATE/data"
LOG="$STATE/server.log"
SOCKETS="$STATE/run"
URL="postgresql+asyncpg://$DB_USER:$DB_PASSWORD@$HOST:$PORT/$DB_NAME"

say() { printf 'postgres.sh: %s\n' "$*"; }

die() {
    printf 'postgres.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

die_with_log() {
    printf 'postgres.sh: ERROR: %s\n' "$1" >&2
    if [[ -f "$LOG" ]]; then
        printf -- '--- last lines of %s ---\n' "$LOG" >&2
        tail -n 30 "$LOG" >&2 || true
    fi
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as the cluster's owner, from a folder that owner can read.
as_owner() {
    if is_root; then
        (cd / && runuser -u "$OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

# Debian installs each major version under /usr/lib/postgresql/<major>/bin; an existing cluster
# needs the major that made it.
find_bindir() {
    local wanted=""
    [[ -f "$DATA/PG_VERSION" ]] && wanted="$(cat "$DATA/PG_VERSION")"
    if [[ -n "$wanted" ]]; then
        [[ -x "/usr/lib/postgresql/$wanted/bin/postgres" ]] \
            || die "$DATA was made by PostgreSQL $wanted, which is not installed: install postgresql-$wanted or remove $STATE"
        echo "/usr/lib/postgresql/$wanted/bin"
        return
    fi
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/postgres" ]] && echo "$dir"
    return 0
}

install_server() {
    is_root || die "PostgreSQL is not installed and only root can install it: run 'apt-get install postgresql' as root"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it with"
    say "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >/dev/null; then
        apt-get update >/dev/null || die "apt-get update failed: the package registry is unreachable"
        apt-get install -y --no-install-recommends postgresql >/dev/null \
            || die "apt-get install postgresql failed"
    fi
}

ensure_os_user() {
    is_root || return 0
    id -u "$OS_USER" >/dev/null 2>&1 && return 0
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$OS_USER" \
        || die "could not create the '$OS_USER' OS user"
}

ensure_state_dir() {
    mkdir -p "$STATE" "$SOCKETS"
    if is_root; then
        chown "$OS_USER:" "$STATE" "$SOCKETS"
        runuser -u "$OS_USER" -- test -w "$STATE" \
            || die "the '$OS_USER' OS user cannot reach $STATE (a parent folder is closed to it): set FYHUB_LOCAL_PG_DIR to a folder it can reach, e.g. /var/lib/postgresql/fyhub"
    fi
    chmod 700 "$STATE" "$SOCKETS"
}

init_cluster() {
    local bindir="$1"
    if [[ -d "$DATA" && ! -f "$DATA/PG_VERSION" ]]; then
        say "removing $DATA: an earlier init did not finish"
        rm -rf "$DATA"
    fi
    say "initialising a cluster in $DATA"
    # Local socket logins are trusted: the socket folder is closed to everyone but the owner.
    as_owner "$bindir/initdb" -D "$DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$STATE/initdb.log" 2>&1 \
        || { tail -n 30 "$STATE/initdb.log" >&2; die "initdb failed (full output in $STATE/initdb.log)"; }
    cat >>"$DATA/postgresql.conf" <<'EOF'

# fyhub local test server: speed over crash safety
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

is_running() {
    local bindir="$1"
    [[ -f "$DATA/PG_VERSION" ]] && as_owner "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_taken() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

start_server() {
    local bindir="$1"
    say "starting PostgreSQL on $HOST:$PORT"
    as_owner "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$START_TIMEOUT_S" \
        -o "-c listen_addresses=$HOST -c port=$PORT -c unix_socket_directories='$SOCKETS'" \
        start >/dev/null 2>&1 \
        || die_with_log "PostgreSQL did not start on $HOST:$PORT (data: $DATA); its log says why"
}

superuser_sql() {
    local bindir="$1" sql="$2"
    as_owner "$bindir/psql" -h "$SOCKETS" -p "$PORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -qtAc "$sql"
}

ensure_role_and_database() {
    local bindir="$1"
    if [[ -z "$(superuser_sql "$bindir" "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]]; then
        say "creating role $DB_USER"
        superuser_sql "$bindir" "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
    fi
    if [[ -z "$(superuser_sql "$bindir" "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]]; then
        say "creating database $DB_NAME"
        superuser_sql "$bindir" \
            "CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
    fi
}

# True when a server at the URL accepts the test credentials, whoever runs it.
accepts_test_login() {
    command -v psql >/dev/null || return 1
    PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5 psql -h "$HOST" -p "$PORT" -U "$DB_USER" \
        -d "$DB_NAME" -qtAc 'SELECT 1' >/dev/null 2>&1
}

cmd_up() {
    local bindir
    bindir="$(find_bindir)"
    if [[ -n "$bindir" ]] && is_running "$bindir"; then
        ensure_role_and_database "$bindir"
        say "already running on $HOST:$PORT (data: $DATA)"
        return
    fi
    if accepts_test_login; then
        say "a PostgreSQL server already answers at $HOST:$PORT and accepts $DB_USER; using it"
        return
    fi
    port_taken && die "port $PORT on $HOST is taken by another program, and the server there does not accept $DB_USER/$DB_PASSWORD on $DB_NAME: stop it or set FYHUB_LOCAL_PG_PORT"
    if [[ -z "$bindir" ]]; then
        install_server
        bindir="$(find_bindir)"
        [[ -n "$bindir" ]] || die "the postgresql package installed no server under /usr/lib/postgresql"
    fi
    ensure_os_user
    ensure_state_dir
    [[ -f "$DATA/PG_VERSION" ]] || init_cluster "$bindir"
    start_server "$bindir"
    ensure_role_and_database "$bindir"
    say "up: $URL"
}

cmd_down() {
    local bindir
    bindir="$(find_bindir)"
    if [[ -z "$bindir" ]] || ! is_running "$bindir"; then
        say "not running (data: $DATA)"
        return
    fi
    as_owner "$bindir/pg_ctl" -D "$DATA" -m fast -w -t "$START_TIMEOUT_S" stop >/dev/null \
        || die_with_log "PostgreSQL did not stop"
    say "stopped (data kept in $DATA)"
}

cmd_status() {
    local bindir
    bindir="$(find_bindir)"
    if [[ -n "$bindir" ]] && is_running "$bindir"; then
        say "running on $HOST:$PORT, pid $(head -n 1 "$DATA/postmaster.pid"), data $DATA"
        say "url: $URL"
        return 0
    fi
    if [[ -f "$DATA/PG_VERSION" ]]; then
        say "not running (data: $DATA)"
    else
        say "not running (no cluster in $STATE yet)"
    fi
    return 3
}

main() {
    case "${1:-}" in
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        url) echo "$URL" ;;
        *)
            echo "usage: $0 up|down|status|url" >&2
            exit 2
            ;;
    esac
}

main "$@"
