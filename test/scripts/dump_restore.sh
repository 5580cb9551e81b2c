#!/bin/bash
# pg_dump / pg_restore round trip: a loaded register (generated union, an
# edited catalog label, a line added to a form, card moves, two snapshots,
# rejected rows) is dumped from the test cluster and restored into a fresh
# cluster of its own; every table of the extension, every report line, the
# wide views and report() on demand must come back identical, and the
# restored database must go on working (new ids, new loads, a new build).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/private_cluster.sh
DB=unionreg_dump
trap 'private_cluster_cleanup; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
chmod a+rwx "$PC_TMP"

/usr/bin/python3 test/gen/gen_union.py --seed 21 --scale 0.01 --members 2000 --out "$PC_TMP/data" >/dev/null
chmod -R a+rX "$PC_TMP/data"
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$PC_TMP/data/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_member from '$PC_TMP/data/stage_member.csv' csv header
SELECT * FROM unionreg.load_members();
\copy unionreg.stage_baseline from '$PC_TMP/data/stage_baseline.csv' csv header
SELECT * FROM unionreg.load_baselines();
-- the union's own catalog edits: a label changed, a line added, a field made mandatory
UPDATE unionreg.form_line SET label_ru = label_ru || ' (уточнено)' WHERE form = '2SP' AND line_code = '2';
INSERT INTO unionreg.form_line (form, line_code, sort, label_ru, label_en, formula, counters)
VALUES ('2SP', '18', 180, 'Молодежь и студенты вместе', 'young workers and students together', 'sum', ARRAY['working_youth', 'students']);
INSERT INTO unionreg.passport_requirement VALUES ('subdivision', 'short_name');
-- history: a region's delivered cards issued, a row rejected by a load
SELECT unionreg.move_cards('R01', 'delivered_to_region', 'issued', '2026-11-20');
INSERT INTO unionreg.stage_org (ext_id, level, name, valid_from) VALUES ('BAD', 'galaxy', 'x', '2020-01-01');
SELECT * FROM unionreg.load_orgs();
SELECT unionreg.build_snapshot('2026-01-01');
SELECT unionreg.build_snapshot('2026-10-01');
SELECT unionreg.build_snapshot('2026-10-01');
SQL

# one fingerprint per table of the extension and per report, the same query on both sides
FINGERPRINT=$(cat <<'SQL'
SELECT c.relname AS what, count(*) AS n,
       md5(string_agg(r.t, E'\n' ORDER BY r.t)) AS digest
  FROM pg_class c
  JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'unionreg'
  CROSS JOIN LATERAL (SELECT x::text AS t FROM unionreg._fingerprint_rows(c.oid) x) r
 WHERE c.relkind = 'r'
 GROUP BY c.relname
UNION ALL
SELECT 'report_line', count(*), md5(string_agg(l::text, E'\n' ORDER BY l::text)) FROM unionreg.report_line l
UNION ALL
SELECT 'report_2sp', count(*), md5(string_agg(v::text, E'\n' ORDER BY v::text)) FROM unionreg.report_2sp v
UNION ALL
SELECT 'report(R01)', count(*), md5(string_agg(x::text, E'\n' ORDER BY x::text))
  FROM unionreg.report('R01', '1SP', '2026-10-01') x
UNION ALL
SELECT 'coverage_by_region', count(*), md5(string_agg(v::text, E'\n' ORDER BY v::text)) FROM unionreg.coverage_by_region v
UNION ALL
SELECT 'hierarchy problems', count(*), '' FROM unionreg.validate_hierarchy('2026-10-01')
ORDER BY 1;
SQL
)
# rows of any table as text, without the columns a restore may renumber (none today)
HELPER="CREATE OR REPLACE FUNCTION unionreg._fingerprint_rows(oid) RETURNS SETOF text LANGUAGE plpgsql AS \$f\$
BEGIN RETURN QUERY EXECUTE format('SELECT t::text FROM %s t', \$1::regclass); END \$f\$;"
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "$HELPER" >/dev/null
BEFORE=$(psql -qX -v ON_ERROR_STOP=1 -d "$DB" -Atc "$FINGERPRINT")
psql -qX -d "$DB" -c "DROP FUNCTION unionreg._fingerprint_rows(oid)" >/dev/null

pg_dump -Fc -d "$DB" -f "$PC_TMP/unionreg.dump"
chmod a+r "$PC_TMP/unionreg.dump"
echo "dumped: $(du -h "$PC_TMP/unionreg.dump" | cut -f1)"

private_cluster_init fresh
private_cluster_start fresh
pc fresh -d postgres -c "CREATE DATABASE $DB"
# the documented restore (doc/operations.md): as a superuser, with the
# writers' triggers standing aside (session_replication_role = replica)
as_pg env PGOPTIONS='-c session_replication_role=replica' \
	pg_restore --exit-on-error -h "$PC_TMP" -p "$fresh_PORT" -U postgres -d "$DB" "$PC_TMP/unionreg.dump"
pc fresh -d "$DB" -c "$HELPER" >/dev/null
AFTER=$(pc fresh -d "$DB" -Atc "$FINGERPRINT")

echo "$BEFORE" | awk -F'|' '{ printf "  %-22s %7s rows\n", $1, $2 }'
if [ "$BEFORE" != "$AFTER" ]; then
	echo "FAILED: the restored database differs:"
	diff <(echo "$BEFORE") <(echo "$AFTER") || true
	exit 1
fi
[ "$(echo "$BEFORE" | grep -c '^snapshot_org|0|')" = 0 ] || { echo "FAILED: nothing was built"; exit 1; }
echo "$BEFORE" | grep -q '^card_event|' || { echo "FAILED: no card history"; exit 1; }

# the restored register goes on: new ids after the restored ones, the new line in the view, a new build
pc fresh -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
\set ok 1
SELECT unionreg.admit_member('AFTER-RESTORE', (SELECT ext_id FROM unionreg.org WHERE level = 'primary' AND valid_to IS NULL ORDER BY ext_id LIMIT 1),
							 '2026-11-01', 'Новикова', 'Анна', NULL, '1990-05-05', 'f') IS NOT NULL AS admitted \gset
SELECT count(*) = 1 AS one_id FROM unionreg.person WHERE id = (SELECT max(id) FROM unionreg.person) AND ext_id = 'AFTER-RESTORE' \gset
SELECT unionreg.build_snapshot('2026-11-01') AS sid \gset
SELECT count(*) > 0 AS new_line FROM unionreg.report_2sp WHERE snapshot_id = :sid AND l18 IS NOT NULL \gset
SELECT count(*) = 1 AS seed_kept FROM unionreg.form_line WHERE form = '2SP' AND line_code = '2' AND label_ru LIKE '%(уточнено)' \gset
\if :admitted
\else
\echo 'FAILED: admit after restore'
\set ok 0
\endif
\if :one_id
\else
\echo 'FAILED: new person id'
\set ok 0
\endif
\if :new_line
\else
\echo 'FAILED: the added line is not in report_2sp after restore'
\set ok 0
\endif
\if :seed_kept
\else
\echo 'FAILED: the edited label did not survive'
\set ok 0
\endif
\if :ok
\else
SELECT 1/0;
\endif
SQL
echo "dump/restore: every table, every report line and the views identical in a fresh cluster; it goes on working"
