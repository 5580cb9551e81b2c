#!/bin/bash
# Every test of the project, in a throwaway cluster (pg_virtualenv: unix
# socket and loopback only, removed at the end).  Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

PGVERSION=15
export PGVERSION

inner() {
	set -euo pipefail
	local failed=0
	echo "== pg_regress and isolation (make installcheck)"
	if ! make -s installcheck; then
		failed=1
		[ -f regression.diffs ] && cat regression.diffs
		[ -f test/isolation/regression.diffs ] && cat test/isolation/regression.diffs
	fi
	for t in test/scripts/*.sh; do
		[ -e "$t" ] || continue
		echo "== $t"
		if ! bash "$t"; then
			echo "FAILED: $t"
			failed=1
		fi
	done
	return $failed
}
export -f inner

pg_virtualenv -v "$PGVERSION" \
	-o shared_preload_libraries=pg_cron \
	-o cron.database_name=unionreg_cron \
	-o cron.use_background_workers=on \
	-o max_worker_processes=16 \
	-o min_dynamic_shared_memory=8MB \
	bash -c inner
