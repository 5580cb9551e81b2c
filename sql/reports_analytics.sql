-- Register analytics over the current snapshot, snapshot operations,
-- progress, and the statement checks that keep a snapshot's organizations
-- and forms while it names them
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

\i test/sql/reports_union.sql
SET client_min_messages = warning;
SELECT build_snapshot('2026-04-01') AS sid \gset
SELECT build_snapshot('2026-04-01') - :sid AS next_id;
SELECT admit_member('M11', 'P1', '2026-03-15', 'Поздняя', 'Запись', NULL, '1990-01-01', 'f') > 0 AS late_entry;

-- register analytics over the current snapshot
INSERT INTO paper_baseline (org_id, as_of, members)
SELECT id, '2026-01-01', m FROM org JOIN (VALUES ('R1', 7), ('R2', 20)) v(x, m) ON ext_id = x;
SELECT id - :sid AS current_snapshot, as_of FROM current_snapshot;
SELECT * FROM coverage_by_region;
SELECT coverage_band(v) AS band, v FROM unnest(ARRAY[100, 99.99, 90, 70.01, 50, 40.5, 20, 0]::numeric[]) v;
SELECT * FROM members_by_status;
SELECT * FROM cards_by_region;
SELECT * FROM online_admissions_by_region;
-- it climbs once per primary with the interval its links hold; the plain
-- formulation climbs once per admission as the links stood on its day:
-- the same figures, across a move (P4: R1 until 2026-02-01, then R2) and
-- through a subdivision
BEGIN;
SELECT count(admit_member(m, o, j::date, 'Онлайн ' || m, 'Имя', NULL, '1990-01-01', p_online => true)) AS online
  FROM (VALUES ('OA1', 'P4', '2025-06-01'), ('OA2', 'P4', '2026-01-31'), ('OA3', 'P4', '2026-02-01'),
			   ('OA4', 'P4', '2026-03-01'), ('OA5', 'S1', '2024-05-05')) v(m, o, j);
CREATE TEMP VIEW online_admissions_0_1 AS
SELECT r.ext_id AS region_ext_id, r.name AS region_name, extract(year FROM m.joined_on)::integer AS year,
	   count(*) AS online_admissions
  FROM unionreg.membership m
  JOIN LATERAL (
		WITH RECURSIVE up AS (
			SELECT m.org_id AS id, 0 AS depth
			UNION ALL
			SELECT l.parent_id, u.depth + 1 FROM up u JOIN unionreg.org_link l ON l.org_id = u.id
			   AND l.valid_from <= m.joined_on AND (l.valid_to IS NULL OR l.valid_to > m.joined_on)
			 WHERE u.depth < 16)
		SELECT o.ext_id, o.name FROM up JOIN unionreg.org o ON o.id = up.id AND o.level = 'regional' LIMIT 1) r ON true
 WHERE m.admitted_online
 GROUP BY 1, 2, 3;
SELECT * FROM online_admissions_by_region;
SELECT count(*) AS differ FROM (
	(SELECT * FROM online_admissions_by_region EXCEPT ALL SELECT * FROM online_admissions_0_1)
	UNION ALL
	(SELECT * FROM online_admissions_0_1 EXCEPT ALL SELECT * FROM online_admissions_by_region)) x;
ROLLBACK;
SELECT * FROM empty_primaries;
SELECT * FROM report_completeness_by_level;

-- the analytics as of any built date: the same columns plus as_of, read
-- from the latest version of that date's snapshot; the views are the
-- current snapshot's
SELECT f, count(*) AS differ FROM (
	(SELECT 'coverage' AS f, to_jsonb(c) - 'as_of' AS r FROM coverage_by_region_at('2026-04-01') c
	 EXCEPT ALL SELECT 'coverage', to_jsonb(v) FROM coverage_by_region v)
	UNION ALL (SELECT 'status', to_jsonb(c) - 'as_of' FROM members_by_status_at('2026-04-01') c
	 EXCEPT ALL SELECT 'status', to_jsonb(v) FROM members_by_status v)
	UNION ALL (SELECT 'cards', to_jsonb(c) - 'as_of' FROM cards_by_region_at('2026-04-01') c
	 EXCEPT ALL SELECT 'cards', to_jsonb(v) FROM cards_by_region v)
	UNION ALL (SELECT 'empty', to_jsonb(c) - 'as_of' FROM empty_primaries_at('2026-04-01') c
	 EXCEPT ALL SELECT 'empty', to_jsonb(v) FROM empty_primaries v)
	UNION ALL (SELECT 'completeness', to_jsonb(c) - 'as_of' FROM report_completeness_by_level_at('2026-04-01') c
	 EXCEPT ALL SELECT 'completeness', to_jsonb(v) FROM report_completeness_by_level v)) x
 GROUP BY f ORDER BY f;
