-- The report engine in C against its SQL formulations: line_value, the
-- organization pass of the whole union and of every subtree, the sum of a
-- subtree, the member pass with parallel workers and by key, the arrays in
-- their own mappings and in dynamic shared memory, the snapshot writer
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never
-- the SQL oracle the C engine is compared with
\set ECHO none
\i test/sql/org_tallies_oracle.sql
\set ECHO all

\i test/sql/reports_union.sql
SET client_min_messages = warning;
SELECT build_snapshot('2026-04-01') AS sid \gset
RESET client_min_messages;
SELECT admit_member('M11', 'P1', '2026-03-15', 'Поздняя', 'Запись', NULL, '1990-01-01', 'f') > 0 AS late_entry;

-- line_value in C against its rule written as SQL, on every line of
-- every form over many tallies, and on the edges of the rule
CREATE FUNCTION pg_temp.line_value_sql(t tally, formula text, counters text[]) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE formula
		WHEN 'percent' THEN share_pct(tally_get(t, counters[1]), tally_get(t, counters[2]))
		ELSE (SELECT sum(tally_get(t, c)) FROM unnest(counters) c)
	END
$$;
CREATE TEMP TABLE tallies AS
SELECT g, (SELECT sum(tally_of(c.name, (abs(hashint4(g * 100 + c.idx)) % (CASE WHEN g % 7 = 0 THEN 2 ELSE 5000 END))::bigint))
             FROM tally_counters() c) AS t
  FROM generate_series(1, 300) g;
SELECT count(*) AS lines_compared,
       count(*) FILTER (WHERE line_value(x.t, l.formula, l.counters) IS NOT DISTINCT FROM pg_temp.line_value_sql(x.t, l.formula, l.counters)
                          AND line_value(x.t, l.formula, l.counters)::text IS NOT DISTINCT FROM pg_temp.line_value_sql(x.t, l.formula, l.counters)::text) AS same
  FROM tallies x CROSS JOIN form_line l;
-- the formulas unionreg.form_line allows, at their edges: C and SQL agree;
-- what form_line refuses (another formula, a percent of one counter, no
-- counter) line_value() refuses too (22023), rather than guess a value
SELECT f, c, line_value(t, f, c) AS c_value, pg_temp.line_value_sql(t, f, c) AS sql_value
  FROM (VALUES ('{members=7, working=3, status_unknown=0}'::tally)) v(t),
       (VALUES ('percent'), ('sum')) fs(f),
       (VALUES (ARRAY['working', 'members']), (ARRAY['working', 'status_unknown']), (ARRAY['members']),
               (ARRAY[NULL, 'members']), (ARRAY[NULL]::text[]), (NULL::text[]),
               ('[0:1]={working,members}'::text[]), ('{{working,members}}'::text[])) cs(c)
 WHERE f = 'sum' OR cardinality(c) = 2 OR c IS NULL
 ORDER BY f NULLS LAST, c::text COLLATE "C" NULLS LAST;
DO $$
DECLARE
	r record;
	v_refused integer := 0;
BEGIN
	FOR r IN SELECT * FROM (VALUES (NULL, ARRAY['members']), ('bogus', ARRAY['members']), ('percent', ARRAY['members']),
								   ('percent', ARRAY['a', 'b', 'c']), ('counter', ARRAY['working', 'members']),
								   ('sum', ARRAY[]::text[])) x(f, c) LOOP
		BEGIN
			PERFORM line_value('{members=7}', r.f, r.c);
		EXCEPTION WHEN invalid_parameter_value THEN v_refused := v_refused + 1;
		END;
	END LOOP;
	RAISE WARNING 'malformed formulas refused: % of 6', v_refused;
END
$$;
SELECT line_value(NULL, 'percent', ARRAY['working', 'members']) AS null_tally,
       line_value('{members=9223372036854775807, working=9223372036854775807}', 'sum', ARRAY['members', 'working', 'members']) AS past_bigint,
       pg_temp.line_value_sql('{members=9223372036854775807, working=9223372036854775807}', 'sum', ARRAY['members', 'working', 'members']) AS past_bigint_sql;
