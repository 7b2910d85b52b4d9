#!/usr/bin/env bash
# Installs (from Debian's packages), starts and prepares the PostgreSQL that the tests use:
# a superuser role `trackd` (password `trackd`) on 127.0.0.1:5432. Idempotent; needs root.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
  runuser -u postgres -- psql -qAtc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done

runuser -u postgres -- psql -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'trackd') THEN
    CREATE ROLE trackd LOGIN SUPERUSER PASSWORD 'trackd';
  END IF;
END
$$;
SQL
echo "PostgreSQL $version ready on 127.0.0.1:5432 (role trackd)"
