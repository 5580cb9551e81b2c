#!/bin/bash
# How the report engine scales with members: a generated union of the real
# ~145,000 organizations and MEMBERS members (4,000,000 by default) is loaded
# once; the engine is measured at that size, then with half of the persons
# deleted, then half again (4M, 2M, 1M with the same organizations).
# Not part of `make test` (the load alone takes a quarter of an hour).  Run
# as root after `make install`:
#     test/bench/bench_build.sh                 (MEMBERS=4000000 SCALE=1)
# Per size, all in one run: the floor (a bare count(*) over membership), the
# plain-SQL formulation of test/sql/plain_formulation.sql (member lines per
# primary, the closure, every organization's consolidated lines), the member
# pass alone (member_tallies), the full build_snapshot with its phases, the
# build backend's peak resident memory (VmHWM), the snapshot's size on disk
# per organization (peak resident memory counts the shared buffers the backend
# touched; RssShmem says how much of it that is), and report() for a median
# primary, a territorial and the
# largest region (best of three, each its own statement).
# The audit triggers are disabled while the benchmark loads its data (set-up,
# not what is measured).
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${MEMBERS:-4000000}
SCALE=${SCALE:-1}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
time /usr/bin/python3 test/gen/gen_union.py --seed 7 --scale "$SCALE" --members "$MEMBERS" --out "$OUT" >/dev/null
chmod -R a+rX "$OUT"
export OUT
pg_virtualenv -v 15 -o shared_buffers=4GB -o work_mem=64MB -o maintenance_work_mem=1GB -o max_wal_size=16GB \
	-o max_parallel_workers_per_gather=2 bash -c '
set -euo pipefail
psql -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '"'"'$OUT/stage_org.csv'"'"' csv header
SELECT * FROM unionreg.load_orgs();
DO \$\$ DECLARE t text; BEGIN
	FOREACH t IN ARRAY ARRAY['"'"'person'"'"', '"'"'membership'"'"', '"'"'status_period'"'"', '"'"'person_consent'"'"', '"'"'card'"'"'] LOOP
		EXECUTE format('"'"'ALTER TABLE unionreg.%I DISABLE TRIGGER audit_ins'"'"', t);
	END LOOP; END \$\$;
VACUUM ANALYZE;
SELECT clock_timestamp() AS t0 \gset
\copy unionreg.stage_member from '"'"'$OUT/stage_member.csv'"'"' csv header
SELECT * FROM unionreg.load_members();
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS load_s;
SQL
for step in 1 2 3; do
psql -q -v ON_ERROR_STOP=1 <<'"'"'SQL'"'"'
SET client_min_messages = warning;
VACUUM ANALYZE;
SELECT date_trunc('"'"'quarter'"'"', current_date)::date AS d \gset
SELECT count(*) AS persons, (SELECT count(*) FROM unionreg.membership) AS periods,
	   (SELECT count(*) FROM unionreg.org WHERE valid_to IS NULL) AS organizations FROM unionreg.person \gset
\echo
\echo == :persons persons, :periods membership periods, :organizations organizations, as of :d
-- the floor, warm: a bare count over the member data
SELECT count(*) FROM unionreg.membership \gset
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.membership \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS floor_ms \gset
-- the member pass alone
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.member_tallies(:'"'"'d'"'"') \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS member_pass_ms \gset
-- the whole build, with the backend'"'"'s peak memory
SELECT pg_backend_pid() AS pid \gset
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(:'"'"'d'"'"') AS sid \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS build_ms \gset
\set hwm `grep VmHWM /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
\set shmem `grep RssShmem /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
SELECT count(*) AS snapshot_orgs, pg_total_relation_size('"'"'unionreg.snapshot_org'"'"') / count(*) AS bytes_per_org
  FROM unionreg.snapshot_org WHERE snapshot_id = :sid \gset
-- the plain-SQL formulation of the same lines
CREATE TEMP TABLE built AS SELECT :'"'"'d'"'"'::date AS d, :sid::bigint AS sid;
SELECT clock_timestamp() AS t0 \gset
\i test/sql/plain_formulation.sql
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS plain_sql_ms \gset
DROP TABLE expected_lines, closure, expected_rolled;
\echo floor count(*) :floor_ms ms, member pass :member_pass_ms ms, build_snapshot :build_ms ms, plain SQL :plain_sql_ms ms
\echo build peak resident memory :hwm kB, of it shared buffers touched :shmem kB; snapshot :snapshot_orgs organizations, :bytes_per_org bytes per organization on disk
SELECT round(:build_ms::numeric / :floor_ms, 1) AS build_over_floor, round(:plain_sql_ms::numeric / :build_ms, 1) AS plain_sql_over_build;
-- report() on demand: best of three separate statements each
WITH c AS (SELECT m.org_id, count(*) AS n FROM unionreg.membership m GROUP BY m.org_id)
SELECT o.ext_id AS prim, f.form AS pform FROM c JOIN unionreg.org o ON o.id = c.org_id
  JOIN unionreg.form_assignment f ON f.level = o.level AND f.kind = o.kind
 ORDER BY c.n OFFSET (SELECT count(*) / 2 FROM c) LIMIT 1 \gset
SELECT org_ext_id AS terr FROM unionreg.report_2sp WHERE snapshot_id = :sid ORDER BY l6 DESC LIMIT 1 \gset
SELECT org_ext_id AS region FROM unionreg.report_1sp WHERE snapshot_id = :sid AND level = '"'"'regional'"'"' ORDER BY l6 DESC LIMIT 1 \gset
\timing on
\echo report() of a median primary :prim, the largest territorial :terr, the largest region :region
SELECT count(*) FROM unionreg.report(:'"'"'prim'"'"', :'"'"'pform'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'prim'"'"', :'"'"'pform'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'prim'"'"', :'"'"'pform'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'terr'"'"', '"'"'2SP'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'terr'"'"', '"'"'2SP'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'terr'"'"', '"'"'2SP'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'region'"'"', '"'"'1SP'"'"', :'"'"'d'"'"');
SELECT count(*) FROM unionreg.report(:'"'"'region'"'"', '"'"'1SP'"'"', :'"'"'d'"'"');
\timing off
-- the next size: half of the persons go, with everything of theirs (set-up, triggers off)
SET session_replication_role = replica;
CREATE TEMP TABLE gone AS
SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM unionreg.person) p WHERE rn % 2 = 0;
DELETE FROM unionreg.card_event e USING unionreg.card c, gone g WHERE e.card_id = c.id AND c.person_id = g.id;
DELETE FROM unionreg.card c USING gone g WHERE c.person_id = g.id;
DELETE FROM unionreg.person_consent x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.status_period x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.membership x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.application x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.person x USING gone g WHERE x.id = g.id;
DELETE FROM unionreg.snapshot_org;
DELETE FROM unionreg.snapshot;
SQL
done
'
