-- src/sql/audit.sql: the audit trail.
-- ---------------------------------------------------------------------
-- Every change to persons, memberships, statuses,
-- cards and the hierarchy is appended to unionreg.audit_log by statement
-- triggers (one INSERT per statement, so a bulk load costs one statement
-- more, not a trigger call per row).  Nothing in the extension updates or
-- deletes the log, and a trigger refuses anyone who tries.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.audit_log (
	-- no btree: a bulk load appends hundreds of thousands of entries, read rarely
	id			bigint GENERATED ALWAYS AS IDENTITY,
	at			timestamptz NOT NULL DEFAULT clock_timestamp(),
	session_user_name text NOT NULL DEFAULT session_user,
	xact_id		xid8 NOT NULL DEFAULT pg_current_xact_id(),
	table_name	text NOT NULL,
	operation	text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')),
	via			text NOT NULL,
	old_row		jsonb,
	new_row		jsonb,
	CHECK (old_row IS NOT NULL OR new_row IS NOT NULL)
);
COMMENT ON TABLE unionreg.audit_log IS
	'Append-only audit trail of changes to persons, memberships, statuses, consents, cards and the hierarchy: who, when, what (old and new row as jsonb), through which function';
COMMENT ON COLUMN unionreg.audit_log.id IS 'order of writing';
COMMENT ON COLUMN unionreg.audit_log.at IS 'when the statement wrote the change';
COMMENT ON COLUMN unionreg.audit_log.session_user_name IS 'the login of the session (session_user), whatever role it acted as';
COMMENT ON COLUMN unionreg.audit_log.xact_id IS 'the transaction: changes made together share it';
COMMENT ON COLUMN unionreg.audit_log.table_name IS 'the table changed';
COMMENT ON COLUMN unionreg.audit_log.operation IS 'INSERT, UPDATE or DELETE; TRUNCATE for a table emptied by unionreg.reset_register (new_row: how many rows)';
COMMENT ON COLUMN unionreg.audit_log.via IS 'the unionreg function the change came through (e.g. unionreg.transfer_member), or "direct SQL"';
COMMENT ON COLUMN unionreg.audit_log.old_row IS 'the row before (UPDATE, DELETE)';
COMMENT ON COLUMN unionreg.audit_log.new_row IS 'the row after (INSERT, UPDATE)';
COMMENT ON SEQUENCE unionreg.audit_log_id_seq IS 'order of audit entries';
CREATE INDEX audit_log_id_idx ON unionreg.audit_log USING brin (id, at);
REVOKE ALL ON unionreg.audit_log FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('unionreg.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('unionreg.audit_log_id_seq', '');

-- The function a change came through: the outermost public unionreg
-- function on the call stack of the statement (PG_CONTEXT, innermost first).
-- The client's statement itself is not kept: its literals may carry another
-- subtree's personal data.
CREATE FUNCTION unionreg._audit_via(p_context text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT coalesce((
		SELECT 'unionreg.' || f.name
		  FROM regexp_matches(p_context, 'function "?(?:unionreg\.)?([a-z_][a-z0-9_]*)"?[( ]', 'g')
			   WITH ORDINALITY AS m(name, depth)
		 CROSS JOIN LATERAL (SELECT m.name[1] AS name) f
		 WHERE f.name NOT LIKE '\_%'
		   AND EXISTS (SELECT 1 FROM pg_proc p
						WHERE p.proname = f.name AND p.pronamespace = 'unionreg'::regnamespace)
		 ORDER BY m.depth DESC LIMIT 1), 'direct SQL')
$$;
COMMENT ON FUNCTION unionreg._audit_via(text) IS
	'internal: the outermost public unionreg function in a PG_CONTEXT call stack, or "direct SQL"';

-- A row as jsonb, equal to to_jsonb(record), with each column's type looked
-- up once per statement rather than once per row (src/security/row_jsonb.c): the
-- audit of a bulk load spends most of its time here.
CREATE FUNCTION unionreg._row_jsonb(record) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'row_jsonb' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._row_jsonb(record) IS
	'internal: a row as jsonb, equal to to_jsonb(record) (the audit trail''s row images)';

-- One trigger function for every audited table: rows paired by the table's
-- key (an UPDATE that changes the key shows as the old row and the new row
-- on two entries; nothing is lost).  Definer: writers append to a log they
-- cannot read or change.
CREATE FUNCTION unionreg._audit_changes() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_via text;
	v_key text;
	v_context text;
BEGIN
	GET DIAGNOSTICS v_context = PG_CONTEXT;
	v_via := unionreg._audit_via(v_context);
	IF TG_OP = 'INSERT' THEN
		INSERT INTO unionreg.audit_log (table_name, operation, via, new_row)
		SELECT TG_TABLE_NAME, 'INSERT', v_via, unionreg._row_jsonb(n) FROM new_rows n;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO unionreg.audit_log (table_name, operation, via, old_row)
		SELECT TG_TABLE_NAME, 'DELETE', v_via, unionreg._row_jsonb(o) FROM old_rows o;
	ELSE
		v_key := TG_ARGV[0];
		EXECUTE format($q$
			INSERT INTO unionreg.audit_log (table_name, operation, via, old_row, new_row)
			SELECT %L, 'UPDATE', $1, unionreg._row_jsonb(o), unionreg._row_jsonb(n)
			  FROM old_rows o FULL JOIN new_rows n USING (%s)
			 WHERE unionreg._row_jsonb(o) IS DISTINCT FROM unionreg._row_jsonb(n)$q$, TG_TABLE_NAME, v_key)
		USING v_via;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._audit_changes() IS
	'internal: statement trigger appending the rows a statement changed to unionreg.audit_log (argument: the key columns pairing old and new rows of an UPDATE)';

-- Append-only: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION unionreg._audit_append_only() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
	RAISE EXCEPTION 'unionreg.audit_log is append-only: % is not allowed', TG_OP
		USING ERRCODE = 'insufficient_privilege',
			  HINT = 'The audit trail keeps every change for good; read it, do not change it.';
END
$$;
COMMENT ON FUNCTION unionreg._audit_append_only() IS 'internal: refuses UPDATE, DELETE and TRUNCATE on unionreg.audit_log';
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON unionreg.audit_log
	FOR EACH ROW EXECUTE FUNCTION unionreg._audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON unionreg.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg._audit_append_only();

-- the audited tables and the key pairing an UPDATE's old and new rows
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
			('org', 'id'), ('org_link', 'org_id, valid_from'), ('org_chairman', 'org_id'),
			('person', 'id'), ('membership', 'id'), ('status_period', 'person_id, valid_from'),
			('person_consent', 'person_id, channel, on_date'), ('card', 'id')) v(tab, key)
	LOOP
		EXECUTE format('CREATE TRIGGER audit_ins AFTER INSERT ON unionreg.%I REFERENCING NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._audit_changes()', t.tab);
		EXECUTE format('CREATE TRIGGER audit_upd AFTER UPDATE ON unionreg.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._audit_changes(%L)', t.tab, t.key);
		EXECUTE format('CREATE TRIGGER audit_del AFTER DELETE ON unionreg.%I REFERENCING OLD TABLE AS old_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._audit_changes()', t.tab);
	END LOOP;
END
$$;

-- A day's changes, for the administrator.
CREATE VIEW unionreg.audit_trail AS
	SELECT a.id, a.at, a.session_user_name, a.table_name, a.operation, a.via,
		   coalesce(a.new_row, a.old_row) ->> 'ext_id' AS ext_id, a.old_row, a.new_row
	  FROM unionreg.audit_log a;
COMMENT ON VIEW unionreg.audit_trail IS 'The audit trail with the external id of the changed row where it has one (administrators only)';
COMMENT ON COLUMN unionreg.audit_trail.id IS 'order of writing';
COMMENT ON COLUMN unionreg.audit_trail.at IS 'when';
COMMENT ON COLUMN unionreg.audit_trail.session_user_name IS 'the login that made the change';
COMMENT ON COLUMN unionreg.audit_trail.table_name IS 'the table changed';
COMMENT ON COLUMN unionreg.audit_trail.operation IS 'INSERT, UPDATE or DELETE';
COMMENT ON COLUMN unionreg.audit_trail.via IS 'the unionreg function it came through, or "direct SQL"';
COMMENT ON COLUMN unionreg.audit_trail.ext_id IS 'ext_id of the organization or person changed, where the row has one';
COMMENT ON COLUMN unionreg.audit_trail.old_row IS 'the row before';
COMMENT ON COLUMN unionreg.audit_trail.new_row IS 'the row after';
REVOKE ALL ON unionreg.audit_trail FROM PUBLIC;
