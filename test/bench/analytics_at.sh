#!/bin/bash
# The analytics of a date and between two dates over the whole union, warm:
# each *_at function on D2, region_rating(D2, D1) and region_growth(D1, D2),
# N calls each after one to warm up, medians in ms; and submit_report() of
# the largest territorial on D2 (each call rolled back, so every one is a
# first submission).  Floor in the same run: a count of D2's snapshot rows.
# Builds the two snapshots if they are missing.  Run as a superuser against
# a loaded union (PG* variables name it), e.g.
#     PGDATABASE=big3 test/bench/analytics_at.sh 2026-01-01 2026-10-01 5
set -euo pipefail
D1=${1:?the earlier date}
D2=${2:?the later date}
N=${3:-5}
psql -qX -v ON_ERROR_STOP=1 -v d1="$D1" -v d2="$D2" -v n="$N" <<'SQL'
SET client_min_messages = warning;
SELECT set_config('bench.d1', :'d1', false), set_config('bench.d2', :'d2', false),
	   set_config('bench.n', :'n', false) \gset
SELECT unionreg.build_snapshot(d) FROM unnest(ARRAY[:'d1'::date, :'d2'::date]) d
 WHERE NOT EXISTS (SELECT 1 FROM unionreg.snapshot s WHERE s.as_of = d);
CREATE TEMP TABLE timing (k serial, what text, ms float8);
DO $$
DECLARE
	d1 date := current_setting('bench.d1')::date;
	d2 date := current_setting('bench.d2')::date;
	n int := current_setting('bench.n')::int;
	calls text[] := ARRAY[
		'floor: count(*) of the snapshot', format('SELECT count(*) FROM unionreg.snapshot_org WHERE snapshot_id = (SELECT id FROM unionreg.latest_snapshot WHERE as_of = %L)', d2),
		'coverage_by_region_at', format('SELECT count(*) FROM unionreg.coverage_by_region_at(%L)', d2),
		'members_by_status_at', format('SELECT count(*) FROM unionreg.members_by_status_at(%L)', d2),
		'cards_by_region_at', format('SELECT count(*) FROM unionreg.cards_by_region_at(%L)', d2),
		'online_admissions_by_region_at', format('SELECT count(*) FROM unionreg.online_admissions_by_region_at(%L)', d2),
		'empty_primaries_at', format('SELECT count(*) FROM unionreg.empty_primaries_at(%L)', d2),
		'report_completeness_by_level_at', format('SELECT count(*) FROM unionreg.report_completeness_by_level_at(%L)', d2),
		'org_coverage_by_region_at', format('SELECT count(*) FROM unionreg.org_coverage_by_region_at(%L)', d2),
		'profcards_by_region_at', format('SELECT count(*) FROM unionreg.profcards_by_region_at(%L)', d2),
		'report_adoption_at', format('SELECT count(*) FROM unionreg.report_adoption_at(%L)', d2),
		'region_rating', format('SELECT count(*) FROM unionreg.region_rating(%L, %L)', d2, d1),
		'region_growth', format('SELECT count(*) FROM unionreg.region_growth(%L, %L)', d1, d2)];
	v_terr text;
	t0 timestamptz;
	x bigint;
BEGIN
	FOR i IN 1 .. array_length(calls, 1) BY 2 LOOP
		EXECUTE calls[i + 1] INTO x;
		FOR k IN 1 .. n LOOP
			t0 := clock_timestamp();
			EXECUTE calls[i + 1] INTO x;
			INSERT INTO timing (what, ms) VALUES (calls[i], 1000 * extract(epoch FROM clock_timestamp() - t0));
		END LOOP;
	END LOOP;
	-- the largest territorial by members on D2
	SELECT o.ext_id INTO v_terr FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id
	 WHERE so.snapshot_id = (SELECT id FROM unionreg.latest_snapshot WHERE as_of = d2) AND o.level = 'territorial'
	 ORDER BY unionreg.tally_get(so.tally, 'members') DESC LIMIT 1;
	FOR k IN 0 .. n LOOP
		t0 := clock_timestamp();
		BEGIN
			PERFORM unionreg.submit_report(v_terr, '2SP', d2, 'benchmark');
			RAISE EXCEPTION 'roll back';
		EXCEPTION WHEN raise_exception THEN NULL;
		END;
		IF k > 0 THEN
			INSERT INTO timing (what, ms) VALUES ('submit_report of the largest territorial', 1000 * extract(epoch FROM clock_timestamp() - t0));
		END IF;
	END LOOP;
END
$$;
SELECT what, round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
	   round(max(ms)::numeric, 1) AS max_ms
  FROM timing GROUP BY what ORDER BY min(k);
SQL
