-- ---------------------------------------------------------------------
-- 0.2: build_snapshot writes the organization pass's rows as they come.
-- (Replacing the function resets what 0.1 altered: SECURITY DEFINER is
-- stated again; its grants stay.)
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
REVOKE EXECUTE ON FUNCTION unionreg._snapshot_members(bigint) FROM PUBLIC;
COMMENT ON FUNCTION unionreg._snapshot_members(bigint) IS
	'internal: the members on record on a snapshot''s date, the sum of its primaries'' counters';

CREATE FUNCTION unionreg._org_pass_write(p_as_of date, p_snapshot bigint,
										 OUT organizations bigint, OUT members bigint)
AS 'MODULE_PATHNAME', 'org_pass_write'
LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION unionreg._org_pass_write(date, bigint) FROM PUBLIC;
COMMENT ON FUNCTION unionreg._org_pass_write(date, bigint) IS
	'internal: the whole union''s filers on D (what _org_pass(D) returns) written straight into snapshot_org under an existing snapshot, locked FOR KEY SHARE, in batches as COPY writes; the rows written and the members on record (the primaries'' consolidated members); both NULL, nothing written, when the table has INSERT triggers a DBA added (only the executor fires them). Refuses a caller under row security (the owner''s build_snapshot() calls it)';

CREATE OR REPLACE FUNCTION unionreg.build_snapshot(as_of date)
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
	IF has_function_privilege('unionreg._org_pass_write(date, bigint)', 'EXECUTE') THEN
		SELECT w.organizations, w.members INTO v_orgs, v_members
		  FROM unionreg._org_pass_write(build_snapshot.as_of, v_id) w;
		IF v_orgs IS NULL THEN
			INSERT INTO unionreg.snapshot_org (snapshot_id, org_id, form, tally, is_complete, gaps, region_id)
			SELECT v_id, t.org_id, t.form, t.tally, t.is_complete, t.gaps, t.region_id
			  FROM unionreg._org_pass(build_snapshot.as_of) t;
			GET DIAGNOSTICS v_orgs = ROW_COUNT;
			v_members := unionreg._snapshot_members(v_id);
		END IF;
	ELSE
		INSERT INTO unionreg.snapshot_org (snapshot_id, org_id, form, tally, is_complete, gaps, region_id)
		SELECT v_id, t.org_id, t.form, t.tally, t.is_complete, t.gaps, t.region_id
		  FROM unionreg._org_tallies_sql(build_snapshot.as_of, NULL) t;
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
