-- ---------------------------------------------------------------------
-- Hierarchy functions: the tree on a date, validation, moves, liquidation.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg.org_at(as_of date DEFAULT current_date)
RETURNS TABLE (ext_id text, parent_ext_id text, level text, kind text,
			   composition text, name text, depth integer)
	AS 'MODULE_PATHNAME', 'org_at' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION unionreg.org_at(date) IS
	'The tree as it stood on as_of: one row per live organization, parents before children, siblings by name in Russian collation; depth 0 = central, NULL for organizations cut off from the root on that date';

CREATE FUNCTION unionreg.validate_hierarchy(as_of date DEFAULT current_date)
RETURNS TABLE (org_ext_id text, problem text, detail text)
	AS 'MODULE_PATHNAME', 'validate_hierarchy' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION unionreg.validate_hierarchy(date) IS
	'Every broken hierarchy rule in stored data on as_of (including data loaded with triggers disabled): bad parent level, link outside a lifetime, overlapping links, cycles, nesting, orphans, unreachable organizations, missing or extra roots; empty = healthy';

-- Internal: the id of an organization by ext_id, or a clear error.
CREATE FUNCTION unionreg._org_id(p_ext_id text, p_role text DEFAULT 'organization')
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_ext_id IS NULL THEN
		RAISE EXCEPTION 'the % is NULL', p_role
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the ext_id of an existing organization.';
	END IF;
	SELECT o.id INTO v_id FROM unionreg.org o WHERE o.ext_id = p_ext_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% "%" does not exist', p_role, p_ext_id
			USING ERRCODE = 'no_data_found',
				  DETAIL = format('No row of unionreg.org has ext_id %L.', p_ext_id),
				  HINT = 'Check the ext_id, or load the organization first (unionreg.load_orgs).';
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._org_id(text, text) IS 'internal: id of an organization by ext_id, or an error naming it';

CREATE FUNCTION unionreg.create_org(
	p_ext_id text, p_parent_ext_id text, p_level text, p_name text,
	p_valid_from date DEFAULT current_date,
	p_kind text DEFAULT NULL, p_composition text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_parent bigint;
BEGIN
	IF p_level = 'primary' AND (p_kind IS NULL OR p_composition IS NULL) THEN
		RAISE EXCEPTION 'primary organization "%" needs a kind and a composition', p_ext_id
			USING ERRCODE = 'check_violation',
				  DETAIL = format('kind is %s, composition is %s.', coalesce(p_kind, 'empty'), coalesce(p_composition, 'empty')),
				  HINT = 'Pass p_kind (school, preschool, supplementary, professional, higher, science, other) and p_composition (workers, students, joint).';
	END IF;
	IF p_level <> 'central' THEN
		v_parent := unionreg._org_id(p_parent_ext_id, 'parent organization');
	END IF;
	INSERT INTO unionreg.org (ext_id, level, kind, composition, name, valid_from)
	VALUES (p_ext_id, p_level, p_kind, p_composition, p_name, p_valid_from)
	RETURNING id INTO v_id;
	IF v_parent IS NOT NULL THEN
		INSERT INTO unionreg.org_link (org_id, parent_id, valid_from)
		VALUES (v_id, v_parent, p_valid_from);
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg.create_org(text, text, text, text, date, text, text) IS
	'Create an organization under a parent from a date; every hierarchy rule is checked; returns the internal id';

CREATE FUNCTION unionreg.move_org(p_org text, p_new_parent text, p_effective date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org);
	v_parent bigint := unionreg._org_id(p_new_parent, 'new parent');
	v_link record;
BEGIN
	IF p_effective IS NULL THEN
		RAISE EXCEPTION 'the effective date of moving "%" is NULL', p_org
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the first day the organization stands under its new parent.';
	END IF;
	-- one move at a time, so a move reads the links it changes as they are
	PERFORM pg_advisory_xact_lock(1970170223, 1);

	SELECT l.* INTO v_link FROM unionreg.org_link l
	 WHERE l.org_id = v_org AND l.valid_from <= p_effective
	   AND (l.valid_to IS NULL OR l.valid_to > p_effective)
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cannot move "%" on %: it has no parent link that day', p_org, p_effective
			USING ERRCODE = 'check_violation',
				  DETAIL = 'The organization is not live on that date, or it is the root.',
				  HINT = 'Pick a date within the organization''s lifetime.';
	END IF;
	IF v_link.parent_id = v_parent THEN
		RETURN;					-- already there: nothing to do
	END IF;
	IF v_link.valid_from = p_effective THEN
		UPDATE unionreg.org_link SET parent_id = v_parent
		 WHERE org_id = v_org AND valid_from = v_link.valid_from;
	ELSE
		UPDATE unionreg.org_link SET valid_to = p_effective
		 WHERE org_id = v_org AND valid_from = v_link.valid_from;
		INSERT INTO unionreg.org_link (org_id, parent_id, valid_from, valid_to)
		VALUES (v_org, v_parent, p_effective, v_link.valid_to);
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg.move_org(text, text, date) IS
	'Move an organization with its whole subtree under a new parent from the effective date (half-open: on that day it already stands under the new parent); checked as one operation: levels, lifetimes, cycles, nesting';

CREATE FUNCTION unionreg.liquidate_org(p_org text, p_on date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org);
	v_from date;
BEGIN
	SELECT valid_from INTO v_from FROM unionreg.org WHERE id = v_org FOR UPDATE;
	IF p_on IS NULL OR p_on <= v_from THEN
		RAISE EXCEPTION 'cannot liquidate "%" on %: it was created on %', p_org, p_on, v_from
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The liquidation date is the first day it no longer exists and must come after its creation.';
	END IF;
	-- links that start on or after the date go, the one holding then ends then
	DELETE FROM unionreg.org_link WHERE org_id = v_org AND valid_from >= p_on;
	UPDATE unionreg.org_link SET valid_to = p_on
	 WHERE org_id = v_org AND (valid_to IS NULL OR valid_to > p_on);
	UPDATE unionreg.org SET valid_to = p_on WHERE id = v_org;
END
$$;
COMMENT ON FUNCTION unionreg.liquidate_org(text, date) IS
	'Liquidate an organization: p_on is the first day it no longer exists; refused while it has live children or members on that date';
