-- src/sql/dump.sql: pg_dump / pg_restore reproduce the register.
--
-- Every table holding the union's data is an extension configuration
-- table, so pg_dump writes its rows; a restore runs CREATE EXTENSION
-- (which seeds the catalogs) and then COPYs the rows back.
--
-- A restore runs as a superuser with session_replication_role = replica
-- (doc/operations.md): the triggers that check, log or derive rows are
-- ordinary (origin) triggers and stand aside, because the dump brings the
-- rows they would check, log or derive in pg_dump's order (memberships
-- before the links they are checked against, a card before its history);
-- validate_hierarchy() and the loaders judged these rows when they were
-- first written.  Only a superuser can set that role, so nothing a login
-- can set or word turns a rule, the audit or the derived facts off.


-- The catalogs are seeded by CREATE EXTENSION and dumped in full (an edited
-- label, a new line or rule is the union's data).  On restore a dumped row
-- whose key is already seeded replaces the seed instead of failing.  The
-- trigger fires only with session_replication_role = replica, i.e. in a
-- restore: an ordinary INSERT of a duplicate key still fails with 23505.
CREATE FUNCTION unionreg._catalog_restore_row() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key text;
	v_set text;
	v_n bigint;
BEGIN
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
							 'form_line', 'control_ratio', 'report_gap_label'] LOOP
		EXECUTE format('CREATE TRIGGER catalog_restore BEFORE INSERT ON unionreg.%I
						FOR EACH ROW EXECUTE FUNCTION unionreg._catalog_restore_row()', t);
		EXECUTE format('ALTER TABLE unionreg.%I ENABLE REPLICA TRIGGER catalog_restore', t);
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
	-- the register itself, its loads and its snapshots
	FOREACH t IN ARRAY ARRAY['org', 'org_link', 'org_base', 'org_chairman', 'person', 'person_consent',
							 'membership', 'status_period', 'card', 'card_event', 'application',
							 'paper_baseline', 'load_reject', 'load_warning', 'snapshot', 'snapshot_org',
							 '_staged_org', '_staged_member', '_staged_baseline', '_staged_org_correction'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
	-- their identity sequences, so new ids continue after the restored ones
	FOREACH t IN ARRAY ARRAY['org_id_seq', 'load_reject_id_seq', 'load_warning_id_seq', 'person_id_seq', 'membership_id_seq',
							 'card_id_seq', 'application_id_seq', 'snapshot_id_seq'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(format('unionreg.%I', t)::regclass, '');
	END LOOP;
END
$$;

