#!/bin/bash
# Benchmark of the hierarchy at union scale (~150,000 organizations).
# Not part of `make test`.  Run as root after `make install`:
#     test/bench/bench_orgs.sh            (SCALE=1 by default)
# Prints load_orgs rate, validate_hierarchy and org_at times, and subtree moves
# (the largest district; a gathered ~2,000-organization one: move_subtree.sql),
# beside a floor measured in the same run (a bare count over the same table).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-1}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
python3 test/gen/gen_union.py --seed 7 --scale "$SCALE" --shuffle --out "$OUT"
chmod -R a+rX "$OUT"
export OUT
pg_virtualenv -v 15 bash -c '
psql -q -v ON_ERROR_STOP=1 <<SQL
\timing off
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '"'"'$OUT/stage_org.csv'"'"' csv header
SELECT count(*) AS staged FROM unionreg.stage_org \gset
\set QUIET on
SET client_min_messages = warning;
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_orgs();
SELECT round(:staged / extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS load_orgs_per_s,
       round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric, 2) AS load_s;
VACUUM ANALYZE;
-- floor: a bare count over the same tables
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.org, LATERAL (SELECT 1) x;
SELECT count(*) FROM unionreg.org_link;
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000, 1) AS floor_count_ms;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS problems FROM unionreg.validate_hierarchy(current_date);
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000, 1) AS validate_hierarchy_ms;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS live_orgs FROM unionreg.org_at(current_date);
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000, 1) AS org_at_ms;
-- the largest district subtree moves to another region
WITH RECURSIVE sub AS (
  SELECT o.id, o.ext_id AS root FROM unionreg.org o WHERE o.level = '"'"'district'"'"'
  UNION ALL
  SELECT l.org_id, s.root FROM sub s JOIN unionreg.org_link l ON l.parent_id = s.id AND l.valid_to IS NULL)
SELECT root AS district, count(*) AS subtree_size FROM sub GROUP BY root ORDER BY 2 DESC LIMIT 1 \gset
SELECT :'"'"'district'"'"' AS district, :subtree_size AS subtree_size;
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.move_org(:'"'"'district'"'"', '"'"'R01'"'"', current_date);
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000, 1) AS move_subtree_ms;
SELECT count(*) AS problems_after_move FROM unionreg.validate_hierarchy(current_date);
SQL
# the floor under the load: taking the staged rows, writing them with their
# indexes, and their audit entries (and the writing with the declared keys)
psql -q -f test/bench/org_load_floor.sql
# a subtree of ~2,000 organizations moves (gathered first under a new district; rolled back)
psql -q -f test/bench/move_subtree.sql
'
