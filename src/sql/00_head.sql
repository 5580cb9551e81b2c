-- unionreg--0.1.sql: trade union register (generated from src/sql)
\echo Use "CREATE EXTENSION unionreg" to load this file. \quit

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
-- before anything grants to them.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'unionreg_reader') THEN
		CREATE ROLE unionreg_reader NOLOGIN;
		COMMENT ON ROLE unionreg_reader IS 'unionreg: reads the report and analytics views (aggregates only: no names, contacts or SNILS of people); grant it to BI logins';
	END IF;
END
$$;