SELECT line_value('{}', 'sum', ARRAY['members', 'no_such_counter']);
\echo :LAST_ERROR_SQLSTATE
SELECT line_value('{}', 'percent', ARRAY[NULL, 'no_such_counter']);
\echo :LAST_ERROR_SQLSTATE

-- the whole union's organization side in C (_org_pass) gives the rows of its
-- SQL oracle (test/sql/org_tallies_oracle.sql), on dates around every event above
SELECT d::date AS d, count(*) AS filers, count(*) FILTER (WHERE NOT (x.c).is_complete) AS incomplete,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
						OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
						   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
						OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM generate_series('2024-12-31'::date, '2027-01-02', '1 month') d
  CROSS JOIN LATERAL (SELECT c, q FROM _org_pass(d::date) c
					   FULL JOIN unionreg_oracle.org_tallies(d::date) q ON q.org_id = c.org_id) x
 GROUP BY 1 ORDER BY 1;

-- and for the subtree of every region and of the central (report() of a region)
SELECT r.ext_id, count(*) AS filers,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
						OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
						   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
						OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM generate_series('2024-12-31'::date, '2027-01-02', '3 months') d
  CROSS JOIN org r
  CROSS JOIN LATERAL (SELECT c, q FROM _org_pass(d::date, r.id) c
					   FULL JOIN unionreg_oracle.org_tallies(d::date, r.id) q ON q.org_id = c.org_id) x
 WHERE r.level IN ('central', 'regional')
 GROUP BY 1 ORDER BY 1;
-- a root not live on D: nothing
SELECT count(*) AS none FROM _org_pass('1980-01-01', (SELECT id FROM org WHERE ext_id = 'C'));

