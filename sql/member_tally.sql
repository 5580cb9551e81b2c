-- member_tally: one membership period's contribution as of D, by the time rules
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

-- P: the last 1 January before D; for D = 1 January, one year before
SELECT d::date AS d, period_start(d::date) AS p
  FROM (VALUES ('2026-01-01'), ('2026-04-01'), ('2025-12-31'), ('2024-02-29')) v(d);

-- one argument list, varied: D = 2026-04-01, P = 2026-01-01
CREATE FUNCTION mt(joined date, "left" date, reason text DEFAULT NULL, tin boolean DEFAULT false,
				   online boolean DEFAULT false, status text DEFAULT 'working', ped boolean DEFAULT false,
				   pos text DEFAULT NULL, ft boolean DEFAULT NULL, birth date DEFAULT '1970-01-01',
				   card text DEFAULT NULL, virt date DEFAULT NULL)
RETURNS tally LANGUAGE sql AS $$
	SELECT member_tally('2026-04-01', '2026-01-01', joined, "left", reason, tin, online, status, ped, pos,
						ft, birth, card, virt)
$$;

-- on D and on P: [from, to), the first day in, the first day out
SELECT 'joined on D' AS c, mt('2026-04-01', NULL) AS t
UNION ALL SELECT 'left on D', mt('2020-01-01', '2026-04-01', 'own_wish')
UNION ALL SELECT 'joined on P', mt('2026-01-01', NULL)
UNION ALL SELECT 'left on P', mt('2020-01-01', '2026-01-01', 'retired')
UNION ALL SELECT 'joined after D', mt('2026-04-02', NULL)
UNION ALL SELECT 'joined the day after P, online', mt('2026-01-02', NULL, online => true)
UNION ALL SELECT 'transfer in during the period', mt('2026-02-01', NULL, tin => true)
UNION ALL SELECT 'transfer out during the period', mt('2020-01-01', '2026-02-01', 'transferred')
UNION ALL SELECT 'joined and left inside the period', mt('2026-01-10', '2026-03-01', 'left_job');

-- youth: under 35 on D; the 35th birthday itself is not youth; 29 February -> 1 March
SELECT b AS birth, mt('2020-01-01', NULL, ped => true, birth => b::date) -> 'working_youth' AS youth,
	   mt('2020-01-01', NULL, ped => true, birth => b::date) -> 'working_pedagogical_youth' AS ped_youth
  FROM (VALUES ('1991-04-02'), ('1991-04-01'), ('1991-03-31')) v(b);
SELECT member_tally('2025-03-01', '2025-01-01', '2020-01-01', NULL, NULL, false, false, 'working', false, NULL,
					NULL, b::date, NULL, NULL) -> 'working_youth' AS youth_on_2025_03_01, b AS birth
  FROM (VALUES ('1990-02-28'), ('1990-03-01'), ('1990-03-02')) v(b)
UNION ALL
SELECT member_tally('2025-03-01', '2025-01-01', '2020-01-01', NULL, NULL, false, false, 'working', false, NULL,
					NULL, '1988-02-29', NULL, NULL) -> 'working_youth', '1988-02-29 (turns 37)';
-- born 29 February 1992: 35 on 1 March 2027 (2027 is not a leap year)
SELECT d AS on_date, member_tally(d::date, '2027-01-01', '2020-01-01', NULL, NULL, false, false, 'working',
	   false, NULL, NULL, '1992-02-29', NULL, NULL) -> 'working_youth' AS youth
  FROM (VALUES ('2027-02-28'), ('2027-03-01')) v(d);

-- statuses, attributes, cards
SELECT mt('2020-01-01', NULL, status => 'student', ft => true) AS student,
	   mt('2020-01-01', NULL, status => 'pensioner') AS pensioner,
	   mt('2020-01-01', NULL, status => NULL) AS unknown;
