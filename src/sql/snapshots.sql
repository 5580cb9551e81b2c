

-- ---- snapshots -------------------------------------------------------------

CREATE TABLE unionreg.snapshot (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	as_of		date NOT NULL,
	version		integer NOT NULL,
	built_at	timestamptz NOT NULL DEFAULT now(),
	built_by	text NOT NULL DEFAULT session_user,
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
	snapshot_id bigint NOT NULL,
	org_id		bigint NOT NULL,
	form		text NOT NULL,
	tally		unionreg.tally NOT NULL,
	is_complete boolean NOT NULL,
	gaps		text[],
	region_id	bigint,
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

-- The built dates nearest a date, for the hint of a refusal that needs a
-- snapshot: the latest before it and the earliest after it.
CREATE FUNCTION unionreg._snapshot_dates_near(p_date date) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT coalesce('the nearest built dates: ' || string_agg(d::text, ', ' ORDER BY d), 'no snapshot is built yet')
	  FROM (SELECT max(s.as_of) AS d FROM unionreg.snapshot s WHERE s.as_of < p_date
			UNION
			SELECT min(s.as_of) FROM unionreg.snapshot s WHERE s.as_of > p_date) x
	 WHERE d IS NOT NULL
$$;
COMMENT ON FUNCTION unionreg._snapshot_dates_near(date) IS
	'internal: the snapshot dates nearest a date (the latest before, the earliest after), as text for a hint';

CREATE FUNCTION unionreg.build_snapshot(as_of date)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
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
	PERFORM unionreg._check_date(as_of, 'snapshot date');
	-- one build of a date at a time; versions are numbered in order
	PERFORM pg_advisory_xact_lock(1970170223, 10);
	SELECT coalesce(max(s.version), 0) + 1 INTO v_version FROM unionreg.snapshot s WHERE s.as_of = build_snapshot.as_of;
	INSERT INTO unionreg.snapshot (as_of, version) VALUES (build_snapshot.as_of, v_version) RETURNING id INTO v_id;
	RAISE NOTICE 'build_snapshot %: as of %, version %', v_id, as_of, v_version;
	PERFORM unionreg._progress('build_snapshot', format('%s: counting members and rolling up', as_of));

	-- the C pass writes its rows itself, a batch at a time (through INSERT ...
	-- SELECT they went through a tuplestore and the executor one by one);
	-- it writes nothing when the table has INSERT triggers a DBA added, which
	-- only the executor fires: then the pass's rows go through INSERT
	SELECT w.organizations, w.members INTO v_orgs, v_members
	  FROM unionreg._org_pass_write(build_snapshot.as_of, v_id) w;
	IF v_orgs IS NULL THEN
		INSERT INTO unionreg.snapshot_org (snapshot_id, org_id, form, tally, is_complete, gaps, region_id)
		SELECT v_id, t.org_id, t.form, t.tally, t.is_complete, t.gaps, t.region_id
		  FROM unionreg._org_pass(build_snapshot.as_of) t;
		GET DIAGNOSTICS v_orgs = ROW_COUNT;
		v_members := unionreg._snapshot_members(v_id);
	END IF;
	PERFORM unionreg._progress('build_snapshot', format('%s: written', as_of), v_orgs);
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
	   a.line_code, a.label, a.value, a.is_complete, a.sort
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
			COMMENT ON COLUMN unionreg.%1$I.sort IS 'the line''s place on the form: ORDER BY sort gives 1, 2, 2.1, …, 10 (line_code sorts as text)';
		$c$, v);
	END LOOP;
END
$$;

