#!/bin/bash
# Upgrades: released install scripts never change (src/sql/RELEASED holds
# their checksums); a database made with the previous version, loaded and
# built, is updated with ALTER EXTENSION unionreg UPDATE, and its data and
# reports must survive unchanged, its objects must be exactly those of a
# fresh install, and it must go on building.
# Runs inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
while read -r file sum; do
	[ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum" ] || {
		echo "FAILED: $file, a released install script, has changed: put the change in an update script (src/sql/<next version>/)"
		exit 1; }
done < src/sql/RELEASED
echo "released scripts unchanged: $(cut -d' ' -f1 src/sql/RELEASED | tr '\n' ' ')"

PREVIOUS=$(awk '{print $1}' src/sql/RELEASED | sed -e 's/^unionreg--//' -e 's/\.sql$//' | sort -V | tail -1)
CURRENT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" unionreg.control)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_up" -c "DROP DATABASE IF EXISTS unionreg_fresh" >/dev/null 2>&1 || true' EXIT
/usr/bin/python3 test/gen/gen_union.py --seed 9 --scale 0.01 --members 1500 --out "$OUT" >/dev/null
chmod -R a+rX "$OUT"
psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_up" -c "CREATE DATABASE unionreg_up" \
	-c "DROP DATABASE IF EXISTS unionreg_fresh" -c "CREATE DATABASE unionreg_fresh"
psql -qX -v ON_ERROR_STOP=1 -d unionreg_up >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg VERSION '$PREVIOUS' CASCADE;
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT * FROM unionreg.load_members();
\copy unionreg.stage_baseline from '$OUT/stage_baseline.csv' csv header
SELECT * FROM unionreg.load_baselines();
SELECT unionreg.build_snapshot('2026-07-01');
SQL

FIGURES=$(cat <<'SQL'
SELECT 'report_line', count(*), md5(string_agg(l::text, E'\n' ORDER BY l::text)) FROM unionreg.report_line l
UNION ALL
SELECT 'report(R01, 2026-07-01)', count(*), md5(string_agg(x::text, E'\n' ORDER BY x::text)) FROM unionreg.report('R01', '1SP', '2026-07-01') x
UNION ALL
SELECT 'members', count(*), md5(string_agg(m::text, E'\n' ORDER BY m.id)) FROM unionreg.membership m
UNION ALL
SELECT 'organizations', count(*), md5(string_agg(o::text, E'\n' ORDER BY o.id)) FROM unionreg.org o
UNION ALL
SELECT 'cards', count(*), md5(string_agg(e::text, E'\n' ORDER BY e::text)) FROM unionreg.card_event e;
SQL
)
OBJECTS="SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
          WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
            AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'unionreg') ORDER BY 1"
BEFORE=$(psql -qX -v ON_ERROR_STOP=1 -d unionreg_up -Atc "$FIGURES")
psql -qX -v ON_ERROR_STOP=1 -d unionreg_up -c "ALTER EXTENSION unionreg UPDATE"
VERSION=$(psql -qX -d unionreg_up -Atc "SELECT extversion FROM pg_extension WHERE extname = 'unionreg'")
[ "$VERSION" = "$CURRENT" ] || { echo "FAILED: updated to $VERSION, expected $CURRENT"; exit 1; }
AFTER=$(psql -qX -v ON_ERROR_STOP=1 -d unionreg_up -Atc "$FIGURES")
if [ "$BEFORE" != "$AFTER" ]; then
	echo "FAILED: data or reports changed across the update:"; diff <(echo "$BEFORE") <(echo "$AFTER") || true; exit 1
fi
echo "$AFTER" | awk -F'|' '{ printf "  %-24s %6s rows, unchanged\n", $1, $2 }'

psql -qX -v ON_ERROR_STOP=1 -d unionreg_fresh -c "SET client_min_messages = warning" -c "CREATE EXTENSION unionreg CASCADE" >/dev/null
A=$(psql -qX -d unionreg_up -Atc "$OBJECTS"); B=$(psql -qX -d unionreg_fresh -Atc "$OBJECTS")
if [ "$A" != "$B" ]; then
	echo "FAILED: the updated extension's objects differ from a fresh install's:"; diff <(echo "$A") <(echo "$B") || true; exit 1
fi
echo "  $(echo "$A" | wc -l) objects, the same as a fresh $CURRENT install"

# the updated database goes on: the same date built again gives the same figures
psql -qX -v ON_ERROR_STOP=1 -d unionreg_up >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT unionreg.build_snapshot('2026-07-01') AS sid \gset
SELECT count(*) = 0 AS same FROM (
	(SELECT org_ext_id, form, line_code, value FROM unionreg.report_line_all WHERE snapshot_id = :sid
	 EXCEPT SELECT org_ext_id, form, line_code, value FROM unionreg.report_line_all WHERE snapshot_id = :sid - 1)
	UNION ALL
	(SELECT org_ext_id, form, line_code, value FROM unionreg.report_line_all WHERE snapshot_id = :sid - 1
	 EXCEPT SELECT org_ext_id, form, line_code, value FROM unionreg.report_line_all WHERE snapshot_id = :sid)) d \gset
\if :same
\else
\echo 'FAILED: a build after the update differs from the one before'
SELECT 1/0;
\endif
SQL
echo "upgrade $PREVIOUS -> $CURRENT: data, reports and a new build unchanged"
