-- ---------------------------------------------------------------------
-- Building reports: a tally per organization as of D (its primaries'
-- member tallies summed through the hierarchy as it stood on D), lines
-- derived on read through the form catalog, snapshots and their views.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg.line_value(t unionreg.tally, formula text, counters text[])
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE formula
		WHEN 'percent' THEN
			unionreg.share_pct(unionreg.tally_get(t, counters[1]), unionreg.tally_get(t, counters[2]))
		ELSE (SELECT sum(unionreg.tally_get(t, c)) FROM unnest(counters) c)
	END
$$;
COMMENT ON FUNCTION unionreg.line_value(unionreg.tally, text, text[]) IS
	'The value of a report line from a tally: a counter, a sum of counters, or 100 * first / second (NULL when the second is 0)';

-- The roll-up, in C (src/rollup.c): own tallies summed into every ancestor
-- in one pass over the organizations, leaves first, and each one's region.
CREATE FUNCTION unionreg._rollup(ids bigint[], parents bigint[], tallies unionreg.tally[], flagged boolean[])
RETURNS TABLE (org_id bigint, tally unionreg.tally, flagged_ancestor bigint)
AS 'MODULE_PATHNAME', 'tally_rollup'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 10000;
COMMENT ON FUNCTION unionreg._rollup(bigint[], bigint[], unionreg.tally[], boolean[]) IS
	'internal: for organizations with their parent and own tally, the tally of each one''s subtree and its nearest flagged ancestor (the region), in memory, O(organizations)';

