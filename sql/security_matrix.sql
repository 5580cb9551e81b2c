-- Every public function, called by every role, inside and outside its
-- subtree, on today's date and a past one.  Each call runs in a
-- subtransaction that is rolled back, so every cell starts from the same
-- register; a cell shows ok or the SQLSTATE of the refusal.
--   C ─ R1 ─ T1 ─ P1 ─ S1         C ─ R2 ─ T3 ─ P3 ─ S3
--       │    │    └ P2                 │    │    └ P4
--       │    └ T2                      │    └ T4
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_mx_admin, regress_mx_officer, regress_mx_chair_t1, regress_mx_chair_p1,
	regress_mx_reader, regress_mx_nobody;
SET datestyle = 'ISO, YMD';

SELECT count(*) AS organizations FROM (
	SELECT unionreg.create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01')
	UNION ALL SELECT unionreg.create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01')
	UNION ALL SELECT unionreg.create_org('R2', 'C', 'regional', 'Регион 2', '1991-01-01')
	UNION ALL SELECT unionreg.create_org('T1', 'R1', 'territorial', 'Город 1', '1995-01-01')
	UNION ALL SELECT unionreg.create_org('T2', 'R1', 'territorial', 'Город 2', '1995-01-01')
	UNION ALL SELECT unionreg.create_org('T3', 'R2', 'territorial', 'Город 3', '1995-01-01')
	UNION ALL SELECT unionreg.create_org('T4', 'R2', 'territorial', 'Город 4', '1995-01-01')
	UNION ALL SELECT unionreg.create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers')
	UNION ALL SELECT unionreg.create_org('P2', 'T1', 'primary', 'Школа № 2', '2000-01-01', 'school', 'workers')
	UNION ALL SELECT unionreg.create_org('P3', 'T3', 'primary', 'Школа № 3', '2000-01-01', 'school', 'workers')
	UNION ALL SELECT unionreg.create_org('P4', 'T3', 'primary', 'Школа № 4', '2000-01-01', 'school', 'workers')
	UNION ALL SELECT unionreg.create_org('S1', 'P1', 'subdivision', 'Профгруппа 1', '2005-01-01')
	UNION ALL SELECT unionreg.create_org('S3', 'P3', 'subdivision', 'Профгруппа 3', '2005-01-01')) x;
SELECT unionreg.admit_member('M1', 'P1', '2020-01-01', 'Иванова', 'Анна', NULL, '1980-03-15', 'f') > 0 AS m1,
	   unionreg.admit_member('M2', 'P1', '2020-01-01', 'Козлова', 'Нина', NULL, '1982-04-16', 'f') > 0 AS m2,
	   unionreg.admit_member('M3', 'P3', '2020-01-01', 'Петрова', 'Мария', NULL, '1975-01-20', 'f') > 0 AS m3,
	   unionreg.admit_member('M4', 'P3', '2020-01-01', 'Орлова', 'Ирина', NULL, '1976-02-21', 'f') > 0 AS m4;
SELECT unionreg.request_card('M1', '2200000000000012', '2021-01-10'), unionreg.request_card('M3', '2200700000000009', '2021-01-10');
INSERT INTO unionreg.application (surname, first_name, birth_date, org_id, consent)
SELECT 'Новикова', 'Вера', '1999-09-09', id, true FROM unionreg.org WHERE ext_id = 'P1';
INSERT INTO unionreg.application (surname, first_name, birth_date, org_id, consent)
SELECT 'Смирнова', 'Ольга', '1998-08-08', id, true FROM unionreg.org WHERE ext_id = 'P3';
SELECT unionreg.build_snapshot('2025-01-01') > 0 AS built;

CREATE ROLE regress_mx_admin LOGIN IN ROLE unionreg_admin;
CREATE ROLE regress_mx_officer LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_mx_chair_t1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_mx_chair_p1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_mx_reader LOGIN IN ROLE unionreg_reader;
CREATE ROLE regress_mx_nobody LOGIN;
SELECT unionreg.grant_scope('regress_mx_officer', 'R1'), unionreg.grant_scope('regress_mx_chair_t1', 'T1'),
	   unionreg.grant_scope('regress_mx_chair_p1', 'P1');

