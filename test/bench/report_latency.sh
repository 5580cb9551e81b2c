#!/bin/bash
# report() latency, measured the way a client sees it: pgbench runs
# report() of a random organization of a class, one statement per
# transaction, for a few seconds, and the per-statement latencies (pgbench's
# log) give the median and the 90th percentile.  Classes: every primary with
# a member on record (its own form), every live territorial (2SP), the
# largest territorial and the largest region (1SP) by members.
# Each class is measured twice: as found (what the server's buffers hold
# now) and warm (the relations report() reads put into shared buffers with
# pg_prewarm).  Floor in the same run: `SELECT 1` through the same pgbench.
# Run against a loaded union (PG* variables name it), e.g. from
# test/bench/bench_build.sh, or by hand:
#     PGDATABASE=big test/bench/report_latency.sh [DATE] [SECONDS]
set -euo pipefail
D=${1:-$(date +%Y-%m-01)}
SECONDS_EACH=${2:-8}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql -q -X -c "DROP TABLE IF EXISTS public.bench_report_pick" >/dev/null 2>&1 || true' EXIT
chmod a+rx "$WORK"

psql -q -X -v ON_ERROR_STOP=1 -v d="$D" <<'SQL'
DROP TABLE IF EXISTS public.bench_report_pick;
CREATE TABLE public.bench_report_pick (class text, k int, ext_id text, form text, periods bigint);
WITH per_org AS (SELECT m.org_id, count(*) AS n FROM unionreg.membership m GROUP BY m.org_id),
live AS (
	SELECT o.* FROM unionreg.org o
	 WHERE o.valid_from <= :'d'::date AND (o.valid_to IS NULL OR o.valid_to > :'d'::date)),
prim AS (
	SELECT o.ext_id, f.form, p.n FROM live o JOIN per_org p ON p.org_id = o.id
	  JOIN unionreg.form_assignment f ON f.level = o.level AND f.kind = o.kind
	 WHERE o.level = 'primary'),
sub AS (
	-- members under each territorial and region on D (their primaries' periods)
	SELECT t.id, t.ext_id, t.level, sum(p.n) AS n
	  FROM live t
	  JOIN LATERAL (
		WITH RECURSIVE down (id) AS (
			SELECT t.id
			UNION
			SELECT l.org_id FROM down d JOIN unionreg.org_link l ON l.parent_id = d.id
			 WHERE l.valid_from <= :'d'::date AND (l.valid_to IS NULL OR l.valid_to > :'d'::date))
		SELECT id FROM down) d ON true
	  JOIN per_org p ON p.org_id = d.id
	 WHERE t.level IN ('territorial', 'regional')
	 GROUP BY t.id, t.ext_id, t.level)
INSERT INTO public.bench_report_pick
SELECT 'primary', row_number() OVER (ORDER BY ext_id), ext_id, form, n FROM prim
UNION ALL
SELECT 'territorial', row_number() OVER (ORDER BY ext_id), ext_id, '2SP', n FROM sub WHERE level = 'territorial'
UNION ALL
(SELECT 'largest territorial', 1, ext_id, '2SP', n FROM sub WHERE level = 'territorial' ORDER BY n DESC LIMIT 1)
UNION ALL
(SELECT 'largest region', 1, ext_id, '1SP', n FROM sub WHERE level = 'regional' ORDER BY n DESC LIMIT 1);
CREATE INDEX ON public.bench_report_pick (class, k);
ANALYZE public.bench_report_pick;
SELECT class, count(*) AS organizations, percentile_disc(0.5) WITHIN GROUP (ORDER BY periods) AS median_periods,
	   max(periods) AS max_periods
  FROM public.bench_report_pick GROUP BY class ORDER BY min(periods);
SQL

# one pgbench run: $1 = label, $2 = script; prints median and p90 latency in ms
run() {
	rm -f "$WORK"/log*
	pgbench -n -T "$SECONDS_EACH" -f "$2" --log --log-prefix="$WORK/log" >"$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
	cat "$WORK"/log* | awk '{print $3 / 1000}' | sort -n | awk -v label="$1" '
		{ v[NR] = $1 }
		END { printf "%-50s %7d calls  median %9.2f ms  p90 %9.2f ms\n", label, NR, v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1] }'
}

echo "SELECT 1;" >"$WORK/floor.sql"
classes() {
	for class in primary territorial 'largest territorial' 'largest region'; do
		n=$(psql -X -At -c "SELECT count(*) FROM public.bench_report_pick WHERE class = '$class'")
		f="$WORK/$(echo "$class" | tr ' ' _).sql"
		cat >"$f" <<EOF
\set k random(1, $n)
SELECT count(*) FROM public.bench_report_pick p, unionreg.report(p.ext_id, p.form, '$D') r WHERE p.class = '$class' AND p.k = :k;
EOF
		run "report() of a random $class ($1)" "$f"
	done
}
# as found: what the server holds in its buffers now (after a restart, little)
classes "as found"
# warm: the relations report() reads, in shared buffers (pg_prewarm; a server
# that has run for a while, or autoprewarm, holds them)
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
	-c "SELECT sum(pg_prewarm(c.oid)) AS blocks_prewarmed FROM pg_class c WHERE c.relnamespace = 'unionreg'::regnamespace AND c.relname IN ('member_fact', 'member_fact_org_idx', 'org', 'org_pkey', 'org_link', 'org_link_parent_idx', 'org_base', 'org_base_pkey', 'org_chairman', 'org_chairman_pkey')"
classes "warm"
run "floor: SELECT 1" "$WORK/floor.sql"
