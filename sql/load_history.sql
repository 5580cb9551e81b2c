-- History is changed only on purpose: a reload of an office's full export
-- after a move changes no link and no figure of any earlier date; dates
-- that disagree with the stored history give a warning that names the
-- correction; a move reaching back across a stored move is refused; the
-- corrections themselves are explicit, checked, audited, and say which
-- built reports they change
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_hist_officer_r77;
CREATE ROLE regress_hist_officer_r77 LOGIN IN ROLE unionreg_officer;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
C,,central,,,Профсоюз,,,,,1950-01-01,,,,,,,,,,
R66,C,regional,,,Свердловская областная организация,,,,66,1950-01-01,,,,,,,,,,
R77,C,regional,,,Московская городская организация,,,,77,1950-01-01,,,,,,,,,,
T66-1,R66,territorial,,,Городская организация 1,,,,66,1950-01-01,,,,,,,,,,
T66-2,R66,territorial,,,Районная организация 2,,,,66,1950-01-01,,,,,,,,,,
P007,T66-2,primary,school,workers,Школа № 7,,,,66,1960-01-01,,,,,,,,,,
P008,T66-2,primary,school,workers,Школа № 8,,,,66,1960-01-01,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_orgs();
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
H1,P007,Первая,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
H2,P007,Вторая,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
H3,P008,Третья,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
H4,P008,Четвёртая,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
H5,P008,Пятая,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
H6,P008,Шестая,Анна,,1970-01-01,ж,,,,работающий,,,,,2000-01-01,,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_members();

-- the office reports a move: P007 under T66-1 from 15 November 2026
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
P007,T66-1,primary,school,workers,Школа № 7,,,,66,2026-11-15,,,,,,,,,,
\.
SELECT * FROM load_orgs();
SELECT _org_history(id) FROM org WHERE ext_id = 'P007';
SELECT value AS t66_2_line_6 FROM report('T66-2', '2SP', '2026-10-01') WHERE line_code = '6';

-- every figure of every filer on many dates before the reload
CREATE TEMP TABLE dates AS SELECT d::date FROM generate_series('1995-01-01'::date, '2026-12-01', '7 months') d;
CREATE TEMP TABLE figures_before AS
SELECT d.d, o.ext_id, r.line_code, r.value
  FROM dates d CROSS JOIN (SELECT * FROM org WHERE level <> 'primary') o
 CROSS JOIN LATERAL report(o.ext_id, CASE o.level WHEN 'central' THEN '1SP' WHEN 'regional' THEN '1SP' ELSE '2SP' END, d.d) r;

-- the usual full export again, where P007 carries its creation date and its
-- parent of today: it changes no link; a row whose valid_from agrees with
-- neither the creation date nor the stored move loads with a warning that
-- shows the history and names the correction
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
C,,central,,,Профсоюз,,,,,1950-01-01,,,,,,,,,,
R66,C,regional,,,Свердловская областная организация,,,,66,1950-01-01,,,,,,,,,,
T66-1,R66,territorial,,,Городская организация 1,,,,66,1950-01-01,,,,,,,,,,
T66-2,R66,territorial,,,Районная организация 2,,,,66,1950-01-01,,,,,,,,,,
P007,T66-1,primary,school,workers,Школа № 7,,,,66,1960-01-01,,,,,,,,,,
P008,T66-2,primary,school,workers,Школа № 8,,,,66,1970-01-01,,,,,,,,,,
\.
SELECT * FROM load_orgs();
SELECT ext_id, column_name, raw, reason, hint FROM load_warning ORDER BY id;
SELECT _org_history(id) FROM org WHERE ext_id = 'P007';
SELECT count(*) AS figures, count(*) FILTER (WHERE r.value IS DISTINCT FROM b.value) AS changed
  FROM figures_before b
 CROSS JOIN LATERAL (SELECT x.value FROM report(b.ext_id, CASE WHEN b.ext_id IN ('C', 'R66', 'R77') THEN '1SP' ELSE '2SP' END, b.d) x
					  WHERE x.line_code = b.line_code) r;
SELECT value AS t66_2_line_6 FROM report('T66-2', '2SP', '2026-10-01') WHERE line_code = '6';

-- a move that reaches back across the stored move is refused with the history
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
P007,T66-2,primary,school,workers,Школа № 7,,,,66,2020-01-01,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_orgs();
SELECT ext_id, reason FROM load_reject ORDER BY id DESC LIMIT 1;

-- a member who joined before the stored creation date: refused, naming the correction
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
H7,P007,Седьмая,Анна,,1930-01-01,ж,,,,неработающий пенсионер,,,,,1958-09-01,,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_members();
SELECT ext_id, reason FROM load_reject ORDER BY id DESC LIMIT 1;

-- the corrections: the creation date earlier (the first link begins with
-- it), and the member loads; a date that would leave members outside is refused
SELECT * FROM correct_org('P007', valid_from => '1955-01-01');
SELECT _org_history(id) FROM org WHERE ext_id = 'P007';
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
H7,P007,Седьмая,Анна,,1930-01-01,ж,,,,неработающий пенсионер,,,,,1958-09-01,,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_members();
SELECT * FROM correct_org('P007', valid_from => '1999-01-01');
\echo :LAST_ERROR_SQLSTATE

