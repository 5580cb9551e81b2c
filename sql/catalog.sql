-- The public surface as DBAs and BI tools see it: every object documented,
-- reader views of plain types, and the reader role kept away from people.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- every function, table, view, sequence, column, type and operator of the
-- extension (and the wide form views it makes at run time) has COMMENT ON
WITH ours AS (
	SELECT d.classid, d.objid FROM pg_depend d
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'unionreg')
	UNION ALL
	SELECT 'pg_class'::regclass, c.oid FROM pg_class c
	 WHERE c.relnamespace = 'unionreg'::regnamespace AND c.relname ~ '^report_[0-9]sp$'
	UNION ALL	-- sequences of identity columns belong to their tables
	SELECT 'pg_class'::regclass, s.objid FROM pg_depend s
	 WHERE s.classid = 'pg_class'::regclass AND s.deptype = 'i'
	   AND s.refobjid IN (SELECT objid FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'))
SELECT 'function' AS kind, p.oid::regprocedure::text AS object
  FROM pg_proc p JOIN ours ON ours.classid = 'pg_proc'::regclass AND ours.objid = p.oid
 WHERE obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT c.relkind::text, c.relname::text
  FROM pg_class c JOIN ours ON ours.classid = 'pg_class'::regclass AND ours.objid = c.oid
 WHERE c.relkind IN ('r', 'v', 'm', 'S') AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column', c.relname || '.' || a.attname
  FROM pg_class c JOIN ours ON ours.classid = 'pg_class'::regclass AND ours.objid = c.oid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'v', 'm') AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT 'type', t.typname::text
  FROM pg_type t JOIN ours ON ours.classid = 'pg_type'::regclass AND ours.objid = t.oid
 WHERE t.typrelid = 0 AND t.typcategory <> 'A' AND obj_description(t.oid, 'pg_type') IS NULL
UNION ALL
SELECT 'operator', o.oid::regoperator::text
  FROM pg_operator o JOIN ours ON ours.classid = 'pg_operator'::regclass AND ours.objid = o.oid
 WHERE obj_description(o.oid, 'pg_operator') IS NULL
ORDER BY 1, 2;
-- and the check covers what it should: counts of what was looked at
SELECT count(*) FILTER (WHERE classid = 'pg_proc'::regclass) > 100 AS functions_checked,
       count(*) FILTER (WHERE classid = 'pg_class'::regclass) > 60 AS relations_checked,
       count(*) FILTER (WHERE classid = 'pg_operator'::regclass) >= 24 AS operators_checked
  FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'unionreg');

-- what the reader may read
SELECT view_name FROM unionreg.reader_views();

-- reader views hold plain types only: text, integer, bigint, numeric, date, boolean
SELECT c.table_name, c.column_name, c.data_type
  FROM information_schema.columns c
  JOIN unionreg.reader_views() v ON v.view_name = c.table_name
 WHERE c.table_schema = 'unionreg'
   AND c.data_type NOT IN ('text', 'integer', 'bigint', 'numeric', 'date', 'boolean');

-- as the reader: every reader view answers; every table and every other view
-- is refused (persons, memberships, cards, contacts, chairmen, staging, ...)
SET ROLE unionreg_reader;
DO $$
DECLARE
	r record;
	v_ok integer := 0;
	v_denied text[] := '{}';
BEGIN
	FOR r IN SELECT c.relname, c.relkind, has_table_privilege('unionreg_reader', c.oid, 'SELECT') AS granted
			   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE n.nspname = 'unionreg' AND c.relkind IN ('r', 'v', 'm')
				AND (c.relname ~ '^report_[0-9]sp$' OR EXISTS (
					SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
					   AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'))
			  ORDER BY c.relname LOOP
		BEGIN
			EXECUTE format('SELECT count(*) FROM unionreg.%I', r.relname);
			IF NOT r.granted THEN
				RAISE EXCEPTION 'the reader read %, which is not granted to it', r.relname;
			END IF;
			v_ok := v_ok + 1;
		EXCEPTION WHEN insufficient_privilege THEN
			IF r.granted THEN
				RAISE EXCEPTION 'the reader cannot read its view %: %', r.relname, SQLERRM;
			END IF;
			v_denied := v_denied || r.relname::text;
		END;
	END LOOP;
	RAISE NOTICE 'reader read % views; refused: %', v_ok, array_to_string(v_denied, ', ');
END
$$;
-- people, through tables, views and functions: refused
SELECT count(*) FROM unionreg.person;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.contact_problems;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.duplicate_persons;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.org_chairman;
\echo :LAST_ERROR_SQLSTATE
-- and it writes nothing
INSERT INTO unionreg.stage_member (ext_id) VALUES ('X');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
