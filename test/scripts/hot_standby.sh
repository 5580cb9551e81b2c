#!/bin/bash
# Hot standby: a primary and a streaming replica of their own (loopback and a
# socket in a temp dir, trust auth, stopped and removed at the end).  A
# snapshot built on the primary reaches the replica, where every reader view
# is read, through the BI driver test, and equals the primary's figures.
# Nothing a reader calls may write: the replica would refuse it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$BIN/initdb" ] || BIN=/usr/lib/postgresql/15/bin
TMP=$(mktemp -d /tmp/unionreg_standby.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
P1=$(free_port); P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
cleanup() {
	for d in replica primary; do
		[ -f "$TMP/$d/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$TMP/$d" -m immediate stop >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "primary on 127.0.0.1:$P1, replica on 127.0.0.1:$P2 (sockets in $TMP)"
as_pg "$BIN/initdb" -D "$TMP/primary" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$TMP/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $P1
unix_socket_directories = '$TMP'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
CONF
as_pg "$BIN/pg_ctl" -D "$TMP/primary" -l "$TMP/primary.log" -w start >/dev/null
p1() { as_pg psql -qX -v ON_ERROR_STOP=1 -h "$TMP" -p "$P1" -U postgres "$@"; }
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

as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$TMP/replica" -R -X stream -c fast --no-sync
sed -i "s/^port = $P1/port = $P2/" "$TMP/replica/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$TMP/replica" -l "$TMP/replica.log" -w start >/dev/null
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
