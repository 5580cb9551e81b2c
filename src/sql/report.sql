

-- The roll-up, in C (src/rollup.c): own tallies summed into every ancestor
-- in one pass over the organizations, leaves first, and each one's region.
CREATE FUNCTION unionreg._rollup(ids bigint[], parents bigint[], tallies unionreg.tally[], flagged boolean[])
RETURNS TABLE (org_id bigint, tally unionreg.tally, flagged_ancestor bigint)
AS 'MODULE_PATHNAME', 'tally_rollup'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 10000;
COMMENT ON FUNCTION unionreg._rollup(bigint[], bigint[], unionreg.tally[], boolean[]) IS
	'internal: for organizations with their parent and own tally, the tally of each one''s subtree and its nearest flagged ancestor (the region), in memory, O(organizations)';

CREATE FUNCTION unionreg._org_tallies(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF p_root IS NULL AND has_function_privilege('unionreg._org_pass(date, bigint)', 'EXECUTE') THEN
		RETURN QUERY SELECT * FROM unionreg._org_pass(p_as_of);
	ELSE
		RETURN QUERY SELECT * FROM unionreg._org_tallies_sql(p_as_of, p_root);
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._org_tallies(date, bigint) IS
	'internal: the consolidated tally of every organization live on D that fills a form (optionally within one subtree), with completeness and region';

CREATE FUNCTION unionreg._report_unchecked(p_org_ext_id text, p_form text, p_as_of date)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
SET plan_cache_mode = force_generic_plan
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
	-- it files a report on D: live, and its level and kind fill a form
	IF EXISTS (SELECT 1 FROM unionreg.org o
				WHERE o.id = v_org AND o.valid_from <= p_as_of AND (o.valid_to IS NULL OR o.valid_to > p_as_of)
				  AND EXISTS (SELECT 1 FROM unionreg.form_assignment fa
							   WHERE fa.level = o.level AND (fa.kind IS NULL OR fa.kind = o.kind))) THEN
		v_tally := unionreg._subtree_tally(p_as_of, v_org);
	END IF;
	IF v_tally IS NULL THEN
		RAISE EXCEPTION 'organization "%" files no report on %', p_org_ext_id, p_as_of
			USING ERRCODE = 'no_data_found',
				  HINT = 'It is not live on that date, or its level and kind fill no form (unionreg.form_assignment).';
	END IF;
	RETURN QUERY
	SELECT l.line_code, l.label_ru, unionreg.line_value(v_tally, l.formula, l.counters)
	  FROM unionreg.form_line l WHERE l.form = p_form ORDER BY l.sort;
END
$$;
REVOKE EXECUTE ON FUNCTION unionreg._report_unchecked(text, text, date) FROM PUBLIC;
COMMENT ON FUNCTION unionreg._report_unchecked(text, text, date) IS
	'internal: the body of unionreg.report, without the caller''s scope check';

-- ---- reports -------------------------------------------------------------------

-- Aggregates only, so the reader may ask for any organization; a chairman or
-- an officer only within the subtree: refused, never filtered to zeros.
--
-- A count asked for day after day tells when it changes: line 2.2 (youth) of
-- a one-member primary, asked for the dates around her 35th birthday, gives
-- the birth date a chairman sees masked.  So on a date with no snapshot the
-- figures are computed only for a login that reads every record they count:
-- the administrator, an officer (who reads every record of the region), and
-- a chairman for the primary or subdivision it stands for itself.  Everyone
-- else, the reader included, gets the figures as of snapshot dates (the
-- quarterly builds), which the views show anyway.
CREATE FUNCTION unionreg.report(p_org_ext_id text, p_form text, p_as_of date)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_reader boolean := pg_has_role(session_user, 'unionreg_reader', 'MEMBER');
	v_org bigint;
BEGIN
	PERFORM unionreg._check_date(p_as_of, 'report date');
	IF NOT v_reader THEN
		v_org := unionreg._require_org(p_org_ext_id, 'report on');
	END IF;
	IF NOT unionreg._sees_all()
	   AND NOT EXISTS (SELECT 1 FROM unionreg.snapshot s WHERE s.as_of = p_as_of)
	   AND (v_reader
			OR NOT (pg_has_role(session_user, 'unionreg_officer', 'MEMBER')
					OR EXISTS (SELECT 1 FROM unionreg.access_scope sc JOIN unionreg.org o ON o.id = sc.org_id
								WHERE sc.login = session_user AND sc.org_id = v_org
								  AND o.level IN ('primary', 'subdivision')))) THEN
		RAISE EXCEPTION 'report of "%" as of %: there is no snapshot of that date', p_org_ext_id, p_as_of
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'On a date with no snapshot the figures are computed only for a login that reads every record they count (a day-by-day series would reveal the birth dates and other fields it sees masked).',
				  HINT = format('Ask for a snapshot date (%s), or ask the register administrator to build one.', unionreg._snapshot_dates_near(p_as_of));
	END IF;
	RETURN QUERY SELECT * FROM unionreg._report_unchecked(p_org_ext_id, p_form, p_as_of);
END
$$;
COMMENT ON FUNCTION unionreg.report(text, text, date) IS
	'The lines (code, Russian label, value) of one organization''s form as of a date, computed now; the same numbers a snapshot of that date holds. Chairmen and officers: their subtree only. On a date with no snapshot: the administrator, officers, and a chairman for its own primary or subdivision only (55000 otherwise)';
GRANT EXECUTE ON FUNCTION unionreg.report(text, text, date) TO unionreg_reader;


-- organization-level figures of the whole union: the reader's views and the administrator
REVOKE EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date)
	TO unionreg_reader, unionreg_admin;

