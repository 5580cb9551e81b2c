-- Roles and row-level security by subtree, masking, and the API's checks.
-- Logins are impersonated with SET SESSION AUTHORIZATION (the functions act
-- for session_user, row security for the login alike).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_chair_t1, regress_chair_p1, regress_chair_t2, regress_officer_r1,
	regress_admin, regress_reader, regress_nobody;
RESET client_min_messages;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never
-- the loaders and the build speak in NOTICEs with timings
SET client_min_messages = warning;

-- C ─ R1 ─ T1 ─ P1 ─ S1        C ─ R2 ─ T3 ─ P4
--           │    └ P2
--           └ T2 ─ P3
SELECT unionreg.create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT unionreg.create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT unionreg.create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01');
SELECT unionreg.create_org('T1', 'R1', 'territorial', 'Город 1', '1995-01-01');
SELECT unionreg.create_org('T2', 'R1', 'territorial', 'Город 2', '1995-01-01');
SELECT unionreg.create_org('T3', 'R2', 'territorial', 'Город 3', '1995-01-01');
SELECT unionreg.create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT unionreg.create_org('P2', 'T1', 'primary', 'Детский сад № 2', '2000-01-01', 'preschool', 'workers');
SELECT unionreg.create_org('P3', 'T2', 'primary', 'Школа № 3', '2000-01-01', 'school', 'workers');
SELECT unionreg.create_org('P4', 'T3', 'primary', 'Школа № 4', '2000-01-01', 'school', 'workers');
SELECT unionreg.create_org('S1', 'P1', 'subdivision', 'Профгруппа', '2005-01-01');
SELECT unionreg.admit_member('M1', 'P1', '2015-09-01', 'Иванова', 'Анна', 'Петровна', '1980-03-15', 'f', '112-233-445 95') > 0;
SELECT unionreg.admit_member('M2', 'S1', '2016-09-01', 'Петров', 'Пётр', NULL, '1975-01-20', 'm') > 0;
SELECT unionreg.admit_member('M3', 'P2', '2017-09-01', 'Сидорова', 'Мария', NULL, '1990-07-07', 'f') > 0;
SELECT unionreg.admit_member('M4', 'P3', '2018-09-01', 'Кузнецов', 'Олег', NULL, '1985-05-05', 'm', '001-001-998 00') > 0;
SELECT unionreg.admit_member('M5', 'P4', '2019-09-01', 'Смирнова', 'Ольга', NULL, '1970-01-01', 'f') > 0;
UPDATE unionreg.person SET phone = '+7 900 123-45-67', email = 'anna@example.org' WHERE ext_id = 'M1';
SELECT unionreg.request_card('M1', '2200000000000012', '2021-01-10');
SELECT unionreg.request_card('M4', '2200700000000009', '2021-01-10');
INSERT INTO unionreg.application (surname, first_name, birth_date, org_id, consent)
SELECT 'Новикова', 'Вера', '1999-09-09', id, true FROM unionreg.org WHERE ext_id = 'P3';

SELECT id AS app_id FROM unionreg.application \gset
-- M4's twin applies online to P1
INSERT INTO unionreg.application (surname, first_name, birth_date, snils, org_id, consent)
SELECT 'Кузнецов', 'Олег', '1985-05-05', '001-001-998 00', id, true FROM unionreg.org WHERE ext_id = 'P1'
RETURNING id AS twin_app_id \gset
SELECT id AS p3_id FROM unionreg.org WHERE ext_id = 'P3' \gset
-- the reports below are asked for a snapshot date (report() on other dates: sql/security_attacks.sql)
SELECT unionreg.build_snapshot('2026-01-01') > 0 AS built;
CREATE ROLE regress_chair_t1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_chair_p1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_chair_t2 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_officer_r1 LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_admin LOGIN IN ROLE unionreg_admin;
CREATE ROLE regress_reader LOGIN IN ROLE unionreg_reader;
CREATE ROLE regress_nobody LOGIN;
SELECT unionreg.grant_scope('regress_chair_t1', 'T1');
SELECT unionreg.grant_scope('regress_chair_p1', 'P1');
SELECT unionreg.grant_scope('regress_chair_t2', 'T2');
SELECT unionreg.grant_scope('regress_officer_r1', 'R1');
-- an officer stands for a region; a role without a unionreg role stands for nothing
SELECT unionreg.grant_scope('regress_officer_r1', 'T1');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.grant_scope('regress_nobody', 'T1');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.grant_scope('regress_ghost', 'T1');
\echo :LAST_ERROR_SQLSTATE

-- ---- the chairman of territorial T1 ------------------------------------------
SET SESSION AUTHORIZATION regress_chair_t1;
SELECT org_ext_id, level FROM unionreg.my_scope;
-- reads: its subtree and nothing else, through every table
SELECT string_agg(ext_id, ' ' ORDER BY ext_id) AS orgs FROM unionreg.org;
SELECT string_agg(p.ext_id, ' ' ORDER BY p.ext_id) AS persons, count(*) AS periods
  FROM unionreg.membership m JOIN unionreg.person p ON p.id = m.person_id;
