-- ---------------------------------------------------------------------
-- Report adoption: an organization submits its report for a date (the
-- figures as report() computes them then, frozen with a hash), and a login
-- that stands for its parent or above approves it or returns it with a
-- reason; a returned report is submitted again as a new version.  The
-- union's report counts how many organizations filed this way.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.report_submission (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	form		text NOT NULL REFERENCES unionreg.form,
	as_of		date NOT NULL,
	version		integer NOT NULL CHECK (version > 0),
	state		text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'approved', 'returned')),
	tally		unionreg.tally NOT NULL,
	hash		text NOT NULL,
	is_complete boolean NOT NULL,
	gaps		text[],
	reason		text,
	submitted_by name NOT NULL DEFAULT session_user,
	submitted_at timestamptz NOT NULL DEFAULT now(),
	decided_by	name,
	decided_at	timestamptz,
	return_reason text,
	UNIQUE (org_id, form, as_of, version),
	CONSTRAINT report_submission_decided CHECK ((state = 'submitted') = (decided_at IS NULL)),
	CONSTRAINT report_submission_returned CHECK (state <> 'returned' OR return_reason IS NOT NULL),
	CONSTRAINT report_submission_incomplete CHECK (is_complete OR reason IS NOT NULL)
);
COMMENT ON TABLE unionreg.report_submission IS 'A report as submitted: the organization''s figures on a date frozen with a hash, who submitted it and when, and the decision of the level above (approved, or returned with a reason); every version kept';
COMMENT ON COLUMN unionreg.report_submission.id IS 'key';
COMMENT ON COLUMN unionreg.report_submission.org_id IS 'the organization';
COMMENT ON COLUMN unionreg.report_submission.form IS 'the form it files';
COMMENT ON COLUMN unionreg.report_submission.as_of IS 'the reporting date';
COMMENT ON COLUMN unionreg.report_submission.version IS '1, 2, …: a returned report is submitted again as the next version';
COMMENT ON COLUMN unionreg.report_submission.state IS 'submitted, approved or returned';
COMMENT ON COLUMN unionreg.report_submission.tally IS 'the consolidated counters as report() computed them when submitted';
COMMENT ON COLUMN unionreg.report_submission.hash IS 'md5 of the form''s lines (code=value, in the form''s order) as submitted';
COMMENT ON COLUMN unionreg.report_submission.is_complete IS 'the report was complete when submitted';
COMMENT ON COLUMN unionreg.report_submission.gaps IS 'what made it incomplete';
COMMENT ON COLUMN unionreg.report_submission.reason IS 'why an incomplete report was submitted';
COMMENT ON COLUMN unionreg.report_submission.submitted_by IS 'the login that submitted it';
COMMENT ON COLUMN unionreg.report_submission.submitted_at IS 'when';
COMMENT ON COLUMN unionreg.report_submission.decided_by IS 'the login that approved or returned it';
COMMENT ON COLUMN unionreg.report_submission.decided_at IS 'when';
COMMENT ON COLUMN unionreg.report_submission.return_reason IS 'why it was returned';
COMMENT ON SEQUENCE unionreg.report_submission_id_seq IS 'ids of report submissions';
CREATE INDEX report_submission_date_idx ON unionreg.report_submission (as_of, org_id);
SELECT pg_catalog.pg_extension_config_dump('unionreg.report_submission', '');
SELECT pg_catalog.pg_extension_config_dump('unionreg.report_submission_id_seq', '');
ALTER TABLE unionreg.report_submission ENABLE ROW LEVEL SECURITY;
CREATE POLICY subtree ON unionreg.report_submission
	USING ((SELECT unionreg._sees_all()) OR org_id IN (SELECT unionreg._visible_org_ids()));
COMMENT ON POLICY subtree ON unionreg.report_submission IS 'submissions of the organizations in the session login''s subtree (everything for the administrator)';
REVOKE ALL ON unionreg.report_submission FROM PUBLIC;
GRANT SELECT ON unionreg.report_submission TO unionreg_admin, unionreg_officer, unionreg_chair;

