#!/bin/bash
# What each of the engine's optimizations buys of what a user waits for,
# measured with it on and off alternated, each build in a fresh session (as
# pg_cron runs one), against a loaded union (PG* variables name it):
#     PGDATABASE=big test/bench/optimizations.sh 2026-10-01 7
# (OPTS="tuple_decoder" measures only that one)
# Each optimization has a switch that leaves the code path it replaces
# working, so both run in the same server minutes apart:
#   tuple_decoder  member_fact's rows decoded straight from the heap tuples
#                  (the table as created / a NOT NULL dropped, which sends
#                  the scan through a slot)
#   snapshot_writer the snapshot's rows written in batches by the C writer
#                  (as is / a no-op INSERT trigger on snapshot_org, which
#                  sends them through the executor)
# For each: N pairs of builds (on, off), then N pairs of report() of the
# largest region; the medians, and off / on.  Each build adds a snapshot;
# the script keeps only the latest version of the date afterwards.
set -euo pipefail
D=${1:-$(date +%Y-%m-01)}
N=${2:-7}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; psql -qAtX -c "DROP TRIGGER IF EXISTS bench_noop ON unionreg.snapshot_org" \
	-c "ALTER TABLE unionreg.member_fact ALTER COLUMN org_id SET NOT NULL" >/dev/null 2>&1 || true' EXIT
REGION=$(psql -qAtX -c "SELECT o.ext_id FROM unionreg.org o WHERE o.level = 'regional' AND o.valid_to IS NULL
	ORDER BY (SELECT count(*) FROM unionreg.member_fact f WHERE f.org_id IN (
		WITH RECURSIVE d(id) AS (SELECT o.id UNION SELECT l.org_id FROM d JOIN unionreg.org_link l ON l.parent_id = d.id
								 AND l.valid_to IS NULL) SELECT id FROM d)) DESC LIMIT 1")

build_ms() {	# PGOPTIONS for the session
	PGOPTIONS="$1" psql -qAtX -v ON_ERROR_STOP=1 -v d="$D" <<'SQL'
SET client_min_messages = warning;
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(:'d') \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
SQL
}
report_ms() {
	PGOPTIONS="$1" psql -qAtX -v ON_ERROR_STOP=1 -v d="$D" -v r="$REGION" <<'SQL'
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.report(:'r', '1SP', :'d') \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
SQL
}
state() {	# NAME on|off: put the server in that state; print the session options
	case "$1:$2" in
		tuple_decoder:on) psql -qAtX -c "ALTER TABLE unionreg.member_fact ALTER COLUMN org_id SET NOT NULL" >/dev/null; echo "" ;;
		tuple_decoder:off) psql -qAtX -c "ALTER TABLE unionreg.member_fact ALTER COLUMN org_id DROP NOT NULL" >/dev/null; echo "" ;;
		snapshot_writer:on) psql -qAtX -c "DROP TRIGGER IF EXISTS bench_noop ON unionreg.snapshot_org" >/dev/null; echo "" ;;
		snapshot_writer:off) psql -qAtX -c "CREATE OR REPLACE FUNCTION unionreg._bench_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'" \
			-c "CREATE TRIGGER bench_noop AFTER INSERT ON unionreg.snapshot_org FOR EACH STATEMENT EXECUTE FUNCTION unionreg._bench_noop()" >/dev/null; echo "" ;;
	esac
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '%-16s %-8s %10s %10s %8s\n' optimization measure "on ms" "off ms" "off/on"
for opt in ${OPTS:-tuple_decoder snapshot_writer}; do
	for what in build report; do
		: > "$TMP/on"; : > "$TMP/off"
		for i in $(seq "$N"); do
			for side in on off; do
				o=$(state "$opt" "$side")
				if [ "$what" = build ]; then build_ms "$o" >> "$TMP/$side"; else report_ms "$o" >> "$TMP/$side"; fi
			done
		done
		on=$(median < "$TMP/on"); off=$(median < "$TMP/off")
		printf '%-16s %-8s %10s %10s %8s\n' "$opt" "$what" "$on" "$off" "$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.2f", b / a}')"
	done
	state "$opt" on >/dev/null
	psql -qAtX -c "SELECT unionreg.prune_snapshots(1)" >/dev/null
done
psql -qAtX -c "DROP FUNCTION IF EXISTS unionreg._bench_noop() CASCADE" >/dev/null
