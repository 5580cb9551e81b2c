-- ---------------------------------------------------------------------
-- 0.2: row-level security on every table holding organization or person
-- rows, and what each role may touch.  The extension's own functions and
-- views run as their owner (row security does not bind it); the API
-- functions check the caller themselves (32_api.sql).
-- ---------------------------------------------------------------------

DO $$
DECLARE
	t record;
	v_expr text;
BEGIN
	FOR t IN SELECT * FROM (VALUES
			-- table, column, what the column names
			('org', 'id', 'org'), ('org_link', 'org_id', 'org'), ('org_base', 'org_id', 'org'),
			('org_chairman', 'org_id', 'org'), ('paper_baseline', 'org_id', 'org'),
			('application', 'org_id', 'org'), ('snapshot_org', 'org_id', 'org'),
			('person', 'id', 'person'), ('membership', 'person_id', 'person'),
			('status_period', 'person_id', 'person'), ('person_consent', 'person_id', 'person'),
			('card', 'person_id', 'person')) v(tab, col, kind)
	LOOP
		v_expr := format('(SELECT unionreg._sees_all()) OR %I IN (SELECT unionreg.%s())', t.col,
						 CASE t.kind WHEN 'org' THEN '_visible_org_ids' ELSE '_visible_person_ids' END);
		EXECUTE format('ALTER TABLE unionreg.%I ENABLE ROW LEVEL SECURITY', t.tab);
		EXECUTE format('CREATE POLICY subtree ON unionreg.%I USING (%s) WITH CHECK (%s)', t.tab, v_expr, v_expr);
		EXECUTE format('COMMENT ON POLICY subtree ON unionreg.%I IS %L', t.tab,
					   CASE t.kind WHEN 'org' THEN 'rows of organizations in the subtree the session''s login stands for today (everything for the administrator)'
							ELSE 'rows of persons whose latest membership lies in the subtree the session''s login stands for today (everything for the administrator)' END);
	END LOOP;
END
$$;
-- a card's history goes with the card (the card's own policy applies inside)
ALTER TABLE unionreg.card_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY subtree ON unionreg.card_event
	USING ((SELECT unionreg._sees_all()) OR card_id IN (SELECT c.id FROM unionreg.card c))
	WITH CHECK ((SELECT unionreg._sees_all()) OR card_id IN (SELECT c.id FROM unionreg.card c));
COMMENT ON POLICY subtree ON unionreg.card_event IS 'moves of the cards the session''s login sees';
-- a load's rejected rows hold the staged personal data: its own loads only
ALTER TABLE unionreg.load_reject ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_loads ON unionreg.load_reject
	USING ((SELECT unionreg._sees_all()) OR rejected_by = session_user);
COMMENT ON POLICY own_loads ON unionreg.load_reject IS 'rows rejected by the session''s login''s own loads (everything for the administrator)';
ALTER TABLE unionreg.access_scope ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_scope ON unionreg.access_scope
	USING ((SELECT unionreg._sees_all()) OR login = session_user);
COMMENT ON POLICY own_scope ON unionreg.access_scope IS 'the session''s login''s own mappings (every mapping for the administrator)';

-- the staged files and the audit trail hold person rows too: officers and
-- chairmen may add staged rows but read none; the administrator reads all
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['stage_org', 'stage_member', 'stage_baseline', 'audit_log'] LOOP
		EXECUTE format('ALTER TABLE unionreg.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY administrator ON unionreg.%I USING ((SELECT unionreg._sees_all()))', t);
		EXECUTE format('COMMENT ON POLICY administrator ON unionreg.%I IS %L', t, 'the administrator reads and changes every row');
	END LOOP;
	FOREACH t IN ARRAY ARRAY['stage_org', 'stage_member', 'stage_baseline'] LOOP
		EXECUTE format('CREATE POLICY staging ON unionreg.%I FOR INSERT WITH CHECK (true)', t);
		EXECUTE format('COMMENT ON POLICY staging ON unionreg.%I IS %L', t,
					   'anyone granted INSERT stages rows; the loaders judge them against the login''s subtree');
	END LOOP;
