-- The organization hierarchy over time: rules enforced on write, org_at, validate_hierarchy
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
\set SHOW_CONTEXT never

-- a small union
SELECT create_org('C', NULL, 'central', 'Общероссийский Профсоюз образования', '2000-01-01') > 0 AS ok;
SELECT create_org('R1', 'C', 'regional', 'Московская городская организация', '2000-01-01') > 0 AS ok;
SELECT create_org('R2', 'C', 'regional', 'Алтайская краевая организация', '2000-01-01') > 0 AS ok;
SELECT create_org('D1', 'R1', 'district', 'Окружная организация', '2005-01-01') > 0 AS ok;
SELECT create_org('T1', 'R1', 'territorial', 'Районная организация А', '2005-01-01') > 0 AS ok;
SELECT create_org('T2', 'D1', 'territorial', 'Районная организация Б', '2005-01-01') > 0 AS ok;
SELECT create_org('T3', 'R2', 'territorial', 'Ёлкинская городская организация', '2005-01-01') > 0 AS ok;
SELECT create_org('T4', 'R2', 'territorial', 'Елецкая районная организация', '2005-01-01') > 0 AS ok;
SELECT create_org('P1', 'T1', 'primary', 'Школа № 1', '2010-01-01', 'school', 'workers') > 0 AS ok;
SELECT create_org('P2', 'T1', 'primary', 'Детский сад № 5', '2010-01-01', 'preschool', 'workers') > 0 AS ok;
SELECT create_org('P3', 'T3', 'primary', 'Колледж', '2010-01-01', 'professional', 'joint') > 0 AS ok;
SELECT create_org('U1', 'R1', 'primary', 'Университет', '2010-01-01', 'higher', 'joint') > 0 AS ok;
SELECT create_org('S1', 'P1', 'subdivision', 'Профгруппа начальных классов', '2012-01-01') > 0 AS ok;
SELECT create_org('S2', 'S1', 'subdivision', 'Профгруппа 1-х классов', '2012-01-01') > 0 AS ok;

-- the tree today: parents before children, siblings by name in Russian (Ё sorts with Е)
SELECT repeat('  ', depth) || name AS tree, ext_id, parent_ext_id, level, kind, composition, depth
  FROM org_at('2020-01-01');

