-- Staged loading of members and paper baselines
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never
-- progress NOTICEs carry timings; the outcome is shown by the queries below
SET client_min_messages = warning;

COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
C,,central,,,Профсоюз,,,,,1990-01-01,,,,,,,,,,
R1,C,regional,,,Регион 1,,,,1,1991-01-01,,,,,,,,,,
T1,R1,territorial,,,Территориальная 1,,,,1,1995-01-01,,,,,,,,,,
P1,T1,primary,school,workers,Школа № 1,,,,1,2000-01-01,,,,,,,,,,
P2,T1,primary,higher,joint,Университет,,,,1,2000-01-01,,,,,,,,,,
P3,T1,primary,preschool,workers,Детский сад (закрыт),,,,1,2000-01-01,2019-01-01,,,,,,,,,
S1,P1,subdivision,,,Профгруппа 1,,,,1,2010-01-01,,,,,,,,,,
S11,S1,subdivision,,,Профгруппа 1.1,,,,1,2012-01-01,,,,,,,,,,
S2,P2,subdivision,,,Профгруппа 2,,,,1,2010-01-01,,,,,,,,,,
\.
SELECT * FROM load_orgs();

-- a shuffled file: good rows and every kind of bad row.  A bad required
-- field (or a rule between rows) rejects the row; a bad optional field
-- (SNILS, card, a boolean, a position for a student, a status) loads the
-- row without it, with a warning that keeps the raw value; two rows alike
-- load once; м/ж are genders
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
B-DATE,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-02-30,,,,,,,,,,,
M1,P1,Иванова,Анна,Петровна,1980-03-15,f,112-233-445 95,anna@школа.рф,+7 900 000-00-01,working,да,teacher,,,2015-09-01,2021-03-01,transferred,нет,,,,2021-05-01,2021-05-02,t,f,
B-ORG,NOWHERE,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
M2,S11,Петров,Пётр,,1975-01-20,m,,petrov@@mail,,pensioner,,,,,2016-09-01,,,1,2200000000000012,issued,2021-03-15,,,1,1,1
B-LEVEL,T1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
M1,S2,Иванова,Анна,Петровна,1980-03-15,f,112-233-445 95,anna@школа.рф,+7 900 000-00-01,working,t,faculty,,,2021-03-01,,,f,2200000000000020,delivered_to_region,2024-02-01,2021-05-01,2021-05-02,t,f,
B-STATUS,P1,Ошибкина,Анна,,1980-01-01,f,,,,worker,,,,,2020-01-01,,,,,,,,,,,
M3,P2,Сидорова,Мария,,2003-04-04,f,,,,student,,,bachelor,t,2021-09-01,,,true,,,,,,,,
B-NOREASON,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,2021-01-01,,,,,,,,,,
B-REASON,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,2021-01-01,bored,,,,,,,,,
B-ORDER,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,2019-01-01,own_wish,,,,,,,,,
B-SNILS,P1,Ошибкина,Анна,,1980-01-01,f,112-233-445 96,,,working,,,,,2020-01-01,,,,,,,,,,,
B-CARD,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,,,,2200000000000013,issued,2021-01-01,,,,,
B-CARDSTATE,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,,,,2200000000000038,stolen,2021-01-01,,,,,
B-GENDER,P1,Ошибкина,Анна,,1980-01-01,ж,,,,working,,,,,2020-01-01,,,,,,,,,,,
B-ATTR,P1,Ошибкина,Анна,,1980-01-01,f,,,,student,,teacher,,,2020-01-01,,,,,,,,,,,
B-BOOL,P1,Ошибкина,Анна,,1980-01-01,f,,,,working,может быть,,,,2020-01-01,,,,,,,,,,,
B-CLOSED,P3,Ошибкина,Анна,,1980-01-01,f,,,,working,,,,,2018-01-01,,,,,,,,,,,
B-NONAME,P1,,Анна,,1980-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
B-OVERLAP,P1,Ошибкина,Вера,,1981-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
B-OVERLAP,P2,Ошибкина,Вера,,1981-01-01,f,,,,working,,,,,2022-01-01,,,,,,,,,,,
B-TWICE,P1,Ошибкина,Нина,,1982-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
B-TWICE,P1,Ошибкина,Нина,,1982-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
B-SHARED,P1,Ошибкина,Ада,,1983-01-01,f,,,,working,,,,,2020-01-01,,,,2200000000000046,issued,2021-03-15,,,,,
B-SHARED2,P1,Ошибкина,Ида,,1984-01-01,f,,,,working,,,,,2020-01-01,,,,2200000000000046,issued,2021-03-15,,,,,
M4,P1,ЁЛКИНА ,Анна,Петровна,1990-05-05,f,,,,,,,,,2020-01-01,,,,,,,,,,,
M4-DUP,P2,Елкина,Aнна,Петровна,1990-05-05,f,,,,,,,,,2020-01-01,,,,,,,,,,,
\.
SELECT count(*) AS staged FROM stage_member;
SELECT * FROM load_members();
-- nothing is silently dropped, and the staging table is emptied
SELECT count(*) AS still_staged FROM stage_member;
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_member' ORDER BY ext_id, id;
-- the raw row is kept untouched
SELECT raw ->> 'joined_on' AS joined_on_as_staged, raw ->> 'surname' AS surname FROM load_reject WHERE ext_id = 'B-DATE';
-- what was left out of the rows that loaded, with the raw values
SELECT ext_id, column_name, raw, reason, hint FROM load_warning WHERE source = 'stage_member' ORDER BY id;
SELECT ext_id, gender, snils FROM person WHERE ext_id IN ('B-GENDER', 'B-SNILS', 'B-TWICE') ORDER BY ext_id;

