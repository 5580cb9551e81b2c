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
