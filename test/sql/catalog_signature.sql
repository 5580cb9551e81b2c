-- test/sql/catalog_signature.sql: every property of the extension's objects
-- that an install must reproduce, one sorted line each: functions (with their
-- flags, settings, body digest, grants and comments), relations, columns,
-- constraints, indexes, triggers, policies, views, types, operators, opclasses,
-- configuration tables and the roles the extension creates.  Two installs
-- whose signatures are equal have the same catalog.  Used by the upgrade test
-- (install old + update = fresh install) and when the scripts are reorganized.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'unionreg'),
members AS (
	SELECT d.classid, d.objid FROM pg_depend d, ext
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (SELECT c.* FROM pg_class c WHERE c.relnamespace = 'unionreg'::regnamespace),
lines AS (
	-- functions
	SELECT format('function %s returns %s lang=%s vol=%s par=%s strict=%s secdef=%s leak=%s cfg=%s acl=%s body=%s comment=%s',
		p.oid::regprocedure, pg_get_function_result(p.oid), l.lanname, p.provolatile, p.proparallel,
		p.proisstrict, p.prosecdef, p.proleakproof, p.proconfig, p.proacl,
		md5(coalesce(p.prosrc, '') || coalesce(p.probin, '')), obj_description(p.oid, 'pg_proc')) AS line
	  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	 WHERE p.pronamespace = 'unionreg'::regnamespace
	UNION ALL
	SELECT format('function-args %s %s', p.oid::regprocedure, pg_get_function_arguments(p.oid))
	  FROM pg_proc p WHERE p.pronamespace = 'unionreg'::regnamespace
	UNION ALL
	-- relations
	SELECT format('relation %s kind=%s rls=%s force=%s options=%s acl=%s member=%s comment=%s',
		c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relacl,
		EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid),
		obj_description(c.oid, 'pg_class'))
	  FROM rels c WHERE c.relkind IN ('r', 'v', 'm', 'S', 'p', 'c', 'f')
	UNION ALL
	SELECT format('column %s.%s %s notnull=%s default=%s identity=%s generated=%s acl=%s comment=%s',
		c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
		pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, a.attacl,
		col_description(c.oid, a.attnum))
	  FROM rels c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	 WHERE c.relkind IN ('r', 'v', 'm', 'p', 'c', 'f')
	UNION ALL
	SELECT format('view %s %s', c.relname, md5(pg_get_viewdef(c.oid)))
	  FROM rels c WHERE c.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
	  FROM pg_constraint k JOIN rels c ON c.oid = k.conrelid
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(i.indexrelid))
	  FROM pg_index i JOIN rels c ON c.oid = i.indrelid
	UNION ALL
	SELECT format('trigger %s enabled=%s comment=%s', pg_get_triggerdef(t.oid), t.tgenabled,
		obj_description(t.oid, 'pg_trigger'))
	  FROM pg_trigger t JOIN rels c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
	UNION ALL
	SELECT format('policy %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s',
		c.relname, p.polname, p.polcmd, p.polpermissive,
		(SELECT array_agg(CASE r WHEN 0 THEN 'public' ELSE r::regrole::text END ORDER BY 1) FROM unnest(p.polroles) r),
		pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	  FROM pg_policy p JOIN rels c ON c.oid = p.polrelid
	UNION ALL
	SELECT format('type %s kind=%s len=%s byval=%s in=%s out=%s recv=%s send=%s acl=%s comment=%s',
		t.typname, t.typtype, t.typlen, t.typbyval, t.typinput, t.typoutput, t.typreceive, t.typsend,
		t.typacl, obj_description(t.oid, 'pg_type'))
	  FROM pg_type t WHERE t.typnamespace = 'unionreg'::regnamespace AND t.typtype <> 'c' AND t.typname !~ '^_'
	UNION ALL
	SELECT format('operator %s(%s,%s) -> %s proc=%s com=%s neg=%s rest=%s join=%s merges=%s hashes=%s',
		o.oprname, o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype, o.oprcode,
		o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash)
	  FROM pg_operator o WHERE o.oprnamespace = 'unionreg'::regnamespace
	UNION ALL
	SELECT format('opclass %s %s for %s default=%s', oc.opcname, am.amname, oc.opcintype::regtype, oc.opcdefault)
	  FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
	 WHERE oc.opcnamespace = 'unionreg'::regnamespace
	UNION ALL
	SELECT format('amop %s %s strategy %s %s', opf.opfname, am.amname, ao.amopstrategy, ao.amopopr::regoperator)
	  FROM pg_amop ao JOIN pg_opfamily opf ON opf.oid = ao.amopfamily JOIN pg_am am ON am.oid = opf.opfmethod
	 WHERE opf.opfnamespace = 'unionreg'::regnamespace
	UNION ALL
	SELECT format('amproc %s %s %s %s', opf.opfname, am.amname, ap.amprocnum, ap.amproc::regprocedure)
	  FROM pg_amproc ap JOIN pg_opfamily opf ON opf.oid = ap.amprocfamily JOIN pg_am am ON am.oid = opf.opfmethod
	 WHERE opf.opfnamespace = 'unionreg'::regnamespace
	UNION ALL
	SELECT format('cast %s -> %s func=%s context=%s', ca.castsource::regtype, ca.casttarget::regtype,
		ca.castfunc::regprocedure, ca.castcontext)
	  FROM pg_cast ca
	 WHERE ca.oid IN (SELECT m.objid FROM members m WHERE m.classid = 'pg_cast'::regclass)
	UNION ALL
	SELECT format('config %s condition=%s', c.relname, x.cond)
	  FROM ext e JOIN pg_extension pe ON pe.oid = e.oid
	  CROSS JOIN LATERAL unnest(pe.extconfig, pe.extcondition) AS x(reloid, cond)
	  JOIN pg_class c ON c.oid = x.reloid
	UNION ALL
	SELECT format('schema acl=%s comment=%s', n.nspacl, obj_description(n.oid, 'pg_namespace'))
	  FROM pg_namespace n WHERE n.nspname = 'unionreg'
	UNION ALL
	SELECT format('role %s login=%s comment=%s member_of=%s', r.rolname, r.rolcanlogin,
		shobj_description(r.oid, 'pg_authid'),
		(SELECT array_agg(g.rolname::text ORDER BY 1) FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid WHERE am.member = r.oid))
	  FROM pg_roles r WHERE r.rolname LIKE 'unionreg\_%'
)
SELECT line FROM lines ORDER BY line COLLATE "C";
