-- unionreg.member_fact: the report engine's one row per membership period,
-- kept by triggers; after every kind of write it equals what the member
-- tables give (member_fact_drift() is empty), and reports read it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
-- the SQL oracle the C engine is compared with
\set ECHO none
\i test/sql/org_tallies_oracle.sql
\set ECHO all
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('T1', 'R1', 'territorial', 'Территориальная 1', '1995-01-01');
SELECT create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT create_org('P2', 'T1', 'primary', 'Детский сад № 2', '2000-01-01', 'preschool', 'workers');
SELECT create_org('S1', 'P1', 'subdivision', 'Профгруппа', '2010-01-01');

-- a period and its facts, decoded: the encodings as the engine reads them
CREATE FUNCTION pg_temp.facts() RETURNS TABLE (person text, org text, joined_on date, left_on date, left_reason text,
	transfer_in boolean, online boolean, birth_date date, virtual_card_on date, statuses text, cards text)
LANGUAGE sql AS $$
	SELECT p.ext_id, o.ext_id, f.joined_on, f.left_on, f.left_reason, f.transfer_in, f.admitted_online,
		   f.birth_date, f.virtual_card_on, encode(f.statuses, 'hex'), encode(f.cards, 'hex')
	  FROM unionreg.member_fact f JOIN unionreg.person p ON p.id = f.person_id JOIN unionreg.org o ON o.id = f.org_id
	 ORDER BY 1, 3
$$;

-- admission (to a subdivision: the fact is under its primary), transfer, leave
SELECT admit_member('M1', 'S1', '2015-09-01', 'Иванова', 'Анна', 'Петровна', '1980-03-15', 'f') > 0 AS admitted;
SELECT admit_member('M2', 'P2', '2016-09-01', 'Петров', 'Пётр', NULL, '1995-01-20', 'm') > 0 AS admitted;
SELECT transfer_member('M1', 'P2', '2021-03-01');
SELECT leave('M2', '2024-06-01', 'own_wish');
SELECT * FROM pg_temp.facts();
SELECT count(*) AS drift FROM member_fact_drift();

-- statuses: an insert, an update of its attributes, a second period, a delete
INSERT INTO status_period (person_id, status, valid_from, valid_to, pedagogical, position)
SELECT id, 'working', '2015-09-01', '2020-01-01', true, 'faculty' FROM person WHERE ext_id = 'M1';
INSERT INTO status_period (person_id, status, valid_from, full_time)
SELECT id, 'student', '2020-01-01', true FROM person WHERE ext_id = 'M1';
INSERT INTO status_period (person_id, status, valid_from)
SELECT id, 'pensioner', '2016-09-01' FROM person WHERE ext_id = 'M2';
UPDATE status_period SET pedagogical = false WHERE status = 'working';
SELECT person, joined_on, statuses FROM pg_temp.facts();
DELETE FROM status_period WHERE status = 'pensioner';
SELECT count(*) AS drift FROM member_fact_drift();

-- cards: a request and moves (the history in the order made), a bulk move
SELECT request_card('M1', '2200000000000012', '2021-01-10');
SELECT move_card('2200000000000012', 'produced', '2021-02-01');
SELECT move_card('2200000000000012', 'delivered_to_region', '2021-03-01');
SELECT move_cards('R1', 'delivered_to_region', 'issued', '2021-04-01');
SELECT person, joined_on, cards FROM pg_temp.facts();
SELECT count(*) AS drift FROM member_fact_drift();

-- the person's birth date and virtual card; an edit of something else changes nothing
UPDATE person SET birth_date = '1990-03-15', virtual_card_on = '2022-01-01' WHERE ext_id = 'M1';
UPDATE person SET phone = '+7 900 000-00-00' WHERE ext_id = 'M2';
SELECT person, joined_on, birth_date, virtual_card_on FROM pg_temp.facts();
SELECT count(*) AS drift FROM member_fact_drift();

-- the reason the first period ended: the next one's transfer flag follows it
UPDATE membership SET left_reason = 'own_wish'
 WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M1') AND joined_on = '2015-09-01';
SELECT person, joined_on, left_on, left_reason, transfer_in FROM pg_temp.facts() WHERE person = 'M1';
UPDATE membership SET left_reason = 'transferred'
 WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M1') AND joined_on = '2015-09-01';
-- a period deleted: its fact goes
DELETE FROM membership WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M2');
SELECT person, joined_on, left_on, transfer_in FROM pg_temp.facts();
SELECT count(*) AS drift FROM member_fact_drift();

