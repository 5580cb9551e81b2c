-- Staged loading of organizations: unionreg.stage_org -> unionreg.load_orgs()
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
\set SHOW_CONTEXT never

-- a shuffled file: children come before their parents; about a third of the rows are bad;
-- P-003's chairman tab has a term end, a released flag and a consent but no name: kept, not dropped
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
P-001,T-01,primary,school,workers,МБОУ СОШ № 1,СОШ 1,,,22,2010-01-01,,2026-01-01,85,900,Иванова Анна Петровна,2022-03-01,2027-03-01,нет,ivanova@school1.ru,да
S-001,P-001,subdivision,,,Профгруппа начальных классов,,,,22,2012-09-01,,,,,Петрова Ольга,,,,,
T-01,R-22,territorial,,,Барнаульская городская организация Профсоюза,Барнаульская ГО,,,22,2005-01-01,,,,,Сидоров Иван,2020-01-15,2025-01-15,true,,false
R-22,C,regional,,,Алтайская краевая организация Профсоюза,Алтайская КО,2225021532,1022200000096,22,2000-01-01,,,,,Кузнецова Мария,2019-05-01,2029-05-01,t,kuz@eseur.ru,t
C,,central,,,Общероссийский Профсоюз образования,Профсоюз образования,7704008129,1027739044486,,1990-01-01,,,,,Меркулова Галина Ивановна,2020-06-01,2030-06-01,1,,1
P-002,T-01,primary,preschool,workers,МБДОУ Детский сад № 7,ДС 7,,,22,2010-01-01,,2026-01-01,40,120,,,,,,
U-001,R-22,primary,higher,joint,Алтайский государственный университет,АлтГУ,2225004738,1022201758370,22,2000-01-01,,2026-01-01,2100,15000,Смирнов Пётр,2021-01-01,2026-01-01,да,,
D-01,R-22,district,,,Окружная организация,,,,22,2006-01-01,,,,,,,,,,
P-003,T-01,primary,school,workers,МБОУ СОШ № 3,СОШ 3,,,22,2010-01-01,,,,,,,2027-01-01,да,,нет
T-02,D-01,territorial,,,Районная организация под окружной,,,,22,2006-01-01,,,,,,,,,,
BAD-LEVEL,T-01,prmary,school,workers,Опечатка в уровне,,,,22,2010-01-01,,,,,,,,,,
BAD-KIND,T-01,primary,kindergarten,workers,Неизвестный вид,,,,22,2010-01-01,,,,,,,,,,
NO-KIND,T-01,primary,,workers,Первичка без вида,,,,22,2010-01-01,,,,,,,,,,
BAD-INN,T-01,primary,school,workers,Неверный ИНН,,2225021533,,22,2010-01-01,,,,,,,,,,
BAD-OGRN,T-01,primary,school,workers,Неверный ОГРН,,,102220000009X,22,2010-01-01,,,,,,,,,,
BAD-REGION,T-01,primary,school,workers,Неверный регион,,,,123,2010-01-01,,,,,,,,,,
BAD-DATE,T-01,primary,school,workers,Неверная дата,,,,22,2010-02-30,,,,,,,,,,
BAD-PERIOD,T-01,primary,school,workers,Конец раньше начала,,,,22,2010-01-01,2009-01-01,,,,,,,,,
BAD-BASE,T-01,primary,school,workers,База не на 1 января,,,,22,2010-01-01,,2025-03-01,10,0,,,,,,
BAD-EMPL,T-01,primary,school,workers,Численность словами,,,,22,2010-01-01,,2026-01-01,десять,0,,,,,,
BAD-BOOL,T-01,primary,school,workers,Непонятный флаг,,,,22,2010-01-01,,,,,Председатель,,,может быть,,
BAD-CENTRAL,C,central,,,Второй центр,,,,,2000-01-01,,,,,,,,,,
NO-PARENT,,territorial,,,Без родителя,,,,22,2005-01-01,,,,,,,,,,
GHOST-PARENT,T-99,primary,school,workers,Родителя нет нигде,,,,22,2010-01-01,,,,,,,,,,
CHILD-OF-BAD,BAD-LEVEL,subdivision,,,Под отклонённой,,,,22,2012-01-01,,,,,,,,,,
WRONG-PARENT,P-002,territorial,,,Территориальная под первичкой,,,,22,2010-01-01,,,,,,,,,,
TOO-EARLY,T-01,primary,school,workers,Раньше родителя,,,,22,2004-01-01,,,,,,,,,,
DUP,T-01,primary,school,workers,Дубликат 1,,,,22,2010-01-01,,,,,,,,,,
DUP,T-01,primary,school,workers,Дубликат 2,,,,22,2010-01-01,,,,,,,,,,
CYC-1,CYC-2,subdivision,,,Цикл 1,,,,22,2012-01-01,,,,,,,,,,
CYC-2,CYC-1,subdivision,,,Цикл 2,,,,22,2012-01-01,,,,,,,,,,
S-002,S-001,subdivision,,,Профгруппа 1-х классов,,,,22,2013-01-01,,,,,,,,,,
S-003,S-002,subdivision,,,Третий уровень вложенности,,,,22,2014-01-01,,,,,,,,,,
\.