-- What a user reads of a report's gaps: the Russian labels, as data.  The
-- engine writes the gaps as codes ("passport: inn", "status unknown for 3
-- member(s)"); these labels say them, %s standing for the field's Russian
-- label or the number of members.
CREATE TABLE unionreg.report_gap_label (
	kind		text PRIMARY KEY,
	label_ru	text NOT NULL,
	label_en	text NOT NULL
);
COMMENT ON TABLE unionreg.report_gap_label IS 'The Russian labels of the kinds of report gaps (%s: the passport field''s label, or the number of members); change with UPDATE';
COMMENT ON COLUMN unionreg.report_gap_label.kind IS 'passport (a mandatory passport field is empty) or status_unknown (members with no status)';
COMMENT ON COLUMN unionreg.report_gap_label.label_ru IS 'Russian label, %s for the field or the number';
COMMENT ON COLUMN unionreg.report_gap_label.label_en IS 'English label';
INSERT INTO unionreg.report_gap_label VALUES
	('passport', 'Не заполнено в паспорте: %s', 'Empty in the passport: %s'),
	('status_unknown', 'Не указана категория членов Профсоюза: %s', 'Members with no status: %s');

CREATE VIEW unionreg.report_gaps AS
SELECT so.snapshot_id, s.as_of, o.ext_id AS org_ext_id, o.name AS org_name, o.level, so.form, g.gap,
	   CASE WHEN g.gap LIKE 'passport: %'
			THEN format((SELECT x.label_ru FROM unionreg.report_gap_label x WHERE x.kind = 'passport'),
						coalesce((SELECT f.label_ru FROM unionreg.passport_field f WHERE f.field = substr(g.gap, 11)), substr(g.gap, 11)))
			WHEN g.gap LIKE 'status unknown for %'
			THEN format((SELECT x.label_ru FROM unionreg.report_gap_label x WHERE x.kind = 'status_unknown'),
						substring(g.gap FROM '[0-9]+'))
			ELSE g.gap END AS gap_label
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
COMMENT ON COLUMN unionreg.report_gaps.gap IS 'the gap as a code: passport: <field>, or status unknown for <n> member(s)';
COMMENT ON COLUMN unionreg.report_gaps.gap_label IS 'the gap in Russian, from report_gap_label and passport_field';

CREATE VIEW unionreg.control_violation AS
SELECT so.snapshot_id, o.ext_id AS org_ext_id, so.form, v.rule, v.severity, v.left_value, v.right_value
  FROM unionreg.snapshot_org so
  JOIN unionreg.latest_snapshot s ON s.id = so.snapshot_id
 CROSS JOIN LATERAL unionreg._control_violations(so.tally, so.form) v
  JOIN unionreg.org o ON o.id = so.org_id;
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
SECURITY DEFINER
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
	WITH fresh AS (SELECT * FROM unionreg._org_pass(v_as_of)),
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

CREATE FUNCTION unionreg._build_form_views()
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
		SELECT string_agg(format('unionreg._line_of(so.tally, so.form, %L) AS %I',
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
			THEN
				EXECUTE format('ALTER EXTENSION unionreg DROP VIEW unionreg.%I', v_view);
			END IF;
			EXECUTE format('DROP VIEW IF EXISTS unionreg.%I', v_view);
			EXECUTE format($v$
			CREATE VIEW unionreg.%I AS
			SELECT so.snapshot_id, s.as_of, o.ext_id AS org_ext_id, o.name AS org_name, o.level,
				   r.ext_id AS region_ext_id%s
			  FROM unionreg.snapshot_org so
			  JOIN unionreg.latest_snapshot ls ON ls.id = so.snapshot_id
			  JOIN unionreg.snapshot s ON s.id = so.snapshot_id
			  JOIN unionreg.org o ON o.id = so.org_id
			  LEFT JOIN unionreg.org r ON r.id = so.region_id
			 WHERE so.form = %L
			   AND EXISTS (SELECT 1 FROM unionreg.form_line fl WHERE fl.form = so.form)$v$,
			v_view, CASE WHEN v_cols IS NULL THEN '' ELSE E',\n\t\t' || v_cols END, f.code);
		END IF;
		-- a view made anew has lost its grants: the reader and the
		-- administrator keep seeing every form
		EXECUTE format('GRANT SELECT ON unionreg.%I TO unionreg_reader, unionreg_admin', v_view);
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
COMMENT ON FUNCTION unionreg._build_form_views() IS
	'internal: (re)creates the wide views report_5sp … report_1sp from the form catalog';

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
-- a restore (session_replication_role = replica) brings lines too
ALTER TABLE unionreg.form_line ENABLE ALWAYS TRIGGER form_line_views;

-- the wide views of the seeded forms
SELECT unionreg._build_form_views();

-- ---------------------------------------------------------------------
-- Snapshot operations for DBAs: what is there, and pruning with a guard.
-- ---------------------------------------------------------------------

CREATE VIEW unionreg.snapshots AS
SELECT s.id, s.as_of, s.version, s.built_at, s.built_by, s.duration, s.organizations,
	   s.members AS members_counted,
	   unionreg.share_pct(x.complete, x.orgs) AS complete_pct,
	   x.bytes AS size_bytes,
	   s.version = max(s.version) OVER (PARTITION BY s.as_of) AS is_latest
  FROM unionreg.snapshot s
  LEFT JOIN LATERAL (
		SELECT count(*) AS orgs, count(*) FILTER (WHERE so.is_complete) AS complete,
			   sum(pg_column_size(so.*))::bigint AS bytes
		  FROM unionreg.snapshot_org so WHERE so.snapshot_id = s.id) x ON true
 ORDER BY s.as_of DESC, s.version DESC;
COMMENT ON VIEW unionreg.snapshots IS 'Snapshots: date, version, who built them, when and how long, organizations and members counted, share of complete reports, size on disk';
COMMENT ON COLUMN unionreg.snapshots.id IS 'snapshot id';
COMMENT ON COLUMN unionreg.snapshots.as_of IS 'reporting date';
COMMENT ON COLUMN unionreg.snapshots.version IS 'version of the date';
COMMENT ON COLUMN unionreg.snapshots.built_at IS 'when it was built';
COMMENT ON COLUMN unionreg.snapshots.built_by IS 'who built it';
COMMENT ON COLUMN unionreg.snapshots.duration IS 'how long the build took';
COMMENT ON COLUMN unionreg.snapshots.organizations IS 'organizations reported';
COMMENT ON COLUMN unionreg.snapshots.members_counted IS 'members on record on the date';
COMMENT ON COLUMN unionreg.snapshots.complete_pct IS 'share of organizations whose report is complete, %';
COMMENT ON COLUMN unionreg.snapshots.size_bytes IS 'bytes its rows take (one compact row per organization)';
COMMENT ON COLUMN unionreg.snapshots.is_latest IS 'the version the views show for its date';

CREATE FUNCTION unionreg.delete_snapshot(p_id bigint, p_even_the_only_version boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	s record;
BEGIN
	PERFORM pg_advisory_xact_lock(1970170223, 10);
	SELECT * INTO s FROM unionreg.snapshot WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'snapshot % does not exist', p_id USING ERRCODE = 'no_data_found';
	END IF;
	IF NOT p_even_the_only_version
	   AND NOT EXISTS (SELECT 1 FROM unionreg.snapshot x WHERE x.as_of = s.as_of AND x.id <> s.id) THEN
		RAISE EXCEPTION 'snapshot % is the only version of %: deleting it loses that date''s reports', p_id, s.as_of
			USING ERRCODE = 'object_in_use',
				  HINT = 'Build the date again first, or pass p_even_the_only_version => true if the date must go.';
	END IF;
	DELETE FROM unionreg.snapshot WHERE id = p_id;
END
$$;
COMMENT ON FUNCTION unionreg.delete_snapshot(bigint, boolean) IS
	'Delete one snapshot; refused for the only version of a date unless explicitly asked';

CREATE FUNCTION unionreg.prune_snapshots(p_keep integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n integer;
BEGIN
	IF p_keep IS NULL OR p_keep < 1 THEN
		RAISE EXCEPTION 'prune_snapshots() keeps at least one version of each date, not %', coalesce(p_keep::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass 1 or more.';
	END IF;
	PERFORM pg_advisory_xact_lock(1970170223, 10);
	DELETE FROM unionreg.snapshot s
	 USING (SELECT id, row_number() OVER (PARTITION BY as_of ORDER BY version DESC) AS rn
			  FROM unionreg.snapshot) r
	 WHERE r.id = s.id AND r.rn > p_keep;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg.prune_snapshots(integer) IS
	'Keep the last p_keep versions of every date (at least 1, never the only version); returns how many were deleted';
CREATE FUNCTION unionreg.refresh_form_views()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_view regclass;
BEGIN
	PERFORM unionreg._build_form_views();
	FOR v_view IN
		SELECT to_regclass('unionreg.report_' || lower(f.code)) FROM unionreg.form f
		EXCEPT
		SELECT d.objid::regclass FROM pg_depend d
		 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
		   AND d.refobjid = (SELECT e.oid FROM pg_extension e WHERE e.extname = 'unionreg') AND d.deptype = 'e'
	LOOP
		EXECUTE format('ALTER EXTENSION unionreg ADD VIEW %s', v_view);
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg.refresh_form_views() IS
	'(Re)creates the wide views report_5sp … report_1sp from the form catalog; runs by itself when unionreg.form_line changes';

-- A snapshot's rows carry no foreign keys: a check per row locks every
-- referenced organization FOR KEY SHARE, writing each organization's tuple
-- again on every build.  build_snapshot takes the ids from the rows it reads
-- in the same statement; what the keys guarded against (an organization, a
-- form or a snapshot deleted while rows name it) statement triggers refuse
-- once per statement, and deleting a snapshot deletes its rows.

-- rows written: their snapshots exist, and stay until the writer commits
-- (FOR KEY SHARE, as the foreign key's check locked them)
CREATE FUNCTION unionreg._snapshot_org_has_snapshot() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_missing bigint;
BEGIN
	PERFORM 1 FROM unionreg.snapshot s
	  WHERE s.id IN (SELECT DISTINCT n.snapshot_id FROM new_rows n)
	  ORDER BY s.id FOR KEY SHARE;
	SELECT n.snapshot_id INTO v_missing
	  FROM (SELECT DISTINCT n.snapshot_id FROM new_rows n) n
	 WHERE NOT EXISTS (SELECT 1 FROM unionreg.snapshot s WHERE s.id = n.snapshot_id)
	 ORDER BY 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'snapshot % does not exist: unionreg.snapshot_org cannot hold rows of it', v_missing
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Snapshots are written by unionreg.build_snapshot(); their rows are not written by hand.';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._snapshot_org_has_snapshot() IS
	'internal: statement trigger refusing (23503) snapshot_org rows of a snapshot that does not exist, and locking the snapshots written to (FOR KEY SHARE) as a foreign key would';
CREATE TRIGGER has_snapshot_ins AFTER INSERT ON unionreg.snapshot_org
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_org_has_snapshot();
CREATE TRIGGER has_snapshot_upd AFTER UPDATE ON unionreg.snapshot_org
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_org_has_snapshot();

-- a snapshot deleted (unionreg.delete_snapshot, prune_snapshots) takes its rows
-- with it; definer: as a foreign key's cascade, whatever the deleter may see
CREATE FUNCTION unionreg._snapshot_rows_go() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- (when the same statement truncated snapshot_org too, it is empty and
	-- must not be truncated again: it is still open in that statement)
	IF TG_OP = 'TRUNCATE' THEN
		IF EXISTS (SELECT 1 FROM unionreg.snapshot_org) THEN
			TRUNCATE unionreg.snapshot_org;
		END IF;
	ELSE
		DELETE FROM unionreg.snapshot_org so WHERE so.snapshot_id IN (SELECT o.id FROM old_rows o);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._snapshot_rows_go() IS
	'internal: statement trigger deleting the rows of deleted (or truncated) snapshots from unionreg.snapshot_org';
CREATE TRIGGER snapshot_rows_go AFTER DELETE ON unionreg.snapshot
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_rows_go();
CREATE TRIGGER snapshot_rows_go_truncate AFTER TRUNCATE ON unionreg.snapshot
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_rows_go();

-- organizations: their ids never change (identity), so deletion is the case
CREATE FUNCTION unionreg._keep_orgs_of_snapshots() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	SELECT o.ext_id, s.snapshot_id INTO r
	  FROM old_rows o JOIN unionreg.snapshot_org s ON s.org_id = o.id OR s.region_id = o.id
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'organization "%" cannot be deleted: snapshot % reports on it', r.ext_id, r.snapshot_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'An organization that ends is liquidated (unionreg.liquidate_org), not deleted; or delete the snapshots that name it first (unionreg.delete_snapshot).';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._keep_orgs_of_snapshots() IS
	'internal: statement trigger refusing (23503) to delete an organization a snapshot reports on';
CREATE TRIGGER keep_snapshots AFTER DELETE ON unionreg.org
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_orgs_of_snapshots();

-- forms: a code deleted, or changed, while snapshots hold it
CREATE FUNCTION unionreg._keep_forms_of_snapshots() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	SELECT o.code, s.snapshot_id INTO r
	  FROM old_rows o JOIN unionreg.snapshot_org s ON s.form = o.code
	 WHERE TG_OP = 'DELETE' OR o.code NOT IN (SELECT n.code FROM unionreg.form n)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'form "%" cannot be removed: snapshot % holds reports on it', r.code, r.snapshot_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Change its labels instead, or delete the snapshots that hold it first (unionreg.delete_snapshot).';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._keep_forms_of_snapshots() IS
	'internal: statement trigger refusing (23503) to delete a form, or change its code, while a snapshot holds it';
CREATE TRIGGER keep_snapshots_del AFTER DELETE ON unionreg.form
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_forms_of_snapshots();
CREATE TRIGGER keep_snapshots_upd AFTER UPDATE ON unionreg.form
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_forms_of_snapshots();

-- ---------------------------------------------------------------------
-- build_snapshot writes the organization pass's rows as they come.
-- ---------------------------------------------------------------------

-- The members on record of a snapshot: its primaries' counters.  Both
-- sides come in organization order from their keys, so a merge join (60 ms
-- for 74,392 rows); the planner, not knowing how many rows a snapshot just
-- written has, probed org once per row (120 ms) or hashed the tallies.
CREATE FUNCTION unionreg._snapshot_members(p_snapshot bigint)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
SET enable_nestloop = off
SET enable_hashjoin = off
AS $$
	SELECT coalesce(sum(unionreg.tally_get(so.tally, 'members')), 0)::bigint
	  FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id
	 WHERE so.snapshot_id = p_snapshot AND o.level = 'primary'
$$;
COMMENT ON FUNCTION unionreg._snapshot_members(bigint) IS
	'internal: the members on record on a snapshot''s date, the sum of its primaries'' counters';

CREATE FUNCTION unionreg._org_pass_write(p_as_of date, p_snapshot bigint,
										 OUT organizations bigint, OUT members bigint)
AS 'MODULE_PATHNAME', 'org_pass_write'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION unionreg._org_pass_write(date, bigint) IS
	'internal: the whole union''s filers on D (what _org_pass(D) returns) written straight into snapshot_org under an existing snapshot, locked FOR KEY SHARE, in batches as COPY writes; the rows written and the members on record (the primaries'' consolidated members); both NULL, nothing written, when the table has INSERT triggers a DBA added (only the executor fires them). Refuses a caller under row security (the owner''s build_snapshot() calls it)';
