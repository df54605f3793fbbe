#!/usr/bin/env bash
# Finds (or starts) the PostgreSQL server and, with `redis`, the Redis server the portal needs, and
# prints `export VAR=...` lines for the Makefile to eval. DESIGN.md, Environments:
#   DATABASE_URL if set; else a server on 127.0.0.1:5432; else a private cluster under .local/pg.
#   Redis on 127.0.0.1:6379; else a private redis-server under .local/redis.
# A missing prerequisite stops with one sentence naming what to install.
#
# PG_FORCE_PRIVATE=1 / REDIS_FORCE_PRIVATE=1 skip the shared servers and use the private ones (to try
# the newcomer's path on a machine that has both). `scripts/ensure-services.sh stop` stops the private
# servers this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
want_redis=${1:-}
db_name=${DB_NAME:-billing_portal}
py=.venv/bin/python
[ -x "$py" ] || py=python3
pg_port=${PRIVATE_PG_PORT:-54329}
redis_port=${PRIVATE_REDIS_PORT:-63790}
pgdir="$root/.local/pg"

say() { echo "$*" >&2; }
die() { echo "echo '$*' >&2; exit 1"; exit 0; }

answers() {  # host port -> 0 when something accepts TCP there
  "$py" - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

as_postgres() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$dir" ] && command -v initdb >/dev/null; then dir=$(dirname "$(command -v initdb)"); fi
  echo "$dir"
}

if [ "$want_redis" = stop ]; then
  bindir=$(find_pg_bindir)
  if [ -n "$bindir" ] && [ -f "$pgdir/data/postmaster.pid" ]; then
    as_postgres "$bindir/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null && say "Stopped the private PostgreSQL."
  fi
  if [ -f "$root/.local/redis/redis.pid" ]; then
    pid=$(cat "$root/.local/redis/redis.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # until it has exited
      say "Stopped the private Redis."
    fi
    rm -f "$root/.local/redis/redis.pid"
  fi
  exit 0
fi

if [ -n "${DATABASE_URL:-}" ]; then
  echo "export DATABASE_URL='$DATABASE_URL'"
elif [ "${PG_FORCE_PRIVATE:-0}" != 1 ] && answers 127.0.0.1 5432; then
  psql_url="postgres://postgres@127.0.0.1:5432/postgres"
  "$py" - "$psql_url" "$db_name" <<'PY' || { say "PostgreSQL on 127.0.0.1:5432 refused user postgres"; exit 1; }
import sys, psycopg2
conn = psycopg2.connect(sys.argv[1]); conn.autocommit = True
cur = conn.cursor()
cur.execute("select 1 from pg_database where datname = %s", (sys.argv[2],))
if not cur.fetchone():
    cur.execute(f'create database "{sys.argv[2]}"')
PY
  echo "export DATABASE_URL='postgres://postgres@127.0.0.1:5432/$db_name'"
else
  bindir=$(find_pg_bindir)
  [ -z "$bindir" ] && die "No PostgreSQL found: install PostgreSQL 15 or newer (Debian: apt-get install postgresql) or set DATABASE_URL."
  port=$pg_port
  mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown postgres "$pgdir"
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    say "Creating a private PostgreSQL cluster in .local/pg"
    as_postgres "$bindir/initdb" -D "$pgdir/data" -U postgres --auth=trust >/dev/null
  fi
  if ! answers 127.0.0.1 "$port"; then
    as_postgres "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
      -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname='$db_name'" | grep -q 1 \
    || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db_name"
  echo "export DATABASE_URL='postgres://postgres@127.0.0.1:$port/$db_name'"
fi

if [ "$want_redis" = redis ]; then
  if [ -n "${REDIS_URL:-}" ]; then
    echo "export REDIS_URL='$REDIS_URL'"
  elif [ "${REDIS_FORCE_PRIVATE:-0}" != 1 ] && answers 127.0.0.1 6379; then
    echo "export REDIS_URL='redis://127.0.0.1:6379'"
  else
    if ! command -v redis-server >/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing redis-server from Debian's packages"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null
      else
        die "No Redis found: install Redis (Debian: apt-get install redis-server) or set REDIS_URL."
      fi
    fi
    port=$redis_port
    mkdir -p "$root/.local/redis"
    answers 127.0.0.1 "$port" || redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" \
      --appendonly no --dir "$root/.local/redis" --logfile "$root/.local/redis/redis.log" \
      --pidfile "$root/.local/redis/redis.pid" >/dev/null
    echo "export REDIS_URL='redis://127.0.0.1:$port'"
  fi
fi
