#!/usr/bin/env bash
# Makes sure the local PostgreSQL answers on 127.0.0.1:5432 (trust auth, user postgres) and that the
# project's databases exist. Starts the Debian cluster if it is stopped. Idempotent.
#   ONESTOP_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the admin connection.
set -euo pipefail
admin_url="${ONESTOP_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
log() { printf '[postgres] %s\n' "$*" >&2; }

answers() { psql "$admin_url" -XAtqc 'select 1' >/dev/null 2>&1; }

if ! answers; then
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    log "not answering; starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 60); do answers && break; sleep 0.5; done
fi
answers || { log "PostgreSQL does not answer at $admin_url. Start it (pg_ctlcluster <version> main start) or set ONESTOP_PG_URL."; exit 1; }

# onestop: the stack's database (one schema per service); onestop_test: tests (one schema per test file).
for db in onestop onestop_test; do
  if [[ "$(psql "$admin_url" -XAtqc "select 1 from pg_database where datname = '$db'")" != 1 ]]; then
    log "creating database $db"
    psql "$admin_url" -Xqc "create database $db" >/dev/null
  fi
done
log "ready at ${admin_url%/*}/{onestop,onestop_test}"
