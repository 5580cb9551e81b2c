-- ---------------------------------------------------------------------
-- The reader role: what BI tools and HQ analysts connect as.  It sees the
-- report and analytics views, built of aggregates and organization data, and
-- no table: persons, contacts, SNILS, chairmen's names stay out of reach.
-- Grants list views one by one, so a view added later is private until
-- someone decides it is fit for readers.  (The wide form views are granted
-- by refresh_form_views(), which makes them.)
-- ---------------------------------------------------------------------

GRANT USAGE ON SCHEMA unionreg TO unionreg_reader;

GRANT SELECT ON
	unionreg.report_line, unionreg.report_line_all, unionreg.control_violation, unionreg.report_gaps,
	unionreg.latest_snapshot, unionreg.current_snapshot,
	unionreg.coverage_by_region, unionreg.members_by_status, unionreg.cards_by_region,
	unionreg.online_admissions_by_region, unionreg.empty_primaries, unionreg.report_completeness_by_level,
	unionreg.passport_gaps, unionreg.chairman_gaps_by_level, unionreg.org_coverage_by_region,
	unionreg.profcards_by_region, unionreg.org_tree
TO unionreg_reader;
GRANT SELECT ON unionreg.org_tree TO unionreg_admin, unionreg_officer, unionreg_chair;
-- the analytics as of any built date: aggregates, like the views over them
REVOKE EXECUTE ON FUNCTION unionreg.coverage_by_region_at(date), unionreg.members_by_status_at(date),
	unionreg.cards_by_region_at(date), unionreg.online_admissions_by_region_at(date),
	unionreg.empty_primaries_at(date), unionreg.report_completeness_by_level_at(date),
	unionreg.org_coverage_by_region_at(date), unionreg.region_rating(date, date),
	unionreg.profcards_by_region_at(date), unionreg.region_growth(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.coverage_by_region_at(date), unionreg.members_by_status_at(date),
	unionreg.cards_by_region_at(date), unionreg.online_admissions_by_region_at(date),
	unionreg.empty_primaries_at(date), unionreg.report_completeness_by_level_at(date),
	unionreg.org_coverage_by_region_at(date), unionreg.region_rating(date, date),
	unionreg.profcards_by_region_at(date), unionreg.region_growth(date, date)
TO unionreg_reader, unionreg_admin;

-- ---------------------------------------------------------------------
-- Roles, the organizations a login stands for, and its subtree.
--
-- unionreg_admin    everything
-- unionreg_officer  the register officer of a region: reads and writes its subtree
-- unionreg_chair    the chairman of an organization: reads and writes its subtree
-- unionreg_reader   aggregate views only
--
-- A login's subtree is the union of the subtrees, in the hierarchy as it
-- stands today, of the organizations unionreg.access_scope maps it to.
-- Functions act for the session's login (session_user): a SECURITY DEFINER
-- function cannot see its caller's current_user, and SET ROLE is not a
-- boundary inside one login.  Superusers and members of unionreg_admin see all.
-- ---------------------------------------------------------------------


CREATE TABLE unionreg.access_scope (
	login		name NOT NULL,
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	granted_at	timestamptz NOT NULL DEFAULT now(),
	granted_by	name NOT NULL DEFAULT session_user,
	PRIMARY KEY (login, org_id)
);
COMMENT ON TABLE unionreg.access_scope IS
	'Which login stands for which organization (a login may hold several): it reads and writes their subtrees. Change with grant_scope() / revoke_scope()';
COMMENT ON COLUMN unionreg.access_scope.login IS 'the login (a role that can log in)';
COMMENT ON COLUMN unionreg.access_scope.org_id IS 'the organization it stands for';
COMMENT ON COLUMN unionreg.access_scope.granted_at IS 'when';
COMMENT ON COLUMN unionreg.access_scope.granted_by IS 'who granted it';
CREATE INDEX access_scope_org_idx ON unionreg.access_scope (org_id);
SELECT pg_catalog.pg_extension_config_dump('unionreg.access_scope', '');

-- Who sees everything: superusers and members of unionreg_admin.
CREATE FUNCTION unionreg._sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
		   OR pg_has_role(session_user, 'unionreg_admin', 'MEMBER')
$$;
COMMENT ON FUNCTION unionreg._sees_all() IS 'internal: the session''s login is a superuser or a member of unionreg_admin';

-- The login's organizations and everything under them today: one indexed
-- walk down org_link per statement (policies call it as an uncorrelated
-- subquery, hashed once), never a walk per row.  Definer: the walk must
-- see the links row security hides from the caller.
CREATE FUNCTION unionreg._visible_org_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
ROWS 200
AS $$
	WITH RECURSIVE down (id) AS (
		SELECT s.org_id FROM unionreg.access_scope s WHERE s.login = session_user
		UNION
		SELECT l.org_id
		  FROM down d
		  JOIN unionreg.org_link l ON l.parent_id = d.id
		 WHERE unionreg._holds_on(l.valid_from, l.valid_to, current_date))
	SELECT id FROM down
$$;
COMMENT ON FUNCTION unionreg._visible_org_ids() IS
	'internal: the organizations of the session login''s subtree today (its access_scope organizations and all below them)';

-- The same organizations by ext_id, for callers that hold external ids
-- (staged rows, the tree, hierarchy problems).  Plain SQL, inlined.
CREATE FUNCTION unionreg._visible_org_ext_ids() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT o.ext_id FROM unionreg.org o WHERE o.id IN (SELECT unionreg._visible_org_ids())
$$;
COMMENT ON FUNCTION unionreg._visible_org_ext_ids() IS
	'internal: the ext_ids of the organizations of the session login''s subtree today';

-- A person belongs where their latest membership period is (the current
-- one, or the last before leaving): a transfer moves the whole record card,
-- history included, to the new subtree.  Plain SQL, inlined into the two
-- functions below, so their filters reach the membership indexes.
CREATE FUNCTION unionreg._latest_memberships()
RETURNS TABLE (person_id bigint, org_id bigint, subdivision_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT m.person_id, m.org_id, m.subdivision_id
	  FROM unionreg.membership m
	 WHERE NOT EXISTS (SELECT 1 FROM unionreg.membership l
						WHERE l.person_id = m.person_id AND l.joined_on > m.joined_on)
$$;
COMMENT ON FUNCTION unionreg._latest_memberships() IS 'internal: each person''s latest membership period: where the person belongs';

CREATE FUNCTION unionreg._visible_person_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
ROWS 1000
AS $$
	-- one walk of the subtree, for the primary and the subdivision alike
	WITH v AS MATERIALIZED (SELECT unionreg._visible_org_ids() AS id)
	SELECT h.person_id FROM unionreg._latest_memberships() h
	 WHERE h.org_id IN (SELECT v.id FROM v) OR h.subdivision_id IN (SELECT v.id FROM v)
$$;
COMMENT ON FUNCTION unionreg._visible_person_ids() IS
	'internal: the persons whose latest membership lies in the session login''s subtree today';

-- Whose personal data the login sees unmasked: the administrator and the
-- region's officer for everyone they see; a chairman for the members of
-- the organization it stands for itself (its primary or subdivision), not
-- of every organization below it.
CREATE FUNCTION unionreg._owned_person_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
ROWS 1000
AS $$
	SELECT v.id FROM unionreg._visible_person_ids() v(id)
	 WHERE pg_has_role(session_user, 'unionreg_officer', 'MEMBER')
	UNION
	SELECT h.person_id FROM unionreg._latest_memberships() h
	  JOIN unionreg.access_scope s ON s.login = session_user AND s.org_id IN (h.org_id, h.subdivision_id)
$$;
COMMENT ON FUNCTION unionreg._owned_person_ids() IS
	'internal: the persons whose SNILS, contacts and birth date the session login sees unmasked (besides the administrator, who sees all)';

-- ---- checks the API functions make -----------------------------------------

CREATE FUNCTION unionreg._scope_hint() RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT 'SELECT * FROM unionreg.my_scope lists the organizations your login stands for; the register administrator grants more with unionreg.grant_scope().'::text $$;
COMMENT ON FUNCTION unionreg._scope_hint() IS 'internal: the hint of a refusal for lack of scope';

CREATE FUNCTION unionreg._require_admin(p_action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF NOT unionreg._sees_all() THEN
		RAISE EXCEPTION 'login % may not %: it takes the register administrator', session_user, p_action
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Ask a member of unionreg_admin.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._require_admin(text) IS 'internal: refuses (42501) a login that is not the administrator';

-- The organization by ext_id, when the login may act on it.
CREATE FUNCTION unionreg._require_org(p_ext_id text, p_action text, p_role text DEFAULT 'organization') RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._org_id(p_ext_id, p_role);
BEGIN
	IF NOT unionreg._sees_all() AND v_id NOT IN (SELECT unionreg._visible_org_ids()) THEN
		RAISE EXCEPTION 'login % may not % % "%": it is outside the subtree the login stands for',
			session_user, p_action, p_role, p_ext_id
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._require_org(text, text, text) IS
	'internal: the id of an organization the session login may act on, or 42501 (P0002 when it does not exist)';

-- The person by ext_id, when the login may act on them.  Outside the
-- subtree the answer is the same whether the person exists or not: a
-- refusal must not tell a chairman who is a member elsewhere.
CREATE FUNCTION unionreg._require_person(p_ext_id text, p_action text) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	IF unionreg._sees_all() THEN
		RETURN unionreg._person_id(p_ext_id);
	END IF;
	SELECT p.id INTO v_id FROM unionreg.person p
	 WHERE p.ext_id = p_ext_id AND p.id IN (SELECT unionreg._visible_person_ids());
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'login % may not % person "%": no such person in the subtree the login stands for',
			session_user, p_action, p_ext_id
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._require_person(text, text) IS
	'internal: the id of a person the session login may act on, or 42501 (the same whether the person exists elsewhere or not at all)';

-- A login changes a person's history only inside its subtree: the period
-- that runs through the day it changes must lie in an organization the
-- login stands for.  A member who arrived from another region keeps the
-- periods before the arrival as that region recorded them (its past reports
-- stand); an officer above both corrects them.
CREATE FUNCTION unionreg._require_period(p_person bigint, p_ext_id text, p_on date, p_action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF unionreg._sees_all() THEN
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM unionreg.membership m
				WHERE m.person_id = p_person AND m.joined_on < p_on AND (m.left_on IS NULL OR m.left_on > p_on)
				  AND m.org_id NOT IN (SELECT unionreg._visible_org_ids())) THEN
		RAISE EXCEPTION 'login % may not % person "%" on %: the membership that runs through that day is outside the subtree the login stands for',
			session_user, p_action, p_ext_id, p_on
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'A login changes only the periods of its own subtree; the periods before a member arrived belong to the organization that recorded them.',
				  HINT = 'Give a day on or after the member''s arrival, or ask an officer who stands for both organizations.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._require_period(bigint, text, date, text) IS
	'internal: 42501 unless the membership period running through a day lies in the session login''s subtree (administrators pass)';

-- ---- administering scopes ----------------------------------------------------

CREATE FUNCTION unionreg.grant_scope(p_login name, p_org text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_org bigint;
	v_level text;
BEGIN
	PERFORM unionreg._require_admin('grant a scope');
	IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = p_login) THEN
		RAISE EXCEPTION 'role "%" does not exist', p_login
			USING ERRCODE = 'undefined_object', HINT = 'CREATE ROLE ... LOGIN first, then grant it unionreg_officer or unionreg_chair.';
	END IF;
	IF NOT (pg_has_role(p_login, 'unionreg_officer', 'MEMBER') OR pg_has_role(p_login, 'unionreg_chair', 'MEMBER')) THEN
		RAISE EXCEPTION 'login "%" is neither a unionreg_officer nor a unionreg_chair', p_login
			USING ERRCODE = 'invalid_grant_operation',
				  HINT = format('GRANT unionreg_chair TO %I (or unionreg_officer for a region''s register officer) first.', p_login);
	END IF;
	v_org := unionreg._org_id(p_org);
	SELECT o.level INTO v_level FROM unionreg.org o WHERE o.id = v_org;
	IF pg_has_role(p_login, 'unionreg_officer', 'MEMBER') AND NOT pg_has_role(p_login, 'unionreg_chair', 'MEMBER')
	   AND v_level <> 'regional' THEN
		RAISE EXCEPTION 'officer "%" stands for a region, but "%" is a % organization', p_login, p_org, v_level
			USING ERRCODE = 'invalid_grant_operation', HINT = 'Map an officer to a regional organization.';
	END IF;
	INSERT INTO unionreg.access_scope (login, org_id) VALUES (p_login, v_org) ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION unionreg.grant_scope(name, text) IS
	'Map a login (a unionreg_officer or unionreg_chair) to an organization: it then reads and writes that subtree (administrator only)';

CREATE FUNCTION unionreg.revoke_scope(p_login name, p_org text) RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	PERFORM unionreg._require_admin('revoke a scope');
	DELETE FROM unionreg.access_scope s WHERE s.login = p_login AND s.org_id = unionreg._org_id(p_org);
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n > 0;
END
$$;
COMMENT ON FUNCTION unionreg.revoke_scope(name, text) IS 'Remove a login''s mapping to an organization; true when there was one (administrator only)';

CREATE VIEW unionreg.my_scope WITH (security_barrier) AS
	SELECT s.login, o.ext_id AS org_ext_id, o.name AS org_name, o.level, s.granted_at, s.granted_by
	  FROM unionreg.access_scope s JOIN unionreg.org o ON o.id = s.org_id
	 WHERE s.login = session_user OR (SELECT unionreg._sees_all());
COMMENT ON VIEW unionreg.my_scope IS 'The organizations the session''s login stands for (every mapping, for the administrator)';
COMMENT ON COLUMN unionreg.my_scope.login IS 'the login';
COMMENT ON COLUMN unionreg.my_scope.org_ext_id IS 'the organization it stands for';
COMMENT ON COLUMN unionreg.my_scope.org_name IS 'its name';
COMMENT ON COLUMN unionreg.my_scope.level IS 'its level';
COMMENT ON COLUMN unionreg.my_scope.granted_at IS 'when it was granted';
COMMENT ON COLUMN unionreg.my_scope.granted_by IS 'by whom';


-- ---------------------------------------------------------------------
-- Row-level security on every table holding organization or person rows,
-- and what each role may touch.  The extension's own functions and views
-- run as their owner (row security does not bind it); the API functions
-- check the caller themselves (_require_org, _require_person, ...).
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
ALTER TABLE unionreg.load_warning ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_loads ON unionreg.load_warning
	USING ((SELECT unionreg._sees_all()) OR warned_by = session_user);
COMMENT ON POLICY own_loads ON unionreg.load_warning IS 'warnings of the session''s login''s own loads (everything for the administrator)';
ALTER TABLE unionreg.access_scope ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_scope ON unionreg.access_scope
	USING ((SELECT unionreg._sees_all()) OR login = session_user);
COMMENT ON POLICY own_scope ON unionreg.access_scope IS 'the session''s login''s own mappings (every mapping for the administrator)';

-- the audit trail holds person rows too: the administrator reads it all
ALTER TABLE unionreg.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY administrator ON unionreg.audit_log USING ((SELECT unionreg._sees_all()));
COMMENT ON POLICY administrator ON unionreg.audit_log IS 'the administrator reads and changes every row';


-- ---- grants ------------------------------------------------------------------

GRANT USAGE ON SCHEMA unionreg TO unionreg_admin, unionreg_officer, unionreg_chair;

-- the administrator: everything, the audit trail read-only
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA unionreg TO unionreg_admin;
REVOKE INSERT, UPDATE, DELETE ON unionreg.audit_log, unionreg.member_fact FROM unionreg_admin;
GRANT SELECT ON unionreg.audit_trail TO unionreg_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA unionreg TO unionreg_admin;

-- officers and chairmen: the catalogs, their subtree's rows (row security),
-- persons without SNILS, contacts and birth date (the view unionreg.persons
-- shows those, masked where the login does not own the member)
GRANT SELECT ON unionreg.level, unionreg.level_parent, unionreg.org_kind, unionreg.composition,
	unionreg.passport_field, unionreg.passport_requirement, unionreg.member_status,
	unionreg.position_group, unionreg.student_level, unionreg.leave_reason, unionreg.card_state,
	unionreg.card_transition, unionreg.form, unionreg.form_assignment, unionreg.form_line,
	unionreg.control_ratio, unionreg.snapshot, unionreg.report_gap_label
	TO unionreg_officer, unionreg_chair;
GRANT SELECT ON unionreg.org, unionreg.org_link, unionreg.org_base, unionreg.org_chairman,
	unionreg.paper_baseline, unionreg.membership, unionreg.status_period, unionreg.person_consent,
	unionreg.card, unionreg.card_event, unionreg.snapshot_org, unionreg.load_reject, unionreg.load_warning
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
-- staging and loading: each login its own staged rows (src/sql/staging.sql)
REVOKE ALL ON unionreg._staged_org, unionreg._staged_member, unionreg._staged_baseline,
	unionreg._staged_org_correction FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON unionreg.stage_org, unionreg.stage_member, unionreg.stage_baseline,
	unionreg.stage_org_correction TO unionreg_admin, unionreg_officer, unionreg_chair;
REVOKE EXECUTE ON FUNCTION unionreg.load_orgs(), unionreg.load_members(), unionreg.load_baselines(),
	unionreg.load_org_corrections() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.load_orgs(), unionreg.load_members(), unionreg.load_baselines(),
	unionreg.load_org_corrections() TO unionreg_admin, unionreg_officer, unionreg_chair;
GRANT SELECT ON unionreg.my_scope TO unionreg_admin, unionreg_officer, unionreg_chair;

-- person data never reaches the reader, nor anyone without a role here
REVOKE ALL ON unionreg.duplicate_persons, unionreg.contact_problems FROM PUBLIC;
GRANT SELECT ON unionreg.duplicate_persons, unionreg.contact_problems TO unionreg_admin;

-- ---------------------------------------------------------------------
-- Personal data, masked.  Officers and chairmen read persons through
-- unionreg.persons: the rows of their subtree, with SNILS, phone, e-mail
-- and birth date in clear only for the members they own (see
-- _owned_person_ids); the table's own columns for those are not granted.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg.mask_snils(unionreg.snils) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT '***-***-*' || right($1::text, 5) $$;
COMMENT ON FUNCTION unionreg.mask_snils(unionreg.snils) IS 'SNILS with all but the last digit of the number and the check digits hidden: ***-***-*45 95';

CREATE FUNCTION unionreg.mask_phone(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN length(regexp_replace($1, '\D', '', 'g')) >= 4
				  THEN '*** ***-**-' || right(regexp_replace($1, '\D', '', 'g'), 2)
				  ELSE '***' END $$;
COMMENT ON FUNCTION unionreg.mask_phone(text) IS 'a phone number with all but its last two digits hidden: *** ***-**-00';

CREATE FUNCTION unionreg.mask_email(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN position('@' IN $1) > 1
				  THEN left($1, 1) || '***@' || split_part($1, '@', 2)
				  ELSE '***' END $$;
COMMENT ON FUNCTION unionreg.mask_email(text) IS 'an e-mail address with its local part hidden but the first letter: a***@example.org';

CREATE VIEW unionreg.persons WITH (security_barrier) AS
	SELECT p.ext_id, p.surname, p.first_name, p.patronymic, p.gender,
		   CASE WHEN w.owned THEN p.birth_date::text ELSE '****-**-**' END AS birth_date,
		   CASE WHEN w.owned THEN p.snils::text ELSE unionreg.mask_snils(p.snils) END AS snils,
		   CASE WHEN w.owned THEN p.email ELSE unionreg.mask_email(p.email) END AS email,
		   CASE WHEN w.owned THEN p.phone ELSE unionreg.mask_phone(p.phone) END AS phone,
		   o.ext_id AS org_ext_id, s.ext_id AS subdivision_ext_id, m.joined_on, m.left_on,
		   w.owned AS unmasked
	  FROM unionreg.person p
	  LEFT JOIN LATERAL (
			SELECT x.org_id, x.subdivision_id, x.joined_on, x.left_on FROM unionreg.membership x
			 WHERE x.person_id = p.id ORDER BY x.joined_on DESC LIMIT 1) m ON true
	  LEFT JOIN unionreg.org o ON o.id = m.org_id
	  LEFT JOIN unionreg.org s ON s.id = m.subdivision_id
		 -- each set once per query (initplans and hashed subplans), not a call per row
	 CROSS JOIN LATERAL (SELECT (SELECT unionreg._sees_all()) OR p.id IN (SELECT unionreg._owned_person_ids()) AS owned) w
	 WHERE (SELECT unionreg._sees_all()) OR p.id IN (SELECT unionreg._visible_person_ids());
COMMENT ON VIEW unionreg.persons IS
	'Record cards of the persons in the session login''s subtree (their latest membership there), SNILS, e-mail, phone and birth date masked unless the login owns the member (the administrator, the region''s officer, the chairman of the member''s own primary or subdivision)';
COMMENT ON COLUMN unionreg.persons.ext_id IS 'external id of the person';
COMMENT ON COLUMN unionreg.persons.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.persons.first_name IS 'имя';
COMMENT ON COLUMN unionreg.persons.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.persons.gender IS 'm or f';
COMMENT ON COLUMN unionreg.persons.birth_date IS 'birth date (ISO), or ****-**-** masked';
COMMENT ON COLUMN unionreg.persons.snils IS 'СНИЛС, or masked: ***-***-*45 95';
COMMENT ON COLUMN unionreg.persons.email IS 'e-mail, or masked: a***@example.org';
COMMENT ON COLUMN unionreg.persons.phone IS 'phone, or masked: *** ***-**-00';
COMMENT ON COLUMN unionreg.persons.org_ext_id IS 'primary organization of the latest membership period';
COMMENT ON COLUMN unionreg.persons.subdivision_ext_id IS 'its subdivision, if any';
COMMENT ON COLUMN unionreg.persons.joined_on IS 'first day of that period';
COMMENT ON COLUMN unionreg.persons.left_on IS 'first day no longer a member (NULL = a member)';
COMMENT ON COLUMN unionreg.persons.unmasked IS 'true when the login owns the member and sees the personal data in clear';
REVOKE ALL ON unionreg.persons FROM PUBLIC;
GRANT SELECT ON unionreg.persons TO unionreg_admin, unionreg_officer, unionreg_chair;

-- the whole union: the administrator's (and pg_cron's, which runs as its owner)
REVOKE EXECUTE ON FUNCTION unionreg.build_snapshot(date), unionreg.snapshot_drift(bigint),
	unionreg.delete_snapshot(bigint, boolean), unionreg.prune_snapshots(integer),
	unionreg.refresh_analytics(), unionreg.refresh_form_views(), unionreg.run_quarterly_snapshot(text),
	unionreg.schedule_snapshots(text, time, time, integer), unionreg.unschedule_snapshots(),
	unionreg.member_tallies(date, bigint[])
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.build_snapshot(date), unionreg.snapshot_drift(bigint),
	unionreg.delete_snapshot(bigint, boolean), unionreg.prune_snapshots(integer),
	unionreg.refresh_analytics(), unionreg.refresh_form_views(), unionreg.run_quarterly_snapshot(text),
	unionreg.schedule_snapshots(text, time, time, integer), unionreg.unschedule_snapshots(),
	unionreg.member_fact_drift(), unionreg.member_fact_rebuild(), unionreg.member_tallies(date, bigint[])
	TO unionreg_admin;

-- Internal functions (named _*) are the owner's: the API functions, running
-- as the owner, call them; a login calling one directly could pass what the
-- API never passes.  This is the one place their EXECUTE is revoked.  The few that row-security policies and the views a
-- login reads evaluate as that login are granted back to the roles.
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'unionreg'::regnamespace AND p.proname LIKE '\_%' LOOP
		EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
	END LOOP;
END
$$;
-- the row-security policies' own: any role granted a table evaluates them
-- (they tell the caller its own scope, nothing else)
GRANT EXECUTE ON FUNCTION unionreg._sees_all(), unionreg._visible_org_ids(), unionreg._visible_org_ext_ids(),
	unionreg._visible_person_ids(), unionreg._owned_person_ids()
	TO PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg._line_of(unionreg.tally, text, text),
	unionreg._control_violations(unionreg.tally, text)
	TO unionreg_admin, unionreg_officer, unionreg_chair, unionreg_reader;