END
$$;

-- The writers' checks read the whole hierarchy and every period, whoever
-- writes: a chairman's view of the tree must not hide a cycle or an overlap.
ALTER FUNCTION unionreg.org_check() SECURITY DEFINER SET search_path = pg_catalog, unionreg, pg_temp;
ALTER FUNCTION unionreg.org_link_check() SECURITY DEFINER SET search_path = pg_catalog, unionreg, pg_temp;
ALTER FUNCTION unionreg._membership_check() SECURITY DEFINER;
ALTER FUNCTION unionreg._card_moves_check() SECURITY DEFINER;

-- ---- grants ------------------------------------------------------------------

GRANT USAGE ON SCHEMA unionreg TO unionreg_admin, unionreg_officer, unionreg_chair;

-- the administrator: everything, the audit trail read-only
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA unionreg TO unionreg_admin;
REVOKE INSERT, UPDATE, DELETE ON unionreg.audit_log FROM unionreg_admin;
GRANT SELECT ON unionreg.audit_trail TO unionreg_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA unionreg TO unionreg_admin;

-- officers and chairmen: the catalogs, their subtree's rows (row security),
-- persons without SNILS, contacts and birth date (the view unionreg.persons
-- shows those, masked where the login does not own the member)
GRANT SELECT ON unionreg.level, unionreg.level_parent, unionreg.org_kind, unionreg.composition,
	unionreg.passport_field, unionreg.passport_requirement, unionreg.member_status,
	unionreg.position_group, unionreg.student_level, unionreg.leave_reason, unionreg.card_state,
	unionreg.card_transition, unionreg.form, unionreg.form_assignment, unionreg.form_line,
	unionreg.control_ratio, unionreg.snapshot
	TO unionreg_officer, unionreg_chair;
GRANT SELECT ON unionreg.org, unionreg.org_link, unionreg.org_base, unionreg.org_chairman,
	unionreg.paper_baseline, unionreg.membership, unionreg.status_period, unionreg.person_consent,
	unionreg.card, unionreg.card_event, unionreg.snapshot_org, unionreg.load_reject
	TO unionreg_officer, unionreg_chair;
GRANT SELECT (id, ext_id, surname, first_name, patronymic, gender, virtual_card_on, profcards_on)
	ON unionreg.person TO unionreg_officer, unionreg_chair;
GRANT SELECT (id, surname, first_name, patronymic, gender, org_id, consent, submitted_at, state,
			  decided_on, reject_reason, person_id)
	ON unionreg.application TO unionreg_officer, unionreg_chair;
-- writes in their subtree: passports, statuses, consents, contacts; staging
GRANT UPDATE (name, short_name, inn, ogrn, region_code, address, phone, email)
	ON unionreg.org TO unionreg_officer, unionreg_chair;
GRANT INSERT, UPDATE ON unionreg.org_base, unionreg.org_chairman, unionreg.status_period
	TO unionreg_officer, unionreg_chair;
GRANT INSERT ON unionreg.person_consent TO unionreg_officer, unionreg_chair;
GRANT UPDATE (surname, first_name, patronymic, email, phone, virtual_card_on, profcards_on)
	ON unionreg.person TO unionreg_officer, unionreg_chair;
GRANT INSERT ON unionreg.stage_org, unionreg.stage_member, unionreg.stage_baseline
	TO unionreg_officer, unionreg_chair;
GRANT SELECT ON unionreg.my_scope TO unionreg_admin, unionreg_officer, unionreg_chair;

-- person data never reaches the reader, nor anyone without a role here
REVOKE ALL ON unionreg.duplicate_persons, unionreg.contact_problems FROM PUBLIC;
GRANT SELECT ON unionreg.duplicate_persons, unionreg.contact_problems TO unionreg_admin;