-- Every organization live on D that fills a form (within p_root's subtree
-- when given): its form, its consolidated tally, whether its own report is
-- complete and why not, and its region.
CREATE FUNCTION unionreg._org_tallies(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
-- the CTEs carry no statistics: a guess of 1 row for 3,600 turned a join into
-- 68 million comparisons; every join here is between whole sets
SET enable_nestloop = off
-- and those guesses make JIT compile for a second what runs in milliseconds
SET jit = off
AS $$
	WITH RECURSIVE
	d AS (SELECT p_as_of AS d, unionreg.period_start(p_as_of) AS p),
	live AS (
		SELECT o.* FROM unionreg.org o, d WHERE o.valid_from <= d.d AND (o.valid_to IS NULL OR o.valid_to > d.d)),
	link AS (
		SELECT l.org_id, l.parent_id FROM unionreg.org_link l, d
		 WHERE l.valid_from <= d.d AND (l.valid_to IS NULL OR l.valid_to > d.d)),
	-- the subtree asked for (everything when no root): one organization's
	-- report walks its own subtree, not the union
	down AS (
		SELECT o.id FROM live o WHERE o.id = p_root
		UNION
		SELECT l.org_id FROM down dn JOIN link l ON l.parent_id = dn.id),
	-- the organizations rolled up, each with its parent on D
	scope AS (
		SELECT o.id, o.level, o.kind, o.valid_from, lk.parent_id
		  FROM live o LEFT JOIN link lk ON lk.org_id = o.id
		 WHERE p_root IS NULL OR o.id IN (SELECT dn.id FROM down dn)),
	assigned AS (
		SELECT s.id, s.level, s.kind, fa.form
		  FROM scope s
		  JOIN unionreg.form_assignment fa ON fa.level = s.level AND (fa.kind IS NULL OR fa.kind = s.kind)),
	mt AS (
		SELECT * FROM unionreg.member_tallies(p_as_of,
			CASE WHEN p_root IS NULL THEN NULL
				 ELSE ARRAY(SELECT a.id FROM assigned a WHERE a.level = 'primary') END)),
	base AS (
		SELECT DISTINCT ON (b.org_id) b.org_id, b.employees, b.students
		  FROM unionreg.org_base b, d WHERE b.as_of <= d.d ORDER BY b.org_id, b.as_of DESC),
	gaps AS (
		SELECT g.org_id, array_agg(g.gap ORDER BY g.gap) AS gaps
		  FROM (SELECT o.id AS org_id, 'passport: ' || pg.field AS gap
				  FROM unionreg.passport_gaps_at(p_as_of) pg JOIN unionreg.org o ON o.ext_id = pg.org_ext_id
				UNION ALL
				SELECT m.org_id, format('status unknown for %s member(s)', unionreg.tally_get(m.tally, 'status_unknown'))
				  FROM mt m WHERE unionreg.tally_get(m.tally, 'status_unknown') > 0) g
		 GROUP BY g.org_id),
	-- primaries liquidated during (P, D] count under the parent they had when they ended
	liquidated AS (
		SELECT l.parent_id AS org_id, count(*) AS n
		  FROM unionreg.org x CROSS JOIN d
		  JOIN unionreg.org_link l ON l.org_id = x.id AND l.valid_to = x.valid_to
		 WHERE x.level = 'primary' AND x.valid_to > d.p AND x.valid_to <= d.d
		 GROUP BY l.parent_id),
	-- what each organization adds to itself and to every ancestor: a primary
	-- its members and itself, a subdivision one subdivision, a filer whether
	-- its report is incomplete, a parent the primaries liquidated under it
	own AS (
		SELECT s.id, s.parent_id, s.level = 'regional' AS is_region,
			   coalesce(m.tally, '{}'::unionreg.tally)
			   OPERATOR(unionreg.+) CASE WHEN s.level = 'primary' THEN
					unionreg.tally_of('primaries', 1)
					OPERATOR(unionreg.+) unionreg.tally_of('primaries_' || s.kind, 1)
					OPERATOR(unionreg.+) unionreg.tally_of('primaries_no_member',
						CASE WHEN coalesce(unionreg.tally_get(m.tally, 'members'), 0) = 0 THEN 1 ELSE 0 END)
					OPERATOR(unionreg.+) unionreg.tally_of('primaries_created',
						CASE WHEN s.valid_from > d.p AND s.valid_from <= d.d THEN 1 ELSE 0 END)
					OPERATOR(unionreg.+) unionreg.tally_of('employees', coalesce(b.employees, 0))
					OPERATOR(unionreg.+) unionreg.tally_of('students_base', coalesce(b.students, 0))
				  WHEN s.level = 'subdivision' THEN unionreg.tally_of('subdivisions', 1)
				  ELSE '{}'::unionreg.tally END
			   OPERATOR(unionreg.+) unionreg.tally_of('incomplete_reports',
					CASE WHEN a.id IS NOT NULL AND g.gaps IS NOT NULL THEN 1 ELSE 0 END)
			   OPERATOR(unionreg.+) unionreg.tally_of('primaries_liquidated', coalesce(lq.n, 0)) AS tally
		  FROM scope s CROSS JOIN d
		  LEFT JOIN assigned a ON a.id = s.id
		  LEFT JOIN mt m ON m.org_id = s.id
		  LEFT JOIN base b ON b.org_id = s.id
		  LEFT JOIN gaps g ON g.org_id = s.id
		  LEFT JOIN liquidated lq ON lq.org_id = s.id),
	rolled AS (
		SELECT r.org_id, r.tally, r.flagged_ancestor AS region_id
		  FROM (SELECT array_agg(w.id) AS ids, array_agg(w.parent_id) AS parents,
					   array_agg(w.tally) AS tallies, array_agg(w.is_region) AS flags FROM own w) x
		 CROSS JOIN LATERAL unionreg._rollup(x.ids, x.parents, x.tallies, x.flags) r
		 WHERE x.ids IS NOT NULL),
	chairman AS (
		SELECT c.org_id,
			   unionreg.tally_of('chairman_in_office', 1)
			   OPERATOR(unionreg.+) unionreg.tally_of('chairman_released', CASE WHEN c.released THEN 1 ELSE 0 END) AS tally
		  FROM unionreg.org_chairman c, d
		 WHERE c.name IS NOT NULL AND c.term_from <= d.d AND (c.term_to IS NULL OR c.term_to > d.d))
	SELECT a.id, a.form,
		   r.tally OPERATOR(unionreg.+) coalesce(c.tally, '{}'::unionreg.tally),
		   g.gaps IS NULL, g.gaps, r.region_id
	  FROM assigned a
	  JOIN rolled r ON r.org_id = a.id
	  LEFT JOIN gaps g ON g.org_id = a.id
	  LEFT JOIN chairman c ON c.org_id = a.id
$$;
COMMENT ON FUNCTION unionreg._org_tallies(date, bigint) IS
	'internal: the consolidated tally of every organization live on D that fills a form (optionally within one subtree), with completeness and region';

CREATE FUNCTION unionreg.report(p_org_ext_id text, p_form text, p_as_of date)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org_ext_id);
	v_tally unionreg.tally;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM unionreg.form f WHERE f.code = p_form) THEN
		RAISE EXCEPTION 'form "%" does not exist', p_form
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of: ' || (SELECT string_agg(code, ', ' ORDER BY sort) FROM unionreg.form) || '.';
	END IF;
	IF p_as_of IS NULL OR NOT isfinite(p_as_of) THEN
		RAISE EXCEPTION 'report() needs a finite reporting date' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT t.tally INTO v_tally FROM unionreg._org_tallies(p_as_of, v_org) t WHERE t.org_id = v_org;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'organization "%" files no report on %', p_org_ext_id, p_as_of
			USING ERRCODE = 'no_data_found',
				  HINT = 'It is not live on that date, or its level and kind fill no form (unionreg.form_assignment).';
	END IF;
	RETURN QUERY
	SELECT l.line_code, l.label_ru, unionreg.line_value(v_tally, l.formula, l.counters)
	  FROM unionreg.form_line l WHERE l.form = p_form ORDER BY l.sort;
