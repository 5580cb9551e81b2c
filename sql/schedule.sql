-- Scheduling glue that needs no running pg_cron: the GMT schedules of local
-- times, the next run of a schedule, and the errors where pg_cron cannot be
-- used from this database.  (The real pg_cron run is test/scripts/pg_cron_schedule.sh.)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
\set SHOW_CONTEXT never

-- 00:30 in Moscow (UTC+3, no daylight saving) is the evening before in GMT,
-- and the evening before 1 July is 30 June, not 31: two jobs
SELECT * FROM unionreg.quarterly_cron_schedules('Europe/Moscow', '00:30', '2026-11-25 12:00+00');
SELECT * FROM unionreg.quarterly_cron_schedules('UTC', '00:30', '2026-11-25 12:00+00');
-- daylight saving: EST in January, EDT from April to October
SELECT * FROM unionreg.quarterly_cron_schedules('America/New_York', '00:30', '2026-11-25 12:00+00');
SELECT * FROM unionreg.quarterly_cron_schedules('Asia/Kamchatka', '06:00', '2026-11-25 12:00+00');
SELECT unionreg.daily_cron_schedule('Europe/Moscow', '03:00', '2026-11-25 12:00+00'),
       unionreg.daily_cron_schedule('Asia/Vladivostok', '03:00', '2026-11-25 12:00+00');
SELECT * FROM unionreg.planned_jobs();
SELECT jobname, schedule FROM unionreg.planned_jobs('Asia/Yekaterinburg', '01:00', '23:50', 1);

-- bad arguments
SELECT * FROM unionreg.planned_jobs('Europe/Atlantis');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.planned_jobs(p_keep_versions => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM unionreg.quarterly_cron_schedules('UTC', NULL);
\echo :LAST_ERROR_SQLSTATE

-- next runs, as pg_cron 1.4 reads schedules (GMT)
SELECT s, unionreg.cron_next_run(s, '2026-11-25 17:03:20+00') AT TIME ZONE 'UTC' AS next_utc
  FROM unnest(ARRAY['* * * * *', '30 21 31 12,3 *', '30 21 30 6,9 *', '0 0 * * *', '15 0 * * *',
                    '*/15 9-17 * * 1-5', '0 12 13 * 5', '0 0 29 2 *', '0 0 * * 7', '@reboot', '0 0 * jan *']) s;
-- exactly on a firing minute: the next one, not this one
SELECT unionreg.cron_next_run('30 21 31 12,3 *', '2026-12-31 21:30+00') AT TIME ZONE 'UTC';

-- pg_cron lives in another database of this cluster (cron.database_name):
-- scheduling fails with the exact calls to make there
SELECT current_setting('cron.database_name') <> current_database() AS cron_elsewhere;
SELECT * FROM unionreg.schedule_snapshots();
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.unschedule_snapshots();
\echo :LAST_ERROR_SQLSTATE
-- the view is empty, not broken
SELECT count(*) FROM unionreg.scheduled_jobs;

-- what the jobs run works by hand too
SELECT unionreg.run_quarterly_snapshot('Mars/Olympus');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.refresh_analytics();
