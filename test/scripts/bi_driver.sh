#!/bin/bash
# The reader role through a real client driver (python3-psycopg2), as a BI
# tool uses it, on a generated union with a snapshot: test/driver/bi_reader.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=unionreg_bi
LOGIN=unionreg_bi_tool
PASSWORD="bi-$$-$RANDOM"
OUT=$(mktemp -d)
cleanup() {
	rm -rf "$OUT"
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $LOGIN" >/dev/null 2>&1 || true
}
trap cleanup EXIT
/usr/bin/python3 test/gen/gen_union.py --seed 21 --scale 0.01 --members 3000 --out "$OUT" >/dev/null

PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
	-c "DROP ROLE IF EXISTS $LOGIN"
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT * FROM unionreg.load_members();
\copy unionreg.stage_baseline from '$OUT/stage_baseline.csv' csv header
SELECT * FROM unionreg.load_baselines();
SELECT unionreg.build_snapshot('2026-10-01');
CREATE ROLE $LOGIN LOGIN PASSWORD '$PASSWORD' IN ROLE unionreg_reader;
SQL
# over TCP on loopback with a password, as a BI server would connect
PGHOST=127.0.0.1 /usr/bin/python3 test/driver/bi_reader.py --dbname "$DB" --user "$LOGIN" --password "$PASSWORD"