SELECT count(*) AS rows, bool_and(as_of = '2026-04-01') AS dated FROM members_by_status_at('2026-04-01');
-- a date with no snapshot: refused, naming the built dates near it
SELECT * FROM members_by_status_at('2026-02-15');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM coverage_by_region_at('infinity');
\echo :LAST_ERROR_SQLSTATE

-- one period rule: online_admissions_by_region_at(D) counts the period
-- (P, D] of the report as of D, region by region the regions' line 7.1,
-- and a plain-SQL count from the memberships agrees; an admission on
-- 1 January belongs to the year before it (the period that ends on it),
-- one on the report date to the report of that date.  The calendar-year
-- view counts 1 January in its own year.
BEGIN;
SELECT count(admit_member(m, o, j::date, 'Онлайн ' || m, 'Имя', NULL, '1990-01-01', p_online => true)) AS online
  FROM (VALUES ('OB1', 'P1', '2026-01-01'), ('OB2', 'P1', '2026-04-01'), ('OB3', 'P3', '2025-12-31'),
			   ('OB4', 'P4', '2026-01-15'), ('OB5', 'S1', '2026-03-01')) v(m, o, j);
SELECT build_snapshot(d) > 0 AS built FROM unnest('{2026-01-01, 2026-04-01}'::date[]) d;
CREATE TEMP VIEW online_in_period AS
SELECT d AS as_of, r.ext_id AS region_ext_id, count(*) AS online_admissions
  FROM unnest('{2026-01-01, 2026-04-01}'::date[]) d
  JOIN unionreg.membership m ON m.admitted_online AND m.joined_on > period_start(d) AND m.joined_on <= d
  JOIN LATERAL (
		WITH RECURSIVE up AS (
			SELECT m.org_id AS id, 0 AS depth
			UNION ALL
			SELECT l.parent_id, u.depth + 1 FROM up u JOIN unionreg.org_link l ON l.org_id = u.id
			   AND l.valid_from <= d AND (l.valid_to IS NULL OR l.valid_to > d)
			 WHERE u.depth < 16)
		SELECT o.ext_id FROM up JOIN unionreg.org o ON o.id = up.id AND o.level = 'regional' LIMIT 1) r ON true
 GROUP BY 1, 2;
SELECT d, a.region_ext_id, a.online_admissions,
	   (SELECT l.value FROM report(a.region_ext_id, '1SP', d) l WHERE l.line_code = '7.1') AS line_7_1,
	   coalesce(p.online_admissions, 0) AS plain_sql
  FROM unnest('{2026-01-01, 2026-04-01}'::date[]) d
 CROSS JOIN LATERAL online_admissions_by_region_at(d) a
  LEFT JOIN online_in_period p ON p.as_of = d AND p.region_ext_id = a.region_ext_id
 ORDER BY 1, 2;
SELECT region_ext_id, year, online_admissions FROM online_admissions_by_region WHERE year >= 2025 ORDER BY 1, 2;
ROLLBACK;

-- Table 1: organizations in the register against the paper count.  Two
-- regions as the union's report has them: one holds 19 of its 50 primaries
-- on paper (38%), the other 19 of 25 (76%); the register's counts are a
-- plain count of the live primaries and territorials under each region
BEGIN;
SELECT count(create_org(r, 'C', 'regional', 'Регион ' || r, '1991-01-01')) FROM unnest('{R38, R76}'::text[]) r;
SELECT count(create_org(r || '-T', r, 'territorial', 'Район ' || r, '1995-01-01')) FROM unnest('{R38, R76}'::text[]) r;
SELECT count(create_org(r || '-P' || i, r || '-T', 'primary', 'Школа ' || i, '2000-01-01', 'school', 'workers'))
  FROM unnest('{R38, R76}'::text[]) r CROSS JOIN generate_series(1, 19) i;
