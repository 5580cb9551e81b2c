-- Attacks on the roles (security issue): each finding as the attack a login
-- tried, which must now fail or change nothing.
--   1. the restore switch faked with row_security = off and a query text
--   2. staged files shared between logins; the reader running the loaders
--   3. masked fields recovered by probing the duplicate check
--   4. approving an application pulls in a person from another region
--   5. move_cards reaching cards of members who left the caller's subtree
--   6. another subtree's history rewritten by leave() and transfer_member()
--   7. a masked birth date read from report() asked day after day
--   8. my_scope read through a leaky function; a load's reject reason naming
--      another region's card holder
--   and hostile input: infinite and far dates, ids with spaces around them
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_sec_officer_r1, regress_sec_officer_r2, regress_sec_chair_t1,
	regress_sec_reader, regress_sec_admin;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

-- C ─ R1 ─ T1 ─ P1        C ─ R2 ─ T3 ─ P3
SELECT unionreg.create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT unionreg.create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT unionreg.create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01');
SELECT unionreg.create_org('T1', 'R1', 'territorial', 'Город 1', '1995-01-01');
SELECT unionreg.create_org('T3', 'R2', 'territorial', 'Город 3', '1995-01-01');
SELECT unionreg.create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT unionreg.create_org('P3', 'T3', 'primary', 'Школа № 3', '2000-01-01', 'school', 'workers');
CREATE ROLE regress_sec_officer_r1 LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_sec_officer_r2 LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_sec_chair_t1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_sec_reader LOGIN IN ROLE unionreg_reader;
CREATE ROLE regress_sec_admin LOGIN IN ROLE unionreg_admin;
SELECT unionreg.grant_scope('regress_sec_officer_r1', 'R1');
SELECT unionreg.grant_scope('regress_sec_officer_r2', 'R2');
SELECT unionreg.grant_scope('regress_sec_chair_t1', 'T1');
-- (the loaders' NOTICEs carry timings)

-- ---- 1. nothing a login sets or words turns a rule, the audit or the facts off --
SELECT count(*) AS audit_before FROM unionreg.audit_log \gset
SET SESSION AUTHORIZATION regress_sec_chair_t1;
-- what pg_dump writes at the top of a dump, and a query text that looks like a restore
SET row_security = off;
COPY (SELECT unionreg.admit_member('SPOOF1', 'P1', '2026-01-15', 'Невидимкин', 'Аудит', NULL, '1980-01-01') > 0,
	  ' FROM stdin') TO STDOUT;
-- with row security off, a cycle and a level out of place are refused all the same
SELECT unionreg.move_org('T1', 'P1', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.create_org('RX', 'P1', 'regional', 'Не регион', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
RESET row_security;
-- PostgreSQL's own switch for restores is a superuser's
SET session_replication_role = replica;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- the member is audited, counted by the engine, and the tree is intact
SELECT table_name, operation, via FROM unionreg.audit_log
 WHERE id > :audit_before AND session_user_name = 'regress_sec_chair_t1' ORDER BY id;
SELECT count(*) AS member_facts FROM unionreg.member_fact f JOIN unionreg.person p ON p.id = f.person_id WHERE p.ext_id = 'SPOOF1';
SELECT line_code, value FROM unionreg.report('P1', '5SP', '2026-02-01') WHERE line_code IN ('6', '7');
SELECT count(*) AS hierarchy_problems FROM unionreg.validate_hierarchy('2026-03-01');

-- ---- 2. staged files belong to the login that staged them ----------------------
SET SESSION AUTHORIZATION regress_sec_officer_r1;
-- \copy as the README shows it works for an officer (COPY FROM a client file is the same statement)
COPY unionreg.stage_member (ext_id, org_ext_id, surname, first_name, birth_date, snils, email, phone, joined_on) FROM stdin WITH (FORMAT csv);
R1M1,P1,Секретова,Ольга,1981-02-03,112-233-445 95,olga@example.org,+7 900 111-22-33,2020-09-01
R1M2,P9,Ошибкина,Нина,1982-03-04,,,,2020-09-01
\.
SELECT count(*) AS my_staged_rows FROM unionreg.stage_member;
RESET SESSION AUTHORIZATION;
-- another region's officer sees none of them, and its load takes none of them
SET SESSION AUTHORIZATION regress_sec_officer_r2;
SELECT count(*) AS others_staged_rows_seen FROM unionreg.stage_member;
SELECT * FROM unionreg.load_members();
SELECT count(*) AS rejects_seen FROM unionreg.load_reject;
DELETE FROM unionreg.stage_member;
SELECT count(*) FROM unionreg._staged_member;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- the reader neither stages nor loads
SET SESSION AUTHORIZATION regress_sec_reader;
INSERT INTO unionreg.stage_member (ext_id) VALUES ('READER');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.load_members();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.load_orgs();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.load_baselines();
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- the officer's own load takes its rows, and its rejects are its own
SET SESSION AUTHORIZATION regress_sec_officer_r1;
SELECT * FROM unionreg.load_members();
SELECT ext_id, reason FROM unionreg.load_reject ORDER BY id;
SELECT count(*) AS left_staged FROM unionreg.stage_member;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sec_officer_r2;
SELECT count(*) AS others_rejects_seen FROM unionreg.load_reject;
RESET SESSION AUTHORIZATION;
-- the administrator's load takes its own staged rows only
INSERT INTO unionreg.stage_org (ext_id, parent_ext_id, level, kind, composition, name, valid_from)
	VALUES ('P5', 'T3', 'primary', 'school', 'workers', 'Школа № 5', '2021-01-01');
SET SESSION AUTHORIZATION regress_sec_chair_t1;
INSERT INTO unionreg.stage_org (ext_id, parent_ext_id, level, kind, composition, name, valid_from)
	VALUES ('P2', 'T1', 'primary', 'preschool', 'workers', 'Детский сад № 2', '2021-01-01');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sec_admin;
SELECT * FROM unionreg.load_orgs();
SELECT ext_id, staged_by FROM unionreg._staged_org ORDER BY 1;
RESET SESSION AUTHORIZATION;
SELECT * FROM unionreg.load_orgs();
SET SESSION AUTHORIZATION regress_sec_chair_t1;
SELECT * FROM unionreg.load_orgs();
RESET SESSION AUTHORIZATION;
SELECT string_agg(ext_id, ' ' ORDER BY ext_id) AS primaries FROM unionreg.org WHERE level = 'primary';


-- ---- 5. move_cards changes only the cards of members the caller stands for ------
-- X was a member in R2 until 2026-06-01, then moved to R1; Y stays in R2
SELECT unionreg.admit_member('X', 'P3', '2020-01-01', 'Переходова', 'Ирина', NULL, '1990-02-02') > 0 AS admitted;
SELECT unionreg.admit_member('Y', 'P3', '2020-01-01', 'Остающаяся', 'Вера', NULL, '1991-03-03') > 0 AS admitted;
SELECT unionreg.request_card('X', '2200000000000012', '2021-01-10');
SELECT unionreg.request_card('Y', '2200700000000009', '2021-01-10');
SELECT unionreg.transfer_member('X', 'P1', '2026-06-01');
SET SESSION AUTHORIZATION regress_sec_officer_r2;
-- on 2026-05-31 both were under R2; X is R1's member now
SELECT unionreg.move_cards('R2', 'requested', 'produced', '2026-05-31') AS cards_moved;
RESET SESSION AUTHORIZATION;
SELECT p.ext_id, c.state FROM unionreg.card c JOIN unionreg.person p ON p.id = c.person_id ORDER BY 1;

-- ---- 6. history before a member arrived belongs to the region that recorded it --
SET SESSION AUTHORIZATION regress_sec_officer_r1;
SELECT unionreg.leave('X', '2020-01-02', 'own_wish');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.transfer_member('X', 'P1', '2020-01-02');
\echo :LAST_ERROR_SQLSTATE
-- after the arrival, the period is the officer's to end
SELECT unionreg.leave('X', '2026-07-01', 'own_wish');
RESET SESSION AUTHORIZATION;
SELECT o.ext_id, m.joined_on, m.left_on, m.left_reason FROM unionreg.membership m
  JOIN unionreg.person p ON p.id = m.person_id JOIN unionreg.org o ON o.id = m.org_id
 WHERE p.ext_id = 'X' ORDER BY m.joined_on;

-- ---- 7. report() day by day would tell a masked birth date ---------------------
-- P5 has one member, born 1991-05-10: line 2.2 (youth) changes on her 35th birthday
SELECT unionreg.admit_member('LONE', 'P5', '2021-01-01', 'Одинокая', 'Вера', NULL, '1991-05-10') > 0 AS admitted;
INSERT INTO unionreg.status_period (person_id, status, valid_from)
SELECT id, 'working', '2021-01-01' FROM unionreg.person WHERE ext_id = 'LONE';
SELECT unionreg.build_snapshot('2026-04-01') > 0 AS built;
-- the reader: figures as of snapshot dates only
SET SESSION AUTHORIZATION regress_sec_reader;
SELECT value AS youth FROM unionreg.report('P5', '5SP', '2026-04-01') WHERE line_code = '2.2';
SELECT value AS youth FROM unionreg.report('P5', '5SP', '2026-05-10') WHERE line_code = '2.2';
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- a chairman above primaries whose members it sees masked: snapshot dates too
SET SESSION AUTHORIZATION regress_sec_chair_t1;
SELECT count(*) AS lines FROM unionreg.report('P1', '5SP', '2026-04-01');
SELECT count(*) AS lines FROM unionreg.report('P1', '5SP', '2026-05-10');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- an officer reads her record anyway, so may ask any day
SET SESSION AUTHORIZATION regress_sec_officer_r2;
SELECT d::date AS day, value AS youth
  FROM generate_series(date '2026-05-09', date '2026-05-10', interval '1 day') d
 CROSS JOIN LATERAL unionreg.report('P5', '5SP', d::date) r WHERE r.line_code = '2.2';
RESET SESSION AUTHORIZATION;

-- ---- 8. my_scope is a security barrier: a leaky function sees only own rows -----
SET SESSION AUTHORIZATION regress_sec_chair_t1;
CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001
AS $$ BEGIN RAISE NOTICE 'leaked: %', $1; RETURN true; END $$;
SELECT login, org_ext_id FROM unionreg.my_scope WHERE pg_temp.leak(login);
DROP FUNCTION pg_temp.leak(text);
RESET SESSION AUTHORIZATION;

-- ---- 3. the duplicate check answers the same whatever the login cannot read ----
-- R1M1 (Секретова Ольга, born 1981-02-03, SNILS 112-233-445 95) is a member of
-- P1; the chairman of T1 sees her with birth date and SNILS masked
SET SESSION AUTHORIZATION regress_sec_chair_t1;
SELECT ext_id, birth_date, snils FROM unionreg.persons WHERE ext_id = 'R1M1';
-- a wrong and the right birth date get one answer, which names no field
SET client_min_messages = notice;
DO $$
DECLARE
	v_wrong text;
	v_right text;
BEGIN
	BEGIN
		PERFORM unionreg.admit_member('PROBE', 'P1', '2026-08-01', 'Секретова', 'Ольга', NULL, '1981-02-02');
	EXCEPTION WHEN unique_violation THEN v_wrong := SQLERRM;
	END;
	BEGIN
		PERFORM unionreg.admit_member('PROBE', 'P1', '2026-08-01', 'Секретова', 'Ольга', NULL, '1981-02-03');
	EXCEPTION WHEN unique_violation THEN v_right := SQLERRM;
	END;
	RAISE NOTICE 'same answer: %; %', v_wrong = v_right, v_right;
END
$$;
-- trying dates one by one: past 20 refusals in the session there is no answer at all
DO $$
DECLARE
	d date := '1981-01-20';
	v_dup integer := 0;
	v_limit integer := 0;
BEGIN
	FOR i IN 1 .. 25 LOOP
		BEGIN
			PERFORM unionreg.admit_member('PROBE', 'P1', '2026-08-01', 'Секретова', 'Ольга', NULL, d + i);
		EXCEPTION
			WHEN unique_violation THEN v_dup := v_dup + 1;
			WHEN program_limit_exceeded THEN v_limit := v_limit + 1;
		END;
	END LOOP;
	RAISE NOTICE 'duplicate answers: %, refused by the limit: %', v_dup, v_limit;
END
$$;
SET client_min_messages = warning;
-- and then not even for another person
SELECT unionreg.admit_member('NEW1', 'P1', '2026-08-01', 'Новенькая', 'Анна', NULL, '2000-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
-- another region's officer learns nothing from a SNILS either
SET SESSION AUTHORIZATION regress_sec_officer_r2;
SELECT unionreg.admit_member('PROBE2', 'P3', '2026-08-01', 'Иная', 'Фамилия', NULL, '1970-01-01', 'f', '112-233-445 95');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.admit_member('PROBE2', 'P3', '2026-08-01', 'Иная', 'Фамилия', NULL, '1970-01-01', 'f', '001-001-998 00') > 0 AS another_snils_admitted;
RESET SESSION AUTHORIZATION;

-- ---- 8. a load's reject names no card holder the login cannot see -------------
SET SESSION AUTHORIZATION regress_sec_officer_r2;
INSERT INTO unionreg.stage_member (ext_id, org_ext_id, surname, first_name, birth_date, joined_on, card_number, card_status, card_status_on)
	VALUES ('R2M9', 'P3', 'Картина', 'Нина', '1992-01-01', '2026-01-01', '2200000000000012', 'produced', '2026-08-01');
SET client_min_messages = warning;
SELECT * FROM unionreg.load_members();
RESET client_min_messages;
SELECT ext_id, reason FROM unionreg.load_reject WHERE ext_id = 'R2M9';
RESET SESSION AUTHORIZATION;

-- ---- 4. an application does not pull in another region's former member -------
-- X was R1's member until 2026-07-01; she applies online to R2's P3
INSERT INTO unionreg.application (surname, first_name, birth_date, org_id, consent)
SELECT 'Переходова', 'Ирина', '1990-02-02', id, true FROM unionreg.org WHERE ext_id = 'P3'
RETURNING id AS x_app \gset
SET SESSION AUTHORIZATION regress_sec_officer_r2;
SELECT unionreg.approve_application(:x_app, '2026-08-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.approve_application(:x_app, '2026-08-01', p_force => true);
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SELECT o.ext_id, m.joined_on, m.left_on FROM unionreg.membership m
  JOIN unionreg.person p ON p.id = m.person_id JOIN unionreg.org o ON o.id = m.org_id
 WHERE p.ext_id = 'X' ORDER BY m.joined_on;
-- the administrator, who sees both, brings her back
SET SESSION AUTHORIZATION regress_sec_admin;
SELECT unionreg.approve_application(:x_app, '2026-08-01') AS x_person \gset
SELECT ext_id FROM unionreg.person WHERE id = :x_person;
RESET SESSION AUTHORIZATION;

-- ---- hostile input: every date a day of the register's years, ids as stored -----
SELECT unionreg.admit_member('INF', 'P1', 'infinity', 'Бесконечная', 'Анна');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.admit_member('FAR', 'P1', '5874897-01-01', 'Далёкая', 'Анна');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.admit_member('OLD', 'P1', '2020-01-01', 'Древняя', 'Анна', NULL, '1899-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.transfer_member('Y', 'P1', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.leave('Y', '2200-01-01', 'own_wish');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.move_org('P3', 'T1', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.liquidate_org('P3', '5874897-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.create_org('P9', 'T1', 'primary', 'Школа № 9', '-infinity', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.build_snapshot('2500-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.report('P1', '5SP', '2500-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.move_cards('R2', 'requested', 'produced', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.org_at('3000-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.validate_hierarchy('1812-09-07');
\echo :LAST_ERROR_SQLSTATE
-- internal functions are the owner's, and refuse what their callers never pass
SET SESSION AUTHORIZATION regress_sec_officer_r1;
SELECT count(*) FROM unionreg._passport_gap_fields('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg._require_period(1, 'X', '2026-01-01', 'probe');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS other_internal_functions_it_may_run FROM pg_proc p
 WHERE p.pronamespace = 'unionreg'::regnamespace AND p.proname LIKE '\_%'
   AND has_function_privilege(p.oid, 'EXECUTE')
   AND p.proname NOT IN ('_sees_all', '_visible_org_ids', '_visible_org_ext_ids', '_visible_person_ids',
						 '_owned_person_ids', '_line_of', '_control_violations');
RESET SESSION AUTHORIZATION;
SELECT unionreg.line_value('{members=4,working=3}', 'bogus', ARRAY['members']);
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.line_value('{members=4,working=3}', 'percent', ARRAY['working']);
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.line_value('{members=4,working=3}', 'sum', ARRAY[]::text[]);
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.line_value('{members=4,working=3}', 'percent', ARRAY['working', 'members']) AS working_pct,
	   unionreg.line_value('{members=4,working=3}', 'percent', ARRAY['working', 'students']) AS of_no_students;
-- an id with spaces around it would be a second person
SELECT unionreg.admit_member(' Y ', 'P1', '2026-01-01', 'Остающаяся', 'Вера', NULL, '1991-03-03');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.create_org('P9 ', 'T1', 'primary', 'Школа № 9', '2026-01-01', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS persons, count(*) FILTER (WHERE ext_id <> btrim(ext_id)) AS with_spaces FROM unionreg.person;

SET client_min_messages = warning;
DROP EXTENSION unionreg CASCADE;
DROP ROLE regress_sec_officer_r1, regress_sec_officer_r2, regress_sec_chair_t1, regress_sec_reader, regress_sec_admin;