-- {in} / {out}: an organization, person, card, region and application inside
-- R1 (every scoped login's subtree but chair_p1's, for which P1's own) and in
-- R2; {d}: the date of the column
CREATE TEMP TABLE calls (fn text, call text);
INSERT INTO calls VALUES
	('create_org', $$SELECT unionreg.create_org('NEW', '{org}', 'subdivision', 'Новая', '{d}')$$),
	('move_org', $$SELECT unionreg.move_org('{sub}', '{org2}', '{d}')$$),
	('liquidate_org', $$SELECT unionreg.liquidate_org('{sub}', '{d}')$$),
	('admit_member', $$SELECT unionreg.admit_member('NEWM', '{org}', '{d}', 'Новый', 'Член', NULL, '1990-01-01')$$),
	('transfer_member', $$SELECT unionreg.transfer_member('{person}', '{org2}', '{d}')$$),
	('leave', $$SELECT unionreg.leave('{person}', '{d}', 'own_wish')$$),
	('request_card', $$SELECT unionreg.request_card('{nocard}', '2200000000000103', '{d}')$$),
	('move_card', $$SELECT unionreg.move_card('{card}', 'produced', '{d}')$$),
	('move_cards', $$SELECT unionreg.move_cards('{region}', 'requested', 'produced', '{d}')$$),
	('approve_application', $$SELECT unionreg.approve_application({app}, '{d}')$$),
	('reject_application', $$SELECT unionreg.reject_application({app}, 'дубликат', '{d}')$$),
	('report', $$SELECT count(*) FROM unionreg.report('{org}', '5SP', '{d}')$$),
	-- 22012: the row is not there for the login (the tree and persons are cut to its subtree)
	('org_at', $$SELECT 1 / count(*) FROM unionreg.org_at('{d}') WHERE ext_id = '{org}'$$),
	('validate_hierarchy', $$SELECT count(*) FROM unionreg.validate_hierarchy('{d}')$$),
	('persons', $$SELECT 1 / count(*) FROM unionreg.persons WHERE ext_id = '{person}'$$),
	('stage_member', $$INSERT INTO unionreg.stage_member (ext_id, org_ext_id) VALUES ('X', '{org}')$$),
	('load_members', $$SELECT unionreg.load_members()$$),
	('load_orgs', $$SELECT unionreg.load_orgs()$$),
	('load_baselines', $$SELECT unionreg.load_baselines()$$),
	('correct_org', $$SELECT count(*) FROM unionreg.correct_org('{org}', valid_to => '{d}')$$),
	('correct_membership', $$SELECT count(*) FROM unionreg.correct_membership('{person}', '{d}', new_joined_on => '{d}')$$),
	('reset_register', $$SELECT count(*) FROM unionreg.reset_register('not the name')$$),
	('load_org_corrections', $$SELECT unionreg.load_org_corrections()$$),
	('submit_report', $$SELECT unionreg.submit_report('{org}', '5SP', least('{d}'::date, current_date), 'проверка')$$),
	('approve_report', $$SELECT unionreg.approve_report('{org}', '5SP', '{d}')$$),
	('report_submissions', $$SELECT count(*) FROM unionreg.report_submissions$$),
	('report_adoption_at', $$SELECT count(*) FROM unionreg.report_adoption_at('2025-01-01')$$),
	('members_by_status_at', $$SELECT count(*) FROM unionreg.members_by_status_at('2025-01-01')$$),
	('refused_without_card', $$SELECT count(*) FROM unionreg.refused_without_card$$),
	('chairmen_contact_problems', $$SELECT count(*) FROM unionreg.chairmen_contact_problems$$),
	('build_snapshot', $$SELECT unionreg.build_snapshot('{d}')$$),
	('snapshot_drift', $$SELECT count(*) FROM unionreg.snapshot_drift((SELECT max(id) FROM unionreg.snapshot))$$),
	('delete_snapshot', $$SELECT unionreg.delete_snapshot((SELECT max(id) FROM unionreg.snapshot), true)$$),
	('grant_scope', $$SELECT unionreg.grant_scope('regress_mx_chair_p1', '{org}')$$),
	('revoke_scope', $$SELECT unionreg.revoke_scope('regress_mx_chair_t1', 'T1')$$),
	('report_5sp', $$SELECT count(*) FROM unionreg.report_5sp$$),
	('prune_snapshots', $$SELECT unionreg.prune_snapshots(1)$$),
	('refresh_analytics', $$SELECT unionreg.refresh_analytics()$$),
	('refresh_form_views', $$SELECT unionreg.refresh_form_views()$$),
	('run_quarterly_snapshot', $$SELECT unionreg.run_quarterly_snapshot('Europe/Moscow')$$),
	('unschedule_snapshots', $$SELECT unionreg.unschedule_snapshots()$$),
	('passport_gaps_at', $$SELECT count(*) FROM unionreg.passport_gaps_at('{d}')$$),
	('chairman_gaps_by_level_at', $$SELECT count(*) FROM unionreg.chairman_gaps_by_level_at('{d}')$$),
	('member_tallies', $$SELECT count(*) FROM unionreg.member_tallies('{d}')$$),
	('reader_views', $$SELECT count(*) FROM unionreg.reader_views()$$),
	('coverage_by_region', $$SELECT count(*) FROM unionreg.coverage_by_region$$),
	('my_scope', $$SELECT count(*) FROM unionreg.my_scope$$),
	('audit_trail', $$SELECT count(*) FROM unionreg.audit_trail$$),
	('duplicate_persons', $$SELECT count(*) FROM unionreg.duplicate_persons$$),
	('mask_snils', $$SELECT unionreg.mask_snils('112-233-445 95')$$),
	('member_fact_drift', $$SELECT count(*) FROM unionreg.member_fact_drift()$$),
	('member_fact_rebuild', $$SELECT unionreg.member_fact_rebuild()$$);
CREATE TEMP TABLE places (place text, org text, org2 text, sub text, person text, nocard text, card text, region text, app text);
INSERT INTO places SELECT 'in', 'P1', 'P2', 'S1', 'M1', 'M2', '2200000000000012', 'R1', min(id)::text FROM unionreg.application;
INSERT INTO places SELECT 'out', 'P3', 'P4', 'S3', 'M3', 'M4', '2200700000000009', 'R2', max(id)::text FROM unionreg.application;
CREATE TEMP TABLE logins (login text, sort int);
INSERT INTO logins VALUES ('regress_mx_admin', 1), ('regress_mx_officer', 2), ('regress_mx_chair_t1', 3),
	('regress_mx_chair_p1', 4), ('regress_mx_reader', 5), ('regress_mx_nobody', 6);
CREATE TEMP TABLE outcome (fn text, place text, day text, login text, result text);
GRANT ALL ON outcome TO PUBLIC;

DO $$
DECLARE
	c record;
	p record;
	l record;
	d record;
	v_sql text;
	v_result text;
BEGIN
	FOR c IN SELECT * FROM calls LOOP
		FOR p IN SELECT * FROM places LOOP
			FOR d IN SELECT * FROM (VALUES ('today', current_date), ('past', date '2024-06-01'), ('snapshot', date '2025-01-01')) x(day, d) LOOP
				v_sql := replace(replace(replace(replace(replace(replace(replace(replace(replace(c.call,
					'{org}', p.org), '{org2}', p.org2), '{sub}', p.sub), '{person}', p.person), '{card}', p.card),
					'{region}', p.region), '{app}', p.app), '{d}', d.d::text), '{nocard}', p.nocard);
				FOR l IN SELECT * FROM logins ORDER BY sort LOOP
					BEGIN
						EXECUTE format('SET SESSION AUTHORIZATION %I', l.login);
						EXECUTE v_sql;
						v_result := 'ok';
						RAISE EXCEPTION USING ERRCODE = 'UR999';
					EXCEPTION
						WHEN SQLSTATE 'UR999' THEN NULL;
						WHEN OTHERS THEN v_result := SQLSTATE;
					END;
					RESET SESSION AUTHORIZATION;
					INSERT INTO outcome VALUES (c.fn, p.place, d.day, l.login, v_result);
				END LOOP;
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;

-- admin | officer of R1 | chairman of T1 | chairman of P1 | reader | no role
SELECT o.fn, o.place, o.day, string_agg(rpad(o.result, 5), ' ' ORDER BY lg.sort) AS "adm   off   ch_t1 ch_p1 read  none"
  FROM outcome o JOIN logins lg ON lg.login = o.login JOIN (SELECT fn, row_number() OVER () AS n FROM calls) cn ON cn.fn = o.fn
 GROUP BY o.fn, o.place, o.day, cn.n
 ORDER BY cn.n, o.place, o.day;
-- nothing a call did survived its rollback
SELECT (SELECT count(*) FROM unionreg.org) AS organizations, (SELECT count(*) FROM unionreg.person) AS persons,
	   (SELECT count(*) FROM unionreg.snapshot) AS snapshots, (SELECT count(*) FROM unionreg.access_scope) AS scopes;

DROP EXTENSION unionreg CASCADE;
DROP TABLE outcome;
DROP ROLE regress_mx_admin, regress_mx_officer, regress_mx_chair_t1, regress_mx_chair_p1, regress_mx_reader, regress_mx_nobody;
