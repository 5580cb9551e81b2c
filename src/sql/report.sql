



CREATE FUNCTION unionreg._report_unchecked(p_org_ext_id text, p_form text, p_as_of date)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org_ext_id);
	v_tally unionreg.tally;
	v_files text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM unionreg.form f WHERE f.code = p_form) THEN
		RAISE EXCEPTION 'form "%" does not exist', p_form
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of: ' || (SELECT string_agg(code, ', ' ORDER BY sort) FROM unionreg.form) || '.';
	END IF;
	IF p_as_of IS NULL OR NOT isfinite(p_as_of) THEN
		RAISE EXCEPTION 'report() needs a finite reporting date' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- it files a report on D: live, and its level and kind fill a form (its
	-- kind's, else its level's), the form asked for
	SELECT fa.form INTO v_files
	  FROM unionreg.org o JOIN unionreg.form_assignment fa ON fa.level = o.level AND (fa.kind IS NULL OR fa.kind = o.kind)
	 WHERE o.id = v_org AND unionreg._holds_on(o.valid_from, o.valid_to, p_as_of)
	 ORDER BY fa.kind IS NULL LIMIT 1;
	IF v_files IS NOT NULL AND v_files <> p_form THEN
		RAISE EXCEPTION 'organization "%" files form % on %, not %', p_org_ext_id, v_files, p_as_of, p_form
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Ask for its form: unionreg.report(%L, %L, %L).', p_org_ext_id, v_files, p_as_of);
	END IF;
	IF v_files IS NOT NULL THEN
		v_tally := unionreg._subtree_pass(p_as_of, v_org);
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
CREATE FUNCTION unionreg.report(p_org_ext_id text, p_form text, p_as_of date, p_submitted boolean DEFAULT false)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_reader boolean := pg_has_role(session_user, 'unionreg_reader', 'MEMBER');
	v_org bigint;
	v_tally unionreg.tally;
BEGIN
	PERFORM unionreg._check_date(p_as_of, 'report date');
	IF NOT v_reader THEN
		v_org := unionreg._require_org(p_org_ext_id, 'report on');
	END IF;
	-- the figures as submitted (the latest version not returned) rather than computed now
	IF p_submitted THEN
		SELECT s.tally INTO v_tally FROM unionreg.report_submission s JOIN unionreg.org o ON o.id = s.org_id
		 WHERE o.ext_id = p_org_ext_id AND s.form = p_form AND s.as_of = p_as_of AND s.state <> 'returned'
		 ORDER BY s.version DESC LIMIT 1;
		IF v_tally IS NULL THEN
			RAISE EXCEPTION 'no report of "%" (%) as of % has been submitted', p_org_ext_id, p_form, p_as_of
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Ask for the figures computed now (p_submitted => false), or submit the report (unionreg.submit_report).';
		END IF;
		RETURN QUERY
		SELECT l.line_code, l.label_ru, unionreg.line_value(v_tally, l.formula, l.counters)
		  FROM unionreg.form_line l WHERE l.form = p_form ORDER BY l.sort;
		RETURN;
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
COMMENT ON FUNCTION unionreg.report(text, text, date, boolean) IS
	'The lines (code, Russian label, value) of one organization''s form as of a date, computed now (the same numbers a snapshot of that date holds), or with p_submitted as submitted (the latest version not returned; 55000 when none). Chairmen and officers: their subtree only. On a date with no snapshot: the administrator, officers, and a chairman for its own primary or subdivision only (55000 otherwise)';
GRANT EXECUTE ON FUNCTION unionreg.report(text, text, date, boolean) TO unionreg_reader;


-- organization-level figures of the whole union: the reader's views and the administrator
REVOKE EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date)
	TO unionreg_reader, unionreg_admin;

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

-- One organization's consolidated tally on D (report()), summed in C: the
-- roll-up of a single root is a sum of what each organization of its
-- subtree adds, plus its own chairman.  A subtree of a few thousand
-- organizations is read by key (its ids drive every read through the
-- indexes); a larger one by reading each organization table whole.  The
-- size where one read gives way to the other is the engine's
-- (p_by_key_max: the tests' way to take each).
CREATE FUNCTION unionreg._subtree_pass(p_as_of date, p_root bigint, p_by_key_max integer DEFAULT NULL)
RETURNS unionreg.tally
AS 'MODULE_PATHNAME', 'subtree_pass'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._subtree_pass(date, bigint, integer) IS
	'internal: one organization''s consolidated tally on D in C, the sum over its subtree of what each organization adds plus its own chairman (what _org_pass(D, root) gives for root; no row security: the owner''s functions only); NULL if it is not live on D. A subtree of up to p_by_key_max organizations (NULL: the engine''s choice) is read by key, a larger one by reading the organization tables whole';


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
