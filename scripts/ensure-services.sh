#!/usr/bin/env bash
# Finds (or starts) the PostgreSQL server and, with `redis`, the Redis server the portal needs, and
# prints `export VAR=...` lines for the Makefile to eval. DESIGN.md, Environments:
#   DATABASE_URL if set; else a server on 127.0.0.1:5432; else a private cluster under .local/pg.
#   Redis on 127.0.0.1:6379; else a private redis-server under .local/redis.
# A missing prerequisite stops with one sentence naming what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
want_redis=${1:-}
db_name=${DB_NAME:-billing_portal}
py=.venv/bin/python

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

if [ -n "${DATABASE_URL:-}" ]; then
  echo "export DATABASE_URL='$DATABASE_URL'"
elif answers 127.0.0.1 5432; then
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
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -z "$bindir" ] && command -v initdb >/dev/null && bindir=$(dirname "$(command -v initdb)")
  [ -z "$bindir" ] && die "No PostgreSQL found: install PostgreSQL 15 or newer (Debian: apt-get install postgresql) or set DATABASE_URL."
  pgdir="$root/.local/pg"; port=${PRIVATE_PG_PORT:-54329}
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
  elif answers 127.0.0.1 6379; then
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
    port=${PRIVATE_REDIS_PORT:-63790}
    mkdir -p "$root/.local/redis"
    answers 127.0.0.1 "$port" || redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" \
      --appendonly no --dir "$root/.local/redis" --logfile "$root/.local/redis/redis.log"
    echo "export REDIS_URL='redis://127.0.0.1:$port'"
  fi
fi
