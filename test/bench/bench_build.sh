#!/bin/bash
# How the report engine scales with members: a generated union of the real
# ~145,000 organizations and MEMBERS members (4,000,000 by default) is loaded
# once; the engine is measured at that size, then with half of the persons
# deleted, then half again (4M, 2M, 1M with the same organizations).
# Not part of `make test` (the load alone takes a quarter of an hour).  Run
# as root after `make install`:
#     test/bench/bench_build.sh                 (MEMBERS=4000000 SCALE=1)
# Per size, all in one run: the floor (a bare count(*) over membership), the
# plain-SQL formulation of test/sql/plain_formulation.sql (member lines per
# primary, the closure, every organization's consolidated lines), the member
# pass alone (member_tallies), the full build_snapshot with its phases, the
# build backend's peak resident memory (VmHWM), the snapshot's size on disk
# per organization (peak resident memory counts the shared buffers the backend
# touched; RssShmem says how much of it that is), and report() for a median
# primary, a territorial and the
# largest region (best of three, each its own statement).
# The audit triggers are disabled while the benchmark loads its data (set-up,
# not what is measured).  After the first size, test/bench/report_latency.sh
# measures report() per class of organization with pgbench.
# HUGEPAGES=1 reserves huge pages for the 4 GB of shared buffers for the run
# (vm.nr_hugepages, put back at the end) and starts the server with
# huge_pages = on: without them every new backend and parallel worker
# faults in each 4 kB page of shared buffers it touches (see the README).
set -euo pipefail
cd "$(dirname "$0")/../.."
MEMBERS=${MEMBERS:-4000000}
SCALE=${SCALE:-1}
HUGEPAGES=${HUGEPAGES:-0}
OUT=$(mktemp -d)
OLD_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages)
cleanup() {
	rm -rf "$OUT"
	if [ "$HUGEPAGES" = 1 ]; then sysctl -q -w vm.nr_hugepages="$OLD_HUGEPAGES"; fi
}
trap cleanup EXIT
HUGE_OPT="huge_pages=try"
if [ "$HUGEPAGES" = 1 ]; then
	# 4 GB of buffers, 256 MB of dynamic shared memory and the rest, in 2 MB pages
	sysctl -q -w vm.nr_hugepages=2400
	HUGE_OPT="huge_pages=on"
fi
echo "huge pages: HUGEPAGES=$HUGEPAGES, $(grep HugePages_Total /proc/meminfo)"
time /usr/bin/python3 test/gen/gen_union.py --seed 7 --scale "$SCALE" --members "$MEMBERS" --out "$OUT" >/dev/null
chmod -R a+rX "$OUT"
export OUT
pg_virtualenv -v 15 -o shared_buffers=4GB -o work_mem=64MB -o maintenance_work_mem=1GB -o max_wal_size=16GB \
	-o max_parallel_workers_per_gather=2 -o "$HUGE_OPT" bash -c '
set -euo pipefail
psql -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '"'"'$OUT/stage_org.csv'"'"' csv header
SELECT * FROM unionreg.load_orgs();
DO \$\$ DECLARE t text; BEGIN
	FOREACH t IN ARRAY ARRAY['"'"'person'"'"', '"'"'membership'"'"', '"'"'status_period'"'"', '"'"'person_consent'"'"', '"'"'card'"'"'] LOOP
		EXECUTE format('"'"'ALTER TABLE unionreg.%I DISABLE TRIGGER audit_ins'"'"', t);
	END LOOP; END \$\$;
VACUUM ANALYZE;
SELECT clock_timestamp() AS t0 \gset
\copy unionreg.stage_member from '"'"'$OUT/stage_member.csv'"'"' csv header
SELECT * FROM unionreg.load_members();
SELECT round(extract(epoch FROM clock_timestamp() - :'"'"'t0'"'"'::timestamptz)) AS load_s;
SQL
for step in 1 2 3; do
psql -q -v ON_ERROR_STOP=1 -f test/bench/build_step.sql
if [ $step = 1 ]; then
	bash test/bench/report_latency.sh "$(psql -X -At -c "SELECT date_trunc('"'"'quarter'"'"', current_date)::date")" 8
fi
if [ $step != 3 ]; then
	psql -q -v ON_ERROR_STOP=1 -f test/bench/halve_persons.sql
fi
done
'
