-- One size of test/bench/bench_build.sh, against a loaded union in the
-- current database: the floor, the member pass (with its phases), the whole
-- build with the backend's memory, the plain-SQL formulation, report() on
-- demand (test/bench/halve_persons.sql then makes the next size).
-- Run from the repository's top directory (it includes test/sql/plain_formulation.sql).
SET client_min_messages = warning;
VACUUM ANALYZE;
SELECT date_trunc('quarter', current_date)::date AS d \gset
SELECT count(*) AS persons, (SELECT count(*) FROM unionreg.membership) AS periods,
	   (SELECT count(*) FROM unionreg.org WHERE valid_to IS NULL) AS organizations FROM unionreg.person \gset
\echo
\echo == :persons persons, :periods membership periods, :organizations organizations, as of :d
-- the floor, warm: a bare count over the member data
SELECT count(*) FROM unionreg.membership \gset
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.membership \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS floor_ms \gset
-- the member pass alone
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.member_tallies(:'d') \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS member_pass_ms \gset
-- where the member pass's time goes (its DEBUG lines: the workers launched, then the counting)
SET client_min_messages = debug2;
SELECT count(*) FROM unionreg._member_pass(:'d') \gset
SET client_min_messages = warning;
-- the whole build, with the backend's peak memory, in a session of its own
-- (as a pg_cron job runs it; the peak is then the build's, not the session's)
\connect
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(:'d') AS sid \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS build_ms \gset
\set hwm `grep VmHWM /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
\set shmem `grep RssShmem /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
-- what a snapshot costs on disk per organization, from its rows (space
-- freed by pruned snapshots is reused, so the table's growth says nothing)
SELECT count(*) AS snapshot_orgs,
	   -- a row with its tuple header and line pointer, and its primary key's entry (16 bytes of key,
	   -- 8 of header, 4 of line pointer) at the 90% a rightmost split leaves
	   round(avg((pg_column_size(s.*) + 7) / 8 * 8 + 4) + 28 / 0.9) AS bytes_per_org
  FROM unionreg.snapshot_org s WHERE s.snapshot_id = :sid \gset
-- the same build again in a fresh backend: its peak is all the build's
-- memory (the engine's arrays are the backend's own, src/engine/big_alloc.c)
\connect
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(:'d') AS sid_own \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS build_own_ms \gset
\set hwm_own `grep VmHWM /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
\set shmem_own `grep RssShmem /proc/:pid/status | tr -s " \t" " " | cut -d" " -f2`
SELECT :hwm_own - :shmem_own AS private_own_kb \gset
-- the latest version of the date is what the views show
\set sid :sid_own
-- the plain-SQL formulation of the same lines
CREATE TEMP TABLE built AS SELECT :'d'::date AS d, :sid::bigint AS sid;
SELECT clock_timestamp() AS t0 \gset
\i test/sql/plain_formulation.sql
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS plain_sql_ms \gset
DROP TABLE expected_lines, closure, expected_rolled;
\echo floor count(*) :floor_ms ms, member pass :member_pass_ms ms, build_snapshot :build_ms ms, plain SQL :plain_sql_ms ms
SELECT :hwm - :shmem AS private_kb \gset
\echo build peak resident memory :hwm kB, of it shared buffers touched :shmem kB, private :private_kb kB; snapshot :snapshot_orgs organizations, :bytes_per_org bytes per organization on disk
\echo the same build with its arrays in its own memory: :build_own_ms ms, private peak :private_own_kb kB
SELECT round(:build_ms::numeric / :floor_ms, 1) AS build_over_floor, round(:plain_sql_ms::numeric / :build_ms, 1) AS plain_sql_over_build;
-- report() on demand: best of three separate statements each
WITH c AS (SELECT m.org_id, count(*) AS n FROM unionreg.membership m GROUP BY m.org_id)
SELECT o.ext_id AS prim, f.form AS pform FROM c JOIN unionreg.org o ON o.id = c.org_id
  JOIN unionreg.form_assignment f ON f.level = o.level AND f.kind = o.kind
 ORDER BY c.n OFFSET (SELECT count(*) / 2 FROM c) LIMIT 1 \gset
SELECT org_ext_id AS terr FROM unionreg.report_2sp WHERE snapshot_id = :sid ORDER BY l6 DESC LIMIT 1 \gset
SELECT org_ext_id AS region FROM unionreg.report_1sp WHERE snapshot_id = :sid AND level = 'regional' ORDER BY l6 DESC LIMIT 1 \gset
\timing on
\echo report() of a median primary :prim, the largest territorial :terr, the largest region :region
SELECT count(*) FROM unionreg.report(:'prim', :'pform', :'d');
SELECT count(*) FROM unionreg.report(:'prim', :'pform', :'d');
SELECT count(*) FROM unionreg.report(:'prim', :'pform', :'d');
SELECT count(*) FROM unionreg.report(:'terr', '2SP', :'d');
SELECT count(*) FROM unionreg.report(:'terr', '2SP', :'d');
SELECT count(*) FROM unionreg.report(:'terr', '2SP', :'d');
SELECT count(*) FROM unionreg.report(:'region', '1SP', :'d');
SELECT count(*) FROM unionreg.report(:'region', '1SP', :'d');
\timing off
