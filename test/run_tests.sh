#!/bin/bash
# Every test of the project, in a throwaway cluster (pg_virtualenv: unix
# socket and loopback only, removed at the end).  Called by `make test`.
# Ends with one line: N passed, N failed (every regress file, isolation spec
# and script under test/scripts).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export REPO

PGVERSION=15
export PGVERSION
SUMMARY=$(mktemp /tmp/unionreg_summary.XXXXXX)
export SUMMARY
trap 'rm -f "$SUMMARY"' EXIT

inner() {
	set -uo pipefail
	cd "$REPO"
	local failed=0 out
	echo "== pg_regress and isolation (make installcheck)"
	out=$(mktemp /tmp/unionreg_installcheck.XXXXXX)
	if ! make -s installcheck 2>&1 | tee "$out"; then
		failed=1
		[ -f regression.diffs ] && cat regression.diffs
		[ -f test/isolation/regression.diffs ] && cat test/isolation/regression.diffs
	fi
	# pg_regress prints one line per file: "test NAME ... ok" or "... FAILED"
	grep -cE '^(test|ok|not ok) +[a-z_0-9]+ +\.\.\. +ok' "$out" | sed 's/^/regress_passed /' >> "$SUMMARY" || true
	grep -cE '\.\.\. +FAILED' "$out" | sed 's/^/regress_failed /' >> "$SUMMARY" || true
	rm -f "$out"
	for t in test/scripts/*.sh; do
		[ -e "$t" ] || continue
		echo "== $t"
		if bash "$t"; then
			echo "script_passed 1" >> "$SUMMARY"
		else
			echo "FAILED: $t"
			echo "script_failed 1" >> "$SUMMARY"
			failed=1
		fi
	done
	return $failed
}
export -f inner

# pg_virtualenv makes the cluster as postgres: start from a directory postgres
# can read (a clone under /root is not), the tests themselves run in $REPO
cd /tmp
rc=0
pg_virtualenv -v "$PGVERSION" \
	-o shared_preload_libraries=pg_cron \
	-o cron.database_name=unionreg_cron \
	-o cron.use_background_workers=on \
	-o max_worker_processes=16 \
	bash -c inner || rc=$?
passed=$(awk '$1 ~ /_passed$/ {n += $2} END {print n + 0}' "$SUMMARY")
failed=$(awk '$1 ~ /_failed$/ {n += $2} END {print n + 0}' "$SUMMARY")
[ "$rc" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "$passed passed, $failed failed"
exit $rc