-- a stored move corrected to the day it happened: the built reports of the
-- dates in between are listed (the organization's and its ancestors', before
-- and after), and the figures follow
SELECT build_snapshot('2026-10-01') IS NOT NULL AS built;
SELECT * FROM correct_org('P007', link_from => '2026-11-15', moved_on => '2026-09-01');
SELECT _org_history(id) FROM org WHERE ext_id = 'P007';
SELECT value AS t66_2_line_6 FROM report('T66-2', '2SP', '2026-10-01') WHERE line_code = '6';
-- the parent of a past link; the audit trail says through which function
SELECT * FROM correct_org('P007', link_from => '1955-01-01', parent => 'T66-1');
SELECT _org_history(id) FROM org WHERE ext_id = 'P007';
SELECT table_name, operation, via, count(*) FROM audit_trail WHERE via LIKE '%correct_org%' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- refusals: nothing to correct, a link that does not exist, two things at once,
-- a move outside its neighbours, a parent of a level not allowed, another region's officer
SELECT * FROM correct_org('P007');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_org('P007', link_from => '2000-01-01', parent => 'T66-2');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_org('P007', valid_from => '1950-01-01', valid_to => '2030-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_org('P007', link_from => '2026-09-01', moved_on => '1940-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_org('T66-1', link_from => '1950-01-01', parent => 'T66-2');
\echo :LAST_ERROR_SQLSTATE
SELECT grant_scope('regress_hist_officer_r77', 'R77');
SET SESSION AUTHORIZATION regress_hist_officer_r77;
SELECT * FROM unionreg.correct_org('P007', valid_from => '1956-01-01');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- a member's period: a reload with another start date is refused as an
-- overlap naming the correction; the correction moves the period and its
-- status and lists the reports; an open period's end goes through leave()
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
H3,P008,Третья,Анна,,1970-01-01,ж,,,,работающий,,,,,2026-03-01,,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_members();
SELECT reason FROM load_reject ORDER BY id DESC LIMIT 1;
-- a move given as the new period only: refused, naming the two ways to record it
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
H4,P007,Четвёртая,Анна,,1970-01-01,ж,,,,работающий,,,,,2026-03-01,,,,,,,,,,,
\.
SELECT loaded, rejected FROM load_members();
SELECT reason FROM load_reject ORDER BY id DESC LIMIT 1;
SELECT * FROM correct_membership('H3', '2000-01-01', new_joined_on => '2026-03-01');
SELECT m.joined_on, s.valid_from AS status_from, s.status FROM membership m JOIN person p ON p.id = m.person_id
  JOIN status_period s ON s.person_id = p.id WHERE p.ext_id = 'H3';
SELECT value AS t66_2_line_6 FROM report('T66-2', '2SP', '2026-01-01') WHERE line_code = '6';
SELECT * FROM correct_membership('H3', '2000-01-01', new_joined_on => '1999-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_membership('H3', '2026-03-01', new_left_on => '2026-06-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM correct_membership('H3', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS audited FROM audit_trail WHERE via = 'unionreg.correct_membership';

-- the staged form: a file of corrections, one correct_org() a row, each
-- refused row kept with its reason, the reports to rebuild listed once
COPY stage_org_correction FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,valid_from,link_from,parent_ext_id,moved_on,valid_to
P008,01.01.1958,,,,
P007,,01.09.2026,,15.10.2026,
NOWHERE,1958-01-01,,,,
P008,2001-01-01,,,,
T66-1,31.02.1950,,,,
\.
SELECT * FROM load_org_corrections();
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_org_correction' ORDER BY id;
SELECT ext_id, _org_history(id) FROM org WHERE ext_id IN ('P007', 'P008') ORDER BY 1;

-- an officer's load: the rows outside its subtree are rejected before the
-- load, and the load's one NOTICE counts them as its result does
SET SESSION AUTHORIZATION regress_hist_officer_r77;
INSERT INTO unionreg.stage_baseline (org_ext_id, as_of, members) VALUES ('R77', '2026-01-01', '500'), ('R66', '2026-01-01', '900');
SET client_min_messages = notice;
SELECT * FROM unionreg.load_baselines();
SET client_min_messages = warning;
RESET SESSION AUTHORIZATION;

-- a region code that disagrees with the regional organization above
UPDATE org SET region_code = 50 WHERE ext_id = 'P008';
SELECT * FROM validate_hierarchy('2026-10-01');

-- starting over: the administrator's, confirmed with the database's name,
-- refused while snapshots hold the figures unless they go too; the catalogs
-- and the audit trail stay, the trail recording each emptied table
SELECT * FROM reset_register('yes');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM reset_register(current_database());
\echo :LAST_ERROR_SQLSTATE
SET SESSION AUTHORIZATION regress_hist_officer_r77;
SELECT * FROM unionreg.reset_register(current_database(), true);
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;
SELECT * FROM reset_register(current_database(), p_drop_snapshots => true) WHERE rows_removed > 0;
SELECT (SELECT count(*) FROM org) AS orgs, (SELECT count(*) FROM person) AS persons, (SELECT count(*) FROM snapshot) AS snapshots,
	   (SELECT count(*) FROM form_line) > 0 AS forms_kept, (SELECT count(*) FROM level) AS levels;
SELECT table_name, new_row FROM audit_log WHERE operation = 'TRUNCATE' AND table_name IN ('org', 'person', 'snapshot') ORDER BY id;
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
C,,central,,,Профсоюз,,,,,1950-01-01,,,,,,,,,,
\.
SELECT loaded, rejected, inserted FROM load_orgs();

RESET client_min_messages;
SET client_min_messages = warning;
DROP EXTENSION unionreg CASCADE;
DROP ROLE regress_hist_officer_r77;
