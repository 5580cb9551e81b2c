#!/bin/bash
# Hot standby: a primary and a streaming replica of their own (loopback and a
# socket in a temp dir, trust auth, stopped and removed at the end).  A
# snapshot built on the primary reaches the replica, where every reader view
# is read, through the BI driver test, and equals the primary's figures.
# Nothing a reader calls may write: the replica would refuse it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib/private_cluster.sh
private_cluster_init primary "wal_level = replica" "max_wal_senders = 4" "hot_standby = on"
private_cluster_start primary
P1=$primary_PORT; P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
TMP=$PC_TMP
echo "primary on 127.0.0.1:$P1, replica on 127.0.0.1:$P2 (sockets in $TMP)"
p1() { pc primary "$@"; }
p2() { as_pg psql -qX -v ON_ERROR_STOP=1 -h "$TMP" -p "$P2" -U postgres "$@"; }

/usr/bin/python3 test/gen/gen_union.py --seed 33 --scale 0.01 --members 2000 --out "$TMP/data" >/dev/null
chmod -R a+rX "$TMP/data"
p1 -d postgres -c "CREATE DATABASE unionreg"
p1 -d unionreg >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$TMP/data/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_member from '$TMP/data/stage_member.csv' csv header
SELECT * FROM unionreg.load_members();
\copy unionreg.stage_baseline from '$TMP/data/stage_baseline.csv' csv header
SELECT * FROM unionreg.load_baselines();
CREATE ROLE standby_bi LOGIN PASSWORD 'unused-trust' IN ROLE unionreg_reader;
SQL

as_pg "$PC_BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$TMP/replica" -R -X stream -c fast --no-sync
sed -i "s/^port = $P1/port = $P2/" "$TMP/replica/postgresql.conf"
PC_NAMES+=(replica)
as_pg "$PC_BIN/pg_ctl" -D "$TMP/replica" -l "$TMP/replica.log" -w start >/dev/null
[ "$(p2 -d unionreg -Atc 'SELECT pg_is_in_recovery()')" = t ] || { echo "FAILED: the replica is not in recovery"; exit 1; }

# the snapshot is built on the primary after the replica is up: it streams over
SID=$(p1 -d unionreg -Atc "SET client_min_messages = warning; SELECT unionreg.build_snapshot('2026-10-01')")
LSN=$(p1 -d unionreg -Atc "SELECT pg_current_wal_lsn()")
for i in $(seq 1 60); do
	[ "$(p2 -d unionreg -Atc "SELECT pg_last_wal_replay_lsn() >= '$LSN'::pg_lsn")" = t ] && break
	sleep 0.5
done
echo "snapshot $SID replayed on the replica"

# the figures agree, line by line
Q="SELECT count(*) || ' lines, sum ' || sum(value) FROM unionreg.report_line WHERE snapshot_id = $SID"
A=$(p1 -d unionreg -Atc "$Q"); B=$(p2 -d unionreg -Atc "$Q")
echo "primary: $A; replica: $B"
[ "$A" = "$B" ] && [ "$A" != "0 lines, sum " ] || { echo "FAILED: the replica's report lines differ"; exit 1; }

# every reader view, as the reader, through the BI driver, on the read-only replica
PGHOST=127.0.0.1 PGPORT=$P2 /usr/bin/python3 test/driver/bi_reader.py --dbname unionreg --user standby_bi --password unused-trust
# the DBA views read there too
p2 -d unionreg -c "SELECT count(*) FROM unionreg.snapshots" -c "SELECT count(*) FROM unionreg.progress" \
	-c "SELECT count(*) FROM unionreg.scheduled_jobs" -c "SELECT count(*) FROM unionreg.org_at('2026-10-01')" >/dev/null
echo "hot standby: every reader view read on the replica"