INSERT INTO paper_baseline (org_id, as_of, members, primaries, territorials)
SELECT id, '2026-01-01', 10, p, t FROM org JOIN (VALUES ('R38', 50, 2), ('R76', 25, 1)) v(x, p, t) ON ext_id = x;
SELECT build_snapshot('2026-04-01') > 0 AS built;
SELECT * FROM org_coverage_by_region WHERE region_ext_id IN ('R38', 'R76') ORDER BY 1;
SELECT count(*) AS differ
  FROM org_coverage_by_region_at('2026-04-01') c
  JOIN org r ON r.ext_id = c.region_ext_id
 CROSS JOIN LATERAL (
		WITH RECURSIVE down (id) AS (
			SELECT r.id
			UNION
			SELECT l.org_id FROM down d JOIN org_link l ON l.parent_id = d.id
			 WHERE l.valid_from <= '2026-04-01' AND (l.valid_to IS NULL OR l.valid_to > '2026-04-01'))
		SELECT count(*) FILTER (WHERE o.level = 'primary') AS p, count(*) FILTER (WHERE o.level = 'territorial') AS t
		  FROM down JOIN org o ON o.id = down.id
		 WHERE o.valid_from <= '2026-04-01' AND (o.valid_to IS NULL OR o.valid_to > '2026-04-01')) plain
 WHERE (c.register_primaries, c.register_territorials) IS DISTINCT FROM (plain.p, plain.t);
ROLLBACK;

-- Table 4, cards made: a card produced, delivered to the region or issued;
-- a region whose every member has one; cards requested in the period (P, D]
-- of members on D.  A plain count from the cards and card moves agrees.
BEGIN;
SELECT count(request_card(p, n::card_number, '2026-02-15')) AS requested
  FROM (VALUES ('M9', '2200000000000103'), ('M10', '2200000000000111')) v(p, n);
SELECT move_card('2200000000000103', 'produced', '2026-03-01'), move_card('2200000000000111', 'produced', '2026-03-01'),
	   move_card('2200000000000111', 'delivered_to_region', '2026-03-15');
SELECT build_snapshot(d) > 0 AS built FROM unnest('{2026-01-01, 2026-04-01}'::date[]) d;
SELECT region_ext_id, members, cards_made, cards_made_pct, all_have_cards, requested_in_period, delivered_to_region_pct
  FROM cards_by_region_at('2026-04-01') ORDER BY region_ext_id NULLS LAST;
SELECT dd, count(*) AS rows, count(*) FILTER (WHERE (c.cards_made, c.requested_in_period) IS DISTINCT FROM (q.made, q.requested)) AS differ FROM unnest('{2026-01-01, 2026-04-01}'::date[]) dd
 CROSS JOIN LATERAL cards_by_region_at(dd) c
  LEFT JOIN LATERAL (
		SELECT count(*) FILTER (WHERE st.to_state IN ('produced', 'delivered_to_region', 'issued')) AS made,
			   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM card x JOIN card_event e ON e.card_id = x.id
											   WHERE x.person_id = m.person_id AND e.to_state = 'requested'
												 AND e.on_date > period_start(dd) AND e.on_date <= dd)) AS requested
		  FROM membership m
		  JOIN LATERAL (
				WITH RECURSIVE up AS (
					SELECT m.org_id AS id, 0 AS depth
					UNION ALL
					SELECT l.parent_id, u.depth + 1 FROM up u JOIN org_link l ON l.org_id = u.id
					   AND l.valid_from <= dd AND (l.valid_to IS NULL OR l.valid_to > dd)
					 WHERE u.depth < 16)
				SELECT o.ext_id FROM up JOIN org o ON o.id = up.id AND o.level = 'regional' LIMIT 1) r ON true
		  LEFT JOIN LATERAL (SELECT e.to_state FROM card x JOIN card_event e ON e.card_id = x.id
							  WHERE x.person_id = m.person_id AND e.on_date <= dd
							  ORDER BY e.on_date DESC, e.recorded_at DESC, x.id DESC LIMIT 1) st ON true
		 WHERE m.joined_on <= dd AND (m.left_on IS NULL OR m.left_on > dd)
		   AND (c.region_ext_id IS NULL OR r.ext_id = c.region_ext_id)) q ON true
 GROUP BY dd ORDER BY dd;
ROLLBACK;

