-- Members over time: persons, membership and status periods, transfers, leaving
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('T1', 'R1', 'territorial', 'Территориальная 1', '1995-01-01');
SELECT create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT create_org('P2', 'T1', 'primary', 'Детский сад № 2', '2000-01-01', 'preschool', 'workers');
SELECT create_org('P3', 'T1', 'primary', 'Колледж № 3', '2018-01-01', 'professional', 'joint');
SELECT create_org('S1', 'P1', 'subdivision', 'Профгруппа начальной школы', '2010-01-01');
SELECT create_org('S2', 'P2', 'subdivision', 'Профгруппа сада', '2010-01-01');

-- paper admission: a person and a membership period
SELECT admit_member('M1', 'P1', '2015-09-01', 'Иванова', 'Анна', 'Петровна', '1980-03-15', 'f', '112-233-445 95') > 0 AS admitted;
SELECT admit_member('M2', 'S1', '2016-09-01', 'Петров', 'Пётр', NULL, '1975-01-20', 'm') > 0 AS admitted_to_subdivision;
SELECT p.ext_id, o.ext_id AS org, s.ext_id AS subdivision, m.joined_on, m.left_on, m.admitted_online
  FROM membership m JOIN person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id
  LEFT JOIN org s ON s.id = m.subdivision_id ORDER BY p.ext_id;

-- a membership stands in a primary, not a territorial organization
INSERT INTO membership (person_id, org_id, joined_on, left_on, left_reason)
SELECT p.id, o.id, '2010-01-01', '2011-01-01', 'own_wish' FROM person p, org o WHERE p.ext_id = 'M2' AND o.ext_id = 'T1';
\echo :LAST_ERROR_SQLSTATE
-- the primary is live for the whole period (P3 was created in 2018)
INSERT INTO membership (person_id, org_id, joined_on, left_on, left_reason)
SELECT p.id, o.id, '2014-01-01', '2015-01-01', 'own_wish' FROM person p, org o WHERE p.ext_id = 'M1' AND o.ext_id = 'P3';
\echo :LAST_ERROR_SQLSTATE
-- a subdivision must be one of the member's primary
INSERT INTO membership (person_id, org_id, subdivision_id, joined_on, left_on, left_reason)
SELECT p.id, o.id, s.id, '2010-01-01', '2011-01-01', 'own_wish'
  FROM person p, org o, org s WHERE p.ext_id = 'M1' AND o.ext_id = 'P1' AND s.ext_id = 'S2';
\echo :LAST_ERROR_SQLSTATE
-- one person's periods never overlap
INSERT INTO membership (person_id, org_id, joined_on)
SELECT p.id, o.id, '2020-01-01' FROM person p, org o WHERE p.ext_id = 'M1' AND o.ext_id = 'P2';
\echo :LAST_ERROR_SQLSTATE
-- leaving needs a reason, and one from the catalog
UPDATE membership SET left_on = '2020-01-01' WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M1');
\echo :LAST_ERROR_SQLSTATE
SELECT leave('M1', '2020-01-01', 'bored');
\echo :LAST_ERROR_SQLSTATE
SELECT leave('M1', '2015-09-01', 'own_wish');
\echo :LAST_ERROR_SQLSTATE
-- a period before the first one, closed with a reason: fine
INSERT INTO membership (person_id, org_id, joined_on, left_on, left_reason)
SELECT p.id, o.id, '2010-01-01', '2012-01-01', 'left_job' FROM person p, org o WHERE p.ext_id = 'M1' AND o.ext_id = 'P2';

