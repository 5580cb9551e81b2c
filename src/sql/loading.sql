-- ---------------------------------------------------------------------
-- Staged loading of organizations (public loading contract).
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg._stage_date(text) RETURNS date
	AS 'MODULE_PATHNAME', 'stage_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_date(text) IS 'internal: a date written YYYY-MM-DD, DD.MM.YYYY or D.M.YYYY (1900..2199), or NULL when the text is not one';
CREATE FUNCTION unionreg._stage_date_problem(text) RETURNS text
	AS 'MODULE_PATHNAME', 'stage_date_problem' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_date_problem(text) IS 'internal: why a text is not a date _stage_date() takes (not a date, not a calendar day, outside 1900..2199), as the end of a sentence; NULL if it is one';
CREATE FUNCTION unionreg._stage_bool(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'stage_bool' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_bool(text) IS 'internal: t/f/true/false/1/0/yes/no/да/нет as boolean, or NULL when the text is none of them';
CREATE FUNCTION unionreg._stage_int(text) RETURNS integer
	AS 'MODULE_PATHNAME', 'stage_int' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_int(text) IS 'internal: a non-negative integer, or NULL when the text is not one';

-- A code as people write it, for comparison: spaces trimmed and collapsed,
-- lower case (ICU's, so Cyrillic folds whatever the database's locale), ё
-- read as е.
CREATE FUNCTION unionreg._label_key(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(lower(regexp_replace(btrim($1), '\s+', ' ', 'g') COLLATE "und-x-icu"), 'ё', 'е') $$;
COMMENT ON FUNCTION unionreg._label_key(text) IS 'internal: a code or label as compared when staged: trimmed, spaces collapsed, lower case, ё read as е';

-- Every code a staged column may carry, by its catalog: the code itself and
-- its Russian label (as the catalogs hold them now), and the genders as
-- offices write them.  The loaders join it by (catalog, key).
CREATE VIEW unionreg._code_key AS
	SELECT x.catalog, unionreg._label_key(x.written) AS key, x.code
	  FROM (SELECT 'member_status' AS catalog, code, ARRAY[code, label_ru] AS w FROM unionreg.member_status
			UNION ALL SELECT 'position_group', code, ARRAY[code, label_ru] FROM unionreg.position_group
			UNION ALL SELECT 'student_level', code, ARRAY[code, label_ru] FROM unionreg.student_level
			UNION ALL SELECT 'leave_reason', code, ARRAY[code, label_ru] FROM unionreg.leave_reason
			UNION ALL SELECT 'card_state', code, ARRAY[code, label_ru] FROM unionreg.card_state
			UNION ALL SELECT 'level', code, ARRAY[code, label_ru] FROM unionreg.level
			UNION ALL SELECT 'org_kind', code, ARRAY[code, label_ru] FROM unionreg.org_kind
			UNION ALL SELECT 'composition', code, ARRAY[code, label_ru] FROM unionreg.composition
			UNION ALL SELECT 'gender', 'm', '{m,м,муж,мужской}'
			UNION ALL SELECT 'gender', 'f', '{f,ж,жен,женский}') c
	 CROSS JOIN LATERAL unnest(c.w) AS x0(written)
	 CROSS JOIN LATERAL (SELECT c.catalog, x0.written, c.code) x
	 GROUP BY 1, 2, 3;
COMMENT ON VIEW unionreg._code_key IS 'internal: the staged spellings of every code (the code, its Russian label; genders as м/ж), by catalog, as _label_key() folds them';
COMMENT ON COLUMN unionreg._code_key.catalog IS 'the catalog table of the code (gender: the person''s gender)';
COMMENT ON COLUMN unionreg._code_key.key IS 'a spelling as _label_key() folds it';
COMMENT ON COLUMN unionreg._code_key.code IS 'the code it stands for';

CREATE TABLE unionreg.load_reject (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source		text NOT NULL,
	ext_id		text,
	raw			jsonb NOT NULL,
	reason		text NOT NULL,
	rejected_at timestamptz NOT NULL DEFAULT now(),
	rejected_by text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg.load_reject IS 'Staged rows a loader refused, kept untouched with the reason; fix the row and stage it again';
COMMENT ON COLUMN unionreg.load_reject.id IS 'key';
COMMENT ON COLUMN unionreg.load_reject.source IS 'the staging table the row came from';
COMMENT ON COLUMN unionreg.load_reject.ext_id IS 'ext_id of the row as staged';
COMMENT ON COLUMN unionreg.load_reject.raw IS 'the staged row exactly as it was, column by column';
COMMENT ON COLUMN unionreg.load_reject.reason IS 'why it was refused: which column, which value, which rule';
COMMENT ON COLUMN unionreg.load_reject.rejected_at IS 'when';
COMMENT ON COLUMN unionreg.load_reject.rejected_by IS 'who ran the load';
COMMENT ON SEQUENCE unionreg.load_reject_id_seq IS 'ids of rejected staging rows';
CREATE INDEX load_reject_source_idx ON unionreg.load_reject (source, rejected_at);

-- A loader's note on one column of a staged row, before it becomes a row of
-- load_warning.
CREATE TYPE unionreg._load_note AS (column_name text, raw text, reason text, hint text);
COMMENT ON TYPE unionreg._load_note IS 'internal: a note a loader keeps on a staged row (column, raw value, reason, hint) until the row is loaded';

CREATE TABLE unionreg.load_warning (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source		text NOT NULL,
	ext_id		text,
	column_name text,
	raw			text,
	reason		text NOT NULL,
	hint		text,
	warned_at	timestamptz NOT NULL DEFAULT now(),
	warned_by	text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg.load_warning IS 'What a loader did not take from a row it loaded, or found odd in it, with the raw value: an optional field dropped because it is not valid, a repeated row, dates that disagree with the stored history';
COMMENT ON COLUMN unionreg.load_warning.id IS 'key';
COMMENT ON COLUMN unionreg.load_warning.source IS 'the staging view the row came from';
COMMENT ON COLUMN unionreg.load_warning.ext_id IS 'ext_id of the row as staged';
COMMENT ON COLUMN unionreg.load_warning.column_name IS 'the column the warning is about (NULL: the row as a whole)';
COMMENT ON COLUMN unionreg.load_warning.raw IS 'the column''s value exactly as staged (the row''s, for a warning about the row)';
COMMENT ON COLUMN unionreg.load_warning.reason IS 'what was wrong and what the loader did: the field left empty, the row loaded once, the history kept';
COMMENT ON COLUMN unionreg.load_warning.hint IS 'the usual cause and the fix, where there is one';
COMMENT ON COLUMN unionreg.load_warning.warned_at IS 'when';
COMMENT ON COLUMN unionreg.load_warning.warned_by IS 'who ran the load';
COMMENT ON SEQUENCE unionreg.load_warning_id_seq IS 'ids of load warnings';
CREATE INDEX load_warning_source_idx ON unionreg.load_warning (source, warned_at);

-- ---------------------------------------------------------------------
-- The loaders for officers and chairmen.  The administrator loads
-- anything.  Anyone else loads the staged rows that stay within the login's
-- subtree; every other staged row is rejected before the load with the
-- reason, so loaded + rejected = staged still holds and nothing is dropped.
-- Each login takes only the rows it staged (src/sql/staging.sql).
-- ---------------------------------------------------------------------

-- Staged organizations outside the caller's subtree: an organization on
-- record but not in it; a parent that is neither in it nor staged within
-- it (a stored organization keeping its current parent may stay, e.g. the
-- caller's own root); no parent at all.
CREATE FUNCTION unionreg._reject_staged_orgs_outside() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	WITH RECURSIVE
	vis AS (SELECT v.ext_id FROM unionreg._visible_org_ext_ids() v(ext_id)),
	staged AS (
		SELECT s.ctid AS row_ctid, nullif(btrim(s.ext_id), '') AS ext_id, nullif(btrim(s.parent_ext_id), '') AS parent_ext_id,
			   o.id AS org_id, (o.id IS NULL OR o.ext_id IN (SELECT vis.ext_id FROM vis)) AS own_ok,
			   (SELECT p.ext_id FROM unionreg.org_link l JOIN unionreg.org p ON p.id = l.parent_id
				 WHERE l.org_id = o.id AND unionreg._holds_on(l.valid_from, l.valid_to, current_date)) AS current_parent
		  FROM unionreg._staged_org s LEFT JOIN unionreg.org o ON o.ext_id = nullif(btrim(s.ext_id), '')
		 WHERE s.staged_by = session_user),
	ok (ext_id) AS (
		SELECT st.ext_id FROM staged st
		 WHERE st.own_ok AND (st.parent_ext_id IN (SELECT vis.ext_id FROM vis)
							  OR (st.org_id IS NOT NULL AND st.parent_ext_id = st.current_parent))
		UNION
		SELECT st.ext_id FROM staged st JOIN ok ON st.parent_ext_id = ok.ext_id WHERE st.own_ok),
	outside AS (
		DELETE FROM unionreg._staged_org s
		 USING staged st
		 WHERE s.ctid = st.row_ctid AND st.ext_id IS NOT NULL AND st.ext_id NOT IN (SELECT ok.ext_id FROM ok)
		RETURNING s.*, st.org_id, st.own_ok, st.parent_ext_id AS parent_trimmed)
	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_org', x.ext_id, to_jsonb(x) - 'staged_by' - 'org_id' - 'own_ok' - 'parent_trimmed',
		   format('login %s may not load %L: %s', session_user, btrim(x.ext_id),
				  CASE WHEN NOT x.own_ok THEN 'the organization is outside the subtree the login stands for'
					   WHEN x.parent_trimmed IS NULL THEN 'an organization without a parent is the administrator''s to load'
					   ELSE format('its parent %L is outside the subtree the login stands for', x.parent_trimmed) END)
	  FROM outside x;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg._reject_staged_orgs_outside() IS
	'internal: moves staged organizations outside the session login''s subtree to load_reject with the reason; returns how many';

-- Staged member rows outside: an organization not in the subtree, or a
-- person on record elsewhere (said without saying where).  Each row is
-- judged once; the reason comes from the same judgement.
CREATE FUNCTION unionreg._reject_staged_members_outside() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	WITH judged AS (
		SELECT s.ctid AS row_ctid,
			   btrim(s.org_ext_id) NOT IN (SELECT unionreg._visible_org_ext_ids()) AS org_outside
		  FROM unionreg._staged_member s
		 WHERE s.staged_by = session_user AND nullif(btrim(s.org_ext_id), '') IS NOT NULL),
	outside AS (
		DELETE FROM unionreg._staged_member s
		 USING judged j
		 WHERE s.ctid = j.row_ctid
		   AND (j.org_outside
				OR EXISTS (SELECT 1 FROM unionreg.person p
							WHERE p.ext_id = btrim(s.ext_id) AND p.id NOT IN (SELECT unionreg._visible_person_ids())))
		RETURNING s.*, j.org_outside)
	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_member', x.ext_id, to_jsonb(x) - 'staged_by' - 'org_outside',
		   format('login %s may not load this row: %s', session_user,
				  CASE WHEN x.org_outside
					   THEN format('organization %L is not in the subtree the login stands for', btrim(x.org_ext_id))
					   ELSE format('person %L is on record outside the subtree the login stands for', btrim(x.ext_id)) END)
	  FROM outside x;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg._reject_staged_members_outside() IS
	'internal: moves staged member rows outside the session login''s subtree to load_reject with the reason; returns how many';

CREATE FUNCTION unionreg._reject_staged_baselines_outside() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	WITH outside AS (
		DELETE FROM unionreg._staged_baseline s
		 WHERE s.staged_by = session_user AND nullif(btrim(s.org_ext_id), '') IS NOT NULL
		   AND btrim(s.org_ext_id) NOT IN (SELECT unionreg._visible_org_ext_ids())
		RETURNING s.*)
	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_baseline', x.org_ext_id, to_jsonb(x) - 'staged_by',
		   format('login %s may not load a baseline of %L: it is not in the subtree the login stands for',
				  session_user, btrim(x.org_ext_id))
	  FROM outside x;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg._reject_staged_baselines_outside() IS
	'internal: moves staged baselines of organizations outside the session login''s subtree to load_reject; returns how many';

-- One body for the three loaders: one load of a kind at a time (the load
-- itself takes the same lock), the rows outside the caller's subtree
-- rejected first, then the load itself; its counts include the rows
-- rejected here, and its one NOTICE says what the function returns.
CREATE FUNCTION unionreg._scoped_load(p_lock integer, p_name text, p_reject_outside text, p_load text,
	OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_outside bigint := 0;
BEGIN
	PERFORM pg_advisory_xact_lock(1970170223, p_lock);
	IF NOT unionreg._sees_all() THEN
		EXECUTE format('SELECT unionreg.%I()', p_reject_outside) INTO v_outside;
	END IF;
	EXECUTE format('SELECT l.* FROM unionreg.%I() l', p_load)
	   INTO loaded, rejected, warnings, inserted, updated, unchanged;
	rejected := rejected + v_outside;
	RAISE NOTICE '%: % staged: % loaded (% new, % changed, % unchanged), % rejected (unionreg.load_reject), % warnings (unionreg.load_warning)',
		p_name, loaded + rejected, loaded, inserted, updated, unchanged, rejected, warnings;
END
$$;
COMMENT ON FUNCTION unionreg._scoped_load(integer, text, text, text) IS
	'internal: a load for the session''s login: staged rows outside its subtree rejected first, then the load (advisory lock p_lock); one NOTICE with the counts it returns';

-- ---------------------------------------------------------------------
-- Starting over: an office that loaded the wrong files empties the
-- register (organizations, members, cards, applications, baselines, the
-- member facts, staging, load rejects and warnings, the logins' scopes,
-- which name organizations) and keeps the catalogs, forms and the audit
-- trail, where each emptied table is recorded with its row count.  Built
-- snapshots and submitted reports hold the figures of the register being
-- emptied: the reset refuses while there are any, unless told to drop them
-- too.  The
-- database's name is the confirmation, so a stray call does nothing.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg.reset_register(p_confirm text, p_drop_snapshots boolean DEFAULT false)
RETURNS TABLE (table_name text, rows_removed bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_tables text[] := ARRAY['card_event', 'card', 'person_consent', 'status_period', 'member_fact', 'membership',
							 'application', 'person', 'paper_baseline', 'org_chairman', 'org_base', 'org_link',
							 'access_scope', 'org', '_staged_member', '_staged_org', '_staged_baseline', '_staged_org_correction',
							 'load_reject', 'load_warning'];
	v_snapshots bigint;
	v_counts jsonb := '{}';
	t text;
	n bigint;
BEGIN
	PERFORM unionreg._require_admin('empty the register');
	IF p_confirm IS DISTINCT FROM current_database() THEN
		RAISE EXCEPTION 'reset_register() needs the database''s name as its confirmation'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'It removes every organization, member, card, application, baseline and staged row of this database.',
				  HINT = format('Call unionreg.reset_register(%L) to go ahead.', current_database());
	END IF;
	SELECT (SELECT count(*) FROM unionreg.snapshot) + (SELECT count(*) FROM unionreg.report_submission) INTO v_snapshots;
	IF v_snapshots > 0 AND NOT p_drop_snapshots THEN
		RAISE EXCEPTION 'the register has % built snapshot(s) and submitted report(s): emptying it would leave their figures without the register they came from', v_snapshots
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Keep what you need of them (unionreg.report_line_all, unionreg.report_submissions), then call unionreg.reset_register(%L, p_drop_snapshots => true).', current_database());
	END IF;
	-- every writer waits: moves, loads of each kind, builds
	PERFORM pg_advisory_xact_lock(1970170223, k) FROM generate_series(1, 4) k;
	PERFORM pg_advisory_xact_lock(1970170223, 10);
	IF v_snapshots > 0 THEN
		v_tables := ARRAY['snapshot_org', 'snapshot', 'report_submission'] || v_tables;
	END IF;
	FOREACH t IN ARRAY v_tables LOOP
		EXECUTE format('SELECT count(*) FROM unionreg.%I', t) INTO n;
		v_counts := v_counts || jsonb_build_object(t, n);
		table_name := t;
		rows_removed := n;
		RETURN NEXT;
	END LOOP;
	EXECUTE 'TRUNCATE ' || (SELECT string_agg(format('unionreg.%I', x), ', ') FROM unnest(v_tables) x);
	INSERT INTO unionreg.audit_log (table_name, operation, via, new_row)
	SELECT x, 'TRUNCATE', 'unionreg.reset_register', jsonb_build_object('rows', v_counts -> x)
	  FROM unnest(v_tables) WITH ORDINALITY u(x, k)
	 ORDER BY k;
END
$$;
COMMENT ON FUNCTION unionreg.reset_register(text, boolean) IS
	'Empty the register to start over (the administrator''s): organizations, members, cards, applications, baselines, member facts, staging, load rejects and warnings, scopes; catalogs, forms and the audit trail stay, the audit trail recording each emptied table. p_confirm is the database''s name; refused (55000) while snapshots or submitted reports exist unless p_drop_snapshots (which drops them too). Returns each table and the rows it held';
