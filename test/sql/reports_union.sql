-- test/sql/reports_union.sql: the small union the report tests share
-- (sql/reports.sql, sql/reports_analytics.sql, sql/reports_engine.sql):
-- two regions, a territorial each, a school, a college, a university
-- straight under its region, a school that moves region on 2026-02-01, one
-- created that day, a profgroup; members with statuses, a transfer, a
-- leaving, a card's moves, a virtual card, two chairmen.
SELECT count(*) AS orgs FROM (VALUES
	(create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01')),
	(create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01')),
	(create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01')),
	(create_org('T1', 'R1', 'territorial', 'Район 1', '1995-01-01')),
	(create_org('T2', 'R2', 'territorial', 'Район 2', '1995-01-01')),
	(create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers')),
	(create_org('P2', 'T1', 'primary', 'Колледж № 2', '2000-01-01', 'professional', 'joint')),
	(create_org('P3', 'R1', 'primary', 'Университет', '2000-01-01', 'higher', 'joint')),
	(create_org('P4', 'T1', 'primary', 'Школа № 4', '2000-01-01', 'school', 'workers')),
	(create_org('P5', 'T1', 'primary', 'Школа № 5 (новая)', '2026-02-01', 'school', 'workers')),
	(create_org('S1', 'P1', 'subdivision', 'Профгруппа', '2010-01-01'))) v(x);
INSERT INTO org_base (org_id, as_of, employees, students)
SELECT id, '2026-01-01', e, s FROM org JOIN (VALUES ('P1', 10, 300), ('P2', 20, 400), ('P3', 50, 2000), ('P4', 8, 200)) b(x, e, s) ON ext_id = x;
-- a school moves to another region in February: on 1 January it counts under its old parent
SELECT move_org('P4', 'T2', '2026-02-01');

SELECT count(admit_member(m, o, j::date, 'Фамилия ' || m, 'Имя', NULL, b::date, 'f')) AS admitted
  FROM (VALUES ('M1', 'P1', '2020-01-01', '1995-06-01'), ('M2', 'P1', '2020-01-01', '1970-01-01'),
			   ('M3', 'P1', '2026-02-01', '1980-01-01'), ('M4', 'S1', '2021-01-01', '1985-01-01'),
			   ('M5', 'P2', '2022-09-01', '2006-01-01'), ('M6', 'P2', '2022-09-01', '2005-01-01'),
			   ('M7', 'P2', '2020-01-01', '1975-01-01'), ('M8', 'P3', '2019-01-01', '1960-01-01'),
			   ('M9', 'P4', '2018-01-01', '1990-01-01'), ('M10', 'P4', '2018-01-01', '1992-01-01')) v(m, o, j, b);
INSERT INTO status_period (person_id, status, valid_from, pedagogical, position, student_level, full_time)
SELECT p.id, s, '2015-01-01', ped, pos, lvl, ft
  FROM (VALUES ('M1', 'working', true, 'teacher', NULL, NULL), ('M2', 'working', true, 'teacher', NULL, NULL),
			   ('M3', 'working', false, 'other', NULL, NULL), ('M5', 'student', NULL, NULL, 'college', true),
			   ('M6', 'student', NULL, NULL, 'college', false), ('M7', 'working', true, 'teacher', NULL, NULL),
			   ('M8', 'pensioner', NULL, NULL, NULL, NULL), ('M9', 'working', true, 'teacher', NULL, NULL),
			   ('M10', 'student', NULL, NULL, 'bachelor', true)) v(m, s, ped, pos, lvl, ft)
  JOIN person p ON p.ext_id = v.m;
SELECT transfer_member('M2', 'P2', '2026-02-15');
SELECT leave('M7', '2026-03-01', 'own_wish');
SELECT request_card('M1', '2200000000000012', '2025-01-01');
UPDATE card SET state = 'produced', state_on = '2025-02-01';
UPDATE card SET state = 'delivered_to_region', state_on = '2025-03-01';
UPDATE card SET state = 'issued', state_on = '2026-03-01';
UPDATE person SET virtual_card_on = '2025-06-01' WHERE ext_id = 'M9';
INSERT INTO org_chairman (org_id, name, term_from, term_to, released)
SELECT id, 'Председатель ' || ext_id, '2024-01-01', '2029-01-01', ext_id = 'T1' FROM org WHERE ext_id IN ('T1', 'P1');