END
$$;
COMMENT ON FUNCTION unionreg.report(text, text, date) IS
	'The lines (code, Russian label, value) of one organization''s form as of a date, computed now, without a snapshot; the same numbers a snapshot of that date holds';

-- ---- snapshots -------------------------------------------------------------

CREATE TABLE unionreg.snapshot (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	as_of		date NOT NULL,
	version		integer NOT NULL,
	built_at	timestamptz NOT NULL DEFAULT now(),
	built_by	text NOT NULL DEFAULT current_user,
	duration	interval,
	organizations integer,
	members		bigint,
	UNIQUE (as_of, version)
);
COMMENT ON TABLE unionreg.snapshot IS 'Frozen builds of every form for every organization as of a date; building a date again makes a new version';
COMMENT ON COLUMN unionreg.snapshot.id IS 'snapshot id';
COMMENT ON COLUMN unionreg.snapshot.as_of IS 'the reporting date D';
COMMENT ON COLUMN unionreg.snapshot.version IS '1, 2, ... per date; views show the latest';
COMMENT ON COLUMN unionreg.snapshot.built_at IS 'when it was built';
COMMENT ON COLUMN unionreg.snapshot.built_by IS 'who built it';
COMMENT ON COLUMN unionreg.snapshot.duration IS 'how long the build took';
COMMENT ON COLUMN unionreg.snapshot.organizations IS 'organizations reported';
COMMENT ON COLUMN unionreg.snapshot.members IS 'members on record on D in the whole union';
COMMENT ON SEQUENCE unionreg.snapshot_id_seq IS 'snapshot ids';

-- compact: one row per organization holding its counters; lines are derived on read
CREATE TABLE unionreg.snapshot_org (
	snapshot_id bigint NOT NULL REFERENCES unionreg.snapshot ON DELETE CASCADE,
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	form		text NOT NULL REFERENCES unionreg.form,
	tally		unionreg.tally NOT NULL,
	is_complete boolean NOT NULL,
	gaps		text[],
	region_id	bigint REFERENCES unionreg.org,
	PRIMARY KEY (snapshot_id, org_id)
);
COMMENT ON TABLE unionreg.snapshot_org IS 'One row per organization and snapshot: its form, counters, completeness and gaps';
COMMENT ON COLUMN unionreg.snapshot_org.snapshot_id IS 'the snapshot';
COMMENT ON COLUMN unionreg.snapshot_org.org_id IS 'the organization';
COMMENT ON COLUMN unionreg.snapshot_org.form IS 'the form it fills';
COMMENT ON COLUMN unionreg.snapshot_org.tally IS 'its consolidated counters on D';
COMMENT ON COLUMN unionreg.snapshot_org.is_complete IS 'mandatory passport fields and every live member''s status filled';
COMMENT ON COLUMN unionreg.snapshot_org.gaps IS 'what makes it incomplete';
COMMENT ON COLUMN unionreg.snapshot_org.region_id IS 'its regional organization on D';

