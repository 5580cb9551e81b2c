#!/bin/bash
# build_snapshot against the floor, alternated, each in a fresh session (as
# pg_cron runs a build): N pairs of (the floor: a bare parallel count(*)
# over unionreg.member_fact, the table the build reads; the whole build),
# sorted, with the medians and their ratio.  Alternating pairs keeps a
# virtual machine's changing speed from landing on one side only.  Against a loaded union (PG* variables
# name it), e.g.
#     PGDATABASE=big test/bench/build_vs_floor.sh 2026-10-01 9 [WORKERS]
# WORKERS sets unionreg.member_pass_workers (default: the setting's default);
# settings in PGOPTIONS reach both sessions, e.g.
# PGOPTIONS="-c unionreg.member_pass_workers=0".
# Each build adds a snapshot; the script keeps only the latest version of
# the date afterwards (prune_snapshots(1)).
set -euo pipefail
D=${1:-$(date +%Y-%m-01)}
N=${2:-9}
W=${3:-}
OPT="${PGOPTIONS:-}"
[ -n "$W" ] && OPT="$OPT -c unionreg.member_pass_workers=$W"
for i in $(seq "$N"); do
	f=$(psql -qAtX -v ON_ERROR_STOP=1 <<'SQL'
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM unionreg.member_fact \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
SQL
)
	b=$(PGOPTIONS="$OPT" psql -qAtX -v ON_ERROR_STOP=1 -v d="$D" <<'SQL'
SET client_min_messages = warning;
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.build_snapshot(:'d') \gset
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
SQL
)
	echo "$f $b"
done > "${TMPDIR:-/tmp}/build_vs_floor.$$"
OUT="${TMPDIR:-/tmp}/build_vs_floor.$$"
floors=$(cut -d" " -f1 "$OUT" | sort -n | tr '\n' ' ')
builds=$(cut -d" " -f2 "$OUT" | sort -n | tr '\n' ' ')
rm -f "$OUT"
echo "floor ms: $floors"
echo "build ms: $builds"
echo "$floors|$builds" | awk -F'|' '{n = split($1, f, " "); split($2, b, " "); m = int((n + 1) / 2);
	printf "medians: floor %s ms, build %s ms, build / floor %.2f\n", f[m], b[m], b[m] / f[m]}'
psql -qAtX -c "SELECT unionreg.prune_snapshots(1)" >/dev/null
