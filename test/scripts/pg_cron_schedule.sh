#!/bin/bash
# Scheduling through pg_cron, for real: the one slow test (pg_cron 1.4 has
# minute granularity, so it waits up to 75 s for a job to run).
#  - before CREATE EXTENSION pg_cron, schedule_snapshots() says what is missing;
#  - schedule_snapshots() twice leaves one set of jobs; scheduled_jobs lists them
#    with their next run; unschedule_snapshots() removes exactly ours;
#  - a `* * * * *` build runs under pg_cron and its snapshot is there; a build
#    that fails half-way leaves nothing written and shows its error.
# Runs in the database pg_cron lives in (cron.database_name of the test cluster).
# Dropping that database ends pg_cron's scheduler until the server restarts,
# which is why only the exit trap does it, and why this test is the last user.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=$(psql -qXAt -d postgres -c "SHOW cron.database_name")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
/usr/bin/python3 test/gen/gen_union.py --seed 5 --scale 0.01 --members 1500 --out "$OUT" >/dev/null

PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT count(*) > 0 AS orgs_loaded FROM unionreg.load_orgs() WHERE loaded > 0 \gset
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT count(*) > 0 AS members_loaded FROM unionreg.load_members() WHERE loaded > 0 \gset
\if :orgs_loaded
\else
  \echo 'FAILED: no organization loaded'
  SELECT 1/0 AS failed;
\endif

-- 1. pg_cron is loaded and this is its database, but the extension is not created yet
DO \$\$
BEGIN
	PERFORM unionreg.schedule_snapshots();
	RAISE EXCEPTION 'FAILED: schedule_snapshots() ran without the pg_cron extension';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
	IF SQLERRM NOT LIKE 'schedule_snapshots() needs the pg_cron extension in database%' THEN
		RAISE EXCEPTION 'FAILED: unexpected message: %', SQLERRM;
	END IF;
END
\$\$;
SELECT count(*) = 0 AS ok FROM unionreg.scheduled_jobs \gset
\if :ok
\else
  \echo 'FAILED: scheduled_jobs is not empty without pg_cron'
  SELECT 1/0 AS failed;
\endif

CREATE EXTENSION pg_cron;
-- someone else's job, which must survive unschedule_snapshots()
SELECT cron.schedule('nightly-vacuum', '0 4 * * *', 'VACUUM') \gset ignore_

-- 2. idempotent: twice, one set of jobs (Europe/Moscow by default: two quarterly
-- jobs, because 00:30 MSK on 1.1/1.4 is 31.12/31.3 UTC and on 1.7/1.10 is 30.6/30.9)
SELECT count(*) FROM unionreg.schedule_snapshots() \gset first_
SELECT count(*) FROM unionreg.schedule_snapshots() \gset second_
SELECT string_agg(jobname || ' ' || schedule, '; ' ORDER BY jobname) AS jobs,
       count(*) AS n, bool_and(next_run > now() AND active) AS all_next
  FROM unionreg.scheduled_jobs \gset
\echo 'jobs: ' :jobs
SELECT :first_count = 4 AND :second_count = 4 AND :n = 4 AND :'all_next'::boolean
       AND :'jobs' = 'unionreg-nightly-refresh 0 0 * * *; unionreg-quarterly-snapshot-1 30 21 31 12,3 *; unionreg-quarterly-snapshot-2 30 21 30 6,9 *; unionreg-retention 15 0 * * *' AS ok \gset
\if :ok
\else
  \echo 'FAILED: schedule_snapshots() is not idempotent or scheduled the wrong jobs'
  SELECT 1/0 AS failed;