-- allowed parent levels
SELECT create_org('X1', 'P1', 'territorial', 'Не туда', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT create_org('X2', 'C', 'primary', 'Прямо под центром', '2015-01-01', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
SELECT create_org('X3', 'D1', 'primary', 'Под окружной', '2015-01-01', 'school', 'workers') > 0 AS primary_under_district_ok;
-- a primary needs a kind and a composition
SELECT create_org('X4', 'T1', 'primary', 'Без вида', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE

-- exactly one central organization, and it has no parent
SELECT create_org('C2', NULL, 'central', 'Второй центр', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, r.id, '2015-01-01' FROM org c, org r WHERE c.ext_id = 'C' AND r.ext_id = 'R1';
\echo :LAST_ERROR_SQLSTATE

-- a link must lie within the parent's lifetime, and within the child's own
SELECT create_org('X5', 'T1', 'primary', 'Раньше родителя', '2004-01-01', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO org_link (org_id, parent_id, valid_from, valid_to)
SELECT c.id, t.id, '2009-01-01', '2010-01-01' FROM org c, org t WHERE c.ext_id = 'P1' AND t.ext_id = 'T2';
\echo :LAST_ERROR_SQLSTATE

-- two links of one organization never overlap
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, t.id, '2015-01-01' FROM org c, org t WHERE c.ext_id = 'P1' AND t.ext_id = 'T2';
\echo :LAST_ERROR_SQLSTATE

-- no cycle: directly, and through a move dated in the future
SELECT move_org('S1', 'S2', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT create_org('S3', 'P2', 'subdivision', 'Профгруппа воспитателей', '2012-01-01') > 0 AS ok;
SELECT create_org('S4', 'S3', 'subdivision', 'Профгруппа младшей группы', '2012-01-01') > 0 AS ok;
SELECT move_org('S3', 'S4', '2030-09-01');
\echo :LAST_ERROR_SQLSTATE
SELECT move_org('C', 'R1', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE
-- not a cycle: the two links never hold on the same day
SELECT move_org('S4', 'P2', '2024-01-01');
SELECT move_org('S3', 'S4', '2025-01-01');
SELECT ext_id, parent_ext_id, depth FROM org_at('2025-01-01') WHERE ext_id IN ('S3', 'S4') ORDER BY ext_id;
SELECT ext_id, parent_ext_id, depth FROM org_at('2023-12-31') WHERE ext_id IN ('S3', 'S4') ORDER BY ext_id;

-- at most two subdivision levels under a primary
SELECT create_org('S5', 'S2', 'subdivision', 'Третий уровень', '2015-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT move_org('S1', 'S3', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE

-- moving a whole subtree with an effective date: T1 and everything below it goes to D1
SELECT move_org('T1', 'D1', '2024-06-01');
SELECT ext_id, parent_ext_id, depth FROM org_at('2024-05-31') WHERE ext_id IN ('T1', 'P1', 'S1', 'S2') ORDER BY depth;
SELECT ext_id, parent_ext_id, depth FROM org_at('2024-06-01') WHERE ext_id IN ('T1', 'P1', 'S1', 'S2') ORDER BY depth;
SELECT o.ext_id, p.ext_id AS parent, l.valid_from, l.valid_to
  FROM org_link l JOIN org o ON o.id = l.org_id JOIN org p ON p.id = l.parent_id
 WHERE o.ext_id = 'T1' ORDER BY l.valid_from;
-- moving again on the same day replaces the parent instead of adding a link
SELECT move_org('T1', 'R1', '2024-06-01');
SELECT count(*) AS t1_links FROM org_link l JOIN org o ON o.id = l.org_id WHERE o.ext_id = 'T1';
-- moving to the same parent is a no-op; bad arguments are clear
SELECT move_org('T1', 'R1', '2024-07-01');
SELECT move_org('NOPE', 'R1', '2024-07-01');
\echo :LAST_ERROR_SQLSTATE
SELECT move_org('T1', 'R1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT move_org('T1', 'R2', '1999-01-01');
\echo :LAST_ERROR_SQLSTATE

-- liquidation is refused while a child is live that day, allowed once it moved
SELECT liquidate_org('T3', '2020-01-01');
\echo :LAST_ERROR_SQLSTATE
UPDATE org SET valid_to = '2020-01-01' WHERE ext_id = 'T3';
\echo :LAST_ERROR_SQLSTATE
SELECT move_org('P3', 'T4', '2020-01-01');
SELECT liquidate_org('T3', '2020-01-01');
SELECT ext_id, valid_from, valid_to FROM org WHERE ext_id = 'T3';
SELECT count(*) AS t3_on_2019 FROM org_at('2019-12-31') WHERE ext_id = 'T3';
SELECT count(*) AS t3_on_2020 FROM org_at('2020-01-01') WHERE ext_id = 'T3';
-- nothing can be placed under it after it ended
SELECT create_org('X6', 'T3', 'primary', 'После ликвидации', '2021-01-01', 'school', 'workers');
\echo :LAST_ERROR_SQLSTATE
SELECT liquidate_org('T4', '2005-01-01');
\echo :LAST_ERROR_SQLSTATE

-- a healthy hierarchy validates clean, today and in the past
SELECT * FROM validate_hierarchy('2026-01-01');
SELECT * FROM validate_hierarchy('2011-01-01');

-- data written with the triggers disabled is found by validate_hierarchy
ALTER TABLE org_link DISABLE TRIGGER USER;
ALTER TABLE org DISABLE TRIGGER USER;
-- a territorial under a primary
INSERT INTO org (ext_id, level, name, valid_from) VALUES ('BAD1', 'territorial', 'Под первичкой', '2015-01-01');
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, p.id, '2015-01-01' FROM org c, org p WHERE c.ext_id = 'BAD1' AND p.ext_id = 'P2';
-- an orphan: its only link removed
DELETE FROM org_link WHERE org_id = (SELECT id FROM org WHERE ext_id = 'U1');
-- a cycle of two subdivisions, and one hanging below it
INSERT INTO org (ext_id, level, name, valid_from) VALUES
	('CY1', 'subdivision', 'Цикл 1', '2015-01-01'), ('CY2', 'subdivision', 'Цикл 2', '2015-01-01');
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, p.id, '2015-01-01' FROM org c, org p WHERE (c.ext_id, p.ext_id) IN (('CY1', 'CY2'), ('CY2', 'CY1'));
-- a link that outlives its parent (T3 ended on 2020-01-01)
INSERT INTO org (ext_id, level, kind, composition, name, valid_from) VALUES ('LATE', 'primary', 'school', 'workers', 'Осталась под ликвидированной', '2015-01-01');
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, p.id, '2015-01-01' FROM org c, org p WHERE c.ext_id = 'LATE' AND p.ext_id = 'T3';
-- two parents at once (no exclusion constraint stands behind the trigger)
INSERT INTO org (ext_id, level, kind, composition, name, valid_from) VALUES ('TWO', 'primary', 'school', 'workers', 'Два родителя', '2015-01-01');
INSERT INTO org_link (org_id, parent_id, valid_from)
SELECT c.id, p.id, v.d::date FROM org c, org p, (VALUES ('T1', '2015-01-01'), ('T2', '2016-01-01')) v(t, d)
 WHERE c.ext_id = 'TWO' AND p.ext_id = v.t;
ALTER TABLE org_link ENABLE TRIGGER USER;
ALTER TABLE org ENABLE TRIGGER USER;
SELECT * FROM validate_hierarchy('2026-01-01');
-- on a date when the same data was fine, less is reported
SELECT * FROM validate_hierarchy('2016-01-01') WHERE org_ext_id IN ('LATE', 'U1');
-- org_at still lists every live organization once, cut-off ones with depth NULL
SELECT count(*) = count(DISTINCT ext_id) AS each_once, count(*) FILTER (WHERE depth IS NULL) AS cut_off
  FROM org_at('2026-01-01');
SELECT ext_id, parent_ext_id, depth FROM org_at('2026-01-01') WHERE depth IS NULL ORDER BY ext_id;
SELECT * FROM validate_hierarchy('infinity');
\echo :LAST_ERROR_SQLSTATE