-- report() sums a subtree in C (_subtree_pass): the root's row of the SQL
-- formulation, for every organization on every date, whichever way the
-- subtree is read: by key (the engine's choice for a subtree this small),
-- the organization tables read whole (a by-key limit of 0), and by key
-- given up after 3 organizations for the whole read; NULL for a root not
-- live on D, and for no root
SELECT k.by_key_max, count(*) AS roots,
	   count(*) FILTER (WHERE s.t IS NULL) AS not_live,
	   count(*) FILTER (WHERE (s.t IS NULL) <> (q.tally IS NULL) OR NOT coalesce(s.t = q.tally, true)) AS differ
  FROM generate_series('2024-12-31'::date, '2027-01-02', '3 months') d
  CROSS JOIN org r
  CROSS JOIN (VALUES (NULL), (0), (3)) k(by_key_max)
  CROSS JOIN LATERAL (SELECT _subtree_pass(d::date, r.id, k.by_key_max) AS t) s
  LEFT JOIN LATERAL (SELECT q.tally FROM unionreg_oracle.org_tallies(d::date, r.id) q WHERE q.org_id = r.id) q ON true
 WHERE EXISTS (SELECT 1 FROM form_assignment fa WHERE fa.level = r.level AND (fa.kind IS NULL OR fa.kind = r.kind))
 GROUP BY k.by_key_max ORDER BY k.by_key_max NULLS FIRST;
SELECT _subtree_pass('1980-01-01', (SELECT id FROM org WHERE ext_id = 'C')) IS NULL AS not_live,
	   _subtree_pass('2026-01-01', NULL) IS NULL AS no_root;
SELECT _subtree_pass(NULL, 1);
\echo :LAST_ERROR_SQLSTATE

-- the passport-gap rule (C, what makes a report incomplete and what
-- passport_gaps lists) against the oracle's SQL, on every date; with a short
-- name of spaces only, base figures given empty and a chairman without a term
BEGIN;
UPDATE org SET short_name = '   ' WHERE ext_id = (SELECT min(ext_id) FROM org WHERE level = 'territorial');
INSERT INTO org_base (org_id, as_of, employees, students)
SELECT id, '2025-01-01', NULL, NULL FROM org WHERE level = 'primary' ORDER BY ext_id LIMIT 2
ON CONFLICT (org_id, as_of) DO UPDATE SET employees = NULL, students = NULL;
UPDATE org_chairman SET term_to = NULL WHERE org_id = (SELECT min(org_id) FROM org_chairman);
SELECT count(*) AS gap_rows, count(DISTINCT x.field) AS fields,
	   count(*) FILTER (WHERE x.c_id IS NULL OR x.q_id IS NULL) AS differ
  FROM generate_series('2024-12-31'::date, '2027-01-02', '3 months') d
  CROSS JOIN LATERAL (
		SELECT c.org_id AS c_id, q.org_id AS q_id, coalesce(c.field, q.field) AS field
		  FROM _passport_gap_fields(d::date) c
		  FULL JOIN unionreg_oracle.passport_gap_rows(d::date) q ON q.org_id = c.org_id AND q.field = c.field) x;
ROLLBACK;
SELECT _passport_gap_fields(NULL);
\echo :LAST_ERROR_SQLSTATE

-- an error in the middle of a pass (a kind the tally has no counter for,
-- met after the arrays are allocated) leaves the next pass whole
BEGIN;
SAVEPOINT s;
INSERT INTO org_kind VALUES ('museum', 'музей', 'museum');
UPDATE org SET kind = 'museum' WHERE id = (SELECT min(id) FROM org WHERE level = 'primary');
SELECT count(*) FROM _org_pass('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT count(*) > 0 AS after_the_error FROM _org_pass('2026-01-01');
-- a cycle in links written with the triggers standing aside (a restore of
-- a damaged dump) is refused by the roll-up, not looped on
SAVEPOINT c;
SET session_replication_role = replica;
UPDATE org_link SET parent_id = (SELECT min(o.id) FROM org o WHERE o.level = 'primary')
 WHERE org_id = (SELECT l.parent_id FROM org_link l WHERE l.org_id = (SELECT min(o.id) FROM org o WHERE o.level = 'primary')
				  AND l.valid_from <= '2026-01-01' AND (l.valid_to IS NULL OR l.valid_to > '2026-01-01'))
   AND valid_from <= '2026-01-01' AND (valid_to IS NULL OR valid_to > '2026-01-01');
RESET session_replication_role;
SELECT count(*) FROM _org_pass('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT c;
ROLLBACK;

-- the whole-union member scan shared with parallel workers (member_scan.c;
-- unionreg.member_pass_workers asks for them however small the table): the
-- same rows as the SQL formulation, with the workers alone reading (the
-- leader only adding up, parallel_leader_participation off) and with the
-- leader too; the same member counts as the leader alone; none to be had
-- (max_parallel_workers = 0): the leader reads it all
SHOW unionreg.member_pass_workers;
SET unionreg.member_pass_workers = 2;
SET client_min_messages = debug1;
SELECT count(*) > 0 AS counted FROM _org_pass('2026-01-01') \g /dev/null
RESET client_min_messages;
SET parallel_leader_participation = off;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
						OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
						   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
						OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
  CROSS JOIN LATERAL (SELECT c, q FROM _org_pass(d::date) c
					   FULL JOIN unionreg_oracle.org_tallies(d::date) q ON q.org_id = c.org_id) x;
RESET parallel_leader_participation;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
						OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
						   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
						OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
  CROSS JOIN LATERAL (SELECT c, q FROM _org_pass(d::date) c
					   FULL JOIN unionreg_oracle.org_tallies(d::date) q ON q.org_id = c.org_id) x;
SET unionreg.member_pass_workers = 0;
CREATE TEMP TABLE alone AS
SELECT d::date AS d, c.* FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
 CROSS JOIN LATERAL _member_pass(d::date) c;
SET unionreg.member_pass_workers = 2;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE a.org_id IS NULL OR w.org_id IS NULL OR NOT (a.tally = w.tally)) AS differ
  FROM alone a
  FULL JOIN (SELECT d::date AS d, c.* FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
			  CROSS JOIN LATERAL _member_pass(d::date) c) w ON w.d = a.d AND w.org_id = a.org_id;
DROP TABLE alone;
SET max_parallel_workers = 0;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM (SELECT c, q FROM _org_pass('2026-01-01') c FULL JOIN unionreg_oracle.org_tallies('2026-01-01') q ON q.org_id = c.org_id) x;
RESET max_parallel_workers;
-- the workers see the transaction's own uncommitted writes, as the leader does
BEGIN;
SELECT tally_get(tally, 'members') AS before FROM _org_pass('2026-06-01') WHERE org_id = (SELECT id FROM org WHERE ext_id = 'C');
SELECT leave(p.ext_id, '2026-05-01', 'own_wish')
  FROM person p JOIN membership m ON m.person_id = p.id
 WHERE m.left_on IS NULL AND m.joined_on < '2026-05-01'
 ORDER BY p.id LIMIT 1;
SELECT tally_get(tally, 'members') AS after_one_left FROM _org_pass('2026-06-01') WHERE org_id = (SELECT id FROM org WHERE ext_id = 'C');
ROLLBACK;
-- the scan reads member_fact's rows straight from its heap tuples
-- (fact_tuple.c) while the table is as created; altered (a NOT NULL
-- dropped, so that the walk could not take the first columns at fixed
-- places) it reads them through a slot, with and without workers: the same rows
BEGIN;
ALTER TABLE member_fact ALTER COLUMN person_id DROP NOT NULL;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
						OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
						   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
						OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM unnest('{2025-12-31, 2026-07-01}'::date[]) d
  CROSS JOIN LATERAL (SELECT c, q FROM _org_pass(d::date) c
					   FULL JOIN unionreg_oracle.org_tallies(d::date) q ON q.org_id = c.org_id) x;
SET LOCAL unionreg.member_pass_workers = 0;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL OR NOT ((x.c).tally = (x.q).tally)) AS differ
  FROM (SELECT c, q FROM _org_pass('2026-07-01') c FULL JOIN unionreg_oracle.org_tallies('2026-07-01') q ON q.org_id = c.org_id) x;
ROLLBACK;
-- report() of a large subtree reads its primaries' facts by key, shared with
-- workers (member_keys.c): _subtree_pass equal to the root's row of the SQL
-- formulation for every central, regional and territorial root on 4 dates
-- around the union's events (each call starts its workers), with the workers alone
-- reading (the leader only adding up) and with the leader too; past the
-- by-key limit everyone stops and the scan counts (_member_pass's key limit)
SET parallel_leader_participation = off;
SELECT count(*) AS roots,
	   count(*) FILTER (WHERE (s.t IS NULL) <> (q.tally IS NULL) OR NOT coalesce(s.t = q.tally, true)) AS differ
  FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
  CROSS JOIN org r
  CROSS JOIN LATERAL (SELECT _subtree_pass(d::date, r.id) AS t) s
  LEFT JOIN LATERAL (SELECT q.tally FROM unionreg_oracle.org_tallies(d::date, r.id) q WHERE q.org_id = r.id) q ON true
 WHERE r.level IN ('central', 'regional', 'territorial');
RESET parallel_leader_participation;
SELECT count(*) AS roots,
	   count(*) FILTER (WHERE (s.t IS NULL) <> (q.tally IS NULL) OR NOT coalesce(s.t = q.tally, true)) AS differ
  FROM unnest('{2025-12-31, 2026-02-01, 2026-03-01, 2026-07-01}'::date[]) d
  CROSS JOIN org r
  CROSS JOIN LATERAL (SELECT _subtree_pass(d::date, r.id) AS t) s
  LEFT JOIN LATERAL (SELECT q.tally FROM unionreg_oracle.org_tallies(d::date, r.id) q WHERE q.org_id = r.id) q ON true
 WHERE r.level IN ('central', 'regional');
SET unionreg.member_pass_workers = 0;
CREATE TEMP TABLE alone AS
SELECT k, c.* FROM generate_series(0, 12, 3) k
 CROSS JOIN LATERAL _member_pass('2026-06-01', (SELECT array_agg(id ORDER BY id) FROM org WHERE level IN ('primary', 'subdivision')), k) c;
SET unionreg.member_pass_workers = 2;
SET parallel_leader_participation = off;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE a.org_id IS NULL OR w.org_id IS NULL OR NOT (a.tally = w.tally)) AS differ
  FROM alone a
  FULL JOIN (SELECT k, c.* FROM generate_series(0, 12, 3) k
			  CROSS JOIN LATERAL _member_pass('2026-06-01', (SELECT array_agg(id ORDER BY id) FROM org WHERE level IN ('primary', 'subdivision')), k) c) w
	ON w.k = a.k AND w.org_id = a.org_id;
RESET parallel_leader_participation;
DROP TABLE alone;
-- an error in a pass with workers ends it in the savepoint; the next pass runs
BEGIN;
SAVEPOINT s;
INSERT INTO org_kind VALUES ('museum', 'музей', 'museum');
UPDATE org SET kind = 'museum' WHERE id = (SELECT min(id) FROM org WHERE level = 'primary');
SELECT count(*) FROM _org_pass('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT count(*) > 0 AS after_the_error FROM _org_pass('2026-01-01');
ROLLBACK;
SET unionreg.member_pass_workers = -2;
RESET unionreg.member_pass_workers;

-- build_snapshot writes its rows through _org_pass_write (snapshot_write.c),
-- a batch at a time as COPY does: exactly the rows _org_pass returns; the
-- writer needs an existing snapshot (locked as its key would lock it) and
-- refuses a caller under row security
SET client_min_messages = warning;
SELECT build_snapshot('2026-03-01') AS wsid \gset
RESET client_min_messages;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE w.org_id IS NULL OR c.org_id IS NULL
						OR (w.form, w.is_complete, w.gaps, w.region_id) IS DISTINCT FROM (c.form, c.is_complete, c.gaps, c.region_id)
						OR NOT (w.tally = c.tally)) AS differ
  FROM (SELECT * FROM snapshot_org WHERE snapshot_id = :wsid) w
  FULL JOIN _org_pass('2026-03-01') c ON c.org_id = w.org_id;
SELECT organizations = (SELECT count(*) FROM snapshot_org WHERE snapshot_id = :wsid)
       AND members = _snapshot_members(:wsid) AS counted_as_written
  FROM snapshot WHERE id = :wsid;
SELECT _org_pass_write('2026-03-01', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT _org_pass_write('2026-03-01', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT _org_pass_write('infinity', :wsid);
\echo :LAST_ERROR_SQLSTATE
-- a second write of the same snapshot's rows: their key says no
SELECT _org_pass_write('2026-03-01', :wsid);
\echo :LAST_ERROR_SQLSTATE
CREATE ROLE regress_writer;
GRANT USAGE ON SCHEMA unionreg TO regress_writer;
GRANT EXECUTE ON FUNCTION _org_pass_write(date, bigint) TO regress_writer;
GRANT SELECT, INSERT ON snapshot_org TO regress_writer;
SET ROLE regress_writer;
SELECT unionreg._org_pass_write('2026-03-01', :wsid);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE ALL ON snapshot_org FROM regress_writer;
REVOKE ALL ON FUNCTION _org_pass_write(date, bigint) FROM regress_writer;
REVOKE USAGE ON SCHEMA unionreg FROM regress_writer;
DROP ROLE regress_writer;
SELECT delete_snapshot(:wsid, true);
-- an INSERT trigger a DBA added to snapshot_org fires: the writer writes
-- nothing (both totals NULL) and build_snapshot inserts through the executor
CREATE TABLE public.regress_trigger_log (rows bigint);
CREATE FUNCTION public.regress_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.regress_trigger_log SELECT count(*) FROM new_rows;
	RETURN NULL;
END $$;
CREATE TRIGGER regress_count AFTER INSERT ON snapshot_org REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION public.regress_count_rows();
SET client_min_messages = warning;
SELECT build_snapshot('2026-03-01') AS tsid \gset
RESET client_min_messages;
SELECT rows AS the_dba_trigger_saw FROM public.regress_trigger_log;
SELECT organizations = (SELECT count(*) FROM snapshot_org WHERE snapshot_id = :tsid)
       AND members = _snapshot_members(:tsid) AS counted_as_written
  FROM snapshot WHERE id = :tsid;
SELECT * FROM _org_pass_write('2026-03-01', :tsid);
ALTER TABLE snapshot_org DISABLE TRIGGER regress_count;
SELECT * FROM _org_pass_write('2026-03-01', :tsid);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER regress_count ON snapshot_org;
DROP FUNCTION public.regress_count_rows();
DROP TABLE public.regress_trigger_log;
SELECT delete_snapshot(:tsid, true);

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();

