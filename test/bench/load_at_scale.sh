#!/bin/bash
# The loaders at union scale against a running server, with the loading
# backend's peak private memory.  Not part of `make test`.  Run as root:
#     python3 test/gen/gen_union.py --seed 7 --scale 1 --members 4000000 --out /var/tmp/u4m
#     PGPORT=5498 test/bench/load_at_scale.sh /var/tmp/u4m big2 [floor]
# Creates database DB (it must not exist), loads stage_org.csv, stage_member.csv
# and stage_baseline.csv from DIR through load_orgs(), load_members() and
# load_baselines() with every check, trigger and the audit on, and prints
# their times and rates.  Meanwhile it samples the backend's RssAnon (private
# memory: shared buffers are not in it) once a second and prints the peak,
# with when it was reached.  With a third argument "floor" it then runs
# test/bench/member_write_floor.sql (the loaded rows written again into
# copies of the member tables with their constraints; tens of minutes at 4M).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:?directory of the generated CSVs}
DB=${2:?database to create}
FLOOR=${3:-}
chmod -R a+rX "$DIR"
runuser -u postgres -- createdb "$DB"
LOG=$(mktemp)
RSS=$(mktemp)
trap 'rm -f "$LOG" "$RSS"' EXIT
runuser -u postgres -- psql -X -d "$DB" -v ON_ERROR_STOP=1 -v dir="$DIR" > "$LOG" 2>&1 <<'SQL' &
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\set f :dir '/stage_org.csv'
COPY unionreg.stage_org FROM :'f' (FORMAT csv, HEADER);
SELECT count(*) AS staged FROM unionreg.stage_org \gset
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_orgs();
SELECT :staged AS orgs_staged, round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 2) AS load_orgs_s,
       round(:staged / extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS orgs_per_s;
VACUUM ANALYZE;
\set f :dir '/stage_member.csv'
COPY unionreg.stage_member FROM :'f' (FORMAT csv, HEADER);
SELECT count(*) AS staged FROM unionreg.stage_member \gset
SET client_min_messages = notice;
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_members();
SELECT :staged AS member_rows_staged, round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 2) AS load_members_s,
       round(:staged / extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS rows_per_s;
SET client_min_messages = warning;
VACUUM ANALYZE;
\set f :dir '/stage_baseline.csv'
COPY unionreg.stage_baseline FROM :'f' (FORMAT csv, HEADER);
SELECT * FROM unionreg.load_baselines();
SQL
PSQL=$!
# the backend: the one session of this database
PID=
while [ -z "$PID" ] && kill -0 $PSQL 2>/dev/null; do
	sleep 0.5
	PID=$(runuser -u postgres -- psql -X -Atd "$DB" -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' LIMIT 1" 2>/dev/null || true)
done
peak=0
while [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null && kill -0 $PSQL 2>/dev/null; do
	kb=$(awk '/^RssAnon/ {print $2}' /proc/"$PID"/status 2>/dev/null || echo 0)
	if [ "${kb:-0}" -gt "$peak" ]; then
		peak=$kb
		echo "$(date +%T) $peak" > "$RSS"
	fi
	sleep 1
done
wait $PSQL
grep -v '^$' "$LOG"
echo "loading backend's peak private memory (RssAnon): $(awk '{printf "%.0f MB at %s", $2 / 1024, $1}' "$RSS")"
if [ "$FLOOR" = floor ]; then
	runuser -u postgres -- psql -X -d "$DB" -v ON_ERROR_STOP=1 -f test/bench/member_write_floor.sql
fi
