#!/usr/bin/env bash
# A local PostgreSQL for the class board's tests (tests/test_board): Debian's server, its
# cluster started, a role and a database for them. Prints the line that points the tests at it:
#     eval "$(bash deploy/test_postgres.sh)" && python -m pytest
# Run it as root (or put sudo before it). It can be run again: what exists is kept.
set -euo pipefail
command -v pg_lsclusters > /dev/null || apt-get install -y -qq postgresql > /dev/null
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >&2
pg_lsclusters -h | grep -q "^$version main .* online" || pg_ctlcluster "$version" main start >&2  # its notes ("Removed stale pid file") are not for eval
sql() { su postgres -c "psql -qtAc \"$1\""; }
[ "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'ffn'")" = 1 ] || sql "CREATE ROLE ffn LOGIN PASSWORD 'ffn'" > /dev/null
[ "$(sql "SELECT 1 FROM pg_database WHERE datname = 'ffn_board'")" = 1 ] || sql "CREATE DATABASE ffn_board OWNER ffn" > /dev/null
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
echo "export FFN_TEST_PG_URL=postgresql+psycopg://ffn:ffn@127.0.0.1:$port/ffn_board"
