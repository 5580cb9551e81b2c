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

-- Every date a user passes is a day of the register's years: 'infinity' or
-- year 5874897 would pass the date type, sort after every real day and make
-- periods that never end.  One check, called by every API function first.
CREATE FUNCTION unionreg._check_date(p_value date, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	IF p_value IS NOT NULL AND NOT isfinite(p_value) THEN
		RAISE EXCEPTION '% % is not a day', p_what, p_value
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a real calendar day (ISO: YYYY-MM-DD).';
	ELSIF p_value < date '1900-01-01' OR p_value > date '2199-12-31' THEN
		RAISE EXCEPTION '% % is outside the register''s years', p_what, p_value
			USING ERRCODE = 'datetime_field_overflow',
				  DETAIL = 'The register holds days from 1900-01-01 to 2199-12-31.',
				  HINT = 'Give a real calendar day (ISO: YYYY-MM-DD).';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._check_date(date, text) IS
	'internal: refuses a date argument that is infinite (22023) or outside 1900-01-01 .. 2199-12-31 (22008), naming the argument';

-- External ids are compared as stored: one with spaces around it would be
-- another organization or person.
CREATE FUNCTION unionreg._check_ext_id(p_value text, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	IF p_value IS NOT NULL AND (p_value = '' OR p_value <> btrim(p_value, E' \t\r\n\u00a0')) THEN
		RAISE EXCEPTION '% "%" is empty or has spaces around it', p_what, p_value
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Give the id without surrounding spaces: "%s".', btrim(p_value, E' \t\r\n\u00a0'));
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._check_ext_id(text, text) IS
	'internal: refuses (22023) an external id that is empty or has spaces around it';

-- The one rule of time (doc/domain.md): a period [from, to) holds on D when
-- from <= D < to, an empty to meaning it still holds.  A plain SQL
-- expression, so the planner inlines it and an index on from still serves.
CREATE FUNCTION unionreg._holds_on(p_from date, p_to date, p_day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_from <= p_day AND (p_to IS NULL OR p_to > p_day) $$;
COMMENT ON FUNCTION unionreg._holds_on(date, date, date) IS
	'internal: the period [from, to) holds on the day (from <= day < to; an empty to still holds)';