CREATE FUNCTION unionreg.build_snapshot(as_of date)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
SET jit = off
AS $$
DECLARE
	v_id bigint;
	v_version integer;
	t0 timestamptz := clock_timestamp();
	v_orgs integer;
	v_members bigint;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'build_snapshot() needs a finite reporting date' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- one build of a date at a time; versions are numbered in order
	PERFORM pg_advisory_xact_lock(1970170223, 10);
	SELECT coalesce(max(s.version), 0) + 1 INTO v_version FROM unionreg.snapshot s WHERE s.as_of = build_snapshot.as_of;
	INSERT INTO unionreg.snapshot (as_of, version) VALUES (build_snapshot.as_of, v_version) RETURNING id INTO v_id;
	RAISE NOTICE 'build_snapshot %: as of %, version %', v_id, as_of, v_version;
	PERFORM unionreg._progress('build_snapshot', format('%s: counting members and rolling up', as_of));

	INSERT INTO unionreg.snapshot_org (snapshot_id, org_id, form, tally, is_complete, gaps, region_id)
	SELECT v_id, t.org_id, t.form, t.tally, t.is_complete, t.gaps, t.region_id
	  FROM unionreg._org_tallies(build_snapshot.as_of, NULL) t;
	GET DIAGNOSTICS v_orgs = ROW_COUNT;
	PERFORM unionreg._progress('build_snapshot', format('%s: written', as_of), v_orgs);
	SELECT coalesce(sum(unionreg.tally_get(so.tally, 'members')), 0) INTO v_members
	  FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id
	 WHERE so.snapshot_id = v_id AND o.level = 'primary';
	UPDATE unionreg.snapshot SET duration = clock_timestamp() - t0, organizations = v_orgs, members = v_members
	 WHERE id = v_id;
	RAISE NOTICE 'build_snapshot %: % organizations, % members, % s', v_id, v_orgs, v_members,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg.build_snapshot(date) IS
	'Build every form for every organization live on a date in one transaction (one consistent state) and return the snapshot id; a date built again gets a new version';

-- ---- views -------------------------------------------------------------------

CREATE VIEW unionreg.latest_snapshot AS
SELECT DISTINCT ON (s.as_of) s.id, s.as_of, s.version FROM unionreg.snapshot s ORDER BY s.as_of, s.version DESC;
COMMENT ON VIEW unionreg.latest_snapshot IS 'The latest version of each reporting date';
COMMENT ON COLUMN unionreg.latest_snapshot.id IS 'snapshot id';
COMMENT ON COLUMN unionreg.latest_snapshot.as_of IS 'reporting date';
COMMENT ON COLUMN unionreg.latest_snapshot.version IS 'its latest version';

CREATE VIEW unionreg.report_line_all AS
SELECT so.snapshot_id, s.as_of, o.ext_id AS org_ext_id, o.name AS org_name, o.level,
	   r.ext_id AS region_ext_id, so.form, l.line_code, l.label_ru AS label,
	   unionreg.line_value(so.tally, l.formula, l.counters) AS value, so.is_complete, l.sort
  FROM unionreg.snapshot_org so
  JOIN unionreg.snapshot s ON s.id = so.snapshot_id
  JOIN unionreg.org o ON o.id = so.org_id
  LEFT JOIN unionreg.org r ON r.id = so.region_id
  JOIN unionreg.form_line l ON l.form = so.form;