-- what was loaded: periods, statuses, cards, consents
SELECT p.ext_id, o.ext_id AS org, s.ext_id AS subdivision, m.joined_on, m.left_on, m.left_reason, m.admitted_online
  FROM membership m JOIN person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id
  LEFT JOIN org s ON s.id = m.subdivision_id ORDER BY p.ext_id, m.joined_on;
SELECT p.ext_id, s.status, s.valid_from, s.valid_to, s.pedagogical, s.position, s.student_level, s.full_time
  FROM status_period s JOIN person p ON p.id = s.person_id ORDER BY p.ext_id, s.valid_from;
SELECT p.ext_id, c.number, c.state, c.state_on FROM card c JOIN person p ON p.id = c.person_id ORDER BY c.number;
SELECT p.ext_id, pc.channel, pc.on_date, pc.given FROM person_consent pc JOIN person p ON p.id = pc.person_id
 ORDER BY p.ext_id, pc.channel, pc.on_date;
SELECT ext_id, snils, virtual_card_on, profcards_on FROM person WHERE ext_id IN ('M1', 'M2') ORDER BY ext_id;
-- suspected duplicates typed differently are loaded, and shown
SELECT ext_id_a, ext_id_b, matched_by FROM duplicate_persons;

-- a second run with the same good rows changes nothing and duplicates nothing
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM person) AS persons, (SELECT count(*) FROM membership) AS periods,
	   (SELECT count(*) FROM status_period) AS statuses, (SELECT count(*) FROM card_event) AS card_moves,
	   (SELECT count(*) FROM person_consent) AS consents;
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
M1,S2,Иванова,Анна,Петровна,1980-03-15,f,112-233-445 95,anna@школа.рф,+7 900 000-00-01,working,t,faculty,,,2021-03-01,,,f,2200000000000020,delivered_to_region,2024-02-01,2021-05-01,2021-05-02,t,f,
M1,P1,Иванова,Анна,Петровна,1980-03-15,f,112-233-445 95,anna@школа.рф,+7 900 000-00-01,working,да,teacher,,,2015-09-01,2021-03-01,transferred,нет,,,,2021-05-01,2021-05-02,t,f,
M2,S11,Петров,Пётр,,1975-01-20,m,,petrov@@mail,,pensioner,,,,,2016-09-01,,,1,2200000000000012,issued,2021-03-15,,,1,1,1
M3,P2,Сидорова,Мария,,2003-04-04,f,,,,student,,,bachelor,t,2021-09-01,,,true,,,,,,,,
\.
SELECT * FROM load_members();
SELECT (SELECT count(*) FROM person) AS persons, (SELECT count(*) FROM membership) AS periods,
	   (SELECT count(*) FROM status_period) AS statuses, (SELECT count(*) FROM card_event) AS card_moves,
	   (SELECT count(*) FROM person_consent) AS consents