SELECT mt('2020-01-01', NULL, pos => 'faculty', card => 'issued') AS faculty_with_card,
	   mt('2020-01-01', NULL, card => 'refused') AS refused_no_virtual,
	   mt('2020-01-01', NULL, card => 'refused', virt => '2025-05-05') AS refused_with_virtual,
	   mt('2020-01-01', NULL, card => 'delivered_to_region', virt => '2026-05-05') AS virtual_after_d;

-- bad calls
SELECT member_tally('2026-01-01', '2026-01-01', '2020-01-01', NULL, NULL, false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT member_tally(NULL, '2026-01-01', '2020-01-01', NULL, NULL, false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
\echo :LAST_ERROR_SQLSTATE

-- member_tallies over real rows: the control ratio 6 = 6.2 + 7 + 7.2 - 8 - 8.2 holds for every primary
SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('P1', 'R1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT create_org('P2', 'R1', 'primary', 'Школа № 2', '2000-01-01', 'school', 'workers');
SELECT count(admit_member('M' || i, CASE WHEN i % 2 = 0 THEN 'P1' ELSE 'P2' END, ('2025-01-01'::date + i * 10),
					'Фамилия' || i, 'Имя', NULL, ('1980-01-01'::date + i * 200), 'f')) AS admitted
  FROM generate_series(1, 40) i;
SELECT count(*) AS transferred FROM (SELECT transfer_member('M' || i, 'P1', '2026-02-15') FROM generate_series(1, 9, 2) i) x;
SELECT count(*) AS left_ FROM (SELECT leave('M' || i, '2026-03-01', CASE WHEN i % 4 = 0 THEN 'own_wish' ELSE 'retired' END)
  FROM generate_series(2, 12, 2) i) x;
INSERT INTO status_period (person_id, status, valid_from)
SELECT id, 'working', '2020-01-01' FROM person WHERE ext_id::text ~ '^M[0-9]*[05]$';
SELECT o.ext_id AS org, t -> 'members' AS "6", t -> 'members_on_p' AS "6.2", t -> 'admitted' AS "7",
	   t -> 'transferred_in' AS "7.2", t -> 'left' AS "8", t -> 'left_own_wish' AS "8.1",
	   t -> 'transferred_out' AS "8.2", t -> 'working' AS "2", t -> 'status_unknown' AS "6.1",
	   (t -> 'members') = (t -> 'members_on_p') + (t -> 'admitted') + (t -> 'transferred_in')
						  - (t -> 'left') - (t -> 'transferred_out') AS ratio_holds
  FROM member_tallies('2026-04-01') mt(org_id, t) JOIN org o ON o.id = mt.org_id ORDER BY o.ext_id;
-- the union's total: sum() over the primaries' tallies
SELECT sum(t) AS union_total FROM member_tallies('2026-04-01') mt(org_id, t);

-- a refused card and its successor requested the same day in one transaction
-- share the date and recorded_at: the later card is the one that counts, in
-- the whole-union pass and in the few-organizations pass alike
BEGIN;
SELECT request_card('M20', '2200000000000012', '2026-03-10');
SELECT move_card('2200000000000012', 'refused', '2026-03-20');
SELECT request_card('M20', '2200000000000020', '2026-03-20');
COMMIT;
SELECT t -> 'cards_refused' AS refused, t -> 'no_card' AS no_card
  FROM member_tallies('2026-04-01') mt(org_id, t) JOIN org o ON o.id = mt.org_id WHERE o.ext_id = 'P1';
SELECT t -> 'cards_refused' AS refused, t -> 'no_card' AS no_card
  FROM member_tallies('2026-04-01', ARRAY[(SELECT id FROM org WHERE ext_id = 'P1')]) mt(org_id, t);

-- The C member pass (_member_pass: the whole union, or given organizations)
-- against the same rule written as SQL joins, on dates around every event
-- above.  One person's key lies far from the others, so the pass hashes the
-- persons instead of indexing them by key; they must count the same.
INSERT INTO person (id, ext_id, surname, first_name, birth_date, virtual_card_on)
	OVERRIDING SYSTEM VALUE VALUES (9000000000, 'FAR', 'Далёкий', 'Ключ', '2000-02-29', '2026-01-10');
INSERT INTO membership (person_id, org_id, joined_on, left_on, left_reason)
SELECT 9000000000, id, '2025-12-31', '2026-02-15', 'transferred' FROM org WHERE ext_id = 'P2';
INSERT INTO membership (person_id, org_id, joined_on, admitted_online)
SELECT 9000000000, id, '2026-02-15', true FROM org WHERE ext_id = 'P1';
INSERT INTO status_period (person_id, status, valid_from, full_time) VALUES (9000000000, 'student', '2026-01-01', true);
CREATE FUNCTION pg_temp.sql_pass(d date, orgs bigint[] DEFAULT NULL)
RETURNS TABLE (org_id bigint, t unionreg.tally) LANGUAGE sql AS $$
	SELECT m.org_id,
		   sum(member_tally(d, period_start(d), m.joined_on, m.left_on, m.left_reason,
			   EXISTS (SELECT 1 FROM membership prev WHERE prev.person_id = m.person_id
						 AND prev.left_on = m.joined_on AND prev.left_reason = 'transferred'),
			   m.admitted_online, s.status, s.pedagogical, s.position, s.full_time, pe.birth_date,
			   (SELECT e.to_state FROM card c JOIN card_event e ON e.card_id = c.id
				 WHERE c.person_id = m.person_id AND e.on_date <= d
				 ORDER BY e.on_date DESC, e.recorded_at DESC, c.id DESC LIMIT 1),
			   pe.virtual_card_on, pe.profcards_on,
			   EXISTS (SELECT 1 FROM card c JOIN card_event e ON e.card_id = c.id
						WHERE c.person_id = m.person_id AND e.to_state = 'requested'
						  AND e.on_date > period_start(d) AND e.on_date <= d)))
	  FROM membership m
	  JOIN person pe ON pe.id = m.person_id
	  LEFT JOIN status_period s ON s.person_id = m.person_id AND s.valid_from <= d AND (s.valid_to IS NULL OR s.valid_to > d)
	 WHERE m.joined_on <= d AND (m.left_on IS NULL OR m.left_on > period_start(d))
	   AND (orgs IS NULL OR m.org_id = ANY (orgs))
	 GROUP BY m.org_id
$$;
SELECT d, count(*) AS organizations,
	   count(*) FILTER (WHERE x.c_t::text IS DISTINCT FROM x.s_t::text) AS mismatches,
	   sum(x.c_t -> 'members') AS members, sum(x.c_t -> 'transferred_in') AS transfers_in,
	   sum(x.c_t -> 'students_full_time') AS full_time, sum(x.c_t -> 'virtual_cards') AS virtual_cards
  FROM unnest('{2025-06-30,2026-01-01,2026-01-10,2026-02-14,2026-02-15,2026-03-01,2026-04-01,2027-01-01}'::date[]) d
 CROSS JOIN LATERAL (SELECT c.tally AS c_t, s.t AS s_t
					   FROM _member_pass(d) c FULL JOIN pg_temp.sql_pass(d) s USING (org_id)) x
 GROUP BY d ORDER BY d;
-- given organizations (one that does not exist, one twice): only those, the same numbers,
-- transfers in from an organization not given included
SELECT count(*) AS organizations, count(*) FILTER (WHERE c.tally::text IS DISTINCT FROM s.t::text) AS mismatches,
	   sum(c.tally -> 'transferred_in') AS transfers_in
  FROM _member_pass('2026-04-01', ARRAY[(SELECT id FROM org WHERE ext_id = 'P1'), 424242, NULL,
										(SELECT id FROM org WHERE ext_id = 'P1')]) c
  FULL JOIN pg_temp.sql_pass('2026-04-01', ARRAY[(SELECT id FROM org WHERE ext_id = 'P1')]) s USING (org_id);
-- both organizations by key and with the scans (a key limit of 0), on four dates
SELECT d, count(*) AS organizations,
	   count(*) FILTER (WHERE x.k_t::text IS DISTINCT FROM x.s_t::text) AS by_key_mismatches,
	   count(*) FILTER (WHERE x.w_t::text IS DISTINCT FROM x.s_t::text) AS scan_mismatches
  FROM unnest('{2025-06-30,2026-01-01,2026-02-15,2026-04-01}'::date[]) d
 CROSS JOIN LATERAL (
		SELECT s.t AS s_t, k.tally AS k_t, w.tally AS w_t
		  FROM pg_temp.sql_pass(d) s
		  FULL JOIN _member_pass(d, ARRAY(SELECT id FROM org WHERE ext_id IN ('P1', 'P2'))) k USING (org_id)
		  FULL JOIN _member_pass(d, ARRAY(SELECT id FROM org WHERE ext_id IN ('P1', 'P2')), 0) w USING (org_id)) x
 GROUP BY d ORDER BY d;
-- an organization whose key lies far from the others: the whole-union pass
-- hashes the organizations instead of indexing them by key (the sequence is
-- put back afterwards: later files print the keys they create)
SELECT last_value AS org_seq FROM unionreg.org_id_seq \gset
BEGIN;
SELECT setval('unionreg.org_id_seq', 7000000000) AS far_key;
SELECT create_org('PFAR', 'R1', 'primary', 'Школа далеко', '2000-01-01', 'school', 'workers') AS far_org;
SELECT admit_member('MFAR', 'PFAR', '2025-03-01', 'Далёкая', 'Организация', NULL, '1995-06-01', 'f') IS NOT NULL AS admitted;
SELECT count(*) AS organizations, count(*) FILTER (WHERE c.tally::text IS DISTINCT FROM s.t::text) AS mismatches,
	   max(c.org_id) AS farthest
  FROM _member_pass('2026-04-01') c FULL JOIN pg_temp.sql_pass('2026-04-01') s USING (org_id);
ROLLBACK;
SELECT setval('unionreg.org_id_seq', :org_seq) = :org_seq AS sequence_restored;
SELECT count(*) AS none FROM _member_pass('2026-04-01', '{}');
SELECT count(*) FROM _member_pass(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM _member_pass('infinity');
\echo :LAST_ERROR_SQLSTATE
-- row security is not the pass's to apply: nobody but the owner may run it
CREATE ROLE member_pass_stranger;
GRANT USAGE ON SCHEMA unionreg TO member_pass_stranger;
SET ROLE member_pass_stranger;
SELECT count(*) FROM unionreg._member_pass('2026-04-01');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE USAGE ON SCHEMA unionreg FROM member_pass_stranger;
DROP ROLE member_pass_stranger;
-- member_tallies() is the C pass for the administrator (it counts every
-- member whatever the caller's subtree): the same numbers
CREATE TEMP TABLE c_pass AS SELECT * FROM _member_pass('2026-04-01');
CREATE ROLE member_pass_admin IN ROLE unionreg_admin;
GRANT SELECT ON c_pass TO member_pass_admin;
SET ROLE member_pass_admin;
SELECT has_function_privilege('unionreg._member_pass(date, bigint[], integer)', 'EXECUTE') AS may_run_the_c_pass;
SELECT count(*) AS organizations, count(*) FILTER (WHERE c.tally::text IS DISTINCT FROM s.tally::text) AS mismatches
  FROM c_pass c FULL JOIN unionreg.member_tallies('2026-04-01') s USING (org_id);
RESET ROLE;
-- and nobody else's
CREATE ROLE member_pass_chair IN ROLE unionreg_chair;
SET ROLE member_pass_chair;
SELECT count(*) FROM unionreg.member_tallies('2026-04-01');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE member_pass_chair;
DROP TABLE c_pass;
DROP ROLE member_pass_admin;
