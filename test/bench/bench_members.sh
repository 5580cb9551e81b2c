#!/bin/bash
# Benchmark of the member loader at scale.  Not part of `make test`.
# Run as root after `make install`:
#     MEMBERS=400000 test/bench/bench_members.sh      (4000000 = the real union; takes long)
# Prints load_members throughput beside floors measured in the same run: the
# \copy into the staging table, and a plain INSERT ... SELECT of the same rows
# into an unconstrained table (what any loader pays before a single rule),
# and test/bench/member_write_floor.sql: the loaded rows written again into
# copies of the member tables with their constraints and indexes, without
# and with the foreign keys (what any loader keeping them pays at least).
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${MEMBERS:-400000}
SCALE=${SCALE:-1}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
time python3 test/gen/gen_union.py --seed 7 --scale "$SCALE" --members "$MEMBERS" --bad-members 0.01 --shuffle --out "$OUT"
chmod -R a+rX "$OUT"
export OUT
pg_virtualenv -v 15 -o shared_buffers=1GB -o work_mem=64MB -o maintenance_work_mem=512MB -o max_wal_size=8GB bash -c '
psql -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '"'"'$OUT/stage_org.csv'"'"' csv header
SELECT * FROM unionreg.load_orgs();
VACUUM ANALYZE;
SELECT clock_timestamp() AS t0 \gset
\copy unionreg.stage_member from '"'"'$OUT/stage_member.csv'"'"' csv header
SELECT count(*) AS staged FROM unionreg.stage_member \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric, 2) AS floor_copy_s;
-- floor: the same rows copied once into a bare table
SELECT clock_timestamp() AS t0 \gset
CREATE TABLE bare AS SELECT * FROM unionreg.stage_member;
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric, 2) AS floor_insert_select_s;
DROP TABLE bare;
SET client_min_messages = notice;
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_members();
SELECT :staged AS staged,
       round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric, 2) AS load_members_s,
       round(:staged / extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS rows_per_s;
SELECT (SELECT count(*) FROM unionreg.person) AS persons, (SELECT count(*) FROM unionreg.membership) AS periods,
       (SELECT count(*) FROM unionreg.card) AS cards;
-- memory: the work tables are temp tables on disk, not backend memory
SELECT pg_size_pretty(sum(temp_bytes)) AS temp_written FROM pg_stat_database;
-- bulk card move: one region, delivered_to_region -> issued
SELECT o.ext_id AS region FROM unionreg.org o WHERE o.level = '"'"'regional'"'"' ORDER BY o.ext_id LIMIT 1 \gset
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.move_cards(:'"'"'region'"'"', '"'"'delivered_to_region'"'"', '"'"'issued'"'"', current_date) AS cards_moved;
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS move_cards_ms;
-- and the whole union at once (the subtree of the central organization)
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.move_cards('"'"'C'"'"', '"'"'delivered_to_region'"'"', '"'"'issued'"'"', current_date) AS cards_moved_union;
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS move_cards_union_ms;
-- floor: the same UPDATE on a copy of the card table with no trigger, key or index
CREATE TABLE card_copy AS SELECT * FROM unionreg.card;
SELECT clock_timestamp() AS t0 \gset
UPDATE card_copy SET state = '"'"'produced'"'"' WHERE state = '"'"'issued'"'"';
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS floor_bare_update_ms;
-- the report engine: a snapshot of every form for every organization, beside a bare scan of the members
VACUUM ANALYZE;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS membership_rows FROM unionreg.membership;
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS floor_count_membership_ms;
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(date_trunc('"'"'quarter'"'"', current_date)::date) AS snapshot_id \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS build_snapshot_ms;
SELECT organizations, members FROM unionreg.snapshot WHERE id = :snapshot_id;
SELECT org_ext_id AS terr FROM unionreg.report_2sp ORDER BY l6 DESC LIMIT 1 \gset
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS lines FROM unionreg.report(:'"'"'terr'"'"', '"'"'2SP'"'"', date_trunc('"'"'quarter'"'"', current_date)::date);
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric * 1000) AS report_on_demand_ms;
-- a second run of the same file: everything is stored; the cards moved to issued above come
-- back as delivered_to_region, a move backwards, and are rejected (with the bad rows of the file)
\copy unionreg.stage_member from '"'"'$OUT/stage_member.csv'"'"' csv header
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_members();
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)::numeric, 2) AS reload_s;
SQL
# the floor under any loader that keeps the tables'"'"' constraints
psql -q -v ON_ERROR_STOP=1 -f test/bench/member_write_floor.sql
'
