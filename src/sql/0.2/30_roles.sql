-- ---------------------------------------------------------------------
-- 0.2: roles, the organizations a login stands for, and its subtree.
--
-- unionreg_admin    everything
-- unionreg_officer  the register officer of a region: reads and writes its subtree
-- unionreg_chair    the chairman of an organization: reads and writes its subtree
-- unionreg_reader   aggregate views only (0.1)
--
-- A login's subtree is the union of the subtrees, in the hierarchy as it
-- stands today, of the organizations unionreg.access_scope maps it to.
-- Functions act for the session's login (session_user): a SECURITY DEFINER
-- function cannot see its caller's current_user, and SET ROLE is not a
-- boundary inside one login.  Superusers and members of unionreg_admin see all.
-- ---------------------------------------------------------------------

DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
			('unionreg_admin', 'unionreg: administers the register: every organization, person, load, snapshot and the audit trail'),
			('unionreg_officer', 'unionreg: register officer of a region: reads and writes the subtree of the regional organization unionreg.access_scope maps the login to'),
			('unionreg_chair', 'unionreg: chairman of an organization: reads and writes the subtree of the organizations unionreg.access_scope maps the login to')) v(name, note)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r.name);
			EXECUTE format('COMMENT ON ROLE %I IS %L', r.name, r.note);
		END IF;
	END LOOP;
END
$$;

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
		 WHERE l.valid_from <= current_date AND (l.valid_to IS NULL OR l.valid_to > current_date))
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

CREATE VIEW unionreg.my_scope AS
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

-- who did it: the login, not the owner a SECURITY DEFINER function runs as
ALTER TABLE unionreg.load_reject ALTER COLUMN rejected_by SET DEFAULT session_user;
ALTER TABLE unionreg.card_event ALTER COLUMN recorded_by SET DEFAULT session_user;
ALTER TABLE unionreg.snapshot ALTER COLUMN built_by SET DEFAULT session_user;
