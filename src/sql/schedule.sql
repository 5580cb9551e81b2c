-- ---------------------------------------------------------------------
-- Scheduling through pg_cron: the quarterly snapshot, the nightly refresh,
-- retention.  pg_cron lives in one database per cluster (cron.database_name)
-- and may be absent, so nothing here refers to the cron schema statically:
-- it is looked up when called, and its absence is explained, not crashed on.
--
-- pg_cron 1.4 reads every schedule in GMT (UTC); the DBA thinks in a local
-- time zone.  The quarter dates fall at different UTC days and months when
-- the zone is east of Greenwich (00:30 on 1 July in Moscow is 21:30 on
-- 30 June UTC, on 1 January it is 21:30 on 31 December), so one local
-- schedule becomes one cron job per distinct UTC (minute, hour, day).
-- ---------------------------------------------------------------------

-- the prefix that marks our jobs in cron.job: unschedule removes exactly these
CREATE FUNCTION unionreg._job_prefix() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'unionreg-'::text $$;
COMMENT ON FUNCTION unionreg._job_prefix() IS 'internal: name prefix of the pg_cron jobs unionreg owns';

CREATE FUNCTION unionreg._check_time_zone(p_time_zone text) RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
	IF p_time_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = p_time_zone) THEN
		RAISE EXCEPTION 'unknown time zone "%"', coalesce(p_time_zone, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use a name from pg_timezone_names, e.g. Europe/Moscow, Asia/Yekaterinburg or UTC.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._check_time_zone(text) IS 'internal: refuse a time zone name PostgreSQL does not know';

CREATE FUNCTION unionreg.quarterly_cron_schedules(p_time_zone text DEFAULT 'Europe/Moscow',
												  p_at time DEFAULT '00:30',
												  p_from timestamptz DEFAULT now())
RETURNS TABLE (schedule text, quarter_months text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_time_zone(p_time_zone);
	IF p_at IS NULL THEN
		RAISE EXCEPTION 'quarterly_cron_schedules() needs a local time of day, not NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. ''00:30''.';
	END IF;
	-- the next occurrence of each quarter date, in UTC: offsets that change
	-- with daylight saving are taken for the coming year
	RETURN QUERY
	WITH q AS (
		SELECT m AS month_local,
			   ((CASE WHEN (make_date(y, m, 1) + p_at) AT TIME ZONE p_time_zone > p_from
					  THEN make_date(y, m, 1) ELSE make_date(y + 1, m, 1) END + p_at)
				 AT TIME ZONE p_time_zone) AT TIME ZONE 'UTC' AS utc
		  FROM generate_series(1, 10, 3) m,
			   LATERAL (SELECT extract(year FROM p_from AT TIME ZONE p_time_zone)::integer AS y) yy)
	SELECT format('%s %s %s %s *', extract(minute FROM q.utc)::integer, extract(hour FROM q.utc)::integer,
				  extract(day FROM q.utc)::integer,
				  string_agg(extract(month FROM q.utc)::integer::text, ',' ORDER BY q.month_local)),
		   string_agg(q.month_local::text, ',' ORDER BY q.month_local)
	  FROM q
	 GROUP BY extract(minute FROM q.utc), extract(hour FROM q.utc), extract(day FROM q.utc)
	 ORDER BY min(q.month_local);
END
$$;
COMMENT ON FUNCTION unionreg.quarterly_cron_schedules(text, time, timestamptz) IS
	'The pg_cron 1.4 schedules (GMT) that run at a local time on 1 January, 1 April, 1 July and 1 October in a time zone: one per distinct UTC day and hour';

CREATE FUNCTION unionreg.daily_cron_schedule(p_time_zone text DEFAULT 'Europe/Moscow', p_at time DEFAULT '03:00',
											 p_from timestamptz DEFAULT now())
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_utc timestamp;
BEGIN
	PERFORM unionreg._check_time_zone(p_time_zone);
	IF p_at IS NULL THEN
		RAISE EXCEPTION 'daily_cron_schedule() needs a local time of day, not NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. ''03:00''.';
	END IF;
	v_utc := (((p_from AT TIME ZONE p_time_zone)::date + p_at) AT TIME ZONE p_time_zone) AT TIME ZONE 'UTC';
	RETURN format('%s %s * * *', extract(minute FROM v_utc)::integer, extract(hour FROM v_utc)::integer);
END
$$;
COMMENT ON FUNCTION unionreg.daily_cron_schedule(text, time, timestamptz) IS
	'The pg_cron 1.4 schedule (GMT) of a daily run at a local time in a time zone (today''s UTC offset)';

-- The next time a five-field cron schedule fires after a moment, in UTC as
-- pg_cron 1.4 reads it: numbers, lists, ranges, steps and *, and cron's rule
-- that a restricted day of month and day of week match either.
CREATE FUNCTION unionreg._cron_field(p_field text, p_lo integer, p_hi integer) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
	v_part text;
	v_range text;
	v_step integer;
	v_a integer;
	v_b integer;
	v_out integer[] := '{}';
BEGIN
	FOREACH v_part IN ARRAY string_to_array(p_field, ',') LOOP
		v_range := split_part(v_part, '/', 1);
		v_step := coalesce(nullif(split_part(v_part, '/', 2), '')::integer, 1);
		IF v_range = '*' THEN
			v_a := p_lo; v_b := p_hi;
		ELSIF v_range LIKE '%-%' THEN
			v_a := split_part(v_range, '-', 1)::integer; v_b := split_part(v_range, '-', 2)::integer;
		ELSE
			v_a := v_range::integer; v_b := CASE WHEN v_part LIKE '%/%' THEN p_hi ELSE v_a END;
		END IF;
		v_out := v_out || ARRAY(SELECT g FROM generate_series(v_a, v_b, v_step) g WHERE g BETWEEN p_lo AND p_hi);
	END LOOP;
	RETURN ARRAY(SELECT DISTINCT unnest(v_out) ORDER BY 1);
END
$$;
COMMENT ON FUNCTION unionreg._cron_field(text, integer, integer) IS 'internal: the values one cron field stands for';

CREATE FUNCTION unionreg.cron_next_run(p_schedule text, p_after timestamptz DEFAULT now())
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	f text[];
	v_min integer[];
	v_hour integer[];
	v_dom integer[];
	v_mon integer[];
	v_dow integer[];
	v_after timestamp := p_after AT TIME ZONE 'UTC';
	v_day date;
	v_h integer;
	v_m integer;
	v_dom_any boolean;
	v_dow_any boolean;
	v_match boolean;
BEGIN
	f := regexp_split_to_array(btrim(p_schedule), '\s+');
	IF array_length(f, 1) <> 5 THEN
		RETURN NULL;	-- '@reboot', '30 seconds' and the like have no calendar
	END IF;
	BEGIN
		v_min := unionreg._cron_field(f[1], 0, 59);
		v_hour := unionreg._cron_field(f[2], 0, 23);
		v_dom := unionreg._cron_field(f[3], 1, 31);
		v_mon := unionreg._cron_field(f[4], 1, 12);
		v_dow := unionreg._cron_field(replace(f[5], '7', '0'), 0, 6);
	EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
		RETURN NULL;	-- month or day names: not ours, not computed
	END;
	v_dom_any := f[3] = '*';
	v_dow_any := f[5] = '*';
	v_day := v_after::date;
	FOR i IN 0 .. 366 * 5 LOOP
		-- (an IF condition cannot hold a CASE: PL/pgSQL ends it at the first THEN)
		v_match := extract(month FROM v_day)::integer = ANY (v_mon)
			AND CASE WHEN v_dom_any AND v_dow_any THEN true
					 WHEN v_dom_any THEN extract(dow FROM v_day)::integer = ANY (v_dow)
					 WHEN v_dow_any THEN extract(day FROM v_day)::integer = ANY (v_dom)
					 ELSE extract(day FROM v_day)::integer = ANY (v_dom) OR extract(dow FROM v_day)::integer = ANY (v_dow) END;
		IF v_match THEN
			FOREACH v_h IN ARRAY v_hour LOOP
				FOREACH v_m IN ARRAY v_min LOOP
					IF v_day + make_time(v_h, v_m, 0) > v_after THEN
						RETURN (v_day + make_time(v_h, v_m, 0)) AT TIME ZONE 'UTC';
					END IF;
				END LOOP;
			END LOOP;
		END IF;
		v_day := v_day + 1;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg.cron_next_run(text, timestamptz) IS
	'When a five-field pg_cron 1.4 schedule (read in GMT) next fires after a moment; NULL for schedules with no calendar';

-- Where pg_cron is, and if it cannot be used from here, why and what to do.
CREATE FUNCTION unionreg._require_pg_cron(p_what text, p_calls text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_cron_db text := current_setting('cron.database_name', true);
	v_preloaded boolean := coalesce(current_setting('shared_preload_libraries', true), '') ~ '(^|[ ,])pg_cron($|[ ,])';
BEGIN
	IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
		RETURN;
	END IF;
	IF NOT v_preloaded THEN
		RAISE EXCEPTION '% needs pg_cron, which this server does not load', p_what
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'shared_preload_libraries is "' || coalesce(current_setting('shared_preload_libraries', true), '') || '".',
				  HINT = format('Install postgresql-15-cron, add pg_cron to shared_preload_libraries, set cron.database_name = %L in postgresql.conf, restart the server, then run CREATE EXTENSION pg_cron in database %I.',
								current_database(), current_database());
	ELSIF v_cron_db IS DISTINCT FROM current_database() THEN
		RAISE EXCEPTION '% needs pg_cron, which lives in database "%", not in "%"', p_what, coalesce(v_cron_db, 'postgres'), current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'pg_cron runs jobs from one database per cluster (cron.database_name); its functions are not callable from here.',
				  HINT = format('Either set cron.database_name = %L and restart, then CREATE EXTENSION pg_cron here; or, as a superuser in database %I, run: %s',
								current_database(), coalesce(v_cron_db, 'postgres'),
								p_calls);
	ELSE
		RAISE EXCEPTION '% needs the pg_cron extension in database "%"', p_what, current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The server loads pg_cron and cron.database_name is this database, but CREATE EXTENSION pg_cron has not been run here.',
				  HINT = 'Run CREATE EXTENSION pg_cron; as a superuser in this database, then call this function again.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._require_pg_cron(text, text) IS
	'internal: return if pg_cron can be used from this database; otherwise say why and give the exact fix';

CREATE FUNCTION unionreg.planned_jobs(p_time_zone text DEFAULT 'Europe/Moscow',
									  p_quarterly_at time DEFAULT '00:30',
									  p_nightly_at time DEFAULT '03:00',
									  p_keep_versions integer DEFAULT 3)
RETURNS TABLE (jobname text, schedule text, command text, what text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
BEGIN
	PERFORM unionreg._check_time_zone(p_time_zone);
	IF p_keep_versions IS NULL OR p_keep_versions < 1 THEN
		RAISE EXCEPTION 'retention keeps at least one version of each date, not %', coalesce(p_keep_versions::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass p_keep_versions => 1 or more.';
	END IF;
	RETURN QUERY
	SELECT unionreg._job_prefix() || 'quarterly-snapshot' || CASE WHEN count(*) OVER () > 1 THEN '-' || q.n ELSE '' END,
		   q.schedule,
		   format('SELECT unionreg.run_quarterly_snapshot(%L)', p_time_zone),
		   format('snapshot as of 1.%s at %s %s', replace(q.quarter_months, ',', ', 1.'), left(p_quarterly_at::text, 5), p_time_zone)
	  FROM unionreg.quarterly_cron_schedules(p_time_zone, p_quarterly_at) WITH ORDINALITY q(schedule, quarter_months, n)
	 ORDER BY q.n;
	RETURN QUERY
	SELECT unionreg._job_prefix() || 'nightly-refresh', unionreg.daily_cron_schedule(p_time_zone, p_nightly_at),
		   'SELECT unionreg.refresh_analytics()',
		   format('nightly refresh at %s %s', left(p_nightly_at::text, 5), p_time_zone);
	RETURN QUERY
	SELECT unionreg._job_prefix() || 'retention', unionreg.daily_cron_schedule(p_time_zone, p_nightly_at + interval '15 minutes'),
		   format('SELECT unionreg.prune_snapshots(%s)', p_keep_versions),
		   format('keep the last %s versions of each date, at %s %s', p_keep_versions, left((p_nightly_at + interval '15 minutes')::text, 5), p_time_zone);
END
$$;
COMMENT ON FUNCTION unionreg.planned_jobs(text, time, time, integer) IS
	'The pg_cron jobs schedule_snapshots() would register with these arguments (name, GMT schedule, command); usable where pg_cron lives in another database';

CREATE FUNCTION unionreg.schedule_snapshots(p_time_zone text DEFAULT 'Europe/Moscow',
											p_quarterly_at time DEFAULT '00:30',
											p_nightly_at time DEFAULT '03:00',
											p_keep_versions integer DEFAULT 3)
RETURNS TABLE (jobid bigint, jobname text, schedule text, command text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	j record;
BEGIN
	-- the hint's calls are worked out only when they are needed; planning them
	-- checks the arguments first, so a bad time zone is reported as such
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
		PERFORM unionreg._require_pg_cron('schedule_snapshots()',
			(SELECT string_agg(format('SELECT cron.schedule_in_database(%L, %L, %L, %L);', p.jobname, p.schedule, p.command, current_database()), ' ')
			   FROM unionreg.planned_jobs(p_time_zone, p_quarterly_at, p_nightly_at, p_keep_versions) p));
	END IF;
	-- idempotent: ours go, then the current set comes back
	PERFORM unionreg.unschedule_snapshots();
	FOR j IN SELECT * FROM unionreg.planned_jobs(p_time_zone, p_quarterly_at, p_nightly_at, p_keep_versions) LOOP
		jobname := j.jobname; schedule := j.schedule; command := j.command;
		EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid USING j.jobname, j.schedule, j.command;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg.schedule_snapshots(text, time, time, integer) IS
	'Register through pg_cron the quarterly snapshot (1.1, 1.4, 1.7, 1.10 at a local time), the nightly refresh and retention; calling it again replaces our jobs';

CREATE FUNCTION unionreg.unschedule_snapshots()
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_ids bigint[];
BEGIN
	PERFORM unionreg._require_pg_cron('unschedule_snapshots()',
		format('SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND jobname LIKE %L;',
			   current_database(), unionreg._job_prefix() || '%'));
	EXECUTE 'SELECT coalesce(array_agg(jobid), ''{}'') FROM cron.job WHERE database = current_database() AND starts_with(jobname, $1)'
	   INTO v_ids USING unionreg._job_prefix();
	EXECUTE 'SELECT count(cron.unschedule(id)) FROM unnest($1) id' USING v_ids;
	RETURN cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION unionreg.unschedule_snapshots() IS
	'Remove exactly the pg_cron jobs of unionreg in this database (named unionreg-…); returns how many';

CREATE FUNCTION unionreg.run_quarterly_snapshot(p_time_zone text DEFAULT 'Europe/Moscow')
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_time_zone(p_time_zone);
	-- the quarter date of the local day: run at 00:30 on 1 July it builds 1 July;
	-- run late (or by hand) it builds the latest quarter date all the same
	RETURN unionreg.build_snapshot(date_trunc('quarter', now() AT TIME ZONE p_time_zone)::date);
END
$$;
COMMENT ON FUNCTION unionreg.run_quarterly_snapshot(text) IS
	'What the quarterly job runs: build_snapshot() as of the latest quarter date (1.1, 1.4, 1.7, 1.10) of the local day in a time zone';

CREATE FUNCTION unionreg.refresh_analytics()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- The analytics read the latest snapshot, which is the materialization
	-- (built quarterly and on demand), or live data; nothing of theirs goes
	-- stale between builds.  What the night keeps fresh: the wide form views
	-- (in case the catalog was changed with triggers off, e.g. restored), and
	-- the planner statistics of what the day's writes and builds changed.
	PERFORM unionreg._progress('refresh_analytics', 'form views');
	PERFORM unionreg.refresh_form_views();
	PERFORM unionreg._progress('refresh_analytics', 'statistics');
	ANALYZE unionreg.snapshot, unionreg.snapshot_org, unionreg.membership, unionreg.status_period, unionreg.card;
END
$$;
COMMENT ON FUNCTION unionreg.refresh_analytics() IS
	'What the nightly job runs: re-creates the wide form views from the catalog and refreshes the statistics of the tables the views read';

-- Our jobs as the DBA wants to see them: a set-returning function under the
-- view because cron.* may not exist when the extension is created.
CREATE FUNCTION unionreg._scheduled_jobs()
RETURNS TABLE (jobid bigint, jobname text, schedule text, command text, active boolean,
			   last_start timestamptz, last_end timestamptz, last_status text,
			   last_duration interval, last_error text, runs bigint, failures bigint, next_run timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE $q$
		SELECT j.jobid, j.jobname::text, j.schedule, j.command, j.active,
			   d.start_time, d.end_time, d.status, d.end_time - d.start_time,
			   CASE WHEN d.status = 'failed' THEN d.return_message END,
			   coalesce(n.runs, 0), coalesce(n.failures, 0),
			   CASE WHEN j.active THEN unionreg.cron_next_run(j.schedule, now()) END
		  FROM cron.job j
		  LEFT JOIN LATERAL (SELECT * FROM cron.job_run_details r WHERE r.jobid = j.jobid
							  ORDER BY r.runid DESC LIMIT 1) d ON true
		  LEFT JOIN LATERAL (SELECT count(*) AS runs, count(*) FILTER (WHERE r.status = 'failed') AS failures
							   FROM cron.job_run_details r WHERE r.jobid = j.jobid) n ON true
		 WHERE j.database = current_database() AND starts_with(j.jobname, $1)
		 ORDER BY j.jobname $q$ USING unionreg._job_prefix();
END
$$;
COMMENT ON FUNCTION unionreg._scheduled_jobs() IS 'internal: the rows of unionreg.scheduled_jobs (none where pg_cron is not installed here)';

CREATE VIEW unionreg.scheduled_jobs AS SELECT * FROM unionreg._scheduled_jobs();
COMMENT ON VIEW unionreg.scheduled_jobs IS 'The pg_cron jobs of unionreg in this database: schedule (GMT), last run, its status and error, next expected run; empty where pg_cron is not installed here';
COMMENT ON COLUMN unionreg.scheduled_jobs.jobid IS 'cron.job id';
COMMENT ON COLUMN unionreg.scheduled_jobs.jobname IS 'job name (unionreg-…)';
COMMENT ON COLUMN unionreg.scheduled_jobs.schedule IS 'cron schedule, read by pg_cron 1.4 in GMT';
COMMENT ON COLUMN unionreg.scheduled_jobs.command IS 'the SQL it runs';
COMMENT ON COLUMN unionreg.scheduled_jobs.active IS 'whether pg_cron runs it';
COMMENT ON COLUMN unionreg.scheduled_jobs.last_start IS 'start of the last run';
COMMENT ON COLUMN unionreg.scheduled_jobs.last_end IS 'end of the last run';
COMMENT ON COLUMN unionreg.scheduled_jobs.last_status IS 'status of the last run: starting, running, sending, connecting, succeeded, failed';
COMMENT ON COLUMN unionreg.scheduled_jobs.last_duration IS 'how long the last run took';
COMMENT ON COLUMN unionreg.scheduled_jobs.last_error IS 'error message of the last run, when it failed';
COMMENT ON COLUMN unionreg.scheduled_jobs.runs IS 'runs recorded in cron.job_run_details';
COMMENT ON COLUMN unionreg.scheduled_jobs.failures IS 'of which failed';
COMMENT ON COLUMN unionreg.scheduled_jobs.next_run IS 'next expected run (from the schedule, in GMT as pg_cron reads it)';
