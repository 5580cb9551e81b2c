#!/bin/bash
# `make demo`: the main job.  A cluster of its own (port 5499, unix socket and
# loopback only), the extension, a generated sample union loaded through the
# staging loader, and the hierarchy's health.  The cluster stays up for you to
# explore; KEEP=0 tears it down at the end.  Safe to run again: it starts over.
set -euo pipefail
cd "$(dirname "$0")/../.."
for arg in "$@"; do case $arg in KEEP=*) KEEP=${arg#KEEP=} ;; esac; done
KEEP=${KEEP:-1}
CLUSTER=unionreg_demo
PORT=${DEMO_PORT:-5499}
SCALE=${DEMO_SCALE:-0.05}
DATA=/var/tmp/unionreg_demo_data

if pg_lsclusters -h | awk '{print $2}' | grep -qx "$CLUSTER"; then
	echo "== dropping the previous demo cluster"
	pg_dropcluster 15 "$CLUSTER" --stop
fi
echo "== creating cluster 15/$CLUSTER on port $PORT (localhost only)"
pg_createcluster 15 "$CLUSTER" -p "$PORT" \
	-o listen_addresses=localhost \
	-o shared_preload_libraries=pg_cron \
	-o cron.database_name=unionreg >/dev/null
pg_ctlcluster 15 "$CLUSTER" start

export PGPORT=$PORT PGHOST=/var/run/postgresql PGDATABASE=unionreg
as_pg() { runuser -u postgres -- env PGPORT=$PGPORT PGHOST=$PGHOST "$@"; }
as_pg createdb unionreg

echo "== generating a sample union (scale $SCALE, rows shuffled, a few bad rows)"
rm -rf "$DATA"
python3 test/gen/gen_union.py --seed 2026 --scale "$SCALE" --shuffle --bad 25 --out "$DATA"
chmod -R a+rX "$DATA"

as_pg psql -X -q -v ON_ERROR_STOP=1 -d unionreg <<SQL
\pset footer off
CREATE EXTENSION unionreg CASCADE;
\echo
\echo == loading organizations through unionreg.stage_org and unionreg.load_orgs()
\copy unionreg.stage_org from '$DATA/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\echo
\echo == rejected rows and why (unionreg.load_reject)
SELECT ext_id, left(reason, 110) AS reason FROM unionreg.load_reject ORDER BY id LIMIT 12;
\echo
\echo == organizations live today by level
SELECT l.code AS level, l.label_ru, count(a.ext_id) AS organizations
  FROM unionreg.level l LEFT JOIN unionreg.org_at(current_date) a ON a.level = l.code
 GROUP BY l.code, l.label_ru, l.rank ORDER BY l.rank;
\echo
\echo == the tree today, the start of one region (unionreg.org_at)
SELECT repeat('   ', depth) || name AS "организация", ext_id, level, kind
  FROM unionreg.org_at(current_date) LIMIT 20;
\echo
\echo == hierarchy health (unionreg.validate_hierarchy): problems by kind
SELECT problem, count(*) FROM unionreg.validate_hierarchy(current_date) GROUP BY problem ORDER BY 2 DESC;
SELECT CASE WHEN count(*) = 0 THEN 'healthy: no problem found' ELSE count(*) || ' problems' END AS validate_hierarchy
  FROM unionreg.validate_hierarchy(current_date);
\echo
\echo == passport gaps (unionreg.passport_gaps): organizations missing a mandatory field, by level and field
SELECT level, field_label, count(*) AS organizations
  FROM unionreg.passport_gaps GROUP BY level, field_label ORDER BY level, 3 DESC;
\echo
\echo == chairman tab gaps by level (unionreg.chairman_gaps_by_level)
SELECT level, organizations, empty_chairman, empty_chairman_pct AS "empty_%", no_term, no_term_pct AS "no_term_%"
  FROM unionreg.chairman_gaps_by_level WHERE organizations > 0;
SQL

echo
if [ "$KEEP" = "0" ]; then
	pg_dropcluster 15 "$CLUSTER" --stop
	echo "== demo cluster dropped (KEEP=0)"
else
	echo "== the demo cluster is running. Connect with:"
	echo "     sudo -u postgres psql -p $PORT -d unionreg"
	echo "   stop and remove it with:"
	echo "     pg_dropcluster 15 $CLUSTER --stop      (or: make demo KEEP=0)"
fi