-- The hash of a form's lines for a tally: what a submission freezes.
CREATE FUNCTION unionreg._report_hash(p_tally unionreg.tally, p_form text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT md5(string_agg(l.line_code || '=' || coalesce(unionreg.line_value(p_tally, l.formula, l.counters)::text, ''), ';' ORDER BY l.sort))
	  FROM unionreg.form_line l WHERE l.form = p_form
$$;
COMMENT ON FUNCTION unionreg._report_hash(unionreg.tally, text) IS 'internal: md5 of a form''s lines (code=value in the form''s order) for a tally';

CREATE FUNCTION unionreg.submit_report(org_ext_id text, form text, as_of date, reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_org bigint;
	v_row record;
	v_last record;
	v_id bigint;
BEGIN
	PERFORM unionreg._check_date(as_of, 'report date');
	v_org := unionreg._require_org(org_ext_id, 'submit the report of');
	IF as_of > current_date THEN
		RAISE EXCEPTION 'the report of "%" as of % cannot be submitted before that day', org_ext_id, as_of
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Submit a report once its date has come.';
	END IF;
	-- one submission of a report at a time
	PERFORM pg_advisory_xact_lock(1970170223, 20);
	-- the figures, completeness and gaps as a build of that day would give them
	SELECT p.* INTO v_row FROM unionreg._org_pass(as_of, v_org) p WHERE p.org_id = v_org;
	IF v_row.org_id IS NULL THEN
		RAISE EXCEPTION 'organization "%" files no report on %', org_ext_id, as_of
			USING ERRCODE = 'no_data_found',
				  HINT = 'It is not live on that date, or its level and kind fill no form (unionreg.form_assignment).';
	END IF;
	IF v_row.form <> submit_report.form THEN
		RAISE EXCEPTION 'organization "%" files form % on %, not %', org_ext_id, v_row.form, as_of, submit_report.form
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Submit its form: unionreg.submit_report(%L, %L, %L).', org_ext_id, v_row.form, as_of);
	END IF;
	IF NOT v_row.is_complete AND nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'the report of "%" as of % is incomplete: %', org_ext_id, as_of, array_to_string(v_row.gaps, '; ')
			USING ERRCODE = 'check_violation',
				  DETAIL = 'An incomplete report is submitted only with a reason.',
				  HINT = 'Fill what is missing (unionreg.passport_gaps, the members'' statuses), or submit with a reason.';
	END IF;
	SELECT s.* INTO v_last FROM unionreg.report_submission s
	 WHERE s.org_id = v_org AND s.form = submit_report.form AND s.as_of = submit_report.as_of
	 ORDER BY s.version DESC LIMIT 1;
	IF v_last.state IN ('submitted', 'approved') THEN
		RAISE EXCEPTION 'the report of "%" as of % is already %: version %', org_ext_id, as_of, v_last.state, v_last.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = CASE v_last.state WHEN 'submitted' THEN 'It waits for the level above to approve or return it.'
							  ELSE 'An approved report stands.' END;
	END IF;
	INSERT INTO unionreg.report_submission (org_id, form, as_of, version, tally, hash, is_complete, gaps, reason)
	VALUES (v_org, submit_report.form, submit_report.as_of, coalesce(v_last.version, 0) + 1, v_row.tally,
			unionreg._report_hash(v_row.tally, submit_report.form), v_row.is_complete, v_row.gaps,
			nullif(btrim(reason), ''))
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg.submit_report(text, text, date, text) IS
	'Submit an organization''s report for a date: its figures as report() computes them now, frozen with a hash, as the next version; refused (23514, with the gaps) when incomplete and no reason is given, (55000) while a version waits or stands approved, (22023) for another form than the one it files or a date to come; the caller''s subtree';

-- The latest version waiting for a decision, for a login that stands for
-- the organization's parent on the report date (or above): a chairman
-- does not approve its own report.
CREATE FUNCTION unionreg._submission_to_decide(p_org_ext_id text, p_form text, p_as_of date, p_action text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._require_org(p_org_ext_id, p_action);
	v_parent bigint;
	v_id bigint;
BEGIN
	SELECT l.parent_id INTO v_parent FROM unionreg.org_link l
	 WHERE l.org_id = v_org AND unionreg._holds_on(l.valid_from, l.valid_to, p_as_of);
	IF NOT unionreg._sees_all() AND (v_parent IS NULL OR v_parent NOT IN (SELECT unionreg._visible_org_ids())) THEN
		RAISE EXCEPTION 'login % may not % the report of "%": it takes a login that stands for the organization above it',
			session_user, p_action, p_org_ext_id
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
	SELECT s.id INTO v_id FROM unionreg.report_submission s
	 WHERE s.org_id = v_org AND s.form = p_form AND s.as_of = p_as_of AND s.state = 'submitted'
	 ORDER BY s.version DESC LIMIT 1 FOR UPDATE;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'no report of "%" (%) as of % waits for a decision', p_org_ext_id, p_form, p_as_of
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'SELECT * FROM unionreg.report_submissions shows its versions and their states.';
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._submission_to_decide(text, text, date, text) IS
	'internal: the submission of a report waiting for a decision, when the session login stands for the organization''s parent on the report date (42501 otherwise, 55000 when none waits)';

CREATE FUNCTION unionreg.approve_report(org_ext_id text, form text, as_of date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM unionreg._check_date(as_of, 'report date');
	v_id := unionreg._submission_to_decide(approve_report.org_ext_id, approve_report.form, approve_report.as_of, 'approve');
	UPDATE unionreg.report_submission SET state = 'approved', decided_by = session_user, decided_at = now()
	 WHERE id = v_id;
END
$$;
COMMENT ON FUNCTION unionreg.approve_report(text, text, date) IS
	'Approve the submitted report of an organization for a date: a login that stands for its parent (or above) on that date; 55000 when none waits';

CREATE FUNCTION unionreg.return_report(org_ext_id text, form text, as_of date, reason text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	PERFORM unionreg._check_date(as_of, 'report date');
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'a report is returned with a reason' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Say what the organization should correct.';
	END IF;
	v_id := unionreg._submission_to_decide(return_report.org_ext_id, return_report.form, return_report.as_of, 'return');
	UPDATE unionreg.report_submission
	   SET state = 'returned', decided_by = session_user, decided_at = now(), return_reason = btrim(return_report.reason)
	 WHERE id = v_id;
END
$$;
COMMENT ON FUNCTION unionreg.return_report(text, text, date, text) IS
	'Return the submitted report of an organization for a date with a reason: a login that stands for its parent (or above); the organization submits it again as a new version';

CREATE VIEW unionreg.report_submissions WITH (security_barrier) AS
SELECT o.ext_id AS org_ext_id, o.name AS org_name, o.level, s.form, s.as_of, s.version, s.state,
	   s.is_complete, s.gaps, s.reason, s.submitted_by, s.submitted_at, s.decided_by, s.decided_at, s.return_reason,
	   s.hash, d.lines_changed
  FROM unionreg.report_submission s
  JOIN unionreg.org o ON o.id = s.org_id
  -- the figures now against those submitted: lines that differ (NULL when it files no report now)
  LEFT JOIN LATERAL (
		SELECT count(*) FILTER (WHERE unionreg.line_value(s.tally, l.formula, l.counters)
									  IS DISTINCT FROM unionreg.line_value(n.t, l.formula, l.counters)) AS lines_changed
		  FROM (SELECT unionreg._subtree_pass(s.as_of, s.org_id) AS t) n
		  JOIN unionreg.form_line l ON l.form = s.form
		 WHERE n.t IS NOT NULL) d ON true
 WHERE (SELECT unionreg._sees_all()) OR s.org_id IN (SELECT unionreg._visible_org_ids());
COMMENT ON VIEW unionreg.report_submissions IS
	'Every submitted version of every report in the session login''s subtree, with its state, who submitted and decided it and when, and how many of its lines differ from the figures computed now (drift)';
COMMENT ON COLUMN unionreg.report_submissions.org_ext_id IS 'the organization';
COMMENT ON COLUMN unionreg.report_submissions.org_name IS 'its name';
COMMENT ON COLUMN unionreg.report_submissions.level IS 'its level';
COMMENT ON COLUMN unionreg.report_submissions.form IS 'the form';
COMMENT ON COLUMN unionreg.report_submissions.as_of IS 'the reporting date';
COMMENT ON COLUMN unionreg.report_submissions.version IS 'the version';
COMMENT ON COLUMN unionreg.report_submissions.state IS 'submitted, approved or returned';
COMMENT ON COLUMN unionreg.report_submissions.is_complete IS 'complete when submitted';
COMMENT ON COLUMN unionreg.report_submissions.gaps IS 'what made it incomplete';
COMMENT ON COLUMN unionreg.report_submissions.reason IS 'why an incomplete report was submitted';
COMMENT ON COLUMN unionreg.report_submissions.submitted_by IS 'who submitted it';
COMMENT ON COLUMN unionreg.report_submissions.submitted_at IS 'when';
COMMENT ON COLUMN unionreg.report_submissions.decided_by IS 'who approved or returned it';
COMMENT ON COLUMN unionreg.report_submissions.decided_at IS 'when';
COMMENT ON COLUMN unionreg.report_submissions.return_reason IS 'why it was returned';
COMMENT ON COLUMN unionreg.report_submissions.hash IS 'md5 of its lines as submitted';
COMMENT ON COLUMN unionreg.report_submissions.lines_changed IS 'lines whose value now differs from the submitted one (0: the figures stand; NULL: it files no report on that date now)';
REVOKE ALL ON unionreg.report_submissions FROM PUBLIC;
GRANT SELECT ON unionreg.report_submissions TO unionreg_admin, unionreg_officer, unionreg_chair;

-- Adoption of the reports of a date, per level and region and for the
-- whole union per level (region NULL): the organizations that file a form
-- on D (the snapshot of D), of them complete, with a submission in any
-- state, with an approved one.  Aggregates: the reader's too.
CREATE FUNCTION unionreg.report_adoption_at(p_as_of date)
RETURNS TABLE (as_of date, level text, region_ext_id text, filers bigint, complete bigint, submitted bigint,
			   approved bigint, complete_pct numeric, submitted_pct numeric, approved_pct numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(p_as_of);
BEGIN
	RETURN QUERY
	WITH f AS (
		SELECT o.level, l.rank, r.ext_id AS region_ext_id, so.is_complete,
			   EXISTS (SELECT 1 FROM unionreg.report_submission s
						WHERE s.org_id = so.org_id AND s.form = so.form AND s.as_of = p_as_of) AS submitted,
			   EXISTS (SELECT 1 FROM unionreg.report_submission s
						WHERE s.org_id = so.org_id AND s.form = so.form AND s.as_of = p_as_of AND s.state = 'approved') AS approved
		  FROM unionreg.snapshot_org so
		  JOIN unionreg.org o ON o.id = so.org_id
		  JOIN unionreg.level l ON l.code = o.level
		  LEFT JOIN unionreg.org r ON r.id = so.region_id
		 WHERE so.snapshot_id = v_id)
	SELECT p_as_of, f.level, g.region_ext_id, count(*), count(*) FILTER (WHERE f.is_complete),
		   count(*) FILTER (WHERE f.submitted), count(*) FILTER (WHERE f.approved),
		   unionreg.share_pct(count(*) FILTER (WHERE f.is_complete), count(*)),
		   unionreg.share_pct(count(*) FILTER (WHERE f.submitted), count(*)),
		   unionreg.share_pct(count(*) FILTER (WHERE f.approved), count(*))
	  FROM f
	 CROSS JOIN LATERAL (VALUES (f.region_ext_id, false), (NULL::text, true)) g(region_ext_id, is_union)
	 GROUP BY f.level, f.rank, g.region_ext_id, g.is_union
	 -- the central organization has no region: its row is the union's
	 HAVING g.is_union OR g.region_ext_id IS NOT NULL
	 ORDER BY f.rank, g.is_union, g.region_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.report_adoption_at(date) IS
	'Report adoption on a date per level and region (and the whole union per level, region NULL): organizations that file a form (the snapshot of the date), of them complete, submitted (any state), approved, with shares; 55000 for a date with no snapshot';

CREATE VIEW unionreg.report_adoption AS
SELECT * FROM unionreg.report_adoption_at((SELECT cs.as_of FROM unionreg.current_snapshot cs));
COMMENT ON VIEW unionreg.report_adoption IS
	'Report adoption on the current snapshot''s date: per level and region, and per level for the whole union (region NULL), the organizations that file a form, of them complete, submitted, approved, with shares';
COMMENT ON COLUMN unionreg.report_adoption.as_of IS 'the reporting date';
COMMENT ON COLUMN unionreg.report_adoption.level IS 'level';
COMMENT ON COLUMN unionreg.report_adoption.region_ext_id IS 'regional organization; NULL = the whole union';
COMMENT ON COLUMN unionreg.report_adoption.filers IS 'organizations that file a form on the date';
COMMENT ON COLUMN unionreg.report_adoption.complete IS 'of them with a complete report';
COMMENT ON COLUMN unionreg.report_adoption.submitted IS 'of them with a submission in any state';
COMMENT ON COLUMN unionreg.report_adoption.approved IS 'of them with an approved submission';
COMMENT ON COLUMN unionreg.report_adoption.complete_pct IS 'complete, % of filers';
COMMENT ON COLUMN unionreg.report_adoption.submitted_pct IS 'submitted, % of filers';
COMMENT ON COLUMN unionreg.report_adoption.approved_pct IS 'approved, % of filers';
REVOKE EXECUTE ON FUNCTION unionreg.report_adoption_at(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.report_adoption_at(date) TO unionreg_reader, unionreg_admin;
GRANT SELECT ON unionreg.report_adoption TO unionreg_reader;
REVOKE EXECUTE ON FUNCTION unionreg.submit_report(text, text, date, text), unionreg.approve_report(text, text, date),
	unionreg.return_report(text, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.submit_report(text, text, date, text), unionreg.approve_report(text, text, date),
	unionreg.return_report(text, text, date, text) TO unionreg_admin, unionreg_officer, unionreg_chair;
REVOKE EXECUTE ON FUNCTION unionreg._report_hash(unionreg.tally, text), unionreg._submission_to_decide(text, text, date, text) FROM PUBLIC;
