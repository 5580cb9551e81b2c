



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
				WHERE o.id = v_org AND unionreg._holds_on(o.valid_from, o.valid_to, p_as_of)
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
-- (src/engine/own_tally.c: the rule above, in one allocation; NULLs read as none)
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



-- The organization side in C (src/engine/org_pass.c): org, org_link, org_base and
-- org_chairman read once each and the member pass, into arrays by
-- organization; the same rows as the SQL oracle (test/sql/org_tallies_oracle.sql).  The whole
-- union, or one organization's subtree (report() of a region).  No row
-- security: the owner's functions only.
CREATE FUNCTION unionreg._org_pass(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
AS 'MODULE_PATHNAME', 'org_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._org_pass(date, bigint) IS
	'internal: the organization side of a build in C, of the whole union or of one organization''s subtree (one read of each organization table and the member pass; no row security: the owner''s functions only): every filer''s consolidated row on D';

-- One organization's consolidated tally from the same reads, summed in C
-- (the roll-up of a single root is a sum): report() of a large subtree,
-- without a row or counters kept per organization.
CREATE FUNCTION unionreg._subtree_pass(p_as_of date, p_root bigint)
RETURNS unionreg.tally
AS 'MODULE_PATHNAME', 'subtree_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._subtree_pass(date, bigint) IS
	'internal: one organization''s consolidated tally on D in C, the sum over its subtree of what each organization adds plus its own chairman (what _org_pass(D, root) gives for root; no row security: the owner''s functions only); NULL if it is not live on D';

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
	IF v_level = 'central' OR coalesce(v_size > 5000, v_level = 'regional') THEN
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
		 WHERE unionreg._holds_on(l.valid_from, l.valid_to, p_as_of))
	SELECT array_agg(down.id) INTO v_ids FROM down;
	SELECT array_agg(o.id), coalesce(array_agg(o.id) FILTER (WHERE o.level = 'primary'), '{}')
	  INTO v_ids, v_primaries
	  FROM unionreg.org o
	 WHERE o.id = ANY (v_ids) AND unionreg._holds_on(o.valid_from, o.valid_to, p_as_of);
	IF v_ids IS NULL THEN
		RETURN NULL;
	END IF;

	WITH mt AS (SELECT * FROM unionreg._member_pass(p_as_of, v_primaries)),
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


-- The member pass in C (src/engine/member_pass.c): over the whole union every
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
