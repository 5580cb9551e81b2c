-- unionreg.tally: the counter vector of the report engine
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
\set SHOW_CONTEXT never

-- text form: named counters, the others 0; output lists the non-zero ones in counter order
SELECT '{}'::tally AS empty, '{working=2, members=3}'::tally AS two, ' { members = -1 } '::tally AS spaces;
SELECT count(*) AS counters, min(idx) AS first, max(idx) AS last FROM tally_counters();
SELECT idx, name FROM tally_counters() WHERE idx <= 3 ORDER BY idx;
-- bad text fails with 22P02 and says where
SELECT 'members=3'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{members=3'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{memberz=3}'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{members=x}'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{members=99999999999999999999}'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{members 3}'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT '{members=3} x'::tally;
\echo :LAST_ERROR_SQLSTATE
SELECT ('{' || repeat('m', 100) || '=1}')::tally;
\echo :LAST_ERROR_SQLSTATE

-- +, accessors, equality
SELECT '{members=3,working=2}'::tally + '{members=1,students=1}'::tally AS sum;
SELECT '{members=3}'::tally -> 'members' AS members, '{members=3}'::tally -> 'working' AS working,
	   tally_get('{pensioners=4}', 'pensioners') AS pensioners;
SELECT '{members=3}'::tally -> 'nobody';
\echo :LAST_ERROR_SQLSTATE
SELECT tally_of('cards_issued', 5) AS one, tally_of('cards_issued', 5) = '{cards_issued=5}' AS eq,
	   '{members=1}'::tally = '{members=2}' AS ne;
SELECT '{members=9223372036854775807}'::tally + '{members=1}'::tally;
\echo :LAST_ERROR_SQLSTATE

-- sum(): per group, NULL for no rows, NULLs skipped
CREATE TABLE t (org int, v tally);
INSERT INTO t SELECT i % 3, tally_of('members', 1) + tally_of(CASE WHEN i % 2 = 0 THEN 'working' ELSE 'students' END, 1)
  FROM generate_series(1, 30000) i;
INSERT INTO t VALUES (0, NULL);
SELECT org, sum(v) FROM t GROUP BY org ORDER BY org;
SELECT sum(v) IS NULL AS sum_of_nothing_is_null FROM t WHERE false;

-- the same sum with parallel workers sharing the scan (combine, serialize, deserialize)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT sum(v) FROM t;
SELECT sum(v) = (SELECT tally_of('members', 30000) + tally_of('working', 15000) + tally_of('students', 15000)) AS parallel_sum_right FROM t;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- binary send/receive round trip
CREATE TEMP TABLE b (v tally);
COPY (SELECT '{members=7,no_card=2,primaries_other=1}'::tally) TO '/tmp/unionreg_tally.bin' WITH (FORMAT binary);
COPY b FROM '/tmp/unionreg_tally.bin' WITH (FORMAT binary);
SELECT v FROM b;

-- (the roll-up itself, with its refusals of a cycle, an organization
-- twice and an overflow, is tested through the organization pass in
-- sql/reports.sql)

-- a tally is stored packed (its non-zero counters as varints after a
-- bitmap) and a C function may return it unpacked (every counter an int8):
-- the same values either way, at every width of a counter and on both signs
CREATE TEMP TABLE tally_forms AS
SELECT v, v::unionreg.tally AS packed,
	   unionreg.member_tally('2026-01-01', '2025-01-01', '2020-01-01', NULL, NULL, false, false,
							 'working', true, 'teacher', NULL, '1990-01-01', NULL, NULL) AS unpacked
  FROM (VALUES ('{}'), ('{members=1}'), ('{members=-1}'), ('{primaries_other=63}'), ('{members=64,working=-64}'),
			   ('{members=127,working=128,students=16383,pensioners=16384}'),
			   ('{members=9223372036854775807,working=-9223372036854775808}'),
			   ('{members=3,working=2,working_pedagogical=1,faculty=50,employees=4000000,primaries_other=1}')) x(v);
SELECT v, packed::text = v AS text_round_trip, pg_column_size(packed) AS packed_bytes FROM tally_forms;
-- through binary COPY and back
CREATE TEMP TABLE tally_copied (v text, packed unionreg.tally);
COPY (SELECT v, packed FROM tally_forms) TO '/tmp/unionreg_tally_forms.bin' WITH (FORMAT binary);
COPY tally_copied FROM '/tmp/unionreg_tally_forms.bin' WITH (FORMAT binary);
COPY (SELECT 1 WHERE false) TO PROGRAM 'rm -f /tmp/unionreg_tally.bin /tmp/unionreg_tally_forms.bin';
SELECT count(*) AS rows, count(*) FILTER (WHERE c.packed = f.packed AND c.packed::text = f.v) AS equal
  FROM tally_copied c JOIN tally_forms f USING (v);
-- the unpacked form (a C function's result): read, compared, added and summed as the packed one
SELECT pg_column_size(unpacked) AS unpacked_bytes, unpacked,
	   unpacked = unpacked::text::unionreg.tally AS equals_its_packed_self,
	   pg_column_size(unpacked::text::unionreg.tally) AS repacked_bytes
  FROM tally_forms LIMIT 1;
SELECT unionreg.sum(x) FROM ((SELECT unpacked FROM tally_forms LIMIT 2)
							  UNION ALL SELECT '{members=1, working=1}'::unionreg.tally) s(x);
SELECT (SELECT unpacked FROM tally_forms LIMIT 1) + '{members=-1}'::unionreg.tally AS mixed_sum;
