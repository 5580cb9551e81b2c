-- Online admission: submitted -> approved (a member admitted online) or rejected
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('P1', 'R1', 'primary', 'Университет', '2000-01-01', 'higher', 'joint');
SELECT create_org('P2', 'R1', 'primary', 'Институт', '2000-01-01', 'science', 'workers');
SELECT liquidate_org('P2', '2024-01-01');
SELECT admit_member('M1', 'P1', '2020-01-01', 'Ёлкина', 'Анна', 'Петровна', '1990-05-05', 'f') > 0 AS admitted;

INSERT INTO application (surname, first_name, patronymic, birth_date, gender, snils, email, org_id, consent)
SELECT v.s, v.f, v.p, v.b::date, 'f', v.sn::snils, v.e, o.id, v.c
  FROM (VALUES (1, 'Смирнова', 'Ольга', 'Ивановна', '1999-02-02', NULL, 'olga@вуз.рф', 'P1', true),
			   (2, 'Елкина', 'Анна', 'Петровна', '1990-05-05', NULL, NULL, 'P1', true),
			   (3, 'Кузнецова', 'Дарья', NULL, '2001-03-03', NULL, NULL, 'P2', true),
			   (4, 'Попова', 'Ирина', NULL, '2002-04-04', NULL, NULL, 'P1', false),
			   (5, 'Морозова', 'Нина', NULL, '2003-05-05', NULL, NULL, 'P1', true)) v(n, s, f, p, b, sn, e, org, c)
  JOIN org o ON o.ext_id = v.org ORDER BY v.n;

-- approving creates the person and a membership admitted online
SELECT approve_application(1, '2025-09-01') > 0 AS approved;
SELECT p.ext_id, p.surname, m.joined_on, m.admitted_online, a.state, a.decided_on
  FROM application a JOIN person p ON p.id = a.person_id JOIN membership m ON m.person_id = p.id WHERE a.id = 1;
-- re-approving fails clearly
SELECT approve_application(1, '2025-09-02');
\echo :LAST_ERROR_SQLSTATE
-- a live member typed differently (Елкина / Ёлкина) is a duplicate: transfer is the right action
SELECT approve_application(2, '2025-09-01');
\echo :LAST_ERROR_SQLSTATE
-- approving into a liquidated primary fails
SELECT approve_application(3, '2025-09-01');
\echo :LAST_ERROR_SQLSTATE
-- no consent, no membership
SELECT approve_application(4, '2025-09-01');
\echo :LAST_ERROR_SQLSTATE
-- rejection needs a reason, and only once
SELECT reject_application(5, '');
\echo :LAST_ERROR_SQLSTATE
SELECT reject_application(5, 'не работает в организации', '2025-09-03');
SELECT reject_application(5, 'повторно', '2025-09-04');
\echo :LAST_ERROR_SQLSTATE
SELECT approve_application(5, '2025-09-04');
\echo :LAST_ERROR_SQLSTATE
SELECT reject_application(99, 'нет такой');
\echo :LAST_ERROR_SQLSTATE
SELECT id, state, decided_on, reject_reason FROM application ORDER BY id;
-- online admissions per region and year, as the union counts them
SELECT r.ext_id AS region, extract(year FROM m.joined_on) AS year, count(*) AS online
  FROM membership m JOIN org_link l ON l.org_id = m.org_id AND l.valid_to IS NULL JOIN org r ON r.id = l.parent_id
 WHERE m.admitted_online GROUP BY 1, 2;

-- the report engine's member facts (unionreg.member_fact) kept up with every write above
SELECT count(*) AS member_fact_drift FROM unionreg.member_fact_drift();
