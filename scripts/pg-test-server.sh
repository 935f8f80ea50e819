#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite (CI has no running services).
#
#   eval "$(scripts/pg-test-server.sh)"     # start (or find the running one); exports REPLYCLOCK_TEST_POSTGRES_URL
#   scripts/pg-test-server.sh stop          # stop it and delete its data
#   scripts/pg-test-server.sh status        # exit 0 when running
#
# Installs Debian's `postgresql` package when no server binaries are found (needs root),
# runs the server as the `postgres` user (or as the caller, when not root), listens on
# 127.0.0.1 on a free port, with fsync off: never use it for real data. Only the export
# line goes to stdout; progress goes to stderr. Calling it again prints the same URL.
set -euo pipefail

STATE_DIR="${REPLYCLOCK_PG_DIR:-${TMPDIR:-/tmp}/replyclock-pg-test}"
ROLE=replyclock
DATABASE=replyclock_test

say() { echo "pg-test-server: $*" >&2; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" && -x "$dir/postgres" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

install_server() {
    if [[ $(id -u) -ne 0 ]]; then
        say "PostgreSQL is not installed and this is not root: install Debian's 'postgresql' package"
        exit 1
    fi
    say "installing PostgreSQL from Debian's packages..."
    local started=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # policy-rc.d keeps the package's own cluster from starting; we run our own
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt-get install -y -qq --no-install-recommends postgresql >&2
    if [[ $created_policy -eq 1 ]]; then rm -f "$policy"; fi
    say "installed in $((SECONDS - started)) s"
}

# Run a command as the server's owner.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$OWNER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local port
    for python in python3 python; do
        if command -v "$python" >/dev/null 2>&1; then
            "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
            return 0
        fi
    done
    port=$((20000 + RANDOM % 20000))
    echo "$port"
}

url() { cat "$STATE_DIR/url"; }

is_running() {
    [[ -f "$STATE_DIR/url" && -d "$STATE_DIR/data" ]] && as_owner "$BINDIR/pg_ctl" -D "$STATE_DIR/data" status >/dev/null 2>&1
}

print_export() { echo "export REPLYCLOCK_TEST_POSTGRES_URL='$(url)'"; }

start() {
    if is_running; then
        say "already running ($(sed -E 's#://([^:]*):[^@]*@#://\1:***@#' "$STATE_DIR/url"))"
        print_export
        return 0
    fi
    rm -rf "$STATE_DIR"
    mkdir -p "$STATE_DIR"
    chmod 700 "$STATE_DIR"
    local password port
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    port=$(free_port)
    printf '%s\n' "$password" >"$STATE_DIR/pwfile"
    if [[ $(id -u) -eq 0 ]]; then chown -R "$OWNER" "$STATE_DIR"; fi
    as_owner "$BINDIR/initdb" -D "$STATE_DIR/data" -U "$ROLE" --pwfile="$STATE_DIR/pwfile" \
        --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STATE_DIR/initdb.log" 2>&1 ||
        { cat "$STATE_DIR/initdb.log" >&2; exit 1; }
    rm -f "$STATE_DIR/pwfile"
    cat >>"$STATE_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$STATE_DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_owner "$BINDIR/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 60 start >&2 ||
        { cat "$STATE_DIR/server.log" >&2; exit 1; }
    PGPASSWORD=$password "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U "$ROLE" -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE DATABASE $DATABASE" >&2
    echo "postgresql+psycopg://$ROLE:$password@127.0.0.1:$port/$DATABASE" >"$STATE_DIR/url"
    chmod 600 "$STATE_DIR/url"
    say "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$port (data in $STATE_DIR)"
    print_export
}

stop() {
    if [[ -d "$STATE_DIR/data" ]]; then
        as_owner "$BINDIR/pg_ctl" -D "$STATE_DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$STATE_DIR"
    say "stopped"
}

BINDIR=$(find_bindir) || { install_server; BINDIR=$(find_bindir) || { say "no PostgreSQL binaries after install"; exit 1; }; }
if [[ $(id -u) -eq 0 ]]; then
    OWNER=postgres
    id "$OWNER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$OWNER"
else
    OWNER=$(id -un)
fi

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) is_running && { say "running"; exit 0; } || { say "not running"; exit 1; } ;;
    url) is_running && print_export || { say "not running"; exit 1; } ;;
    *) say "usage: $0 [start|stop|status|url]"; exit 2 ;;
esac
