-- test/sql/reference.sql: doc/reference.md, generated from the catalog of a
-- database where the extension is installed: every public type, table,
-- view (with its columns), function and setting with its COMMENT ON text,
-- who may run or read it, and the SQLSTATEs a function's own body raises.
-- `make reference` writes the file; test/scripts/reference.sh fails when the
-- committed file differs from what an install of the tree generates.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
LOAD 'unionreg';
WITH
ns AS (SELECT 'unionreg'::regnamespace AS oid),
-- the roles that may use an object, from its ACL (PUBLIC when it has no ACL)
who AS (
	SELECT g.oid, string_agg(DISTINCT g.role || g.how, ', ') AS roles
	  FROM (SELECT c.oid, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS role, '' AS how
			  FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
			 WHERE c.relnamespace = (SELECT oid FROM ns) AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner
			UNION
			SELECT c.oid, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ' (some columns)'
			  FROM pg_class c JOIN pg_attribute att ON att.attrelid = c.oid AND att.attacl IS NOT NULL
			 CROSS JOIN LATERAL aclexplode(att.attacl) a
			 WHERE c.relnamespace = (SELECT oid FROM ns) AND a.privilege_type = 'SELECT'
			   AND NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) t
								WHERE t.grantee = a.grantee AND t.privilege_type = 'SELECT')) g
	 GROUP BY g.oid),
fwho AS (
	SELECT p.oid, string_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ', ') AS roles
	  FROM pg_proc p CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
	 WHERE p.pronamespace = (SELECT oid FROM ns) AND a.grantee <> p.proowner
	 GROUP BY p.oid),
-- the SQLSTATEs a body names (ERRCODE = 'name' or a five-character code)
raises AS (
	SELECT p.oid, string_agg(DISTINCT m[1], ', ') AS codes
	  FROM pg_proc p CROSS JOIN LATERAL regexp_matches(p.prosrc, 'ERRCODE\s*=\s*''([a-z_0-9A-Z]+)''', 'g') m
	 WHERE p.pronamespace = (SELECT oid FROM ns)
	 GROUP BY p.oid),
rel AS (
	SELECT c.oid, c.relname, c.relkind, obj_description(c.oid, 'pg_class') AS note
	  FROM pg_class c
	 WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'v') AND c.relname !~ '^_'),
cols AS (
	SELECT r.oid, string_agg(format('| `%s` | %s | %s |', a.attname, format_type(a.atttypid, a.atttypmod),
									replace(coalesce(col_description(r.oid, a.attnum), ''), '|', '\|')),
							 E'\n' ORDER BY a.attnum) AS rows
	  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	 GROUP BY r.oid),
fn AS (
	SELECT p.oid, p.proname, pg_get_function_identity_arguments(p.oid) AS args,
		   pg_get_function_result(p.oid) AS result, obj_description(p.oid, 'pg_proc') AS note,
		   p.prokind, p.prosecdef
	  FROM pg_proc p
	 WHERE p.pronamespace = (SELECT oid FROM ns) AND p.proname !~ '^_'
	   AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM ns)
						 AND p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))),
typ AS (
	SELECT t.oid, t.typname, obj_description(t.oid, 'pg_type') AS note
	  FROM pg_type t
	 WHERE t.typnamespace = (SELECT oid FROM ns) AND t.typtype = 'b' AND t.typname !~ '^_'),
