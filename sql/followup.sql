-- The regional office's follow-up lists, each cut to the login's subtree:
-- members who refused the card and have no virtual one, applications
-- waiting, chairmen with no login, chairmen the mail cannot reach
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_fu_officer_r1;
DROP ROLE IF EXISTS regress_fu_chair_p1;
DROP ROLE IF EXISTS regress_fu_reader;
CREATE ROLE regress_fu_officer_r1 LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_fu_chair_p1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_fu_reader LOGIN IN ROLE unionreg_reader;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT count(*) AS orgs FROM (VALUES
	(create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01')),
	(create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01')),
	(create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01')),
	(create_org('T1', 'R1', 'territorial', 'Район 1', '1995-01-01')),
	(create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers')),
	(create_org('P2', 'T1', 'primary', 'Школа № 2', '2000-01-01', 'school', 'workers')),
	(create_org('P3', 'R2', 'primary', 'Университет', '2000-01-01', 'higher', 'joint'))) v(x);
SELECT count(admit_member(m, o, '2020-01-01', 'Фамилия ' || m, 'Имя')) AS admitted
  FROM (VALUES ('M1', 'P1'), ('M2', 'P1'), ('M3', 'P3'), ('M4', 'P2'), ('M5', 'P1')) v(m, o);
-- M1 refused the card, no virtual card; M2 refused but uses the app; M3 the
-- same as M1 in another region; M4 refused a first card and holds a second;
-- M5 refused and left
SELECT request_card(p, n::card_number, '2021-01-01'), move_card(n::card_number, 'refused', '2021-02-01')
  FROM (VALUES ('M1', '2200000000000012'), ('M2', '2200000000000020'), ('M3', '2200000000000038'),
			   ('M4', '2200000000000046'), ('M5', '2200000000000053')) v(p, n);
UPDATE person SET virtual_card_on = '2021-03-01' WHERE ext_id = 'M2';
SELECT request_card('M4', '2200000000000061', '2021-03-01');
SELECT leave('M5', '2022-01-01', 'own_wish');
SELECT person_ext_id, surname, org_ext_id, card_number, refused_on FROM refused_without_card ORDER BY 1;

-- applications: two waiting, one decided
INSERT INTO application (surname, first_name, org_id, consent, submitted_at)
SELECT s, 'Анна', o.id, true, current_date - d
  FROM (VALUES ('Ждущая', 'P1', 10), ('Давняя', 'P3', 40), ('Решённая', 'P2', 5)) v(s, x, d) JOIN org o ON o.ext_id = x;
SELECT reject_application((SELECT id FROM application WHERE surname = 'Решённая'), 'дубликат');
SELECT surname, org_ext_id, age_days FROM pending_applications ORDER BY age_days DESC;

-- chairmen: T1's has no e-mail, P1's an invalid one, P2's no consent, P3's
-- all in order; only P1 has a login
INSERT INTO org_chairman (org_id, name, term_from, term_to, email, email_consent)
SELECT o.id, n, '2024-01-01', '2029-01-01', e, c
  FROM (VALUES ('T1', 'Иванов Иван', NULL, NULL), ('P1', 'Петрова Анна', 'anna@@school', true),
			   ('P2', 'Сидоров Пётр', 'petr@школа.рф', false), ('P3', 'Орлова Ирина', 'irina@vuz.ru', true),
			   ('R2', '', NULL, NULL)) v(x, n, e, c) JOIN org o ON o.ext_id = x;
SELECT grant_scope('regress_fu_chair_p1', 'P1');
SELECT grant_scope('regress_fu_officer_r1', 'R1');
SELECT org_ext_id, chairman_name FROM chairmen_without_access ORDER BY 1;
SELECT org_ext_id, chairman_name, email, problem FROM chairmen_contact_problems ORDER BY 1;

-- each login its subtree: the officer of R1 sees nothing of R2, the chairman
-- of P1 only P1, the reader none of it (names of people)
SET SESSION AUTHORIZATION regress_fu_officer_r1;
SELECT 'refused' AS list, string_agg(person_ext_id, ', ' ORDER BY person_ext_id) FROM unionreg.refused_without_card
UNION ALL SELECT 'pending', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.pending_applications
UNION ALL SELECT 'no access', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.chairmen_without_access
UNION ALL SELECT 'contacts', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.chairmen_contact_problems;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_fu_chair_p1;
SELECT ext_id, region_ext_id FROM unionreg.org_tree ORDER BY ext_id;
SELECT 'refused' AS list, string_agg(person_ext_id, ', ' ORDER BY person_ext_id) FROM unionreg.refused_without_card
UNION ALL SELECT 'pending', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.pending_applications
UNION ALL SELECT 'no access', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.chairmen_without_access
UNION ALL SELECT 'contacts', string_agg(org_ext_id, ', ' ORDER BY org_ext_id) FROM unionreg.chairmen_contact_problems;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_fu_reader;
-- the reader drills down the whole tree, with each organization's region
SELECT ext_id, level, parent_ext_id, region_ext_id, depth FROM unionreg.org_tree ORDER BY depth, ext_id;
SELECT count(*) FROM unionreg.refused_without_card;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM unionreg.chairmen_contact_problems;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

SET client_min_messages = warning;
DROP EXTENSION unionreg CASCADE;
DROP ROLE regress_fu_officer_r1;
DROP ROLE regress_fu_chair_p1;
DROP ROLE regress_fu_reader;
