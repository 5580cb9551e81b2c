#!/bin/bash
# Upgrades (CONTRIBUTING.md, "Releasing"): a released version's install
# script is frozen at its tag in src/sql/released/ (with its checksum in
# src/sql/released/SHA256SUMS) and the next version ships a hand-written
# delta in src/sql/updates/.  For every released version older than the
# current one: a database made with it, loaded and built, is updated with
# ALTER EXTENSION unionreg UPDATE; its data and reports must survive
# unchanged, its catalog must be exactly a fresh install's
# (test/sql/catalog_signature.sql), and it must go on building.
# Runs inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
SUMS=src/sql/released/SHA256SUMS
CURRENT=$(sed -n "s/^default_version = '\(.*\)'/\1/p" unionreg.control)
if [ -f "$SUMS" ]; then
	(cd src/sql/released && sha256sum --quiet -c SHA256SUMS) || {
		echo "FAILED: a released install script has changed: ship the change as a delta in src/sql/updates/"; exit 1; }
fi
RELEASED=$(ls src/sql/released/unionreg--*.sql 2>/dev/null | sed -e 's/.*unionreg--//' -e 's/\.sql$//' | sort -V || true)
for v in $RELEASED; do
	[ "$(printf '%s\n%s\n' "$v" "$CURRENT" | sort -V | tail -1)" = "$CURRENT" ] || {
		echo "FAILED: released version $v is newer than the current $CURRENT"; exit 1; }
	grep -q "$v" "$SUMS" || { echo "FAILED: src/sql/released/unionreg--$v.sql has no checksum in $SUMS"; exit 1; }
done
OLDER=$(for v in $RELEASED; do [ "$v" != "$CURRENT" ] && echo "$v"; done || true)
if [ -z "$OLDER" ]; then
	echo "upgrade: no release before $CURRENT, nothing to update from (the first release is frozen at its tag)"
	exit 0
fi
for PREVIOUS in $OLDER; do
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
A=$(psql -qX -d unionreg_up -f test/sql/catalog_signature.sql); B=$(psql -qX -d unionreg_fresh -f test/sql/catalog_signature.sql)
if [ "$A" != "$B" ]; then
	echo "FAILED: the updated extension's objects differ from a fresh install's:"; diff <(echo "$A") <(echo "$B") || true; exit 1
fi
echo "  $(echo "$A" | wc -l) catalog lines, the same as a fresh $CURRENT install"

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
done