-- ---------------------------------------------------------------------
-- report() on demand reads only the subtree it reports on, not the whole
-- union's organizations, links, passports, base figures and chairmen cut
-- to the subtree at the end.  The rules that make an organization's own
-- contribution are small functions both paths share, and the subtree path
-- drives every read from the subtree's ids through the indexes.
-- ---------------------------------------------------------------------

-- What one organization adds to itself and to every ancestor on D: a primary
-- its members' tally and itself (by kind, empty, created in (P, D], the
-- passport's base figures), a subdivision one subdivision, a filer whether
-- its own report is incomplete, a parent the primaries liquidated under it.
-- (src/own_tally.c: the rule above, in one allocation; NULLs read as none)
CREATE FUNCTION unionreg._own_tally(
	p_level text, p_kind text, p_valid_from date, p_members unionreg.tally,
	p_employees integer, p_students integer, p_incomplete boolean, p_liquidated bigint,
	p_as_of date, p_period_start date)
RETURNS unionreg.tally
AS 'MODULE_PATHNAME', 'own_tally'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._own_tally(text, text, date, unionreg.tally, integer, integer, boolean, bigint, date, date) IS
	'internal: what one organization adds to its own and its ancestors'' tallies on D (members, itself as a primary or subdivision, an incomplete report, primaries liquidated under it)';

-- A filer's own chairman on D (not rolled up).
CREATE FUNCTION unionreg._chairman_tally(p_released boolean)
RETURNS unionreg.tally
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT unionreg.tally_of('chairman_in_office', 1)
		   OPERATOR(unionreg.+) unionreg.tally_of('chairman_released', CASE WHEN p_released THEN 1 ELSE 0 END)
$$;
COMMENT ON FUNCTION unionreg._chairman_tally(boolean) IS 'internal: the tally of a chairman in office on D';

-- The roll-up's end in C (src/org_pass.c): it reads the organizations from
-- a cursor in batches, rolls their tallies up in memory and returns the
-- filers' rows, chairman and gaps included.
CREATE FUNCTION unionreg._org_rollup(p_cursor refcursor)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
AS 'MODULE_PATHNAME', 'org_rollup'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._org_rollup(refcursor) IS
	'internal: reads (id, parent_id, is_region, own tally, form, chairman tally, gaps) from an open cursor, rolls the tallies up through the hierarchy and returns the filers'' consolidated rows';
REVOKE EXECUTE ON FUNCTION unionreg._org_rollup(refcursor) FROM PUBLIC;

