-- src/sql/head.sql: the schema's comment, its collation, shared helpers, the roles

COMMENT ON SCHEMA unionreg IS 'unionreg: the trade union''s unified register (organizations over time, members, statistical forms 1-SP..5-SP)';

-- Names in every view that lists people or organizations sort in Russian.
CREATE COLLATION unionreg.ru (provider = icu, locale = 'ru-RU');
COMMENT ON COLLATION unionreg.ru IS 'Russian ICU collation used to order names of people and organizations';

-- The union reads every share as a percentage with two decimals.
CREATE FUNCTION unionreg.share_pct(part numeric, whole numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round(100.0 * part / nullif(whole, 0), 2) $$;
COMMENT ON FUNCTION unionreg.share_pct(numeric, numeric) IS 'part / whole in %, 2 decimals; NULL when the whole is 0 or NULL';

-- Roles are cluster-wide and outlive the extension: made once, if missing,
-- before anything grants to them (doc/operations.md: who gets which).
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
			('unionreg_admin', 'unionreg: administers the register: every organization, person, load, snapshot and the audit trail'),
			('unionreg_officer', 'unionreg: register officer of a region: reads and writes the subtree of the regional organization unionreg.access_scope maps the login to'),
			('unionreg_chair', 'unionreg: chairman of an organization: reads and writes the subtree of the organizations unionreg.access_scope maps the login to'),
			('unionreg_reader', 'unionreg: reads the report and analytics views (aggregates only: no names, contacts or SNILS of people); grant it to BI logins')) v(name, note)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r.name);
			EXECUTE format('COMMENT ON ROLE %I IS %L', r.name, r.note);
		END IF;
	END LOOP;
END
$$;
