#!/bin/bash
# doc/reference.md is generated from the catalog (test/sql/reference.sql):
# this test installs the extension in a database of its own, generates the
# reference and fails when the committed file differs (run `make reference`
# to write it).  Runs inside the cluster of test/run_tests.sh; with --write
# (make reference) it makes a throwaway cluster itself and writes the file.
set -euo pipefail
cd "$(dirname "$0")/../.."
generate() {
	set -euo pipefail
	PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_reference" -c "CREATE DATABASE unionreg_reference" >/dev/null
	psql -qX -v ON_ERROR_STOP=1 -d unionreg_reference -c "SET client_min_messages = warning" -c "CREATE EXTENSION unionreg CASCADE" >/dev/null
	psql -qX -d unionreg_reference -f test/sql/reference.sql
	psql -qX -d postgres -c "DROP DATABASE unionreg_reference" >/dev/null
}
export -f generate
if [ "${1:-}" = --write ]; then
	out=$(mktemp)
	repo=$PWD
	chmod a+w "$out"
	(cd /tmp && pg_virtualenv -v 15 -o shared_preload_libraries=pg_cron bash -c "cd '$repo' && generate > '$out'") >/dev/null
	mv "$out" doc/reference.md
	chmod 644 doc/reference.md
	echo "doc/reference.md written ($(wc -l < doc/reference.md) lines)"
	exit 0
fi
if ! diff -u doc/reference.md <(generate) > /tmp/unionreg_reference.diff; then
	head -40 /tmp/unionreg_reference.diff
	rm -f /tmp/unionreg_reference.diff
	echo "FAILED: doc/reference.md is out of date with the catalog: run make reference"
	exit 1
fi
rm -f /tmp/unionreg_reference.diff
echo "reference: doc/reference.md is what the catalog says ($(wc -l < doc/reference.md) lines)"