-- transfer: one period closes, the next opens, in one step
SELECT transfer_member('M1', 'P2', '2021-03-01');
SELECT transfer_member('M1', 'S2', '2022-09-01');
SELECT transfer_member('M1', 'S2', '2023-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT transfer_member('M1', 'T1', '2023-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT transfer_member('M9', 'P1', '2023-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT o.ext_id AS org, s.ext_id AS subdivision, m.joined_on, m.left_on, m.left_reason
  FROM membership m JOIN org o ON o.id = m.org_id LEFT JOIN org s ON s.id = m.subdivision_id
 WHERE m.person_id = (SELECT id FROM person WHERE ext_id = 'M1') ORDER BY m.joined_on;

-- leave: the period ends on the first day no longer a member
SELECT leave('M2', '2024-06-01', 'retired');
SELECT joined_on, left_on, left_reason FROM membership WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M2');
SELECT leave('M2', '2025-01-01', 'own_wish');
\echo :LAST_ERROR_SQLSTATE

-- an organization with members on a date cannot be liquidated on it
SELECT liquidate_org('P2', '2023-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT liquidate_org('S2', '2023-01-01');
\echo :LAST_ERROR_SQLSTATE
-- once the member moved away, it can
SELECT transfer_member('M1', 'P1', '2024-01-01');
SELECT liquidate_org('S2', '2024-01-01');
SELECT liquidate_org('P2', '2024-01-01');
-- a primary with a member of its own (no subdivision in the way)
SELECT create_org('P4', 'T1', 'primary', 'Лицей № 4', '2000-01-01', 'school', 'workers');
SELECT admit_member('M4', 'P4', '2019-01-01', 'Соколова', 'Ольга', NULL, '1985-07-07', 'f') > 0 AS admitted;
SELECT liquidate_org('P4', '2022-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT leave('M4', '2022-01-01', 'left_job');
SELECT liquidate_org('P4', '2022-01-01');

-- statuses over time: no overlap, attributes that fit the status
INSERT INTO status_period (person_id, status, valid_from, valid_to, pedagogical, position)
SELECT id, 'working', '2015-09-01', '2024-01-01', true, 'teacher' FROM person WHERE ext_id = 'M1';
INSERT INTO status_period (person_id, status, valid_from, pedagogical)
SELECT id, 'pensioner', '2023-01-01', NULL FROM person WHERE ext_id = 'M1';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO status_period (person_id, status, valid_from, student_level)
SELECT id, 'working', '2024-01-01', 'master' FROM person WHERE ext_id = 'M1';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO status_period (person_id, status, valid_from, position)
SELECT id, 'working', '2024-01-01', 'janitor' FROM person WHERE ext_id = 'M1';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO status_period (person_id, status, valid_from)
SELECT id, 'pensioner', '2024-01-01' FROM person WHERE ext_id = 'M1';
-- unknown is the absence of a status: countable on any date
SELECT d::date AS on_date,
	   count(*) FILTER (WHERE s.status IS NULL) AS unknown,
	   count(*) FILTER (WHERE s.status = 'working') AS working,
	   count(*) FILTER (WHERE s.status = 'pensioner') AS pensioner
  FROM (VALUES ('2020-01-01'), ('2024-06-01')) v(d)
  JOIN membership m ON m.joined_on <= d::date AND (m.left_on IS NULL OR m.left_on > d::date)
  LEFT JOIN status_period s ON s.person_id = m.person_id AND s.valid_from <= d::date
	   AND (s.valid_to IS NULL OR s.valid_to > d::date)
 GROUP BY d ORDER BY d;

-- consents, each with its date
INSERT INTO person_consent (person_id, channel, on_date, given)
SELECT id, c, '2020-01-01', true FROM person, unnest(ARRAY['email', 'sms', 'push']) c WHERE ext_id = 'M1';
INSERT INTO person_consent (person_id, channel, on_date, given)
SELECT id, 'fax', '2020-01-01', true FROM person WHERE ext_id = 'M1';
\echo :LAST_ERROR_SQLSTATE

-- duplicates: admitting someone who is already a live member is refused, with the fix in the hint
SELECT admit_member('M3', 'P3', '2024-02-01', 'ИВАНОВА', 'Анна', 'Петровна', '1980-03-15', 'f');
\echo :LAST_ERROR_SQLSTATE
SELECT admit_member('M3', 'P1', '2024-02-01', 'Сидорова', 'Анна', NULL, '1990-01-01', 'f', '11223344595');
\echo :LAST_ERROR_SQLSTATE
-- unless forced: then the view shows the pair for cleaning up
SELECT admit_member('M3', 'P1', '2024-02-01', 'ИВАНОВА', 'Анна', 'Петровна', '1980-03-15', 'f', p_force => true) > 0 AS forced;
SELECT ext_id_a, name_a, ext_id_b, name_b, matched_by FROM duplicate_persons;
-- found from the keys that repeat: the same pairs as a self-join, in the same order
SELECT (SELECT array_agg(d ORDER BY n) FROM (SELECT row_number() OVER () AS n, d FROM duplicate_persons d) x)::text
       = (SELECT array_agg(ROW(a.ext_id, concat_ws(' ', a.surname, a.first_name, a.patronymic),
                               b.ext_id, concat_ws(' ', b.surname, b.first_name, b.patronymic), a.birth_date,
                               CASE WHEN a.snils = b.snils AND a.name_key = b.name_key THEN 'snils and name'
                                    WHEN a.snils = b.snils THEN 'snils' ELSE 'name and birth date' END)
                           ORDER BY concat_ws(' ', a.surname, a.first_name, a.patronymic) COLLATE ru, a.ext_id, b.ext_id)
            FROM person a JOIN person b ON b.id > a.id
             AND (b.snils = a.snils OR (b.name_key = a.name_key AND b.birth_date = a.birth_date)))::text AS same_as_self_join;
-- an earlier member who left is no duplicate: they come back
SELECT admit_member('M2', 'P1', '2025-01-01', 'Петров', 'Пётр', NULL, '1975-01-20', 'm') > 0 AS readmitted;
SELECT count(*) AS periods_of_m2 FROM membership WHERE person_id = (SELECT id FROM person WHERE ext_id = 'M2');

-- contacts to fix: an invalid address, a missing consent
UPDATE person SET email = 'anna@школа.рф' WHERE ext_id = 'M1';
UPDATE person SET email = 'petrov@@mail' WHERE ext_id = 'M2';
UPDATE person SET email = 'ivanova@mail.ru' WHERE ext_id = 'M3';
SELECT who, org_ext_id, person_ext_id, email, problem FROM contact_problems ORDER BY person_ext_id;

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();
