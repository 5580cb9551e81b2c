#!/bin/bash
# The README's getting-started block, run as it stands against the sample
# files in test/data: every file loads with nothing rejected, the region's
# report and the snapshot come out, and the types' operators work through
# the search_path the block sets.  Runs inside the cluster of
# test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=unionreg_getting_started
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
BLOCK=$(awk '/<!-- getting-started/{on=1; next} /<!-- \/getting-started -->/{on=0} on' README.md | sed -e '/^```/d' -e "s/ALTER DATABASE unionreg /ALTER DATABASE $DB /")
[ -n "$BLOCK" ] || { echo "FAILED: no getting-started block in README.md"; exit 1; }
OUT=$(printf 'SET client_min_messages = warning;\n%s\n' "$BLOCK" | psql -X -v ON_ERROR_STOP=1 -d "$DB" 2>&1) || {
	echo "$OUT"; echo "FAILED: the README's getting-started block fails"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -At <<'SQL' > /tmp/unionreg_gs.$$
SELECT 'rejects ' || count(*) FROM unionreg.load_reject;
SELECT 'organizations ' || (count(*) > 50) FROM unionreg.org;
SELECT 'members ' || (count(*) > 20) FROM unionreg.person;
SELECT 'snapshot ' || (count(*) = 1) FROM unionreg.snapshot;
SELECT 'region report ' || (count(*) > 10) FROM unionreg.report('R01', '1SP', '2026-10-01');
-- the database's search_path (set by the block) finds the types' operators
SELECT 'operators ' || (count(*) > 0) FROM unionreg.org WHERE inn = '0837783533';
SQL
got=$(cat /tmp/unionreg_gs.$$); rm -f /tmp/unionreg_gs.$$
want=$'rejects 0\norganizations true\nmembers true\nsnapshot true\nregion report true\noperators true'
if [ "$got" != "$want" ]; then
	echo "FAILED: the sample files did not load as the README says:"; diff <(echo "$want") <(echo "$got") || true; exit 1
fi
echo "getting started: the README's block loads test/data with nothing rejected, reports, builds, and finds the operators"