SELECT count(*) AS cards, (SELECT count(*) FROM unionreg.card_event) AS card_moves FROM unionreg.card;
SELECT count(*) AS applications FROM unionreg.application;
-- no SNILS, phone, e-mail or birth date from the table ...
SELECT snils FROM unionreg.person;
\echo :LAST_ERROR_SQLSTATE
SELECT birth_date FROM unionreg.person;
\echo :LAST_ERROR_SQLSTATE
-- ... and masked in the view: the territorial's chairman does not own P1's members
SELECT ext_id, birth_date, snils, email, phone, org_ext_id, subdivision_ext_id, unmasked
  FROM unionreg.persons ORDER BY ext_id;
-- the tree and its problems: the subtree only
SELECT ext_id, depth FROM unionreg.org_at('2026-01-01') ORDER BY depth, ext_id;
SELECT count(*) AS problems FROM unionreg.validate_hierarchy('2026-01-01');
-- writes inside pass, outside touch nothing or are refused
UPDATE unionreg.org SET short_name = 'Ш1' WHERE ext_id IN ('P1', 'P3');
UPDATE unionreg.org SET valid_to = '2030-01-01' WHERE ext_id = 'P1';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO unionreg.org_base (org_id, as_of, employees) SELECT id, '2026-01-01', 50 FROM unionreg.org WHERE ext_id = 'P1';
INSERT INTO unionreg.org_base (org_id, as_of, employees) VALUES (:p3_id, '2026-01-01', 50);
\echo :LAST_ERROR_SQLSTATE
UPDATE unionreg.person SET phone = '+7 900 000-00-00' WHERE ext_id IN ('M3', 'M4');
INSERT INTO unionreg.membership (person_id, org_id, joined_on) VALUES (1, 1, '2020-01-01');
\echo :LAST_ERROR_SQLSTATE
-- the API: inside works, outside is refused (42501) without saying what is there
SELECT unionreg.create_org('P5', 'T1', 'primary', 'Школа № 5', '2026-01-01', 'school', 'workers') > 0 AS created;
SELECT unionreg.create_org('P6', 'T2', 'primary', 'Школа № 6', '2026-01-01', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.move_org('P2', 'T2', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.liquidate_org('P3', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.transfer_member('M1', 'P3', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
-- a member of T2 and nobody at all get the same answer
SELECT unionreg.transfer_member('M4', 'P1', '2026-02-01');
SELECT unionreg.transfer_member('NOBODY', 'P1', '2026-02-01');
SELECT unionreg.leave('M4', '2026-02-01', 'own_wish');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.request_card('M4', '2200000000000020', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.move_card('2200700000000009', 'produced', '2026-02-01');
SELECT unionreg.move_card('2200000000000038', 'produced', '2026-02-01');
SELECT unionreg.move_cards('T2', 'requested', 'produced', '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.approve_application(:app_id, '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
-- M4's twin (same SNILS) admitted in T1: refused without naming M4 or P3
SELECT unionreg.admit_member('M4-TWIN', 'P2', '2026-02-01', 'Кузнецов', 'Олег', NULL, '1985-05-05', 'm', '001-001-998 00');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.approve_application(:twin_app_id, '2026-02-01');
\echo :LAST_ERROR_SQLSTATE
-- reports: its subtree, not another's (refused, not zeros)
SELECT value AS members FROM unionreg.report('T1', '2SP', '2026-01-01') WHERE line_code = '6';
SELECT * FROM unionreg.report('T2', '2SP', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.report_line;
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.build_snapshot('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.audit_log;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.duplicate_persons;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.passport_gaps_at('2026-01-01');
\echo :LAST_ERROR_SQLSTATE
-- the restore bypass of the triggers is not theirs: with row security off their COPY is refused
SET row_security = off;
COPY unionreg.status_period (person_id, status, valid_from) FROM stdin;
1	working	2020-01-01
\.
\echo :LAST_ERROR_SQLSTATE
RESET row_security;
-- inside: a transfer within T1
SELECT unionreg.transfer_member('M3', 'P1', '2026-02-01');
-- loads: rows outside the subtree are rejected with the reason, none lost
INSERT INTO unionreg.stage_member (ext_id, org_ext_id, surname, first_name, birth_date, joined_on) VALUES
	('M6', 'P1', 'Новый', 'Член', '2000-01-01', '2026-03-01'),
	('M7', 'P3', 'Чужой', 'Член', '2000-01-01', '2026-03-01'),
	('M4', 'P1', 'Кузнецов', 'Олег', '1985-05-05', '2026-03-01');
SELECT * FROM unionreg.load_members();
INSERT INTO unionreg.stage_org (ext_id, parent_ext_id, level, kind, composition, name, valid_from) VALUES
	('P7', 'T1', 'primary', 'school', 'workers', 'Школа № 7', '2026-01-01'),
	('S7', 'P7', 'subdivision', NULL, NULL, 'Профгруппа 7', '2026-01-01'),
	('P8', 'T2', 'primary', 'school', 'workers', 'Школа № 8', '2026-01-01'),
	('T2', 'R1', 'territorial', NULL, NULL, 'Город 2 (переименован)', '1995-01-01'),
	('T1', 'R1', 'territorial', NULL, NULL, 'Город 1', '1995-01-01');
SELECT * FROM unionreg.load_orgs();
SELECT source, ext_id, reason FROM unionreg.load_reject ORDER BY id;
SELECT string_agg(ext_id, ' ' ORDER BY ext_id) AS orgs_now FROM unionreg.org;
RESET SESSION AUTHORIZATION;
-- what the chairman's writes outside its subtree touched: nothing
SELECT ext_id, short_name FROM unionreg.org WHERE ext_id IN ('P1', 'P3') ORDER BY 1;
SELECT ext_id, phone FROM unionreg.person WHERE ext_id IN ('M3', 'M4') ORDER BY 1;

-- ---- the chairman of primary P1 owns its members; T2's sees only T2 -----------
SET SESSION AUTHORIZATION regress_chair_p1;
SELECT ext_id, snils, email, phone, unmasked FROM unionreg.persons ORDER BY ext_id;
SELECT count(*) AS load_rejects_of_others FROM unionreg.load_reject;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_chair_t2;
SELECT string_agg(ext_id, ' ' ORDER BY ext_id) AS persons FROM unionreg.persons;
RESET SESSION AUTHORIZATION;

-- ---- the region's officer: the whole region, unmasked; a transfer moves visibility
SET SESSION AUTHORIZATION regress_officer_r1;
SELECT ext_id, snils, unmasked FROM unionreg.persons ORDER BY ext_id;
SELECT unionreg.transfer_member('M1', 'P3', '2026-04-01');
SELECT unionreg.move_org('P2', 'T2', '2026-04-01');
-- another region is out of reach
SELECT unionreg.move_org('P4', 'T2', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.transfer_member('M5', 'P3', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE unionreg.org SET short_name = 'Ш4' WHERE ext_id = 'P4';
-- staged rows: the login's own, seen and cleared by it alone (another
-- login's files hold personal data: sql/security_attacks.sql)
INSERT INTO unionreg.stage_member (ext_id, org_ext_id, surname, first_name) VALUES ('X1', 'P1', 'Проба', 'Строки');
SELECT count(*) AS own_staged_rows_seen FROM unionreg.stage_member;
SELECT count(*) FROM unionreg._staged_member;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS r2_rows FROM unionreg.org WHERE ext_id IN ('R2', 'T3', 'P4');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_chair_t1;
SELECT string_agg(ext_id, ' ' ORDER BY ext_id) AS persons_after_transfer FROM unionreg.persons;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_chair_t2;
-- M1 came with its whole record card, history included
SELECT p.ext_id, count(*) AS periods FROM unionreg.membership m JOIN unionreg.person p ON p.id = m.person_id
 GROUP BY p.ext_id ORDER BY p.ext_id;
RESET SESSION AUTHORIZATION;

-- ---- the reader: aggregates, no person, not even through report() -------------
SET SESSION AUTHORIZATION regress_reader;
SELECT count(*) AS lines FROM unionreg.report('P3', '5SP', '2026-01-01');
SELECT count(*) FROM unionreg.persons;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.person;
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.transfer_member('M5', 'P4', '2026-05-01');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- ---- a login with no role: nothing ----------------------------------------------
SET SESSION AUTHORIZATION regress_nobody;
SELECT * FROM unionreg.report('P1', '5SP', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.org_at('2026-01-01');
SELECT unionreg.load_orgs();
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- ---- the administrator: everything, the audit trail read-only ------------------
SET SESSION AUTHORIZATION regress_admin;
SELECT count(*) AS orgs, (SELECT count(*) FROM unionreg.persons WHERE unmasked) AS persons_unmasked FROM unionreg.org;
-- another login's staged row stays that login's
SELECT ext_id, org_ext_id FROM unionreg.stage_member;
SELECT ext_id, staged_by FROM unionreg._staged_member;
SELECT unionreg.build_snapshot('2026-06-01') > 0 AS built;
SELECT built_by FROM unionreg.snapshot;
SELECT count(*) > 0 AS reads_audit FROM unionreg.audit_trail;
SELECT DISTINCT session_user_name FROM unionreg.audit_log WHERE via = 'unionreg.transfer_member' ORDER BY 1;
DELETE FROM unionreg.audit_log;
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.revoke_scope('regress_chair_t1', 'T1');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_chair_t1;
SELECT count(*) AS orgs_after_revoke FROM unionreg.org;
RESET SESSION AUTHORIZATION;

-- every public function that writes is SECURITY DEFINER with a pinned search_path,
-- every table with organization or person rows has row security
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'unionreg'::regnamespace AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
 ORDER BY 1;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'unionreg'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
 ORDER BY 1;

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();

DROP EXTENSION unionreg CASCADE;
DROP ROLE regress_chair_t1, regress_chair_p1, regress_chair_t2, regress_officer_r1,
	regress_admin, regress_reader, regress_nobody;
