-- ---------------------------------------------------------------------
-- 0.2: pg_dump / pg_restore reproduce the register.
-- Every table holding the union's data is an extension configuration
-- table, so pg_dump writes its rows; a restore runs CREATE EXTENSION
-- (which seeds the catalogs) and then COPYs the rows back.
-- ---------------------------------------------------------------------

-- A restore is recognised by what pg_dump writes at the top of every dump
-- (SET row_security = off) and the statement it runs (COPY ... FROM stdin).
-- Ordinary sessions run with row security on; the loaders never COPY.
CREATE FUNCTION unionreg._restoring() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT current_setting('row_security') = 'off'
	   AND current_query() ~* '^\s*COPY\s.*\sFROM\s+stdin'
$$;
COMMENT ON FUNCTION unionreg._restoring() IS
	'internal: true while pg_restore (or psql replaying a dump) COPYs rows back: triggers that log or derive rows stand aside, since the dump brings those rows itself';

-- The catalogs are seeded by CREATE EXTENSION and dumped in full (an edited
-- label, a new line or rule is the union's data).  On restore a dumped row
-- whose key is already seeded replaces the seed instead of failing.
CREATE FUNCTION unionreg._catalog_restore_row() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key text;
	v_set text;
	v_n bigint;
BEGIN
	IF NOT unionreg._restoring() THEN
		RETURN NEW;
	END IF;
	-- the primary key, or else the first unique constraint
	SELECT string_agg(format('t.%I IS NOT DISTINCT FROM ($1).%I', a.attname, a.attname), ' AND ')
	  INTO v_key
	  FROM (SELECT i.indkey FROM pg_index i
			 WHERE i.indrelid = TG_RELID AND i.indisunique
			 ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1) k
	  JOIN pg_attribute a ON a.attrelid = TG_RELID AND a.attnum = ANY (k.indkey);
	SELECT string_agg(format('%I = ($1).%I', a.attname, a.attname), ', ')
	  INTO v_set
	  FROM pg_attribute a
	 WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
	   AND a.attidentity = '' AND a.attgenerated = '';
	EXECUTE format('UPDATE %s t SET %s WHERE %s', TG_RELID::regclass, v_set, v_key) USING NEW;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN CASE WHEN v_n > 0 THEN NULL ELSE NEW END;
END
$$;
COMMENT ON FUNCTION unionreg._catalog_restore_row() IS
	'internal: on restore, a dumped catalog row replaces the seeded row with the same key (edited labels, lines and rules survive pg_dump / pg_restore)';

DO $$
DECLARE
	t text;
BEGIN
	-- catalogs: seeded by the extension, editable by the union
	FOREACH t IN ARRAY ARRAY['level', 'level_parent', 'org_kind', 'composition', 'passport_field',
							 'passport_requirement', 'member_status', 'position_group', 'student_level',
							 'leave_reason', 'card_state', 'card_transition', 'form', 'form_assignment',
							 'form_line', 'control_ratio'] LOOP
		EXECUTE format('CREATE TRIGGER catalog_restore BEFORE INSERT ON unionreg.%I
						FOR EACH ROW EXECUTE FUNCTION unionreg._catalog_restore_row()', t);
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
	-- the register itself, its loads and its snapshots
	FOREACH t IN ARRAY ARRAY['org', 'org_link', 'org_base', 'org_chairman', 'person', 'person_consent',
							 'membership', 'status_period', 'card', 'card_event', 'application',
							 'paper_baseline', 'load_reject', 'snapshot', 'snapshot_org',
							 'stage_org', 'stage_member', 'stage_baseline'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
	-- their identity sequences, so new ids continue after the restored ones
	FOREACH t IN ARRAY ARRAY['org_id_seq', 'load_reject_id_seq', 'person_id_seq', 'membership_id_seq',
							 'card_id_seq', 'application_id_seq', 'snapshot_id_seq'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
END
$$;

-- A restore brings rows the writers' statement triggers would check or log
-- once more, in pg_dump's order (memberships may come before the links
-- they are checked against; a card before its history).  They stand aside
-- while a dump is COPYed back; validate_hierarchy() and the loaders' rules
-- judged these rows when they were first written.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN
		SELECT tg.tgname, tg.tgrelid::regclass AS rel, pg_get_triggerdef(tg.oid) AS def
		  FROM pg_trigger tg
		 WHERE tg.tgname IN ('card_moves_ins', 'membership_check_ins', 'org_check_ins', 'org_link_check_ins')
		   AND tg.tgrelid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'unionreg'::regnamespace)
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
		EXECUTE replace(t.def, ' EXECUTE FUNCTION ', ' WHEN (NOT unionreg._restoring()) EXECUTE FUNCTION ');
	END LOOP;
END
$$;

-- The wide form views stay members of the extension when a new line makes
-- them anew: pg_dump then leaves them out and a restore rebuilds them from
-- the restored catalog (a dumped copy would clash with the one
-- CREATE EXTENSION makes).
ALTER FUNCTION unionreg.refresh_form_views() RENAME TO _build_form_views;
COMMENT ON FUNCTION unionreg._build_form_views() IS
	'internal: (re)creates the wide views report_5sp … report_1sp from the form catalog';
CREATE FUNCTION unionreg.refresh_form_views()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_view regclass;
BEGIN
	PERFORM unionreg._build_form_views();
	FOR v_view IN
		SELECT to_regclass('unionreg.report_' || lower(f.code)) FROM unionreg.form f
		EXCEPT
		SELECT d.objid::regclass FROM pg_depend d
		 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
		   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'unionreg') AND d.deptype = 'e'
	LOOP
		EXECUTE format('ALTER EXTENSION unionreg ADD VIEW %s', v_view);
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg.refresh_form_views() IS
	'(Re)creates the wide views report_5sp … report_1sp from the form catalog; runs by itself when unionreg.form_line changes';