parts AS (
	SELECT 0 AS part, '' AS name, concat_ws(E'\n',
		'# unionreg: reference',
		'',
		'Generated from the catalog by `make reference` (`test/sql/reference.sql`); do not edit: change',
		'the `COMMENT ON` text in `src/sql/` and run `make reference`. Everything lives in schema',
		'`unionreg`; objects whose names start with `_` are internal and not listed. How the functions',
		'fit together, with examples: [usage.md](usage.md).') AS body
	UNION ALL
	SELECT 1, '', E'\n## Types\n'
	UNION ALL
	SELECT 2, t.typname, format(E'### `%s`\n\n%s\n', t.typname, coalesce(t.note, '')) FROM typ t
	UNION ALL
	SELECT 3, '', E'\n## Tables\n'
	UNION ALL
	SELECT 4, r.relname, format(E'### `%s`\n\n%s\n\nRead by: %s.\n\n| column | type | meaning |\n|---|---|---|\n%s\n',
								r.relname, coalesce(r.note, ''), coalesce(w.roles, 'the owner only'), c.rows)
	  FROM rel r JOIN cols c ON c.oid = r.oid LEFT JOIN who w ON w.oid = r.oid WHERE r.relkind = 'r'
	UNION ALL
	SELECT 5, '', E'\n## Views\n'
	UNION ALL
	SELECT 6, r.relname, format(E'### `%s`\n\n%s\n\nRead by: %s.\n\n| column | type | meaning |\n|---|---|---|\n%s\n',
								r.relname, coalesce(r.note, ''), coalesce(w.roles, 'the owner only'), c.rows)
	  FROM rel r JOIN cols c ON c.oid = r.oid LEFT JOIN who w ON w.oid = r.oid WHERE r.relkind = 'v'
	UNION ALL
	SELECT 7, '', E'\n## Functions\n'
	UNION ALL
	SELECT 8, f.proname || '(' || f.args || ')',
		   format(E'### `%s(%s)`%s\n\n%s\n\nRun by: %s.%s\n',
				  f.proname, f.args, CASE WHEN f.prokind = 'a' THEN ' (aggregate)' ELSE ' → `' || f.result || '`' END,
				  coalesce(f.note, ''), coalesce(fw.roles, 'the owner only'),
				  CASE WHEN r.codes IS NULL THEN '' ELSE ' Raises: ' || r.codes || '.' END)
	  FROM fn f LEFT JOIN fwho fw ON fw.oid = f.oid LEFT JOIN raises r ON r.oid = f.oid
	UNION ALL
	SELECT 9, '', E'\n## Settings\n\n| setting | default | context | meaning |\n|---|---|---|---|'
	UNION ALL
	SELECT 10, s.name, format('| `%s` | %s | %s | %s |', s.name, s.boot_val, s.context, coalesce(s.short_desc, ''))
	  FROM pg_settings s WHERE s.name LIKE 'unionreg.%'
	UNION ALL
	SELECT 11, '', E'\n## SQLSTATEs\n\n| SQLSTATE | name | when |\n|---|---|---|\n'
		|| '| 22004 | null_value_not_allowed | a required argument is NULL |' || E'\n'
		|| '| 22008 | datetime_field_overflow | a date outside 1900-01-01 .. 2199-12-31 |' || E'\n'
		|| '| 22023 | invalid_parameter_value | a bad argument: an unknown code, an infinite date, an id with spaces, a malformed formula |' || E'\n'
		|| '| 22P02 | invalid_text_representation | bad text for a type (INN, OGRN, SNILS, card number, tally) |' || E'\n'
		|| '| 23503 | foreign_key_violation | a liquidation with live children or members |' || E'\n'
		|| '| 23505 | unique_violation | a duplicate person, card or organization |' || E'\n'
		|| '| 23514 | check_violation | a broken rule: hierarchy, periods, card moves, control ratios |' || E'\n'
		|| '| 42501 | insufficient_privilege | outside the login''s subtree or role |' || E'\n'
		|| '| 54000 | program_limit_exceeded | a login''s session limit of refusals about records it cannot read |' || E'\n'
		|| '| 55000 | object_not_in_prerequisite_state | no snapshot of the date, pg_cron missing, a decided application |' || E'\n'
		|| '| P0002 | no_data_found | no such organization, person, card or application |'
)
SELECT body FROM parts ORDER BY part, name COLLATE "C";
