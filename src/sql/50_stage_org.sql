-- ---------------------------------------------------------------------
-- Staged loading of organizations (public loading contract).
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg._stage_date(text) RETURNS date
	AS 'MODULE_PATHNAME', 'stage_date' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_date(text) IS 'internal: an ISO date (YYYY-MM-DD, 1900..2199), or NULL when the text is not one';
CREATE FUNCTION unionreg._stage_bool(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'stage_bool' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_bool(text) IS 'internal: t/f/true/false/1/0/yes/no/да/нет as boolean, or NULL when the text is none of them';
CREATE FUNCTION unionreg._stage_int(text) RETURNS integer
	AS 'MODULE_PATHNAME', 'stage_int' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._stage_int(text) IS 'internal: a non-negative integer, or NULL when the text is not one';

CREATE TABLE unionreg.stage_org (
	ext_id text, parent_ext_id text, level text, kind text, composition text,
	name text, short_name text, inn text, ogrn text, region_code text,
	valid_from text, valid_to text, base_as_of text, employees text, students text,
	chairman_name text, chairman_term_from text, chairman_term_to text,
	chairman_released text, chairman_email text, chairman_email_consent text
);
COMMENT ON TABLE unionreg.stage_org IS
	'Staging for organizations: every column text so \copy never fails; load with unionreg.load_orgs(). One row = one organization (upsert by ext_id)';
COMMENT ON COLUMN unionreg.stage_org.ext_id IS 'external id of the organization';
COMMENT ON COLUMN unionreg.stage_org.parent_ext_id IS 'external id of its parent (empty for central); a changed parent is a move effective on valid_from';
COMMENT ON COLUMN unionreg.stage_org.level IS 'central, regional, district, territorial, primary, subdivision';
COMMENT ON COLUMN unionreg.stage_org.kind IS 'kind of a primary: school, preschool, supplementary, professional, higher, science, other';
COMMENT ON COLUMN unionreg.stage_org.composition IS 'composition of a primary: workers, students, joint';
COMMENT ON COLUMN unionreg.stage_org.name IS 'full name';
COMMENT ON COLUMN unionreg.stage_org.short_name IS 'short name';
COMMENT ON COLUMN unionreg.stage_org.inn IS 'ИНН, 10 or 12 digits';
COMMENT ON COLUMN unionreg.stage_org.ogrn IS 'ОГРН, 13 or 15 digits';
COMMENT ON COLUMN unionreg.stage_org.region_code IS 'code of the subject of the Russian Federation, 01..99';
COMMENT ON COLUMN unionreg.stage_org.valid_from IS 'creation date, ISO (or the effective date of a move)';
COMMENT ON COLUMN unionreg.stage_org.valid_to IS 'first day it no longer exists, ISO; empty = exists';
COMMENT ON COLUMN unionreg.stage_org.base_as_of IS 'the 1 January the headcounts hold on';
COMMENT ON COLUMN unionreg.stage_org.employees IS 'employees of the educational organization on base_as_of';
COMMENT ON COLUMN unionreg.stage_org.students IS 'students of the educational organization on base_as_of';
COMMENT ON COLUMN unionreg.stage_org.chairman_name IS 'chairman''s full name';
COMMENT ON COLUMN unionreg.stage_org.chairman_term_from IS 'chairman''s term of office, first day';
COMMENT ON COLUMN unionreg.stage_org.chairman_term_to IS 'chairman''s term of office, first day no longer in office';
COMMENT ON COLUMN unionreg.stage_org.chairman_released IS 'released from the main job: t/f/true/false/1/0/да/нет';
COMMENT ON COLUMN unionreg.stage_org.chairman_email IS 'chairman''s e-mail';
COMMENT ON COLUMN unionreg.stage_org.chairman_email_consent IS 'consent to union e-mail: t/f/true/false/1/0/да/нет';

CREATE TABLE unionreg.load_reject (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source		text NOT NULL,
	ext_id		text,
	raw			jsonb NOT NULL,
	reason		text NOT NULL,
	rejected_at timestamptz NOT NULL DEFAULT now(),
	rejected_by text NOT NULL DEFAULT current_user
);
COMMENT ON TABLE unionreg.load_reject IS 'Staged rows a loader refused, kept untouched with the reason; fix the row and stage it again';
COMMENT ON COLUMN unionreg.load_reject.id IS 'key';
COMMENT ON COLUMN unionreg.load_reject.source IS 'the staging table the row came from';
COMMENT ON COLUMN unionreg.load_reject.ext_id IS 'ext_id of the row as staged';
COMMENT ON COLUMN unionreg.load_reject.raw IS 'the staged row exactly as it was, column by column';
COMMENT ON COLUMN unionreg.load_reject.reason IS 'why it was refused: which column, which value, which rule';
COMMENT ON COLUMN unionreg.load_reject.rejected_at IS 'when';
COMMENT ON COLUMN unionreg.load_reject.rejected_by IS 'who ran the load';
CREATE INDEX load_reject_source_idx ON unionreg.load_reject (source, rejected_at);

-- Internal: apply the valid rows of the work table _uo (all, or one by rn).
CREATE FUNCTION unionreg._load_orgs_apply(p_rn bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	-- new organizations, then their first parent links
	INSERT INTO unionreg.org (ext_id, level, kind, composition, name, short_name, inn, ogrn,
							  region_code, valid_from, valid_to)
	SELECT w.ext_id, w.level, w.kind, w.composition, w.name, w.short_name, w.inn, w.ogrn,
		   w.region_code, w.v_from, w.v_to
	  FROM _uo w
	 WHERE w.reason IS NULL AND w.org_id IS NULL AND (p_rn IS NULL OR w.rn = p_rn);

	UPDATE _uo w SET org_id = o.id, is_new = true
	  FROM unionreg.org o
	 WHERE o.ext_id = w.ext_id AND w.reason IS NULL AND w.org_id IS NULL
	   AND (p_rn IS NULL OR w.rn = p_rn);

	INSERT INTO unionreg.org_link (org_id, parent_id, valid_from, valid_to)
	SELECT w.org_id, p.id, w.v_from, w.v_to
	  FROM _uo w JOIN unionreg.org p ON p.ext_id = w.parent_ext_id
	 WHERE w.reason IS NULL AND w.is_new AND w.level <> 'central'
	   AND (p_rn IS NULL OR w.rn = p_rn);

	-- existing organizations: passport changes only where something differs
	UPDATE unionreg.org o
	   SET level = w.level, kind = w.kind, composition = w.composition, name = w.name,
		   short_name = w.short_name, inn = w.inn, ogrn = w.ogrn, region_code = w.region_code
	  FROM _uo w
	 WHERE w.reason IS NULL AND NOT w.is_new AND o.id = w.org_id
	   AND (p_rn IS NULL OR w.rn = p_rn)
	   AND (o.level, o.kind, o.composition, o.name, o.short_name, o.inn::text, o.ogrn::text, o.region_code)
		   IS DISTINCT FROM
		   (w.level, w.kind, w.composition, w.name, w.short_name, w.inn::text, w.ogrn::text, w.region_code);

	-- a changed parent is a move effective on the row's valid_from
	FOR r IN
		SELECT w.ext_id, w.parent_ext_id, w.v_from
		  FROM _uo w
		 WHERE w.reason IS NULL AND NOT w.is_new AND w.level <> 'central'
		   AND (p_rn IS NULL OR w.rn = p_rn)
		   AND NOT EXISTS (
				SELECT 1 FROM unionreg.org_link l JOIN unionreg.org p ON p.id = l.parent_id
				 WHERE l.org_id = w.org_id AND p.ext_id = w.parent_ext_id
				   AND l.valid_from <= w.v_from AND (l.valid_to IS NULL OR l.valid_to > w.v_from))
		 ORDER BY w.depth, w.rn
	LOOP
		PERFORM unionreg.move_org(r.ext_id, r.parent_ext_id, r.v_from);
	END LOOP;

	-- a liquidation date that differs from the stored one
	FOR r IN
		SELECT w.ext_id, w.v_to
		  FROM _uo w JOIN unionreg.org o ON o.id = w.org_id
		 WHERE w.reason IS NULL AND NOT w.is_new AND w.v_to IS NOT NULL
		   AND o.valid_to IS DISTINCT FROM w.v_to
		   AND (p_rn IS NULL OR w.rn = p_rn)
		 ORDER BY w.depth DESC, w.rn
	LOOP
		PERFORM unionreg.liquidate_org(r.ext_id, r.v_to);
	END LOOP;

	INSERT INTO unionreg.org_base (org_id, as_of, employees, students)
	SELECT w.org_id, w.base_as_of, w.employees, w.students
	  FROM _uo w
	 WHERE w.reason IS NULL AND w.base_as_of IS NOT NULL AND (p_rn IS NULL OR w.rn = p_rn)
	ON CONFLICT (org_id, as_of) DO UPDATE
	   SET employees = excluded.employees, students = excluded.students
	 WHERE (org_base.employees, org_base.students) IS DISTINCT FROM (excluded.employees, excluded.students);

	INSERT INTO unionreg.org_chairman (org_id, name, term_from, term_to, released, email, email_consent)
	SELECT w.org_id, w.chairman_name, w.c_from, w.c_to, w.c_released, w.chairman_email, w.c_consent
	  FROM _uo w
	 WHERE w.reason IS NULL AND (p_rn IS NULL OR w.rn = p_rn)
	   AND (w.chairman_name IS NOT NULL OR w.c_from IS NOT NULL OR w.chairman_email IS NOT NULL)
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
		UPDATE _uo c SET reason = format('parent %L is rejected in this load (%s)', c.parent_ext_id,
										 left(p.reason, 200))
		  FROM _uo p
		 WHERE c.reason IS NULL AND p.ext_id = c.parent_ext_id AND p.reason IS NOT NULL
		   AND NOT EXISTS (SELECT 1 FROM unionreg.org o WHERE o.ext_id = c.parent_ext_id);
		GET DIAGNOSTICS v_changed = ROW_COUNT;
		EXIT WHEN v_changed = 0;
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg._load_orgs_reject_children() IS 'internal: propagates rejections of load_orgs() down to the children of rejected rows';

CREATE FUNCTION unionreg.load_orgs(OUT loaded bigint, OUT rejected bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	v_staged bigint;
	v_changed bigint;
	r record;
	v_err text;
	v_detail text;
BEGIN
	-- one organization load at a time; hierarchy writers wait for us anyway
	PERFORM pg_advisory_xact_lock(1970170223, 2);

	IF to_regclass('pg_temp._uo') IS NOT NULL THEN
		DROP TABLE pg_temp._uo;
	END IF;
	-- take exactly the rows staged now (rows staged meanwhile wait for the next load)
	CREATE TEMP TABLE _uo ON COMMIT DROP AS
	WITH taken AS (DELETE FROM unionreg.stage_org RETURNING *)
	SELECT row_number() OVER () AS rn, to_jsonb(t) AS raw,
		   nullif(btrim(t.ext_id), '') AS ext_id,
		   nullif(btrim(t.parent_ext_id), '') AS parent_ext_id,
		   lower(nullif(btrim(t.level), '')) AS level,
		   lower(nullif(btrim(t.kind), '')) AS kind,
		   lower(nullif(btrim(t.composition), '')) AS composition,
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
		   nullif(btrim(t.chairman_email_consent), '') AS c_consent_text
	  FROM taken t;
	GET DIAGNOSTICS v_staged = ROW_COUNT;

	ALTER TABLE _uo
		ADD COLUMN reason text, ADD COLUMN org_id bigint, ADD COLUMN is_new boolean NOT NULL DEFAULT false,
		ADD COLUMN depth int, ADD COLUMN inn unionreg.inn, ADD COLUMN ogrn unionreg.ogrn,
		ADD COLUMN region_code smallint, ADD COLUMN v_from date, ADD COLUMN v_to date,
		ADD COLUMN base_as_of date, ADD COLUMN employees int, ADD COLUMN students int,
		ADD COLUMN c_from date, ADD COLUMN c_to date, ADD COLUMN c_released boolean, ADD COLUMN c_consent boolean,
		ADD COLUMN parent_level text, ADD COLUMN parent_from date, ADD COLUMN parent_to date;

	-- 1. each row on its own: codes, identifiers, dates, numbers
	UPDATE _uo w SET
		v_from = unionreg._stage_date(from_text),
		v_to = unionreg._stage_date(to_text),
		base_as_of = unionreg._stage_date(base_text),
		employees = unionreg._stage_int(employees_text),
		students = unionreg._stage_int(students_text),
		c_from = unionreg._stage_date(c_from_text),
		c_to = unionreg._stage_date(c_to_text),
		c_released = unionreg._stage_bool(c_released_text),
		c_consent = unionreg._stage_bool(c_consent_text),
		region_code = CASE WHEN unionreg._stage_int(region_text) BETWEEN 1 AND 99
						   THEN unionreg._stage_int(region_text) END,
		reason = nullif(concat_ws('; ',
			CASE WHEN ext_id IS NULL THEN 'ext_id is empty' END,
			CASE WHEN level IS NULL THEN 'level is empty: expected one of central, regional, district, territorial, primary, subdivision'
				 WHEN NOT EXISTS (SELECT 1 FROM unionreg.level l WHERE l.code = w.level)
				 THEN format('level %L is not one of central, regional, district, territorial, primary, subdivision', w.level) END,
			CASE WHEN kind IS NULL AND level = 'primary' THEN 'kind is empty: a primary organization needs one of school, preschool, supplementary, professional, higher, science, other'
				 WHEN kind IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unionreg.org_kind k WHERE k.code = w.kind)
				 THEN format('kind %L is not one of school, preschool, supplementary, professional, higher, science, other', w.kind) END,
			CASE WHEN composition IS NULL AND level = 'primary' THEN 'composition is empty: a primary organization needs one of workers, students, joint'
				 WHEN composition IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unionreg.composition c WHERE c.code = w.composition)
				 THEN format('composition %L is not one of workers, students, joint', w.composition) END,
			CASE WHEN name IS NULL THEN 'name is empty' END,
			'inn ' || quote_literal(inn_text) || ': ' || unionreg.inn_problem(inn_text),
			'ogrn ' || quote_literal(ogrn_text) || ': ' || unionreg.ogrn_problem(ogrn_text),
			CASE WHEN region_text IS NOT NULL AND coalesce(unionreg._stage_int(region_text) NOT BETWEEN 1 AND 99, true)
				 THEN format('region_code %L is not a subject code 01..99', region_text) END,
			CASE WHEN from_text IS NULL THEN 'valid_from is empty: the creation date is required'
				 WHEN unionreg._stage_date(from_text) IS NULL THEN format('valid_from %L is not an ISO date YYYY-MM-DD', from_text) END,
			CASE WHEN to_text IS NOT NULL AND unionreg._stage_date(to_text) IS NULL THEN format('valid_to %L is not an ISO date YYYY-MM-DD', to_text)
				 WHEN unionreg._stage_date(to_text) <= unionreg._stage_date(from_text)
				 THEN format('valid_to %s is not after valid_from %s', to_text, from_text) END,
			CASE WHEN base_text IS NOT NULL AND unionreg._stage_date(base_text) IS NULL THEN format('base_as_of %L is not an ISO date YYYY-MM-DD', base_text)
				 WHEN base_text IS NOT NULL AND to_char(unionreg._stage_date(base_text), 'MM-DD') <> '01-01'
				 THEN format('base_as_of %s is not a 1 January', base_text)
				 WHEN base_text IS NULL AND (employees_text IS NOT NULL OR students_text IS NOT NULL)
				 THEN 'base_as_of is empty but employees or students are given: say which 1 January they hold on' END,
			CASE WHEN employees_text IS NOT NULL AND unionreg._stage_int(employees_text) IS NULL THEN format('employees %L is not a non-negative integer', employees_text) END,
			CASE WHEN students_text IS NOT NULL AND unionreg._stage_int(students_text) IS NULL THEN format('students %L is not a non-negative integer', students_text) END,
			CASE WHEN c_from_text IS NOT NULL AND unionreg._stage_date(c_from_text) IS NULL THEN format('chairman_term_from %L is not an ISO date YYYY-MM-DD', c_from_text) END,
			CASE WHEN c_to_text IS NOT NULL AND unionreg._stage_date(c_to_text) IS NULL THEN format('chairman_term_to %L is not an ISO date YYYY-MM-DD', c_to_text)
				 WHEN unionreg._stage_date(c_to_text) <= unionreg._stage_date(c_from_text)
				 THEN format('chairman_term_to %s is not after chairman_term_from %s', c_to_text, c_from_text) END,
			CASE WHEN c_released_text IS NOT NULL AND unionreg._stage_bool(c_released_text) IS NULL THEN format('chairman_released %L is not a boolean (t/f/true/false/1/0/да/нет)', c_released_text) END,
			CASE WHEN c_consent_text IS NOT NULL AND unionreg._stage_bool(c_consent_text) IS NULL THEN format('chairman_email_consent %L is not a boolean (t/f/true/false/1/0/да/нет)', c_consent_text) END,
			CASE WHEN level = 'central' AND parent_ext_id IS NOT NULL THEN format('a central organization has no parent, but parent_ext_id is %L', parent_ext_id)
				 WHEN level <> 'central' AND parent_ext_id IS NULL THEN format('parent_ext_id is empty: a %s organization needs a parent', level) END,
			CASE WHEN parent_ext_id = ext_id THEN 'parent_ext_id names the organization itself' END
		), '');
	UPDATE _uo SET inn = inn_text::unionreg.inn WHERE reason IS NULL AND inn_text IS NOT NULL;
	UPDATE _uo SET ogrn = ogrn_text::unionreg.ogrn WHERE reason IS NULL AND ogrn_text IS NOT NULL;

	-- 2. the file against itself: one row per organization
	UPDATE _uo w SET reason = format('ext_id %L appears %s times in this load (rows %s); stage one row per organization',
									 w.ext_id, d.n, d.rns)
	  FROM (SELECT ext_id, count(*) AS n, string_agg(rn::text, ', ' ORDER BY rn) AS rns
			  FROM _uo WHERE ext_id IS NOT NULL GROUP BY ext_id HAVING count(*) > 1) d
	 WHERE w.ext_id = d.ext_id AND w.reason IS NULL;

	UPDATE _uo w SET org_id = o.id FROM unionreg.org o WHERE o.ext_id = w.ext_id;
	CREATE INDEX ON _uo (ext_id);
	ANALYZE _uo;

	-- 3. parents: in this load or already stored; a parent's own rejection rejects the child
	PERFORM unionreg._load_orgs_reject_children();

	UPDATE _uo c SET parent_level = x.level, parent_from = x.v_from, parent_to = x.v_to
	  FROM (SELECT c2.rn, coalesce(p.level, o.level) AS level,
				   coalesce(p.v_from, o.valid_from) AS v_from,
				   CASE WHEN p.ext_id IS NOT NULL THEN p.v_to ELSE o.valid_to END AS v_to
			  FROM _uo c2
			  LEFT JOIN _uo p ON p.ext_id = c2.parent_ext_id AND p.reason IS NULL
			  LEFT JOIN unionreg.org o ON o.ext_id = c2.parent_ext_id
			 WHERE c2.reason IS NULL AND c2.parent_ext_id IS NOT NULL) x
	 WHERE c.rn = x.rn;

	UPDATE _uo c SET reason = format('parent %L does not exist: it is neither stored nor in this load', c.parent_ext_id)
	 WHERE c.reason IS NULL AND c.parent_ext_id IS NOT NULL AND c.parent_level IS NULL;

	UPDATE _uo c SET reason = format('a %s organization cannot stand under %L (%s); allowed parent levels: %s',
									 c.level, c.parent_ext_id, c.parent_level,
									 (SELECT string_agg(lp.parent_level, ', ' ORDER BY l.rank)
										FROM unionreg.level_parent lp JOIN unionreg.level l ON l.code = lp.parent_level
									   WHERE lp.level = c.level))
	 WHERE c.reason IS NULL AND c.parent_level IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM unionreg.level_parent lp
						WHERE lp.level = c.level AND lp.parent_level = c.parent_level);

	-- the link [valid_from, valid_to) lies within the parent's lifetime (new organizations)
	UPDATE _uo c SET reason = format('parent %L exists [%s, %s) but the link would hold [%s, %s): a child''s link may not outlive its parent',
									 c.parent_ext_id, c.parent_from, coalesce(c.parent_to::text, 'open'),
									 c.v_from, coalesce(c.v_to::text, 'open'))
	 WHERE c.reason IS NULL AND c.org_id IS NULL AND c.parent_level IS NOT NULL
	   AND NOT (c.parent_from <= c.v_from
				AND (c.parent_to IS NULL OR (c.v_to IS NOT NULL AND c.v_to <= c.parent_to)));

	-- children of rows rejected in this step
	PERFORM unionreg._load_orgs_reject_children();

	-- 4. order parents before children; what never gets a depth is a cycle in the file
	-- (a join, not NOT EXISTS under OR: that would be a subplan per row)
	UPDATE _uo c SET depth = 0
	  FROM (SELECT c2.rn FROM _uo c2
			  LEFT JOIN _uo p ON p.ext_id = c2.parent_ext_id AND p.reason IS NULL
			 WHERE c2.reason IS NULL AND p.rn IS NULL) x
	 WHERE c.rn = x.rn;
	FOR i IN 1 .. 64 LOOP
		UPDATE _uo c SET depth = i
		  FROM _uo p
		 WHERE c.reason IS NULL AND c.depth IS NULL AND p.ext_id = c.parent_ext_id AND p.depth = i - 1;
		GET DIAGNOSTICS v_changed = ROW_COUNT;
		EXIT WHEN v_changed = 0;
	END LOOP;
	UPDATE _uo c SET reason = format('parent chain of %L in this load returns to itself (a cycle through %L)',
									 c.ext_id, c.parent_ext_id)
	 WHERE c.reason IS NULL AND c.depth IS NULL;

	-- 5. write: the whole file at once; if a rule only the database sees
	--    breaks, go row by row so the one bad row is rejected, not the file
	BEGIN
		PERFORM unionreg._load_orgs_apply(NULL);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
		-- the savepoint's rollback restored _uo (org_id, is_new) with everything else
		RAISE NOTICE 'load_orgs: the file at once failed (%); loading row by row', v_err;
		FOR r IN SELECT rn FROM _uo WHERE reason IS NULL ORDER BY depth, rn LOOP
			BEGIN
				PERFORM unionreg._load_orgs_apply(r.rn);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
				UPDATE _uo SET reason = v_err || coalesce(' (' || v_detail || ')', '')
				 WHERE rn = r.rn;
				-- its children in this load cannot stand under it
				PERFORM unionreg._load_orgs_reject_children();
			END;
		END LOOP;
	END;

	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_org', w.raw ->> 'ext_id', w.raw, w.reason
	  FROM _uo w WHERE w.reason IS NOT NULL ORDER BY w.rn;
	GET DIAGNOSTICS rejected = ROW_COUNT;
	loaded := v_staged - rejected;

	RAISE NOTICE 'load_orgs: % staged, % loaded, % rejected (see unionreg.load_reject)',
		v_staged, loaded, rejected;
	DROP TABLE _uo;
END
$$;
COMMENT ON FUNCTION unionreg.load_orgs() IS
	'Load every row of unionreg.stage_org: valid rows upserted by ext_id in parent-before-child order (a changed parent is a move on valid_from, a new valid_to a liquidation), invalid rows kept in unionreg.load_reject with the reason; loaded + rejected = staged; the staging table is emptied';