-- The organization side in SQL, with the shared rules; the organizations
-- go to the roll-up through a cursor, not as four arrays of 150,000
-- elements.  The whole union is _org_pass() in C; this serves a subtree and
-- is the formulation the tests hold the C pass to.
CREATE FUNCTION unionreg._org_tallies_sql(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
-- the CTEs carry no statistics: a guess of 1 row for 3,600 turned a join into
-- 68 million comparisons; every join here is between whole sets
SET enable_nestloop = off
-- and those guesses make JIT compile for a second what runs in milliseconds
SET jit = off
-- a dozen hashes and sorts over 150,000 organizations: at 64 MB each the build
-- held ~390 MB and ran no faster (4.4 s against 3.8 s at 4 MB, 500,000 persons)
SET work_mem = '4MB'
AS $f$
DECLARE
	v_orgs refcursor;
BEGIN
	OPEN v_orgs NO SCROLL FOR
		WITH RECURSIVE
		d AS (SELECT p_as_of AS d, unionreg.period_start(p_as_of) AS p),
		live AS (
			SELECT o.id, o.level, o.kind, o.valid_from FROM unionreg.org o, d WHERE o.valid_from <= d.d AND (o.valid_to IS NULL OR o.valid_to > d.d)),
		link AS (
			SELECT l.org_id, l.parent_id FROM unionreg.org_link l, d
			 WHERE l.valid_from <= d.d AND (l.valid_to IS NULL OR l.valid_to > d.d)),
		down AS (
			SELECT o.id FROM live o WHERE o.id = p_root
			UNION
			SELECT l.org_id FROM down dn JOIN link l ON l.parent_id = dn.id),
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
			  FROM (SELECT pg.org_id, 'passport: ' || pg.field AS gap
					  FROM unionreg._passport_gap_rows(p_as_of) pg
					UNION ALL
					SELECT m.org_id, format('status unknown for %s member(s)', unionreg.tally_get(m.tally, 'status_unknown'))
					  FROM mt m WHERE unionreg.tally_get(m.tally, 'status_unknown') > 0) g
			 GROUP BY g.org_id),
		liquidated AS (
			SELECT l.parent_id AS org_id, count(*) AS n
			  FROM unionreg.org x CROSS JOIN d
			  JOIN unionreg.org_link l ON l.org_id = x.id AND l.valid_to = x.valid_to
			 WHERE x.level = 'primary' AND x.valid_to > d.p AND x.valid_to <= d.d
			 GROUP BY l.parent_id),
		own AS (
			SELECT s.id, s.parent_id, s.level = 'regional' AS is_region, a.form, g.gaps,
				   unionreg._own_tally(s.level, s.kind, s.valid_from, m.tally, b.employees, b.students,
									   a.id IS NOT NULL AND g.gaps IS NOT NULL, lq.n, d.d, d.p) AS tally
			  FROM scope s CROSS JOIN d
			  LEFT JOIN assigned a ON a.id = s.id
			  LEFT JOIN mt m ON m.org_id = s.id
			  LEFT JOIN base b ON b.org_id = s.id
			  LEFT JOIN gaps g ON g.org_id = s.id
			  LEFT JOIN liquidated lq ON lq.org_id = s.id),
		chairman AS (
			SELECT c.org_id, unionreg._chairman_tally(c.released) AS tally
			  FROM unionreg.org_chairman c, d
			 WHERE c.name IS NOT NULL AND c.term_from <= d.d AND (c.term_to IS NULL OR c.term_to > d.d))
		SELECT w.id, w.parent_id, w.is_region, w.tally, w.form, c.tally, w.gaps
		  FROM own w
		  LEFT JOIN chairman c ON c.org_id = w.id AND w.form IS NOT NULL;
	RETURN QUERY SELECT * FROM unionreg._org_rollup(v_orgs);
	CLOSE v_orgs;
END
$f$;
COMMENT ON FUNCTION unionreg._org_tallies_sql(date, bigint) IS
	'internal: the organization side of a build in SQL (the whole union, or one organization''s subtree): every filer''s consolidated row on D';