-- the pass over the facts counts as the SQL pass over the member tables, on
-- every 1 January and 1 July the periods touch
SELECT d::date AS d, coalesce(mp.tally = sq.tally, mp.tally IS NULL AND sq.tally IS NULL) AS same, tally_get(mp.tally, 'members') AS members,
	   tally_get(mp.tally, 'transferred_in') AS transferred_in, tally_get(mp.tally, 'cards_issued') AS cards_issued
  FROM generate_series('2015-07-01'::date, '2025-01-01', '6 months') d
  CROSS JOIN org o
  LEFT JOIN LATERAL (SELECT t.tally FROM _member_pass(d::date, ARRAY[o.id]) t) mp ON true
  LEFT JOIN LATERAL (SELECT t.tally FROM unionreg_oracle.member_tallies_of(d::date, ARRAY[o.id]) t) sq ON true
 WHERE o.ext_id = 'P2'
 ORDER BY 1;

-- written with the triggers disabled, the facts drift, the drift says so,
-- and the rebuild puts them right
SET session_replication_role = replica;
UPDATE person SET birth_date = '1991-03-15' WHERE ext_id = 'M1';
INSERT INTO status_period (person_id, status, valid_from)
SELECT id, 'working', '2016-09-01' FROM person WHERE ext_id = 'M2';
SELECT admit_member('M3', 'P1', '2023-01-01', 'Сидоров', 'Иван', NULL, '2000-05-05', 'm') > 0 AS admitted_unseen;
RESET session_replication_role;
SELECT p.ext_id, d.problem FROM member_fact_drift() d JOIN person p ON p.id = d.person_id ORDER BY 1;
SELECT member_fact_rebuild() AS rows_rebuilt;
SELECT count(*) AS drift FROM member_fact_drift();

-- TRUNCATE of a table the facts come from: rebuilt from what is left
BEGIN;
TRUNCATE card_event;
SELECT count(*) FILTER (WHERE cards IS NOT NULL) AS with_cards, count(*) AS facts FROM member_fact;
SELECT count(*) AS drift FROM member_fact_drift();
ROLLBACK;

-- the loader's deferral ends with the (sub)transaction that asked for it:
-- a failed load inside a savepoint leaves the triggers working
BEGIN;
SAVEPOINT a;
SELECT _member_facts_defer(true);
SELECT _member_facts_deferred() AS deferred;
-- the flag is the backend's own: a plan run by a parallel worker reads it in the leader
SET LOCAL force_parallel_mode = regress;
SELECT _member_facts_deferred() AS deferred_in_a_parallel_plan FROM generate_series(1, 1);
SELECT 1 / 0;
ROLLBACK TO a;
SELECT _member_facts_deferred() AS deferred_after_rollback;
SELECT leave('M3', '2024-01-01', 'own_wish');
SELECT count(*) AS drift FROM member_fact_drift();
COMMIT;
BEGIN;
SELECT _member_facts_defer(true);
COMMIT;
SELECT _member_facts_deferred() AS deferred_after_commit;

-- only the owner's functions defer, refresh, rebuild and read the facts
CREATE ROLE member_fact_outsider;
GRANT USAGE ON SCHEMA unionreg TO member_fact_outsider;
SET ROLE member_fact_outsider;
SELECT unionreg._member_facts_defer(true);
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg._member_fact_refresh(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.member_fact_rebuild();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.member_fact;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE USAGE ON SCHEMA unionreg FROM member_fact_outsider;
DROP ROLE member_fact_outsider;

-- the loader: a file of new and changed persons, facts written once at its end
INSERT INTO stage_member (ext_id, org_ext_id, surname, first_name, birth_date, status, joined_on, left_on, left_reason,
						  card_number, card_status, card_status_on)
VALUES ('L1', 'P1', 'Кузнецова', 'Мария', '1999-02-02', 'working', '2019-01-01', '2022-01-01', 'transferred', NULL, NULL, NULL),
	   ('L1', 'P2', 'Кузнецова', 'Мария', '1999-02-02', 'working', '2022-01-01', NULL, NULL, '4000000000000002', 'issued', '2022-02-01'),
	   ('M1', 'P2', 'Иванова', 'Анна', '1980-03-15', 'student', '2021-03-01', NULL, NULL, NULL, NULL, NULL);
SET client_min_messages = warning;	-- the loader's NOTICEs carry timings
SELECT * FROM load_members();
RESET client_min_messages;
SELECT person, org, joined_on, left_on, transfer_in, birth_date, cards IS NOT NULL AS has_cards
  FROM pg_temp.facts() WHERE person IN ('L1', 'M1');
SELECT count(*) AS drift FROM member_fact_drift();