\endif
-- another time zone replaces the set, it does not add to it
SELECT count(*) FROM unionreg.schedule_snapshots('UTC', '00:05', '02:00', 2) \gset utc_
SELECT string_agg(jobname || ' ' || schedule || ' ' || command, '; ' ORDER BY jobname) AS jobs FROM unionreg.scheduled_jobs \gset
\echo 'jobs: ' :jobs
SELECT :utc_count = 3 AND :'jobs' = 'unionreg-nightly-refresh 0 2 * * * SELECT unionreg.refresh_analytics(); unionreg-quarterly-snapshot 5 0 1 1,4,7,10 * SELECT unionreg.run_quarterly_snapshot(''UTC''); unionreg-retention 15 2 * * * SELECT unionreg.prune_snapshots(2)' AS ok \gset
\if :ok
\else
  \echo 'FAILED: re-scheduling in UTC'
  SELECT 1/0 AS failed;
\endif
SELECT unionreg.unschedule_snapshots() AS removed \gset
SELECT :removed = 3 AND (SELECT count(*) FROM cron.job WHERE jobname = 'nightly-vacuum') = 1
       AND (SELECT count(*) FROM unionreg.scheduled_jobs) = 0 AS ok \gset
\if :ok
\else
  \echo 'FAILED: unschedule_snapshots() removed' :removed 'jobs, or someone else''s'
  SELECT 1/0 AS failed;
\endif

-- 3. a real run: one build every minute, and one that fails after it has written
CREATE FUNCTION public.fail_build_2001() RETURNS trigger LANGUAGE plpgsql AS \$f\$
BEGIN
	IF EXISTS (SELECT 1 FROM unionreg.snapshot WHERE as_of = '2001-01-01') THEN
		RAISE EXCEPTION 'crafted failure after the snapshot row was written';
	END IF;
	RETURN NULL;
END \$f\$;
CREATE TRIGGER fail_build_2001 AFTER INSERT ON unionreg.snapshot_org
	FOR EACH STATEMENT EXECUTE FUNCTION public.fail_build_2001();
SELECT cron.schedule('unionreg-test-build', '* * * * *', \$c\$SELECT unionreg.run_quarterly_snapshot('UTC')\$c\$) \gset ignore_
SELECT cron.schedule('unionreg-test-fail', '* * * * *', \$c\$SELECT unionreg.build_snapshot('2001-01-01')\$c\$) \gset ignore_
SQL

echo "waiting for pg_cron to run the jobs (up to 75 s)"
for i in $(seq 1 75); do
	done_=$(psql -qXAt -d "$DB" -c "SELECT count(*) FROM unionreg.scheduled_jobs WHERE jobname LIKE 'unionreg-test-%' AND last_status IN ('succeeded', 'failed')")
	[ "$done_" = 2 ] && break
	sleep 1
done
echo "after ${i} s"

psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
\pset footer off
SELECT jobname, last_status, last_error IS NOT NULL AS has_error, split_part(last_error, E'\n', 1) AS error
  FROM unionreg.scheduled_jobs WHERE jobname LIKE 'unionreg-test-%' ORDER BY jobname;
SELECT (SELECT last_status FROM unionreg.scheduled_jobs WHERE jobname = 'unionreg-test-build') = 'succeeded'
       AND (SELECT count(*) FROM unionreg.snapshots
             WHERE as_of = date_trunc('quarter', now() AT TIME ZONE 'UTC')::date AND organizations > 0) >= 1 AS build_ok,
       (SELECT last_status FROM unionreg.scheduled_jobs WHERE jobname = 'unionreg-test-fail') = 'failed'
       AND (SELECT last_error FROM unionreg.scheduled_jobs WHERE jobname = 'unionreg-test-fail') LIKE '%crafted failure after the snapshot row was written%'
       AND NOT EXISTS (SELECT 1 FROM unionreg.snapshot WHERE as_of = '2001-01-01') AS fail_ok \gset
SELECT count(cron.unschedule(jobid)) FROM cron.job WHERE jobname LIKE 'unionreg-test-%' \gset ignore_
\if :build_ok
\else
  \echo 'FAILED: the scheduled build did not succeed or left no snapshot'
  SELECT 1/0 AS failed;
\endif
\if :fail_ok
\else
  \echo 'FAILED: the failing build is not shown failed, or left rows behind'
  SELECT 1/0 AS failed;
\endif
\echo 'pg_cron: scheduled build succeeded, failed build left nothing and shows its error'
SQL
