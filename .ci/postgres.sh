#!/usr/bin/env bash
# Make sure a local PostgreSQL is installed, running and has the test database.
# Prints the DATABASE_URL to use on its last line.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

cluster_version=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "online"; then
  echo "starting PostgreSQL $cluster_version" >&2
  pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start >&2
fi

for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 >&2

# The machine's cluster trusts local connections; a fresh install may not, so ask as postgres.
psql_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- psql -qAt "$@"; else psql -h 127.0.0.1 -U postgres -qAt "$@"; fi
}
if [ "$(psql_as_postgres -c "select 1 from pg_database where datname = 'wharf_test'")" != "1" ]; then
  psql_as_postgres -c "create database wharf_test" >&2
fi
psql_as_postgres -c "alter user postgres password 'postgres'" >&2
echo "postgres://postgres:postgres@127.0.0.1:5432/wharf_test"