-- The organization side in C (src/org_build.c): org, org_link, org_base and
-- org_chairman read once each and the member pass, into arrays by
-- organization; the same rows as _org_tallies_sql() (tested).  The whole
-- union, or one organization's subtree (report() of a region).  No row
-- security: the owner's functions only.
CREATE FUNCTION unionreg._org_pass(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
AS 'MODULE_PATHNAME', 'org_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._org_pass(date, bigint) IS
	'internal: the organization side of a build in C, of the whole union or of one organization''s subtree (one read of each organization table and the member pass; no row security: the owner''s functions only): every filer''s consolidated row on D';
REVOKE EXECUTE ON FUNCTION unionreg._org_pass(date, bigint) FROM PUBLIC;

-- One organization's consolidated tally from the same reads, summed in C
-- (the roll-up of a single root is a sum): report() of a large subtree,
-- without a row or counters kept per organization.
CREATE FUNCTION unionreg._subtree_pass(p_as_of date, p_root bigint)
RETURNS unionreg.tally
AS 'MODULE_PATHNAME', 'subtree_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._subtree_pass(date, bigint) IS
	'internal: one organization''s consolidated tally on D in C, the sum over its subtree of what each organization adds plus its own chairman (what _org_pass(D, root) gives for root; no row security: the owner''s functions only); NULL if it is not live on D';
REVOKE EXECUTE ON FUNCTION unionreg._subtree_pass(date, bigint) FROM PUBLIC;

-- One organization's consolidated tally on D, from its subtree alone: the
-- sum of what each organization of the subtree adds (the roll-up of a single
-- root is a sum), plus the root's own chairman.  Every read is driven by the
-- subtree's ids: links by parent, organizations, base figures, chairmen and
-- passport gaps by id, memberships by organization.
CREATE FUNCTION unionreg._subtree_tally(p_as_of date, p_root bigint)
RETURNS unionreg.tally
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
SET jit = off
-- plans made once per session: re-planning these statements on every call
-- was half of a primary's report() (~1 ms of ~2 ms); the generic plans are
-- as fast for a territorial and a region
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_p date := unionreg.period_start(p_as_of);
	v_ids bigint[];
	v_primaries bigint[];
	v_tally unionreg.tally;
	v_level text;
	v_size bigint;
BEGIN
	-- A large subtree (the union, a large region): one read of each
	-- organization table in C beats an index probe per organization.
	-- Measured: this SQL ~20 us an organization, the C pass ~60 ms plus
	-- ~12 us; 17 ms against 70 ms for a region of 300 organizations, 500 ms
	-- against 330 ms for one of 22,000 (the C sum, _subtree_pass, ~150 ms
	-- since).  The size comes from the latest snapshot (a probe of its key;
	-- walking the subtree to count it cost as much as the SQL path);
	-- without one, a region counts as large.  The sum includes the root's
	-- own chairman.
	SELECT o.level INTO v_level FROM unionreg.org o WHERE o.id = p_root;
	SELECT unionreg.tally_get(so.tally, 'primaries') + unionreg.tally_get(so.tally, 'subdivisions') INTO v_size
	  FROM unionreg.snapshot_org so
	 WHERE so.snapshot_id = (SELECT max(s.id) FROM unionreg.snapshot s) AND so.org_id = p_root;
	IF (v_level = 'central' OR coalesce(v_size > 5000, v_level = 'regional'))
	   AND has_function_privilege('unionreg._subtree_pass(date, bigint)', 'EXECUTE') THEN
		v_tally := unionreg._subtree_pass(p_as_of, p_root);
		IF v_tally IS NOT NULL THEN
			RETURN v_tally;
		END IF;
	END IF;
	-- the ids first, then the organizations by id (a join to the walk
	-- would hash the whole org table)
	WITH RECURSIVE down (id) AS (
		SELECT p_root
		UNION
		SELECT l.org_id
		  FROM down d
		  JOIN unionreg.org_link l ON l.parent_id = d.id
		 WHERE l.valid_from <= p_as_of AND (l.valid_to IS NULL OR l.valid_to > p_as_of))
	SELECT array_agg(down.id) INTO v_ids FROM down;
	SELECT array_agg(o.id), coalesce(array_agg(o.id) FILTER (WHERE o.level = 'primary'), '{}')
	  INTO v_ids, v_primaries
	  FROM unionreg.org o
	 WHERE o.id = ANY (v_ids) AND o.valid_from <= p_as_of AND (o.valid_to IS NULL OR o.valid_to > p_as_of);
	IF v_ids IS NULL THEN
		RETURN NULL;
	END IF;

	WITH mt AS (SELECT * FROM unionreg.member_tallies(p_as_of, v_primaries)),
	gapped AS (
		SELECT g.org_id FROM unionreg._passport_gap_rows(p_as_of) g WHERE g.org_id = ANY (v_ids)
		UNION
		SELECT m.org_id FROM mt m WHERE unionreg.tally_get(m.tally, 'status_unknown') > 0),
	liquidated AS (
		SELECT l.parent_id AS org_id, count(*) AS n
		  FROM unionreg.org_link l
		  JOIN unionreg.org x ON x.id = l.org_id AND l.valid_to = x.valid_to
		 WHERE l.parent_id = ANY (v_ids) AND x.level = 'primary' AND x.valid_to > v_p AND x.valid_to <= p_as_of
		 GROUP BY l.parent_id)
	SELECT unionreg.sum(unionreg._own_tally(o.level, o.kind, o.valid_from, m.tally, b.employees, b.students,
				EXISTS (SELECT 1 FROM unionreg.form_assignment fa
						 WHERE fa.level = o.level AND (fa.kind IS NULL OR fa.kind = o.kind))
				AND o.id IN (SELECT gp.org_id FROM gapped gp),
				lq.n, p_as_of, v_p))
	  INTO v_tally
	  FROM unionreg.org o
	  LEFT JOIN mt m ON m.org_id = o.id
	  LEFT JOIN LATERAL (
			SELECT x.employees, x.students FROM unionreg.org_base x
			 WHERE x.org_id = o.id AND x.as_of <= p_as_of ORDER BY x.as_of DESC LIMIT 1) b ON true
	  LEFT JOIN liquidated lq ON lq.org_id = o.id
	 WHERE o.id = ANY (v_ids);

	RETURN v_tally OPERATOR(unionreg.+) coalesce(
		(SELECT unionreg._chairman_tally(c.released) FROM unionreg.org_chairman c
		  WHERE c.org_id = p_root AND c.name IS NOT NULL AND c.term_from <= p_as_of
			AND (c.term_to IS NULL OR c.term_to > p_as_of)), '{}'::unionreg.tally);
END
$$;
COMMENT ON FUNCTION unionreg._subtree_tally(date, bigint) IS
	'internal: one organization''s consolidated tally on D computed from its subtree alone, every read through an index (report() on demand)';

-- The member pass for a few organizations (report() on demand): index
-- lookups from their members.  A generic plan, made once per session: a
-- custom plan made on every call costs more to plan than a primary's
-- members cost to count.
CREATE FUNCTION unionreg._member_tallies_of(p_as_of date, p_orgs bigint[])
RETURNS TABLE (org_id bigint, tally unionreg.tally)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, unionreg, pg_temp
SET jit = off
SET enable_nestloop = on
SET plan_cache_mode = force_generic_plan
AS $$
	SELECT m.org_id,
		   unionreg.sum(unionreg.member_tally(p_as_of, unionreg.period_start(p_as_of), m.joined_on, m.left_on, m.left_reason,
			   prev.person_id IS NOT NULL, m.admitted_online, s.status, s.pedagogical, s.position,
			   s.full_time, pe.birth_date, cs.state, pe.virtual_card_on))
	  FROM unionreg.membership m
	  JOIN unionreg.person pe ON pe.id = m.person_id
	  LEFT JOIN unionreg.membership prev
		ON prev.person_id = m.person_id AND prev.left_on = m.joined_on AND prev.left_reason = 'transferred'
	  LEFT JOIN unionreg.status_period s
		ON s.person_id = m.person_id AND s.valid_from <= p_as_of AND (s.valid_to IS NULL OR s.valid_to > p_as_of)
	  LEFT JOIN LATERAL (
			SELECT e.to_state AS state
			  FROM unionreg.card c JOIN unionreg.card_event e ON e.card_id = c.id
			 WHERE c.person_id = m.person_id AND e.on_date <= p_as_of
			 -- a later card wins a tie: a lost card and its successor loaded in one
			 -- transaction share the date and the recorded_at
			 ORDER BY e.on_date DESC, e.recorded_at DESC, c.id DESC LIMIT 1) cs ON true
	 WHERE m.org_id = ANY (p_orgs)
	   AND m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > unionreg.period_start(p_as_of))
	 GROUP BY m.org_id
$$;
COMMENT ON FUNCTION unionreg._member_tallies_of(date, bigint[]) IS
	'internal: the member pass for a few organizations, through the membership index and per-member lookups (a generic plan, made once per session)';

-- The member pass in C (src/member_pass.c): over the whole union every
-- member table read once, no joins; for given organizations their periods
-- and their persons' facts by key (or the scans, past ~5% of the union's
-- periods).  It reads
-- the tables as their owner, without row security, so only the extension's
-- own SECURITY DEFINER functions may call it.
CREATE FUNCTION unionreg._member_pass(p_as_of date, p_orgs bigint[] DEFAULT NULL, p_key_limit integer DEFAULT NULL)
RETURNS TABLE (org_id bigint, tally unionreg.tally)
AS 'MODULE_PATHNAME', 'member_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._member_pass(date, bigint[], integer) IS
	'internal: the member pass as of D in C, one scan of each member table or, for given organizations, reads by key (no row security: the owner''s functions only); the tally of every organization with a membership period touching (P, D], or of the given ones';
REVOKE EXECUTE ON FUNCTION unionreg._member_pass(date, bigint[], integer) FROM PUBLIC;
