-- Passports: mandatory fields per level (a catalog), passport_gaps, chairman_gaps_by_level
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
\set SHOW_CONTEXT never

COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
C,,central,,,Общероссийский Профсоюз образования,Профсоюз образования,7704008129,1027739044486,,1990-01-01,,,,,Меркулова Галина Ивановна,2020-06-01,2030-06-01,1,,1
R-22,C,regional,,,Алтайская краевая организация Профсоюза,Алтайская КО,2225021532,1022200000096,22,2000-01-01,,,,,Кузнецова Мария,2019-05-01,2029-05-01,t,kuz@eseur.ru,t
T-01,R-22,territorial,,,Барнаульская городская организация Профсоюза,,,,22,2005-01-01,,,,,Сидоров Иван,,,true,,false
P-001,T-01,primary,school,workers,МБОУ СОШ № 1,СОШ 1,,,22,2010-01-01,,2026-01-01,85,900,Иванова Анна Петровна,2022-03-01,2027-03-01,нет,ivanova@school1.ru,да
P-002,T-01,primary,preschool,workers,МБДОУ Детский сад № 7,ДС 7,,,22,2010-01-01,,,,,,,,,,
P-003,T-01,primary,school,workers,МБОУ СОШ № 3,СОШ 3,,,22,2010-01-01,,2026-01-01,50,400,Орлова Нина,2015-01-01,2020-01-01,нет,,
P-OLD,T-01,primary,school,workers,Закрытая школа,,,,22,2010-01-01,2015-01-01,,,,,,,,,
S-001,P-001,subdivision,,,Профгруппа начальных классов,,,,22,2012-09-01,,,,,,,,,,
\.
SELECT * FROM load_orgs();

-- the catalog says what is mandatory where
SELECT level, string_agg(field, ', ' ORDER BY field) AS mandatory FROM passport_requirement GROUP BY level ORDER BY level;

-- gaps as of a date: liquidated organizations are not asked for anything
SELECT * FROM passport_gaps_at('2026-06-01');
-- the view is the same thing for today
SELECT count(*) = (SELECT count(*) FROM passport_gaps_at(current_date)) AS view_is_today FROM passport_gaps;

-- the rules are data: requiring e-mail of territorials shows up at once
INSERT INTO passport_requirement VALUES ('territorial', 'email');
SELECT org_ext_id, field, field_label FROM passport_gaps_at('2026-06-01') WHERE level = 'territorial';
DELETE FROM passport_requirement WHERE (level, field) = ('territorial', 'email');
-- and an unknown field is refused by the catalog
INSERT INTO passport_requirement VALUES ('territorial', 'favourite_colour');
\echo :LAST_ERROR_SQLSTATE

-- chairmen: empty tab, no term, or a term that does not cover the date, per level
SELECT * FROM chairman_gaps_by_level_at('2026-06-01');
SELECT level, organizations, empty_chairman, no_term, term_not_current
  FROM chairman_gaps_by_level_at('2014-01-01') WHERE organizations > 0;
SELECT count(*) AS levels FROM chairman_gaps_by_level;

-- base figures are kept per 1 January only
\set VERBOSITY terse
INSERT INTO org_base SELECT id, '2026-03-01', 1, 1 FROM org WHERE ext_id = 'P-002';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- a chairman's term must end after it begins
UPDATE org_chairman SET term_to = '2019-01-01' WHERE org_id = (SELECT id FROM org WHERE ext_id = 'C');
\echo :LAST_ERROR_SQLSTATE