COMMENT ON VIEW unionreg.report_line_all IS 'Every line of every organization''s form in every snapshot version';

CREATE VIEW unionreg.report_line AS
SELECT a.snapshot_id, a.as_of, a.org_ext_id, a.org_name, a.level, a.region_ext_id, a.form,
	   a.line_code, a.label, a.value, a.is_complete
  FROM unionreg.report_line_all a JOIN unionreg.latest_snapshot ls ON ls.id = a.snapshot_id;
COMMENT ON VIEW unionreg.report_line IS 'Report lines of the latest snapshot of each date: one row per organization, form and line (long form)';
-- the key columns every report view shares, commented once
CREATE FUNCTION unionreg._comment_report_keys(p_view text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $f$
BEGIN
	EXECUTE format($c$
			COMMENT ON COLUMN unionreg.%1$I.snapshot_id IS 'snapshot id';
			COMMENT ON COLUMN unionreg.%1$I.as_of IS 'reporting date';
			COMMENT ON COLUMN unionreg.%1$I.org_ext_id IS 'organization ext_id';
			COMMENT ON COLUMN unionreg.%1$I.org_name IS 'organization name';
			COMMENT ON COLUMN unionreg.%1$I.level IS 'organization level';
			COMMENT ON COLUMN unionreg.%1$I.region_ext_id IS 'its regional organization on the date';
	$c$, p_view);
END
$f$;
COMMENT ON FUNCTION unionreg._comment_report_keys(text) IS
	'internal: comments the key columns (snapshot_id, as_of, org_ext_id, org_name, level, region_ext_id) of a report view';
DO $$
DECLARE v text;
BEGIN
	FOREACH v IN ARRAY ARRAY['report_line', 'report_line_all'] LOOP
		PERFORM unionreg._comment_report_keys(v);
		EXECUTE format($c$
			COMMENT ON COLUMN unionreg.%1$I.form IS 'form code (5SP … 1SP)';
			COMMENT ON COLUMN unionreg.%1$I.line_code IS 'line code as on the form';
			COMMENT ON COLUMN unionreg.%1$I.label IS 'Russian label of the line';
			COMMENT ON COLUMN unionreg.%1$I.value IS 'the value';
			COMMENT ON COLUMN unionreg.%1$I.is_complete IS 'the organization''s own report is complete';
		$c$, v);
	END LOOP;
END
$$;
COMMENT ON COLUMN unionreg.report_line_all.sort IS 'line order on the form';

CREATE VIEW unionreg.report_gaps AS
SELECT so.snapshot_id, s.as_of, o.ext_id AS org_ext_id, o.name AS org_name, o.level, so.form, g.gap
  FROM unionreg.snapshot_org so
  JOIN unionreg.latest_snapshot s ON s.id = so.snapshot_id
  JOIN unionreg.org o ON o.id = so.org_id
  CROSS JOIN LATERAL unnest(so.gaps) g(gap)
 WHERE NOT so.is_complete;
COMMENT ON VIEW unionreg.report_gaps IS 'Why reports of the latest snapshots are incomplete: one row per organization and gap';
COMMENT ON COLUMN unionreg.report_gaps.snapshot_id IS 'snapshot id';
COMMENT ON COLUMN unionreg.report_gaps.as_of IS 'reporting date';
COMMENT ON COLUMN unionreg.report_gaps.org_ext_id IS 'organization ext_id';
COMMENT ON COLUMN unionreg.report_gaps.org_name IS 'organization name';
COMMENT ON COLUMN unionreg.report_gaps.level IS 'organization level';
COMMENT ON COLUMN unionreg.report_gaps.form IS 'its form';
COMMENT ON COLUMN unionreg.report_gaps.gap IS 'a missing passport field, or members with unknown status';

-- the value of a control ratio's right side
CREATE VIEW unionreg.control_violation AS
SELECT x.snapshot_id, x.org_ext_id, x.form, x.rule, x.severity, x.left_value, x.right_value
  FROM (SELECT so.snapshot_id, o.ext_id AS org_ext_id, so.form, cr.rule, cr.severity, cr.op,
			   unionreg.line_value(so.tally, l.formula, l.counters) AS left_value,
			   r.right_value
		  FROM unionreg.snapshot_org so
		  JOIN unionreg.latest_snapshot s ON s.id = so.snapshot_id
		  JOIN unionreg.org o ON o.id = so.org_id
		  JOIN unionreg.control_ratio cr ON cr.form = so.form
		  JOIN unionreg.form_line l ON l.form = cr.form AND l.line_code = cr.left_line
		  -- the right side, inline (not a function reading form_line): a view reads
		  -- its tables with its owner's rights, which is what lets the reader role in
		  CROSS JOIN LATERAL (
				SELECT sum(CASE WHEN t LIKE '#%' THEN substr(t, 2)::numeric
								WHEN t LIKE '-%' THEN -unionreg.line_value(so.tally, rl.formula, rl.counters)
								ELSE unionreg.line_value(so.tally, rl.formula, rl.counters) END) AS right_value
				  FROM unnest(cr.right_terms) t
				  LEFT JOIN unionreg.form_line rl ON rl.form = so.form AND rl.line_code = ltrim(t, '-')) r) x
 WHERE x.left_value IS NOT NULL AND x.right_value IS NOT NULL
   AND NOT CASE x.op WHEN '<=' THEN x.left_value <= x.right_value
					 WHEN '=' THEN x.left_value = x.right_value
					 WHEN '>=' THEN x.left_value >= x.right_value
					 WHEN '<' THEN x.left_value < x.right_value
					 WHEN '>' THEN x.left_value > x.right_value END;
COMMENT ON VIEW unionreg.control_violation IS 'Control ratios broken in the latest snapshots: one row per organization and rule';
COMMENT ON COLUMN unionreg.control_violation.snapshot_id IS 'snapshot id';
COMMENT ON COLUMN unionreg.control_violation.org_ext_id IS 'organization ext_id';
COMMENT ON COLUMN unionreg.control_violation.form IS 'its form';
COMMENT ON COLUMN unionreg.control_violation.rule IS 'the ratio as written, e.g. 2.1 <= 2';
COMMENT ON COLUMN unionreg.control_violation.severity IS 'error or warning';
COMMENT ON COLUMN unionreg.control_violation.left_value IS 'value of the left line';
COMMENT ON COLUMN unionreg.control_violation.right_value IS 'value of the right side';

CREATE FUNCTION unionreg.snapshot_drift(p_snapshot_id bigint)
RETURNS TABLE (org_ext_id text, form text, line_code text, label text, frozen numeric, now numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_as_of date;
BEGIN
	SELECT s.as_of INTO v_as_of FROM unionreg.snapshot s WHERE s.id = p_snapshot_id;
	IF v_as_of IS NULL THEN
		RAISE EXCEPTION 'snapshot % does not exist', p_snapshot_id USING ERRCODE = 'no_data_found';
	END IF;
	RETURN QUERY
	WITH fresh AS (SELECT * FROM unionreg._org_tallies(v_as_of, NULL)),
	pairs AS (
		SELECT coalesce(so.org_id, f.org_id) AS org_id, coalesce(so.form, f.form) AS form,
			   so.tally AS frozen, f.tally AS now
		  FROM (SELECT * FROM unionreg.snapshot_org WHERE snapshot_id = p_snapshot_id) so
		  FULL JOIN fresh f ON f.org_id = so.org_id)
	SELECT o.ext_id, p.form, l.line_code, l.label_ru,
		   unionreg.line_value(p.frozen, l.formula, l.counters), unionreg.line_value(p.now, l.formula, l.counters)
	  FROM pairs p
	  JOIN unionreg.org o ON o.id = p.org_id
	  JOIN unionreg.form_line l ON l.form = p.form
	 WHERE unionreg.line_value(p.frozen, l.formula, l.counters) IS DISTINCT FROM unionreg.line_value(p.now, l.formula, l.counters)
	 ORDER BY o.ext_id, l.sort;
END
$$;
COMMENT ON FUNCTION unionreg.snapshot_drift(bigint) IS
	'Lines that differ between a frozen snapshot and a rebuild of its date on today''s data (late or back-dated corrections)';

-- ---- one wide view per form: a column per line, named from its code -------------

CREATE FUNCTION unionreg.refresh_form_views()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	f record;
	l record;
	v_cols text;
	v_view text;
BEGIN
	FOR f IN SELECT code, label_ru, label_en FROM unionreg.form ORDER BY sort LOOP
		v_view := 'report_' || lower(f.code);
		SELECT string_agg(format('max(a.value) FILTER (WHERE a.line_code = %L) AS %I',
								 fl.line_code, 'l' || replace(fl.line_code, '.', '_')), E',\n\t\t' ORDER BY fl.sort)
		  INTO v_cols FROM unionreg.form_line fl WHERE fl.form = f.code;
		-- rebuild only when the columns change (a new label changes comments only);
		-- a view the extension script made is detached first, so it can go
		IF to_regclass('unionreg.' || v_view) IS NULL
		   OR (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
				WHERE a.attrelid = to_regclass('unionreg.' || v_view) AND a.attnum > 6 AND NOT a.attisdropped)
			  IS DISTINCT FROM
			  (SELECT array_agg('l' || replace(fl.line_code, '.', '_') ORDER BY fl.sort)
				 FROM unionreg.form_line fl WHERE fl.form = f.code) THEN
			IF EXISTS (SELECT 1 FROM pg_depend d
						WHERE d.classid = 'pg_class'::regclass AND d.objid = to_regclass('unionreg.' || v_view)
						  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')
			   AND current_setting('unionreg.creating', true) IS DISTINCT FROM 'on' THEN
				EXECUTE format('ALTER EXTENSION unionreg DROP VIEW unionreg.%I', v_view);
			END IF;
			EXECUTE format('DROP VIEW IF EXISTS unionreg.%I', v_view);
			EXECUTE format($v$
			CREATE VIEW unionreg.%I AS
			SELECT a.snapshot_id, a.as_of, a.org_ext_id, a.org_name, a.level, a.region_ext_id%s
			  FROM unionreg.report_line a
			 WHERE a.form = %L
			 GROUP BY a.snapshot_id, a.as_of, a.org_ext_id, a.org_name, a.level, a.region_ext_id$v$,
			v_view, CASE WHEN v_cols IS NULL THEN '' ELSE E',\n\t\t' || v_cols END, f.code);
		END IF;
		-- a view made anew has lost its grants: the reader keeps seeing every form
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unionreg_reader') THEN
			EXECUTE format('GRANT SELECT ON unionreg.%I TO unionreg_reader', v_view);
		END IF;
		EXECUTE format('COMMENT ON VIEW unionreg.%I IS %L', v_view,
					   format('%s / %s: one row per organization and snapshot (latest version of each date), one column per line', f.label_en, f.label_ru));
		PERFORM unionreg._comment_report_keys(v_view);
		FOR l IN SELECT fl.line_code, fl.label_ru, fl.label_en FROM unionreg.form_line fl WHERE fl.form = f.code LOOP
			EXECUTE format('COMMENT ON COLUMN unionreg.%I.%I IS %L', v_view, 'l' || replace(l.line_code, '.', '_'),
						   format('%s %s / %s', l.line_code, l.label_en, l.label_ru));
		END LOOP;
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg.refresh_form_views() IS
	'(Re)creates the wide views report_5sp … report_1sp from the form catalog; runs by itself when unionreg.form_line changes';

CREATE FUNCTION unionreg._form_lines_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg.refresh_form_views();
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._form_lines_changed() IS 'internal: keeps the wide form views in step with the form catalog';
CREATE TRIGGER form_line_views AFTER INSERT OR UPDATE OR DELETE ON unionreg.form_line
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg._form_lines_changed();

SELECT unionreg.refresh_form_views();