-- members by status against the paper figures per status (the union: the
-- regions' sum), as the seed reads "66.99% of working members on record"
BEGIN;
UPDATE paper_baseline b SET working = v.w, students = v.s, pensioners = v.p
  FROM org o, (VALUES ('R1', 6, 2, 4), ('R2', 3, NULL, 1)) v(x, w, s, p)
 WHERE o.id = b.org_id AND o.ext_id = v.x;
SELECT region_ext_id, working, baseline_working, working_register_pct, students, baseline_students, students_register_pct,
	   pensioners, baseline_pensioners, pensioners_register_pct
  FROM members_by_status ORDER BY region_ext_id NULLS LAST;
ROLLBACK;

-- PROFCARDS: registered on D and through the app, consents per channel
-- given and not withdrawn on D; a plain count from the persons and their
-- consents agrees.  Then two dates side by side: each measure on both, the
-- change, its % and the coverage pace; the union's row is the regions' sum
BEGIN;
UPDATE person SET profcards_on = '2026-03-01' WHERE ext_id IN ('M1', 'M5', 'M9');
UPDATE person SET profcards_on = '2026-05-01' WHERE ext_id = 'M2';
UPDATE person SET virtual_card_on = '2026-03-15' WHERE ext_id = 'M1';
INSERT INTO person_consent (person_id, channel, on_date, given)
SELECT p.id, c, d::date, g FROM person p
  JOIN (VALUES ('M1', 'email', '2026-01-10', true), ('M1', 'email', '2026-03-10', false), ('M2', 'sms', '2026-02-01', true),
			   ('M9', 'push', '2026-02-01', true), ('M10', 'email', '2026-05-01', true)) v(x, c, d, g) ON p.ext_id = v.x
ON CONFLICT (person_id, channel, on_date) DO UPDATE SET given = excluded.given;
SELECT build_snapshot(d) > 0 AS built FROM unnest('{2026-01-01, 2026-04-01}'::date[]) d;
SELECT region_ext_id, members, profcards, profcards_pct, profcards_virtual, consent_email, consent_sms, consent_push, consent_sms_pct
  FROM profcards_by_region_at('2026-04-01');
SELECT dd, count(*) AS rows, count(*) FILTER (WHERE (c.profcards, c.profcards_virtual, c.consent_sms, c.consent_email) IS DISTINCT FROM (q.prof, q.prof_virtual, q.sms, q.email)) AS differ FROM unnest('{2026-01-01, 2026-04-01}'::date[]) dd
 CROSS JOIN LATERAL profcards_by_region_at(dd) c
  LEFT JOIN LATERAL (
		SELECT count(*) FILTER (WHERE pe.profcards_on <= dd) AS prof,
			   count(*) FILTER (WHERE pe.profcards_on <= dd AND pe.virtual_card_on <= dd) AS prof_virtual,
			   count(*) FILTER (WHERE (SELECT pc.given FROM person_consent pc WHERE pc.person_id = pe.id AND pc.channel = 'sms'
										 AND pc.on_date <= dd ORDER BY pc.on_date DESC LIMIT 1)) AS sms,
			   count(*) FILTER (WHERE (SELECT pc.given FROM person_consent pc WHERE pc.person_id = pe.id AND pc.channel = 'email'
										 AND pc.on_date <= dd ORDER BY pc.on_date DESC LIMIT 1)) AS email
		  FROM membership m JOIN person pe ON pe.id = m.person_id
		  JOIN LATERAL (
				WITH RECURSIVE up AS (
					SELECT m.org_id AS id, 0 AS depth
					UNION ALL
					SELECT l.parent_id, u.depth + 1 FROM up u JOIN org_link l ON l.org_id = u.id
					   AND l.valid_from <= dd AND (l.valid_to IS NULL OR l.valid_to > dd)
					 WHERE u.depth < 16)
				SELECT o.ext_id FROM up JOIN org o ON o.id = up.id AND o.level = 'regional' LIMIT 1) r ON true
		 WHERE m.joined_on <= dd AND (m.left_on IS NULL OR m.left_on > dd)
		   AND (c.region_ext_id IS NULL OR r.ext_id = c.region_ext_id)) q ON true
 GROUP BY dd ORDER BY dd;
SELECT region_ext_id, region_name, members_from, members_to, members_delta, members_delta_pct,
	   coverage_pct_from, coverage_pct_to, coverage_points, band_from, band_to, band_changed,
	   profcards_from, profcards_to, profcards_delta, profcards_delta_pct, online_admissions_from, online_admissions_to
  FROM region_growth('2026-01-01', '2026-04-01');
SELECT count(*) AS differ FROM region_growth('2026-01-01', '2026-04-01') g
  JOIN members_by_status_at('2026-01-01') a ON a.region_ext_id IS NOT DISTINCT FROM g.region_ext_id
  JOIN members_by_status_at('2026-04-01') b ON b.region_ext_id IS NOT DISTINCT FROM g.region_ext_id
 WHERE (g.members_from, g.members_to) IS DISTINCT FROM (a.members, b.members);
SELECT * FROM region_growth('2026-01-01', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- the region rating: coverage and its pace since 1 January, data quality
-- and cards made, each ranked (1 = best)
BEGIN;
UPDATE paper_baseline SET members = members + 1 WHERE org_id = (SELECT id FROM org WHERE ext_id = 'R1');
INSERT INTO paper_baseline (org_id, as_of, members)
SELECT id, '2025-01-01', m FROM org JOIN (VALUES ('R1', 14), ('R2', 10)) v(x, m) ON ext_id = x;
SELECT build_snapshot('2026-01-01') > 0 AS built;
SELECT * FROM region_rating('2026-04-01', '2026-01-01');
SELECT * FROM region_rating('2026-04-01', '2025-06-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- snapshot operations: the list, and deletion with a guard
SELECT build_snapshot('2026-01-01') - :sid AS jan_id;
SELECT as_of, version, organizations, members_counted, complete_pct, size_bytes > 0 AS has_size, is_latest
  FROM snapshots;
SELECT delete_snapshot(:sid + 2);
\echo :LAST_ERROR_SQLSTATE
SELECT prune_snapshots(0);
\echo :LAST_ERROR_SQLSTATE
SELECT prune_snapshots(1) AS pruned;
SELECT as_of, version FROM snapshots;
SELECT delete_snapshot(:sid + 2, p_even_the_only_version => true);
SELECT as_of, version FROM snapshots;
SELECT delete_snapshot(12345);
\echo :LAST_ERROR_SQLSTATE

-- progress of long operations, as other sessions see it (pg_stat_activity)
BEGIN;
SELECT _progress('build_snapshot', '2026-04-01: written', 5, 10);
SELECT job, phase, run_by IS NOT NULL AS has_user FROM progress WHERE pid = pg_backend_pid();
COMMIT;
SELECT count(*) AS after_commit FROM progress WHERE pid = pg_backend_pid();

-- a snapshot's organizations and forms stay while it names them (a statement
-- check, not a foreign-key lookup per written row): a form and an
-- organization nothing else refers to, named by a snapshot row
INSERT INTO form VALUES ('9SP', 9, 'Форма проверки', 'a test form', false);
INSERT INTO org (ext_id, level, name, valid_from) VALUES ('LONE', 'territorial', 'Одинокая', '2020-01-01');
INSERT INTO snapshot_org (snapshot_id, org_id, form, tally, is_complete)
SELECT max(s.id), o.id, '9SP', '{}', true FROM snapshot s, org o WHERE o.ext_id = 'LONE' GROUP BY o.id;
DELETE FROM org WHERE ext_id = 'LONE';
\echo :LAST_ERROR_SQLSTATE
UPDATE form SET code = '9SQ' WHERE code = '9SP';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM form WHERE code = '9SP';
\echo :LAST_ERROR_SQLSTATE
-- once the snapshot is gone, so may they be
DELETE FROM snapshot_org WHERE form = '9SP';
DELETE FROM org WHERE ext_id = 'LONE';
DELETE FROM form WHERE code = '9SP';
-- a row of a snapshot that does not exist is refused, once per statement
INSERT INTO snapshot_org (snapshot_id, org_id, form, tally, is_complete)
SELECT max(s.id) + 100, o.id, '5SP', '{}', true FROM snapshot s, org o WHERE o.ext_id = 'C' GROUP BY o.id;
\echo :LAST_ERROR_SQLSTATE
UPDATE snapshot_org SET snapshot_id = snapshot_id + 100 WHERE snapshot_id = (SELECT max(id) FROM snapshot);
\echo :LAST_ERROR_SQLSTATE
-- and a snapshot deleted takes its rows with it
SELECT build_snapshot('2026-01-01') AS extra \gset
SELECT count(*) > 0 AS has_rows FROM snapshot_org WHERE snapshot_id = :extra;
SELECT delete_snapshot(:extra, p_even_the_only_version => true);
SELECT count(*) AS rows_left FROM snapshot_org WHERE snapshot_id = :extra;
-- so does a truncated one, also when the same statement truncates the rows
BEGIN;
TRUNCATE snapshot;
SELECT count(*) AS rows_left_after_truncate FROM snapshot_org;
ROLLBACK;
BEGIN;
TRUNCATE snapshot_org, snapshot;
SELECT (SELECT count(*) FROM snapshot) + (SELECT count(*) FROM snapshot_org) AS left_after_both;
ROLLBACK;
SELECT count(*) > 0 AS rows_back_after_rollback FROM snapshot_org;