SELECT count(*) AS staged FROM stage_org;
SELECT * FROM load_orgs();
SELECT count(*) AS left_in_stage FROM stage_org;
-- loaded + rejected = staged, and every reject says which column, value and rule
SELECT ext_id, reason FROM load_reject ORDER BY ext_id, id;
-- a rejected row is kept exactly as staged
SELECT raw FROM load_reject WHERE ext_id = 'BAD-DATE';
-- what was loaded forms a valid tree
SELECT repeat('  ', depth) || ext_id AS tree, level, kind, composition FROM org_at('2026-01-01');
SELECT * FROM validate_hierarchy('2026-01-01');
SELECT ext_id, inn, ogrn, region_code, valid_from, valid_to FROM org WHERE ext_id IN ('C', 'R-22', 'U-001') ORDER BY ext_id;
SELECT o.ext_id, b.as_of, b.employees, b.students FROM org_base b JOIN org o ON o.id = b.org_id ORDER BY o.ext_id;
SELECT o.ext_id, c.name, c.term_from, c.term_to, c.released, c.email, c.email_consent
  FROM org_chairman c JOIN org o ON o.id = c.org_id ORDER BY o.ext_id;

-- the same rows again change nothing and duplicate nothing
CREATE TEMP TABLE before AS
	SELECT (SELECT count(*) FROM org) AS orgs, (SELECT count(*) FROM org_link) AS links,
		   (SELECT count(*) FROM org_base) AS bases, (SELECT count(*) FROM org_chairman) AS chairs,
		   (SELECT max(xmin::text::bigint) FROM org) AS org_xmin;
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
P-002,T-01,primary,preschool,workers,МБДОУ Детский сад № 7,ДС 7,,,22,2010-01-01,,2026-01-01,40,120,,,,,,
P-001,T-01,primary,school,workers,МБОУ СОШ № 1,СОШ 1,,,22,2010-01-01,,2026-01-01,85,900,Иванова Анна Петровна,2022-03-01,2027-03-01,нет,ivanova@school1.ru,да
T-01,R-22,territorial,,,Барнаульская городская организация Профсоюза,Барнаульская ГО,,,22,2005-01-01,,,,,Сидоров Иван,2020-01-15,2025-01-15,true,,false
\.
SELECT * FROM load_orgs();
SELECT (SELECT count(*) FROM org) = orgs AS same_orgs, (SELECT count(*) FROM org_link) = links AS same_links,
	   (SELECT count(*) FROM org_base) = bases AS same_bases, (SELECT count(*) FROM org_chairman) = chairs AS same_chairs,
	   (SELECT max(xmin::text::bigint) FROM org) = org_xmin AS no_row_rewritten
  FROM before;

-- a changed parent is a move effective on valid_from; a passport change is an update
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
P-002,T-02,primary,preschool,workers,МБДОУ Детский сад № 7 «Солнышко»,ДС 7,,,22,2025-09-01,,2026-01-01,42,120,,,,,,
\.
SELECT * FROM load_orgs();
SELECT o.ext_id, p.ext_id AS parent, l.valid_from, l.valid_to
  FROM org_link l JOIN org o ON o.id = l.org_id JOIN org p ON p.id = l.parent_id
 WHERE o.ext_id = 'P-002' ORDER BY l.valid_from;
SELECT name FROM org WHERE ext_id = 'P-002';
SELECT employees FROM org_base b JOIN org o ON o.id = b.org_id WHERE o.ext_id = 'P-002';

-- a move that breaks a rule only the database sees is rejected on its own, the rest loads
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
S-001,S-002,subdivision,,,Профгруппа начальных классов,,,,22,2020-01-01,,,,,Петрова Ольга,,,,,
P-003,T-02,primary,supplementary,workers,Дом детского творчества,ДДТ,,,22,2015-01-01,,2026-01-01,30,500,,,,,,
\.
SELECT * FROM load_orgs();
SELECT ext_id, reason FROM load_reject ORDER BY id DESC LIMIT 1;
SELECT ext_id, parent_ext_id FROM org_at('2026-01-01') WHERE ext_id IN ('S-001', 'P-003') ORDER BY 1;

-- liquidation through the file: refused while children live, done once they are gone
COPY stage_org FROM STDIN WITH (FORMAT csv, HEADER);
ext_id,parent_ext_id,level,kind,composition,name,short_name,inn,ogrn,region_code,valid_from,valid_to,base_as_of,employees,students,chairman_name,chairman_term_from,chairman_term_to,chairman_released,chairman_email,chairman_email_consent
T-02,D-01,territorial,,,Районная организация под окружной,,,,22,2006-01-01,2026-06-01,,,,,,,,,
P-003,T-02,primary,supplementary,workers,Дом детского творчества,ДДТ,,,22,2015-01-01,2026-03-01,2026-01-01,30,500,,,,,,
\.
SELECT * FROM load_orgs();
SELECT ext_id, reason FROM load_reject ORDER BY id DESC LIMIT 1;
SELECT ext_id, valid_to FROM org WHERE ext_id IN ('T-02', 'P-003', 'P-002') ORDER BY 1;

-- an empty staging table is a no-op
SELECT * FROM load_orgs();
