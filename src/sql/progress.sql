-- ---------------------------------------------------------------------
-- Progress of long operations, visible to other sessions while they run.
-- A transaction's own writes are invisible to others until it commits, so
-- progress goes where every session can see it at once: the backend's
-- application_name (pg_stat_activity), set transaction-locally.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg._progress(p_job text, p_phase text, p_done bigint DEFAULT NULL, p_total bigint DEFAULT NULL)
RETURNS void
LANGUAGE sql VOLATILE
AS $$
	SELECT set_config('application_name',
					  left(format('unionreg %s: %s%s', p_job, p_phase,
								  CASE WHEN p_done IS NULL THEN ''
									   WHEN p_total IS NULL OR p_total = 0 THEN format(' %s', p_done)
									   ELSE format(' %s/%s (%s%%)', p_done, p_total, round(100.0 * p_done / p_total)) END), 63),
					  true)
$$;
COMMENT ON FUNCTION unionreg._progress(text, text, bigint, bigint) IS
	'internal: publish the phase of a long operation (until the end of the transaction) for unionreg.progress';

CREATE VIEW unionreg.progress AS
SELECT a.pid, split_part(substr(a.application_name, 10), ':', 1) AS job,
	   btrim(substr(a.application_name, strpos(a.application_name, ':') + 1)) AS phase,
	   a.usename AS run_by, a.xact_start AS started, now() - a.xact_start AS elapsed
  FROM pg_stat_activity a
 WHERE a.application_name LIKE 'unionreg %:%';
COMMENT ON VIEW unionreg.progress IS 'Loads and builds running now, with their phase and counts, as another session sees them (poll it)';
COMMENT ON COLUMN unionreg.progress.pid IS 'backend running it';
COMMENT ON COLUMN unionreg.progress.job IS 'load_orgs, load_members or build_snapshot';
COMMENT ON COLUMN unionreg.progress.phase IS 'current phase, with counts and percentage where known';
COMMENT ON COLUMN unionreg.progress.run_by IS 'who runs it';
COMMENT ON COLUMN unionreg.progress.started IS 'start of its transaction';
COMMENT ON COLUMN unionreg.progress.elapsed IS 'time since';
