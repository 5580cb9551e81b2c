


-- Internal: the allowed parent levels of a level, as a list for messages.
CREATE FUNCTION unionreg._allowed_parents_text(p_level text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT string_agg(lp.parent_level, ', ' ORDER BY l.rank)
	  FROM unionreg.level_parent lp JOIN unionreg.level l ON l.code = lp.parent_level
	 WHERE lp.level = p_level
$$;
COMMENT ON FUNCTION unionreg._allowed_parents_text(text) IS 'internal: the allowed parent levels of a level, comma-separated';

-- Internal: what is wrong with a staged link to a parent of p_parent_level
-- living [p_parent_from, p_parent_to), or NULL.  One place for the rule the
-- walk applies at every depth; a plain expression (no SET, no subquery) so
-- the planner inlines it instead of calling it per row.
CREATE FUNCTION unionreg._load_orgs_link_problem(
	p_level text, p_parent_ext_id text, p_is_new boolean, p_from date, p_to date,
	p_parent_level text, p_parent_from date, p_parent_to date, p_allowed boolean)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN NOT p_allowed THEN
			format('a %s organization cannot stand under %L (%s); allowed parent levels: %s',
				   p_level, p_parent_ext_id, p_parent_level, unionreg._allowed_parents_text(p_level))
		-- the link [valid_from, valid_to) of a new organization lies within the parent's lifetime
		WHEN p_is_new AND NOT (p_parent_from <= p_from
							   AND (p_parent_to IS NULL OR (p_to IS NOT NULL AND p_to <= p_parent_to))) THEN
			format('parent %L exists [%s, %s) but the link would hold [%s, %s): a child''s link may not outlive its parent',
				   p_parent_ext_id, p_parent_from, coalesce(p_parent_to::text, 'open'),
				   p_from, coalesce(p_to::text, 'open'))
	END
$$;
COMMENT ON FUNCTION unionreg._load_orgs_link_problem(text, text, boolean, date, date, text, date, date, boolean) IS
	'internal: the reason load_orgs() refuses a staged parent link, or NULL';

-- An organization's stored history in one line, for the reasons and notes
-- of a load: its lifetime and every parent link.
CREATE FUNCTION unionreg._org_history(p_org bigint) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT format('created %s%s; %s', o.valid_from, coalesce(', liquidated ' || o.valid_to, ''),
				  coalesce((SELECT string_agg(format('under %L [%s, %s)', p.ext_id, l.valid_from, coalesce(l.valid_to::text, 'open')),
											  ', ' ORDER BY l.valid_from)
							  FROM unionreg.org_link l JOIN unionreg.org p ON p.id = l.parent_id
							 WHERE l.org_id = o.id), 'no parent'))
	  FROM unionreg.org o WHERE o.id = p_org
$$;
COMMENT ON FUNCTION unionreg._org_history(bigint) IS
	'internal: an organization''s stored lifetime and parent links as one line of text, for a loader''s reasons and notes';

-- What the register holds of each stored organization load_orgs()'s work
-- table _uw restates (the row, its links, base figures and chairman), as
-- one digest a row: taken before and after the write, they tell an
-- updated row from an unchanged one.
CREATE FUNCTION unionreg._org_images() RETURNS TABLE (rn bigint, image text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT w.rn, md5(concat_ws('|', o::text,
		(SELECT string_agg(l::text, ',' ORDER BY l.valid_from) FROM unionreg.org_link l WHERE l.org_id = o.id),
		(SELECT string_agg(b::text, ',' ORDER BY b.as_of) FROM unionreg.org_base b WHERE b.org_id = o.id),
		(SELECT c::text FROM unionreg.org_chairman c WHERE c.org_id = o.id)))
	  FROM pg_temp._uw w JOIN unionreg.org o ON o.id = w.org_id
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL
$$;
COMMENT ON FUNCTION unionreg._org_images() IS
	'internal: a digest of what the register holds of each stored organization load_orgs()''s work table restates, to count the rows that changed it';

-- ---------------------------------------------------------------------
-- load_orgs() does little work per row: the staged rows are kept whole
-- and only a rejected one is turned into jsonb; the parents are walked over a narrow copy of the valid rows;
-- a new organization's parent is found in one join against org; its base
-- figures and chairman are plain inserts, not upserts.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg._load_orgs_apply(p_rn bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	-- new organizations, their ids kept for the links
	IF to_regclass('pg_temp._uids') IS NOT NULL THEN DROP TABLE pg_temp._uids; END IF;
	CREATE TEMP TABLE _uids ON COMMIT DROP AS
	WITH ins AS (
		INSERT INTO unionreg.org (ext_id, level, kind, composition, name, short_name, inn, ogrn,
								  region_code, valid_from, valid_to)
		SELECT w.ext_id, w.level, w.kind, w.composition, w.name, w.short_name, w.inn, w.ogrn,
			   w.region_code, w.v_from, w.v_to
		  FROM _uw w
		 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.org_id IS NULL AND (p_rn IS NULL OR w.rn = p_rn)
		 -- ids parents first, then in file order, whatever the plan
		 ORDER BY w.depth, w.rn
		RETURNING id, ext_id, level, valid_from, valid_to)
	SELECT * FROM ins;
	-- Fresh statistics before the links' foreign keys look organizations up:
	-- a table vacuumed while empty says "0 rows", and the cached check plans
	-- would scan it once per link (quadratic on a first big load).
	IF p_rn IS NULL AND (SELECT count(*) FROM _uids) >= 10000 THEN
		ANALYZE unionreg.org;
	END IF;

	-- their first parent links; a parent new in this load is stored by now
	-- (a missing one leaves parent_id NULL and fails the statement, not the row)
	INSERT INTO unionreg.org_link (org_id, parent_id, valid_from, valid_to)
	SELECT i.id, p.id, i.valid_from, i.valid_to
	  FROM _uids i
	  JOIN _uw w ON w.ext_id = i.ext_id AND w.reason IS NULL AND w.repeat_of IS NULL
	  LEFT JOIN unionreg.org p ON p.ext_id = w.parent_ext_id
	 WHERE i.level <> 'central';

	-- existing organizations: passport changes only where something differs
	UPDATE unionreg.org o
	   SET level = w.level, kind = w.kind, composition = w.composition, name = w.name,
		   short_name = w.short_name, inn = w.inn, ogrn = w.ogrn, region_code = w.region_code
	  FROM _uw w
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.org_id IS NOT NULL AND o.id = w.org_id
	   AND (p_rn IS NULL OR w.rn = p_rn)
	   AND (o.level, o.kind, o.composition, o.name, o.short_name, o.inn::text, o.ogrn::text, o.region_code)
		   IS DISTINCT FROM
		   (w.level, w.kind, w.composition, w.name, w.short_name, w.inn::text, w.ogrn::text, w.region_code);

	-- another parent than the stored one is a move effective on the row's
	-- valid_from (judged against the stored history when the rows were read)
	FOR r IN
		SELECT w.ext_id, w.parent_ext_id, w.v_from
		  FROM _uw w
		 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.move
		   AND (p_rn IS NULL OR w.rn = p_rn)
		 ORDER BY w.depth, w.rn
	LOOP
		PERFORM unionreg.move_org(r.ext_id, r.parent_ext_id, r.v_from);
	END LOOP;

	-- a liquidation date for a live organization (a stored one is kept: a note says so)
	FOR r IN
		SELECT w.ext_id, w.v_to
		  FROM _uw w JOIN unionreg.org o ON o.id = w.org_id
		 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.v_to IS NOT NULL
		   AND o.valid_to IS NULL
		   AND (p_rn IS NULL OR w.rn = p_rn)
		 ORDER BY w.depth DESC, w.rn
	LOOP
		PERFORM unionreg.liquidate_org(r.ext_id, r.v_to);
	END LOOP;

	-- base figures and chairmen: a new organization's rows are plain inserts
	-- (ON CONFLICT's speculative insertion doubles the cost), a stored one's
	-- are upserts that touch nothing when nothing differs
	INSERT INTO unionreg.org_base (org_id, as_of, employees, students)
	SELECT i.id, w.base_as_of, w.employees, w.students
	  FROM _uids i JOIN _uw w ON w.ext_id = i.ext_id AND w.reason IS NULL AND w.repeat_of IS NULL
	 WHERE w.base_as_of IS NOT NULL;
	INSERT INTO unionreg.org_base (org_id, as_of, employees, students)
	SELECT w.org_id, w.base_as_of, w.employees, w.students
	  FROM _uw w
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.org_id IS NOT NULL AND w.base_as_of IS NOT NULL
	   AND (p_rn IS NULL OR w.rn = p_rn)
	ON CONFLICT (org_id, as_of) DO UPDATE
	   SET employees = excluded.employees, students = excluded.students
	 WHERE (org_base.employees, org_base.students) IS DISTINCT FROM (excluded.employees, excluded.students);

	INSERT INTO unionreg.org_chairman (org_id, name, term_from, term_to, released, email, email_consent)
	SELECT i.id, w.chairman_name, w.c_from, w.c_to, w.c_released, w.chairman_email, w.c_consent
	  FROM _uids i JOIN _uw w ON w.ext_id = i.ext_id AND w.reason IS NULL AND w.repeat_of IS NULL
	 WHERE num_nonnulls(w.chairman_name, w.c_from, w.c_to, w.c_released, w.chairman_email, w.c_consent) > 0;
	INSERT INTO unionreg.org_chairman (org_id, name, term_from, term_to, released, email, email_consent)
	SELECT w.org_id, w.chairman_name, w.c_from, w.c_to, w.c_released, w.chairman_email, w.c_consent
	  FROM _uw w
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.org_id IS NOT NULL AND (p_rn IS NULL OR w.rn = p_rn)
	   AND num_nonnulls(w.chairman_name, w.c_from, w.c_to, w.c_released, w.chairman_email, w.c_consent) > 0
	ON CONFLICT (org_id) DO UPDATE
	   SET name = excluded.name, term_from = excluded.term_from, term_to = excluded.term_to,
		   released = excluded.released, email = excluded.email, email_consent = excluded.email_consent
	 WHERE (org_chairman.name, org_chairman.term_from, org_chairman.term_to, org_chairman.released,
			org_chairman.email, org_chairman.email_consent)
		   IS DISTINCT FROM
		   (excluded.name, excluded.term_from, excluded.term_to, excluded.released,
			excluded.email, excluded.email_consent);
END
$$;
COMMENT ON FUNCTION unionreg._load_orgs_apply(bigint) IS 'internal: writes the valid rows of load_orgs()''s work table';

-- Internal: a row whose parent is rejected (and not stored) is rejected too, down the tree.
CREATE FUNCTION unionreg._load_orgs_reject_children()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_changed bigint;
BEGIN
	LOOP
		UPDATE _uw c SET reason = format('parent %L is rejected in this load (%s)', c.parent_ext_id,
										 left(p.reason, 200))
		  FROM _uw p
		 WHERE c.reason IS NULL AND p.ext_id = c.parent_ext_id AND p.reason IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM unionreg.org o WHERE o.ext_id = c.parent_ext_id);
		GET DIAGNOSTICS v_changed = ROW_COUNT;
		EXIT WHEN v_changed = 0;
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg._load_orgs_reject_children() IS 'internal: propagates rejections of load_orgs() down to the children of rejected rows';
CREATE FUNCTION unionreg._load_orgs_unchecked(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
-- the planner's guesses over work tables are wild; compiling them costs seconds, running them milliseconds
SET jit = off
AS $$
DECLARE
	v_staged bigint;
	r record;
	v_err text;
	v_detail text;
BEGIN
	-- one organization load at a time; hierarchy writers wait for us anyway
	PERFORM pg_advisory_xact_lock(1970170223, 2);

	-- left over by an earlier, failed load in the same connection
	IF to_regclass('pg_temp._ur') IS NOT NULL THEN DROP TABLE pg_temp._ur; END IF;
	IF to_regclass('pg_temp._uo') IS NOT NULL THEN DROP TABLE pg_temp._uo; END IF;
	IF to_regclass('pg_temp._uv') IS NOT NULL THEN DROP TABLE pg_temp._uv; END IF;
	IF to_regclass('pg_temp._uwalk') IS NOT NULL THEN DROP TABLE pg_temp._uwalk; END IF;
	IF to_regclass('pg_temp._uw') IS NOT NULL THEN DROP TABLE pg_temp._uw; END IF;
	-- 1. take exactly the rows staged now (rows staged meanwhile wait for the
	--    next load) and judge each on its own, in one pass: codes,
	--    identifiers, dates, numbers, and the file against itself (one row
	--    per organization).  Work tables are built, never updated in bulk.
	--    The rows are kept as staged, whole, in _ur: only a rejected row is
	--    turned into jsonb (doing it for every row was 1 s of 150,000).
	CREATE TEMP TABLE _ur ON COMMIT DROP AS
	WITH taken AS (DELETE FROM unionreg.stage_org s RETURNING s.*)
	SELECT row_number() OVER () AS rn, taken.* FROM taken;
	CREATE TEMP TABLE _uo ON COMMIT DROP AS
	WITH trimmed AS (
		SELECT t.rn,
			   nullif(btrim(t.ext_id), '') AS ext_id,
			   nullif(btrim(t.parent_ext_id), '') AS parent_ext_id,
			   coalesce(lv.code, lower(nullif(btrim(t.level), ''))) AS level,
			   coalesce(kd.code, lower(nullif(btrim(t.kind), ''))) AS kind,
			   coalesce(cp.code, lower(nullif(btrim(t.composition), ''))) AS composition,
			   nullif(btrim(t.name), '') AS name,
			   nullif(btrim(t.short_name), '') AS short_name,
			   nullif(btrim(t.inn), '') AS inn_text,
			   nullif(btrim(t.ogrn), '') AS ogrn_text,
			   nullif(btrim(t.region_code), '') AS region_text,
			   nullif(btrim(t.valid_from), '') AS from_text,
			   nullif(btrim(t.valid_to), '') AS to_text,
			   nullif(btrim(t.base_as_of), '') AS base_text,
			   nullif(btrim(t.employees), '') AS employees_text,
			   nullif(btrim(t.students), '') AS students_text,
			   nullif(btrim(t.chairman_name), '') AS chairman_name,
			   nullif(btrim(t.chairman_term_from), '') AS c_from_text,
			   nullif(btrim(t.chairman_term_to), '') AS c_to_text,
			   nullif(btrim(t.chairman_released), '') AS c_released_text,
			   nullif(btrim(t.chairman_email), '') AS chairman_email,
			   nullif(btrim(t.chairman_email_consent), '') AS c_consent_text,
			   t.orig_text
		  FROM (SELECT x.*, ROW(x.ext_id, x.parent_ext_id, x.level, x.kind, x.composition, x.name, x.short_name, x.inn,
							  x.ogrn, x.region_code, x.valid_from, x.valid_to, x.base_as_of, x.employees, x.students,
							  x.chairman_name, x.chairman_term_from, x.chairman_term_to, x.chairman_released,
							  x.chairman_email, x.chairman_email_consent)::text AS orig_text
				  FROM _ur x) t
		  -- codes as written: the code or its Russian label
		  LEFT JOIN unionreg._code_key lv ON lv.catalog = 'level' AND lv.key = unionreg._label_key(t.level)
		  LEFT JOIN unionreg._code_key kd ON kd.catalog = 'org_kind' AND kd.key = unionreg._label_key(t.kind)
		  LEFT JOIN unionreg._code_key cp ON cp.catalog = 'composition' AND cp.key = unionreg._label_key(t.composition)),
	-- the file against itself: one row per organization (hashed, not sorted;
	-- an array, not string_agg, whose kilobyte state per group spilled to disk)
	dups AS (
		SELECT ext_id, count(*) AS n, array_agg(rn ORDER BY rn) AS rns, min(rn) AS first_rn,
			   min(orig_text) = max(orig_text) AS all_alike
		  FROM trimmed WHERE ext_id IS NOT NULL
		 GROUP BY ext_id HAVING count(*) > 1),
	parsed AS (
		SELECT t.*,
			   unionreg._stage_date(from_text) AS v_from,
			   unionreg._stage_date(to_text) AS v_to,
			   unionreg._stage_date(base_text) AS base_as_of,
			   unionreg._stage_int(employees_text) AS employees,
			   unionreg._stage_int(students_text) AS students,
			   unionreg._stage_date(c_from_text) AS c_from,
			   unionreg._stage_date(c_to_text) AS c_to,
			   unionreg._stage_bool(c_released_text) AS c_released,
			   unionreg._stage_bool(c_consent_text) AS c_consent,
			   unionreg._stage_int(region_text) AS region_int,
			   unionreg.inn_problem(inn_text) AS inn_problem,
			   unionreg.ogrn_problem(ogrn_text) AS ogrn_problem,
			   lv.code IS NOT NULL AS level_known,
			   kd.code IS NOT NULL AS kind_known,
			   cp.code IS NOT NULL AS composition_known,
			   d.n AS n_same, d.rns AS same_rns, d.all_alike, d.first_rn
		  FROM trimmed t
		  LEFT JOIN unionreg.level lv ON lv.code = t.level
		  LEFT JOIN unionreg.org_kind kd ON kd.code = t.kind
		  LEFT JOIN unionreg.composition cp ON cp.code = t.composition
		  LEFT JOIN dups d ON d.ext_id = t.ext_id)
	SELECT p.rn, p.ext_id, p.parent_ext_id, p.level, p.kind, p.composition, p.name,
		   p.short_name, p.chairman_name, p.chairman_email,
		   CASE WHEN p.inn_problem IS NULL THEN p.inn_text::unionreg.inn END AS inn,
		   CASE WHEN p.ogrn_problem IS NULL THEN p.ogrn_text::unionreg.ogrn END AS ogrn,
		   CASE WHEN p.region_int BETWEEN 1 AND 99 THEN p.region_int::smallint END AS region_code,
		   p.v_from, p.v_to, p.from_text, p.to_text, p.base_as_of, p.employees, p.students, p.c_from, p.c_to,
		   p.c_released, p.c_consent, o.id AS org_id,
		   CASE WHEN p.all_alike AND p.first_rn <> p.rn THEN p.first_rn END AS repeat_of,
		   nullif(concat_ws('; ',
			CASE WHEN p.ext_id IS NULL THEN 'ext_id is empty'
				 WHEN p.n_same IS NOT NULL AND NOT p.all_alike
				 THEN format('ext_id %L appears %s times in this load with different values (rows %s); stage one row per organization',
							 p.ext_id, p.n_same, array_to_string(p.same_rns, ', ')) END,
			CASE WHEN p.level IS NULL THEN 'level is empty: expected one of central, regional, district, territorial, primary, subdivision'
				 WHEN NOT p.level_known
				 THEN format('level %L is not one of central, regional, district, territorial, primary, subdivision', p.level) END,
			CASE WHEN p.kind IS NULL AND p.level = 'primary' THEN 'kind is empty: a primary organization needs one of school, preschool, supplementary, professional, higher, science, other'
				 WHEN p.kind IS NOT NULL AND NOT p.kind_known
				 THEN format('kind %L is not one of school, preschool, supplementary, professional, higher, science, other', p.kind) END,
			CASE WHEN p.composition IS NULL AND p.level = 'primary' THEN 'composition is empty: a primary organization needs one of workers, students, joint'
				 WHEN p.composition IS NOT NULL AND NOT p.composition_known
				 THEN format('composition %L is not one of workers, students, joint', p.composition) END,
			CASE WHEN p.name IS NULL THEN 'name is empty' END,
			'inn ' || quote_literal(p.inn_text) || ': ' || p.inn_problem,
			'ogrn ' || quote_literal(p.ogrn_text) || ': ' || p.ogrn_problem,
			CASE WHEN p.region_text IS NOT NULL AND coalesce(p.region_int NOT BETWEEN 1 AND 99, true)
				 THEN format('region_code %L is not a subject code 01..99', p.region_text) END,
			CASE WHEN p.from_text IS NULL THEN 'valid_from is empty: the creation date is required'
				 WHEN p.v_from IS NULL THEN 'valid_from ' || quote_literal(p.from_text) || ' ' || unionreg._stage_date_problem(p.from_text) END,
			CASE WHEN p.to_text IS NOT NULL AND p.v_to IS NULL THEN 'valid_to ' || quote_literal(p.to_text) || ' ' || unionreg._stage_date_problem(p.to_text)
				 WHEN p.v_to <= p.v_from THEN format('valid_to %s is not after valid_from %s', p.to_text, p.from_text) END,
			CASE WHEN p.base_text IS NOT NULL AND p.base_as_of IS NULL THEN 'base_as_of ' || quote_literal(p.base_text) || ' ' || unionreg._stage_date_problem(p.base_text)
				 WHEN p.base_text IS NOT NULL AND (extract(month FROM p.base_as_of) <> 1 OR extract(day FROM p.base_as_of) <> 1)
				 THEN format('base_as_of %s is not a 1 January', p.base_text)
				 WHEN p.base_text IS NULL AND (p.employees_text IS NOT NULL OR p.students_text IS NOT NULL)
				 THEN 'base_as_of is empty but employees or students are given: say which 1 January they hold on' END,
			CASE WHEN p.employees_text IS NOT NULL AND p.employees IS NULL THEN format('employees %L is not a non-negative integer', p.employees_text) END,
			CASE WHEN p.students_text IS NOT NULL AND p.students IS NULL THEN format('students %L is not a non-negative integer', p.students_text) END,
			CASE WHEN p.c_from_text IS NOT NULL AND p.c_from IS NULL THEN 'chairman_term_from ' || quote_literal(p.c_from_text) || ' ' || unionreg._stage_date_problem(p.c_from_text) END,
			CASE WHEN p.c_to_text IS NOT NULL AND p.c_to IS NULL THEN 'chairman_term_to ' || quote_literal(p.c_to_text) || ' ' || unionreg._stage_date_problem(p.c_to_text)
				 WHEN p.c_to <= p.c_from THEN format('chairman_term_to %s is not after chairman_term_from %s', p.c_to_text, p.c_from_text) END,
			CASE WHEN p.c_released_text IS NOT NULL AND p.c_released IS NULL THEN format('chairman_released %L is not a boolean (t/f/true/false/1/0/да/нет)', p.c_released_text) END,
			CASE WHEN p.c_consent_text IS NOT NULL AND p.c_consent IS NULL THEN format('chairman_email_consent %L is not a boolean (t/f/true/false/1/0/да/нет)', p.c_consent_text) END,
			CASE WHEN p.level = 'central' AND p.parent_ext_id IS NOT NULL THEN format('a central organization has no parent, but parent_ext_id is %L', p.parent_ext_id)
				 WHEN p.level <> 'central' AND p.parent_ext_id IS NULL THEN format('parent_ext_id is empty: a %s organization needs a parent', p.level) END,
			CASE WHEN p.parent_ext_id = p.ext_id THEN 'parent_ext_id names the organization itself' END
		   ), '') AS row_reason
	  FROM parsed p
	  LEFT JOIN unionreg.org o ON o.ext_id = p.ext_id;
	GET DIAGNOSTICS v_staged = ROW_COUNT;
	PERFORM unionreg._progress('load_orgs', 'rows checked one by one', v_staged);
	ANALYZE _uo (ext_id, parent_ext_id, row_reason);

	-- 2. parents, walked down from the rows whose parent is not a valid row
	--    of this load (stored, rejected or missing): every row gets its
	--    depth and the reason its link is refused; a rejected parent rejects
	--    its children; what the walk never reaches hangs on a cycle.
	--    (Valid ext_ids are unique, so each valid row is reached once.)
	--    The walk reads a narrow copy of the valid rows (_uv), once per
	--    level, and its result is joined back by hash (_uwalk, analyzed):
	--    walking the wide rows and merging them back cost 2 s of 150,000.
	CREATE TEMP TABLE _uv ON COMMIT DROP AS
	SELECT u.rn, u.ext_id, u.parent_ext_id, u.level, u.v_from, u.v_to, u.org_id
	  FROM _uo u WHERE u.row_reason IS NULL AND u.repeat_of IS NULL;
	ANALYZE _uv;
	CREATE TEMP TABLE _uwalk ON COMMIT DROP AS
	WITH RECURSIVE walk (rn, ext_id, level, v_from, v_to, depth, reason) AS (
		SELECT c.rn, c.ext_id, c.level, c.v_from, c.v_to, 0,
			   CASE WHEN c.parent_ext_id IS NULL THEN NULL
					WHEN o.id IS NULL THEN
						CASE WHEN x.ext_id IS NOT NULL
							 THEN format('parent %L is rejected in this load (%s)', c.parent_ext_id, left(x.row_reason, 200))
							 ELSE format('parent %L does not exist: it is neither stored nor in this load', c.parent_ext_id) END
					ELSE unionreg._load_orgs_link_problem(c.level, c.parent_ext_id, c.org_id IS NULL, c.v_from, c.v_to,
														   o.level, o.valid_from, o.valid_to, lp.level IS NOT NULL)
			   END
		  FROM _uv c
		  LEFT JOIN unionreg.org o ON o.ext_id = c.parent_ext_id
		  LEFT JOIN unionreg.level_parent lp ON lp.level = c.level AND lp.parent_level = o.level
		  -- a parent that is no valid row of this load: its first rejected row, if any
		  LEFT JOIN (SELECT DISTINCT ON (rj.ext_id) rj.ext_id, rj.row_reason
					   FROM _uo rj WHERE rj.row_reason IS NOT NULL AND rj.ext_id IS NOT NULL
					  ORDER BY rj.ext_id, rj.rn) x ON x.ext_id = c.parent_ext_id AND o.id IS NULL
		 WHERE NOT EXISTS (SELECT 1 FROM _uv p WHERE p.ext_id = c.parent_ext_id)
		UNION ALL
		SELECT c.rn, c.ext_id, c.level, c.v_from, c.v_to, w.depth + 1,
			   CASE WHEN w.reason IS NOT NULL
					THEN format('parent %L is rejected in this load (%s)', c.parent_ext_id, left(w.reason, 200))
					ELSE unionreg._load_orgs_link_problem(c.level, c.parent_ext_id, c.org_id IS NULL, c.v_from, c.v_to,
														   w.level, w.v_from, w.v_to, lp.level IS NOT NULL)
			   END
		  FROM walk w
		  JOIN _uv c ON c.parent_ext_id = w.ext_id
		  LEFT JOIN unionreg.level_parent lp ON lp.level = c.level AND lp.parent_level = w.level
		 WHERE w.depth < 64)
	SELECT walk.rn, walk.depth, walk.reason FROM walk;
	DROP TABLE _uv;
	ANALYZE _uwalk;
	--    A stored organization's row is read against its stored history:
	--    the parent it has on the load day (or last had) and its dates.
	--    The same parent changes no link, whatever the dates (the office's
	--    full export again); another parent is a move on valid_from, which
	--    must come after the stored link began: a load never rewrites the
	--    history before it (unionreg.correct_org does, on purpose).
	CREATE TEMP TABLE _uw ON COMMIT DROP AS
	WITH cur AS (
		SELECT DISTINCT ON (l.org_id) l.org_id, l.valid_from, p.ext_id AS parent_ext_id
		  FROM unionreg.org_link l JOIN unionreg.org p ON p.id = l.parent_id
		 WHERE l.org_id IN (SELECT u.org_id FROM _uo u WHERE u.org_id IS NOT NULL)
		 ORDER BY l.org_id, unionreg._holds_on(l.valid_from, l.valid_to, current_date) DESC, l.valid_from DESC),
	judged AS (
		SELECT u.*, w.depth, w.rn AS walked, w.reason AS reason_walk, c.parent_ext_id AS cur_parent, c.valid_from AS cur_from,
			   o.valid_from AS org_from, o.valid_to AS org_to,
			   u.org_id IS NOT NULL AND c.org_id IS NOT NULL AND c.parent_ext_id IS DISTINCT FROM u.parent_ext_id AS new_parent
		  FROM _uo u
		  -- a row staged twice alike shares its first row's walk
		  LEFT JOIN _uwalk w ON w.rn = coalesce(u.repeat_of, u.rn)
		  LEFT JOIN cur c ON c.org_id = u.org_id
		  LEFT JOIN unionreg.org o ON o.id = u.org_id)
	SELECT j.*,
		   j.new_parent AND j.v_from > j.cur_from AS move,
		   coalesce(j.row_reason, j.reason_walk,
					CASE WHEN j.walked IS NULL THEN
						format('the parent chain of %L in this load never reaches a stored organization: it runs in a cycle (its parent is %L)',
							   j.ext_id, j.parent_ext_id) END,
					CASE WHEN j.new_parent AND j.v_from <= j.cur_from THEN
						format('parent %L from %s would replace the stored link to %L, which begins on %s: a load does not rewrite the history (stored: %s); to correct a past link or the creation date use unionreg.correct_org(%L, ...)',
							   j.parent_ext_id, j.v_from, j.cur_parent, j.cur_from, unionreg._org_history(j.org_id), j.ext_id) END) AS reason,
		   array_remove(ARRAY[
			CASE WHEN j.org_id IS NOT NULL AND NOT j.new_parent AND j.v_from IS DISTINCT FROM j.org_from
					  AND j.v_from IS DISTINCT FROM j.cur_from THEN
				ROW('valid_from', j.from_text,
					format('valid_from %s agrees neither with the stored creation date %s nor with the start of the stored link to %L: the register keeps its history (%s)',
						   j.v_from, j.org_from, j.cur_parent, unionreg._org_history(j.org_id)),
					format('If the stored dates are wrong, correct them with unionreg.correct_org(%L, ...).', j.ext_id))::unionreg._load_note END,
			CASE WHEN j.org_to IS NOT NULL AND j.v_to IS DISTINCT FROM j.org_to THEN
				ROW('valid_to', j.to_text,
					format('the organization is stored as liquidated on %s; the row says %s: the register keeps its history',
						   j.org_to, coalesce(j.v_to::text, 'live')),
					format('If the stored liquidation date is wrong, correct it with unionreg.correct_org(%L, ...).', j.ext_id))::unionreg._load_note END
		   ], NULL) AS notes
	  FROM judged j;
	DROP TABLE _uo;
	DROP TABLE _uwalk;
	ANALYZE _uw (rn, ext_id, parent_ext_id, reason, org_id);

	-- what the register holds of the stored organizations this file restates
	IF to_regclass('pg_temp._uoi') IS NOT NULL THEN DROP TABLE pg_temp._uoi; END IF;
	CREATE TEMP TABLE _uoi ON COMMIT DROP AS SELECT i.rn, i.image AS before FROM unionreg._org_images() i;
	PERFORM unionreg._progress('load_orgs', 'parents walked; writing', v_staged);
	-- 3. write: the whole file at once; if a rule only the database sees
	--    breaks, go row by row so the one bad row is rejected, not the file
	BEGIN
		PERFORM unionreg._load_orgs_apply(NULL);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
		-- the savepoint's rollback restored the work table with everything else
		RAISE NOTICE 'load_orgs: the file at once failed (%); loading row by row', v_err;
		FOR r IN SELECT rn FROM _uw WHERE reason IS NULL AND repeat_of IS NULL ORDER BY depth, rn LOOP
			BEGIN
				PERFORM unionreg._load_orgs_apply(r.rn);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
				UPDATE _uw SET reason = v_err || coalesce(' (' || v_detail || ')', '')
				 WHERE rn = r.rn;
				-- its children in this load cannot stand under it
				PERFORM unionreg._load_orgs_reject_children();
			END;
		END LOOP;
	END;

	-- a row staged twice alike goes with its first row
	UPDATE _uw rp SET reason = f.reason FROM _uw f
	 WHERE rp.repeat_of = f.rn AND rp.reason IS NULL AND f.reason IS NOT NULL;
	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_org', sr.ext_id, to_jsonb(sr) - 'rn', w.reason
	  FROM _uw w JOIN _ur sr ON sr.rn = w.rn
	 WHERE w.reason IS NOT NULL ORDER BY w.rn;
	GET DIAGNOSTICS rejected = ROW_COUNT;
	loaded := v_staged - rejected;
	INSERT INTO unionreg.load_warning (source, ext_id, column_name, raw, reason, hint)
	SELECT 'stage_org', x.ext_id, x.column_name, x.raw, x.reason, x.hint
	  FROM (SELECT w.rn, 0 AS k, w.ext_id, n.column_name, n.raw, n.reason, n.hint
			  FROM _uw w CROSS JOIN LATERAL unnest(w.notes) n
			 WHERE w.reason IS NULL AND w.repeat_of IS NULL
			UNION ALL
			SELECT w.rn, 1, w.ext_id, NULL, (to_jsonb(sr) - 'rn')::text,
				   format('row %s repeats row %s of this load: loaded once', w.rn, w.repeat_of), NULL
			  FROM _uw w JOIN _ur sr ON sr.rn = w.rn
			 WHERE w.reason IS NULL AND w.repeat_of IS NOT NULL) x
	 ORDER BY x.rn, x.k;
	GET DIAGNOSTICS warnings = ROW_COUNT;
	SELECT count(*) FILTER (WHERE w.org_id IS NULL AND w.repeat_of IS NULL),
		   count(*) FILTER (WHERE w.org_id IS NOT NULL AND w.repeat_of IS NULL AND a.image IS DISTINCT FROM b.before)
	  INTO inserted, updated
	  FROM _uw w
	  LEFT JOIN _uoi b ON b.rn = w.rn
	  LEFT JOIN unionreg._org_images() a ON a.rn = w.rn
	 WHERE w.reason IS NULL;
	unchanged := loaded - inserted - updated;
	DROP TABLE _uw;
	DROP TABLE _ur;
	DROP TABLE _uoi;
END
$$;
COMMENT ON FUNCTION unionreg._load_orgs_unchecked() IS
	'internal: the body of unionreg.load_orgs, without the caller''s scope check';

CREATE FUNCTION unionreg.load_orgs(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$ SELECT * FROM unionreg._scoped_load(2, 'load_orgs', '_reject_staged_orgs_outside', '_load_orgs_unchecked') $$;
COMMENT ON FUNCTION unionreg.load_orgs() IS
	'Load every row of unionreg.stage_org: valid rows upserted by ext_id in parent-before-child order (a changed parent is a move on valid_from, a new valid_to a liquidation), invalid rows kept in unionreg.load_reject with the reason; loaded + rejected = staged; the staging table is emptied. Rows outside the caller''s subtree are rejected';

-- The staged form of correct_org(): each row of stage_org_correction one
-- call, in the order staged, each in a subtransaction of its own, so a
-- refused row (kept in load_reject with the reason) leaves the others; the
-- built reports the corrections change, once each.
CREATE FUNCTION unionreg.load_org_corrections(OUT loaded bigint, OUT rejected bigint, OUT reports text[])
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
	v_err text;
	v_reports text[] := '{}';
	v_got text[];
BEGIN
	loaded := 0;
	rejected := 0;
	-- one hierarchy change at a time
	PERFORM pg_advisory_xact_lock(1970170223, 2);
	FOR r IN
		WITH taken AS (DELETE FROM unionreg.stage_org_correction RETURNING *)
		SELECT row_number() OVER () AS rn, ROW(t.*)::unionreg.stage_org_correction AS orig, nullif(btrim(t.ext_id), '') AS ext_id,
			   nullif(btrim(t.valid_from), '') AS from_text, nullif(btrim(t.link_from), '') AS link_text,
			   nullif(btrim(t.parent_ext_id), '') AS parent, nullif(btrim(t.moved_on), '') AS moved_text,
			   nullif(btrim(t.valid_to), '') AS to_text
		  FROM taken t
	LOOP
		v_err := nullif(concat_ws('; ',
			CASE WHEN r.ext_id IS NULL THEN 'ext_id is empty' END,
			'valid_from ' || quote_literal(r.from_text) || ' ' || unionreg._stage_date_problem(r.from_text),
			'link_from ' || quote_literal(r.link_text) || ' ' || unionreg._stage_date_problem(r.link_text),
			'moved_on ' || quote_literal(r.moved_text) || ' ' || unionreg._stage_date_problem(r.moved_text),
			'valid_to ' || quote_literal(r.to_text) || ' ' || unionreg._stage_date_problem(r.to_text)), '');
		IF v_err IS NULL THEN
			BEGIN
				SELECT coalesce(array_agg(format('%s %s %s', c.as_of, c.org_ext_id, c.form)), '{}') INTO v_got
				  FROM unionreg.correct_org(r.ext_id, valid_from => unionreg._stage_date(r.from_text),
											link_from => unionreg._stage_date(r.link_text), parent => r.parent,
											moved_on => unionreg._stage_date(r.moved_text),
											valid_to => unionreg._stage_date(r.to_text)) c;
				v_reports := v_reports || v_got;
				loaded := loaded + 1;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
			END;
		END IF;
		IF v_err IS NOT NULL THEN
			INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
			VALUES ('stage_org_correction', r.ext_id, to_jsonb(r.orig), v_err);
			rejected := rejected + 1;
		END IF;
	END LOOP;
	SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') INTO reports FROM unnest(v_reports) x;
	RAISE NOTICE 'load_org_corrections: % staged: % corrected, % rejected (unionreg.load_reject); % built report(s) changed',
		loaded + rejected, loaded, rejected, cardinality(reports);
END
$$;
COMMENT ON FUNCTION unionreg.load_org_corrections() IS
	'The staged form of correct_org(): every row of unionreg.stage_org_correction corrected in the order staged, each refused one kept in load_reject with the reason; loaded + rejected = staged; reports: the built reports (date, organization, form) the corrections change, to rebuild';