EXCEPT SELECT * FROM before;

-- a staged card state is a move from the stored one: issued -> produced is refused,
-- delivered_to_region -> issued goes through and is logged; a leave closes one period and
-- the next follows; a period that overlaps a stored one is refused
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
M2,S11,Петров,Пётр,,1975-01-20,m,,petrov@@mail,,pensioner,,,,,2016-09-01,,,1,2200000000000012,produced,2025-01-01,,,1,1,1
M1,S2,Иванова,Анна,Петровна,1980-03-15,f,112-233-445 95,anna@школа.рф,+7 900 000-00-01,working,t,faculty,,,2021-03-01,,,f,2200000000000020,issued,2025-02-01,2021-05-01,2021-05-02,t,f,
M3,P2,Сидорова,Мария,,2003-04-04,f,,,,student,,,bachelor,t,2021-09-01,2025-07-01,graduated,true,,,,,,,,
M3,P1,Сидорова,Мария,,2003-04-04,f,,,,working,,,,,2025-07-01,,,,,,,,,,,
M4,P1,ЁЛКИНА,Анна,Петровна,1990-05-05,f,,,,,,,,,2019-01-01,2020-06-01,own_wish,,,,,,,,,
\.
SELECT * FROM load_members();
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_member' AND ext_id IN ('M1', 'M2', 'M3', 'M4') ORDER BY ext_id;
SELECT c.number, e.from_state, e.to_state, e.on_date FROM card_event e JOIN card c ON c.id = e.card_id
 WHERE c.number = '2200000000000020' ORDER BY e.on_date;
SELECT joined_on, left_on, left_reason FROM membership WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M3');

-- rules only the database sees (a DBA's check on person, a DBA's trigger on
-- membership), with batches of two persons: DB1 and DB2 go through, DB3 and
-- DB4 fail together, which takes DB1 and DB2 back with them (the batches
-- share a subtransaction): those are written again, and DB3 and DB4 are
-- split down to one person, whose rows go one at a time, oldest period
-- first; DB5 goes through; only the bad rows are rejected
ALTER TABLE person ADD CONSTRAINT dba_no_test_phone CHECK (phone IS DISTINCT FROM '+7 000 000-00-00');
CREATE FUNCTION public.dba_no_leap_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'DBA rule: no membership begins on 29 February' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER dba_no_leap_day BEFORE INSERT ON membership
	FOR EACH ROW WHEN (NEW.joined_on = '2024-02-29') EXECUTE FUNCTION public.dba_no_leap_day();
SET unionreg.load_batch_persons = 2;
SHOW unionreg.load_batch_persons;
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
DB5,P1,Пятая,Ольга,,1985-05-05,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
DB3,P2,Третья-Новая,Ольга,,1983-03-03,f,,,,working,,,,,2024-02-29,,,,,,,,,,,
DB1,P1,Первая,Ольга,,1981-01-01,f,,,,working,,,,,2020-01-01,,,,,,,,,,,
DB4,P1,Четвёртая,Ольга,,1984-04-04,f,,,+7 000 000-00-00,working,,,,,2020-01-01,2022-01-01,own_wish,,,,,,,,,
DB3,P1,Третья,Ольга,,1983-03-03,f,,,,working,,,,,2019-01-01,2024-02-29,transferred,,,,,,,,,
DB4,P2,Четвёртая,Ольга,,1984-04-04,f,,,+7 000 000-00-00,student,,,bachelor,t,2022-01-01,,,,,,,,,,,
DB2,P2,Вторая,Ольга,,1982-02-02,f,,,,pensioner,,,,,2020-01-01,,,,,,,,,,,
\.
SELECT * FROM load_members();
-- (the failing row's text, with its identity value, cut off)
SELECT ext_id, raw->>'joined_on' AS joined_on, regexp_replace(reason, ' \(Failing row contains .*', '') AS reason
  FROM load_reject WHERE source = 'stage_member' AND ext_id LIKE 'DB%' ORDER BY ext_id, raw->>'joined_on';
-- DB3's first period loaded; its second (the one the trigger refuses) did
-- not, so the first period's row speaks for the person
SELECT p.ext_id, p.surname, m.org_id = (SELECT id FROM org WHERE ext_id = 'P1') AS in_p1, m.joined_on, m.left_on
  FROM person p JOIN membership m ON m.person_id = p.id
 WHERE p.ext_id LIKE 'DB%' ORDER BY p.ext_id, m.joined_on;
SELECT count(*) AS db4_stored FROM person WHERE ext_id = 'DB4';
RESET unionreg.load_batch_persons;
DROP TRIGGER dba_no_leap_day ON membership;
DROP FUNCTION public.dba_no_leap_day();
ALTER TABLE person DROP CONSTRAINT dba_no_test_phone;
-- the load's internals: its owner's (load_members() runs them as its definer), nobody else's
SELECT f, has_function_privilege('public', f, 'EXECUTE') AS anyone_may_run
  FROM unnest(ARRAY['unionreg._load_members_with_facts()', 'unionreg._load_members_unchecked()',
					'unionreg._load_members_write(bigint, bigint, bigint)',
					'unionreg._load_members_write_split(bigint, bigint)']::regprocedure[]) f;
-- a batch size the setting refuses
SET unionreg.load_batch_persons = 0;

-- paper baselines (a file without the organization counts names its columns)
COPY stage_baseline (org_ext_id, as_of, members, working, students, pensioners, employees) FROM STDIN WITH (FORMAT csv, HEADER);
org_ext_id,as_of,members,working,students,pensioners,employees
R1,2026-01-01,120,100,15,2,300
T1,2026-01-01,40,30,5,1,120
NOWHERE,2026-01-01,1,1,0,0,1
T1,2026-13-01,1,1,0,0,1
P1,2026-01-01,10,9,3,0,20
P2,2026-01-01,-5,,,,
\.
SELECT * FROM load_baselines();
SELECT o.ext_id, b.as_of, b.members, b.working, b.students, b.pensioners, b.employees
  FROM paper_baseline b JOIN org o ON o.id = b.org_id ORDER BY o.ext_id;
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_baseline' ORDER BY id;

-- two baseline rows alike load once, with a warning; a reload that changes
-- nothing says so
COPY stage_baseline FROM STDIN WITH (FORMAT csv, HEADER);
org_ext_id,as_of,members,working,students,pensioners,employees,primaries,territorials
R1,2026-01-01,120,100,15,2,300,12,3
T1,2025-01-01,38,28,5,1,110,,
T1,2025-01-01,38,28,5,1,110,,
P1,2026-01-01,11,9,3,0,20,,
R1,2025-01-01,100,90,5,2,250,много,
\.
SELECT * FROM load_baselines();
SELECT ext_id, raw, reason FROM load_warning WHERE source = 'stage_baseline' ORDER BY id;
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_baseline' ORDER BY id DESC LIMIT 1;
SELECT o.ext_id, b.as_of, b.members, b.primaries, b.territorials FROM paper_baseline b JOIN org o ON o.id = b.org_id
 WHERE o.ext_id = 'R1' ORDER BY b.as_of;

-- a file as a Russian office exports it: dates DD.MM.YYYY and D.M.YYYY,
-- genders м/ж, codes by their Russian labels in any case, ё or е; a SNILS
-- that lost its leading zero and a card number in exponent form load the
-- member without them, with the reason and the usual cause; a date outside
-- the register's years is said to be so; a join date or a card move after
-- the load day is refused
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
RU1,P1,Кузнецова,Ольга,Ивановна,05.03.1979,ж,,,8 (343) 123-45-67,Работающий,да,Учитель,,,1.9.2019,,,,2200000000000053,выдан,15.01.2021,,,,,
RU2,P2,Морозов,Илья,,1.2.2004,м,,,,обучающийся,,,"Бакалавриат, специалитет",  ,01.09.2022,01.07.2026,в связи с окончанием обучения,,,,,,,,,
RU3,P1,Смирнова,Ёлка,,1985-06-07,Ж,1234567819,,,неработающий пенсионер,,,,,2018-02-01,,,,2.20221E+15,Выдан,2021-01-01,,,,,
RU4,P1,Старая,Вера,,31.12.1899,ж,,,после 18:00,работающий,,,,,2019-01-01,,,,,,,,,,,
RU5,P1,Будущая,Вера,,1990-01-01,ж,,,,работающий,,,,,2150-01-01,,,,,,,,,,,
RU6,P1,Завтрашняя,Вера,,1990-01-01,ж,,,,работающий,,,,,2020-01-01,,,,2200000000000061,выдан,2099-01-01,,,,,
\.
SELECT * FROM load_members();
SELECT p.ext_id, p.birth_date, p.gender, p.snils, p.phone, s.status, s.pedagogical, s.position, s.student_level, m.joined_on,
	   m.left_on, m.left_reason, c.number, c.state, c.state_on
  FROM person p JOIN membership m ON m.person_id = p.id
  LEFT JOIN status_period s ON s.person_id = p.id AND s.valid_from = m.joined_on
  LEFT JOIN card c ON c.person_id = p.id
 WHERE p.ext_id LIKE 'RU%' ORDER BY p.ext_id;
SELECT ext_id, column_name, raw, reason, hint FROM load_warning
 WHERE source = 'stage_member' AND ext_id LIKE 'RU%' ORDER BY id;
SELECT ext_id, regexp_replace(reason, 'load day [0-9-]+', 'load day D') AS reason
  FROM load_reject WHERE source = 'stage_member' AND ext_id LIKE 'RU%' ORDER BY ext_id;

-- the office's full export loaded again: nothing changes, whatever the file
-- says of a period the register holds.  RU2's stored period has ended; an
-- older export that still has it open, and one that moves it to another
-- primary, leave it as it is, with a warning that names the correction; a
-- period the register has open may be ended; a changed start date is an
-- overlap the register refuses, naming the correction
CREATE TEMP TABLE held AS
SELECT p.ext_id, m.joined_on, m.left_on, m.left_reason, m.org_id FROM membership m JOIN person p ON p.id = m.person_id;
COPY stage_member FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,org_ext_id,surname,first_name,patronymic,birth_date,gender,snils,email,phone,status,pedagogical,position,student_level,full_time,joined_on,left_on,left_reason,admitted_online,card_number,card_status,card_status_on,virtual_card_on,profcards_on,consent_email,consent_sms,consent_push
RU1,P1,Кузнецова,Ольга,Ивановна,05.03.1979,ж,,,,Работающий,да,Учитель,,,1.9.2019,,,,2200000000000053,выдан,15.01.2021,,,,,
RU2,P2,Морозов,Илья,,1.2.2004,м,,,,обучающийся,,,бакалавриат,,01.09.2022,,,,,,,,,,,
M3,P1,Сидорова,Мария,,2003-04-04,f,,,,working,,,,,2025-07-01,2026-02-01,own_wish,,,,,,,,,
M4,P1,ЁЛКИНА,Анна,Петровна,1990-05-05,f,,,,,,,,,2019-01-01,2020-06-01,own_wish,,,,,,,,,
M2,P2,Петров,Пётр,,1975-01-20,m,,petrov@@mail,,pensioner,,,,,2016-09-01,,,1,2200000000000012,issued,2021-03-15,,,1,1,1
RU3,P1,Смирнова,Ёлка,,1985-06-07,Ж,,,,неработающий пенсионер,,,,,2018-03-01,,,,,,,,,,,
\.
SELECT * FROM load_members();
SELECT h.ext_id, h.joined_on, h.left_on AS held_left_on, m.left_on, m.left_reason, m.org_id = h.org_id AS same_org
  FROM held h JOIN person p ON p.ext_id = h.ext_id JOIN membership m ON m.person_id = p.id AND m.joined_on = h.joined_on
 WHERE (h.left_on, h.left_reason, h.org_id) IS DISTINCT FROM (m.left_on, m.left_reason, m.org_id)
	OR h.ext_id IN ('RU2', 'M2') ORDER BY h.ext_id, h.joined_on;
SELECT ext_id, reason, hint FROM load_warning WHERE source = 'stage_member' AND column_name IS NULL AND raw IS NOT NULL
   AND ext_id IN ('RU2', 'M2') ORDER BY id;
SELECT ext_id, reason FROM load_reject WHERE source = 'stage_member' AND ext_id IN ('RU3', 'M4') ORDER BY id DESC LIMIT 2;

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();
