#!/bin/bash
# Hostile input, at SQL level: 100,000 generated inputs (valid seeds mutated,
# random strings over ASCII, Cyrillic, combining, invisible and astral
# characters) through every type input function (inn, ogrn, snils,
# card_number, tally), name_key, email_ascii and the staging parsers; then
# mutated staging files through load_orgs and load_members; then very large
# inputs (1 MB names, a 10 MB CSV field, 10,000 levels of attempted nesting).
# Pass: the backend never crashes, every rejection is an error with a SQLSTATE
# of the data-exception kind, what is accepted round-trips, loads account for
# every staged row and leave a register validate_hierarchy() finds healthy.
# Runs inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
PER_TARGET=${PER_TARGET:-10000}
SEED=${SEED:-1}
OUT=$(mktemp -d)
DB=unionreg_fuzz
trap 'rm -rf "$OUT"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
/usr/bin/python3 test/fuzz/gen_inputs.py --seed "$SEED" --per-target "$PER_TARGET" > "$OUT/inputs.csv"
/usr/bin/python3 test/gen/gen_union.py --seed "$SEED" --scale 0.01 --members 1500 --shuffle --out "$OUT/union" >/dev/null
/usr/bin/python3 test/fuzz/mutate_csv.py --seed "$SEED" "$OUT/union/stage_org.csv" > "$OUT/stage_org.csv"
/usr/bin/python3 test/fuzz/mutate_csv.py --seed "$SEED" "$OUT/union/stage_member.csv" > "$OUT/stage_member.csv"
/usr/bin/python3 test/fuzz/gen_binary.py --seed "$SEED" --per-type "${PER_TYPE_BINARY:-2000}" "$OUT/bin"
chmod -R a+rX "$OUT"
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

# 1. the parsing functions; a lost connection (a crash) fails psql and the test
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
SET search_path = unionreg, public;
CREATE TABLE fuzz_input (target text, input text);
\copy fuzz_input from '$OUT/inputs.csv' csv header
CREATE TABLE fuzz_outcome (target text, sqlstate text, roundtrip_ok boolean, input text);
DO \$\$
DECLARE
	r record;
	v_state text;
	v_ok boolean;
	v_t text;
BEGIN
	FOR r IN SELECT * FROM fuzz_input LOOP
		v_ok := NULL;
		BEGIN
			CASE r.target
			WHEN 'inn' THEN v_ok := r.input::inn::text::inn = r.input::inn;
			WHEN 'ogrn' THEN v_ok := r.input::ogrn::text::ogrn = r.input::ogrn;
			WHEN 'snils' THEN v_ok := r.input::snils::text::snils = r.input::snils;
			WHEN 'card_number' THEN v_ok := r.input::card_number::text::card_number = r.input::card_number;
			WHEN 'tally' THEN v_ok := r.input::tally::text::tally OPERATOR(unionreg.=) r.input::tally;
			WHEN 'name_key' THEN
				v_t := name_key(r.input);
				v_ok := v_t IS NOT NULL AND name_key(v_t) = v_t;
			WHEN 'email_ascii' THEN
				v_t := email_ascii(r.input);
				v_ok := v_t ~ '^[!-~]+$' AND email_ascii(v_t) = v_t;
			WHEN 'stage_date' THEN PERFORM _stage_date(r.input); v_ok := true;
			WHEN 'stage_int' THEN PERFORM _stage_int(r.input); v_ok := true;
			WHEN 'stage_bool' THEN PERFORM _stage_bool(r.input); v_ok := true;
			END CASE;
			v_state := '00000';
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE;
		END;
		INSERT INTO fuzz_outcome VALUES (r.target, v_state, v_ok, CASE WHEN v_state !~ '^(00|22)' OR v_ok IS FALSE THEN r.input END);
	END LOOP;
END
\$\$;
\echo inputs tried, by target and outcome:
SELECT target, sqlstate, count(*) AS inputs FROM fuzz_outcome GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS tried FROM fuzz_outcome \gset
\echo :tried inputs tried
-- a failure: an error outside the data-exception class (22), or an accepted value that does not round-trip
SELECT count(*) = 0 AS clean FROM fuzz_outcome WHERE sqlstate !~ '^(00|22)' OR roundtrip_ok IS FALSE \gset
\if :clean
\else
	SELECT target, sqlstate, roundtrip_ok, left(input, 200) AS input FROM fuzz_outcome
	 WHERE sqlstate !~ '^(00|22)' OR roundtrip_ok IS FALSE LIMIT 20;
	SELECT 1/0 AS fuzz_failed;
\endif
SQL

# 1b. the binary receive functions, through COPY ... (FORMAT binary): one
#     statement per input (a bad one aborts its COPY), the error's SQLSTATE kept
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "
	CREATE TABLE fuzz_inn (v unionreg.inn); CREATE TABLE fuzz_ogrn (v unionreg.ogrn);
	CREATE TABLE fuzz_snils (v unionreg.snils); CREATE TABLE fuzz_card_number (v unionreg.card_number);
	CREATE TABLE fuzz_tally (v unionreg.tally);"
set +e
{ echo '\set VERBOSITY sqlstate'; cat "$OUT/bin/copy.sql"; } | psql -qX -d "$DB" > "$OUT/binary.log" 2>&1
rc=$?
set -e
tried=$(grep -c '^COPY' "$OUT/bin/copy.sql")
echo "binary inputs: $tried tried; refused, by SQLSTATE:"
grep -o 'ERROR:  [0-9A-Z]*' "$OUT/binary.log" | sort | uniq -c
if [ $rc -gt 1 ] || grep -qE 'ERROR:  (XX|58)|server closed|connection to server' "$OUT/binary.log"; then
	echo "FAILED: a binary input broke the server or raised an internal error"; grep -vE '^ERROR:  (22|08P01)' "$OUT/binary.log" | head; exit 1
fi
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
SET search_path = public, unionreg;
SELECT (SELECT count(*) FROM fuzz_inn) + (SELECT count(*) FROM fuzz_ogrn)
	   + (SELECT count(*) FROM fuzz_snils) + (SELECT count(*) FROM fuzz_card_number)
	   + (SELECT count(*) FROM fuzz_tally) AS accepted \gset
\echo binary inputs accepted: :accepted (each must round-trip through its text form)
SELECT (SELECT count(*) FROM fuzz_inn WHERE v::text::unionreg.inn <> v)
	   + (SELECT count(*) FROM fuzz_ogrn WHERE v::text::unionreg.ogrn <> v)
	   + (SELECT count(*) FROM fuzz_snils WHERE v::text::unionreg.snils <> v)
	   + (SELECT count(*) FROM fuzz_card_number WHERE v::text::unionreg.card_number <> v)
	   + (SELECT count(*) FROM fuzz_tally WHERE NOT v::text::unionreg.tally OPERATOR(unionreg.=) v) = 0 AS roundtrip \gset
\if :roundtrip
\else
\echo 'FAILED: a binary input accepted does not round-trip'
SELECT 1/0;
\endif
SQL

# 2. mutated staging files through the loaders: the clean hierarchy first
#    (a mutated central row would reject the whole tree, rightly), then the
#    mutated file over it (updates, moves, liquidations, junk), then members
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SET client_min_messages = warning;
\copy unionreg.stage_org from '$OUT/union/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT count(*) AS staged_orgs FROM unionreg.stage_org \gset
SELECT loaded AS orgs_loaded, rejected AS orgs_rejected FROM unionreg.load_orgs() \gset
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT count(*) AS staged_members FROM unionreg.stage_member \gset
SELECT loaded AS members_loaded, rejected AS members_rejected FROM unionreg.load_members() \gset
\echo organizations: :staged_orgs staged, :orgs_loaded loaded, :orgs_rejected rejected; member rows: :staged_members staged, :members_loaded loaded, :members_rejected rejected
SELECT :orgs_loaded + :orgs_rejected = :staged_orgs AND :members_loaded + :members_rejected = :staged_members
	   AND :orgs_rejected > 0 AND :members_rejected > 0 AND :orgs_loaded > 0 AND :members_loaded > 0 AS accounted \gset
SELECT count(*) = 0 AS healthy FROM unionreg.validate_hierarchy(current_date) \gset
SELECT count(*) = 0 AS healthy_2020 FROM unionreg.validate_hierarchy('2020-01-01') \gset
\if :accounted
\else
\echo 'FAILED: a mutated load lost rows'
SELECT 1/0;
\endif
\if :healthy
\else
SELECT * FROM unionreg.validate_hierarchy(current_date) LIMIT 10;
SELECT 1/0;
\endif
\if :healthy_2020
\else
SELECT * FROM unionreg.validate_hierarchy('2020-01-01') LIMIT 10;
SELECT 1/0;
\endif
SELECT unionreg.build_snapshot(current_date) > 0 AS built_after_hostile_load;
SQL

# 3. very large inputs: each fails cleanly (an error with a SQLSTATE) or succeeds, in bounded time
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
SET client_min_messages = warning;
SET search_path = unionreg, public;
SET statement_timeout = '60s';
CREATE FUNCTION pg_temp.outcome(p_sql text, p_arg text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text; v_state text; v_msg text;
BEGIN
	EXECUTE p_sql INTO v USING p_arg;
	RETURN 'ok, ' || length(coalesce(v, '')) || ' chars';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
	RETURN v_state || ' ' || left(v_msg, 60) || ' (message ' || length(v_msg) || ' chars)';
END $$;
SELECT what, pg_temp.outcome(q, arg) AS outcome FROM (VALUES
	('name_key of a 1 MB name', 'SELECT name_key($1)', repeat('Иванова-Петрова ', 65536)),
	('email_ascii of a 1 MB address', 'SELECT email_ascii($1)', repeat('a', 1048576) || '@школа.рф'),
	('email_ascii of a 1 MB domain', 'SELECT email_ascii($1)', 'a@' || repeat('ш', 524288) || '.рф'),
	('inn of 1 MB of digits', 'SELECT $1::inn::text', repeat('7', 1048576)),
	('snils of 1 MB', 'SELECT $1::snils::text', repeat('1-', 524288)),
	('card_number of 1 MB', 'SELECT $1::card_number::text', repeat('4', 1048576)),
	('tally of 100,000 counters', 'SELECT $1::tally::text', '{' || repeat('members=1,', 100000) || '}'),
	('tally of 10,000 nested braces', 'SELECT $1::tally::text', repeat('{', 10000) || repeat('}', 10000))
) v(what, q, arg);
SQL
{
	printf 'ext_id,org_ext_id,surname,first_name,joined_on\n'
	/usr/bin/python3 -c "import sys; sys.stdout.write('BIG1,NOPE,' + 'Щ' * 5_000_000 + ',Анна,2020-01-01\n')"
} > "$OUT/big_member.csv"
/usr/bin/python3 -c "
import csv, sys
w = csv.writer(sys.stdout, lineterminator='\n')
w.writerow(['ext_id', 'parent_ext_id', 'level', 'kind', 'composition', 'name', 'valid_from'])
w.writerow(['DEEP-P', 'R01', 'primary', 'school', 'workers', 'Школа глубины', '2015-01-01'])
for i in range(10000):
    w.writerow(['DEEP-%05d' % i, 'DEEP-P' if i == 0 else 'DEEP-%05d' % (i - 1), 'subdivision', '', '', 'Ступень %d' % i, '2015-01-01'])
w.writerow(['BIGNAME', 'R01', 'territorial', '', '', 'Ж' * 524288, '2015-01-01'])
" > "$OUT/deep_org.csv"
chmod a+r "$OUT"/*.csv
psql -qX -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SET client_min_messages = warning;
SET statement_timeout = '120s';
\copy unionreg.stage_member (ext_id, org_ext_id, surname, first_name, joined_on) from '$OUT/big_member.csv' csv header
SELECT * FROM unionreg.load_members() \gset big_
SELECT :big_loaded + :big_rejected = 1 AS big_accounted,
	   (SELECT length(reason) < 2000 FROM unionreg.load_reject WHERE ext_id = 'BIG1') AS short_reason \gset
\echo a 10 MB CSV line: loaded :big_loaded, rejected :big_rejected
\copy unionreg.stage_org (ext_id, parent_ext_id, level, kind, composition, name, valid_from) from '$OUT/deep_org.csv' csv header
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM unionreg.load_orgs() \gset deep_
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric, 1) AS deep_s \gset
\echo 10,000 levels of attempted nesting: :deep_loaded loaded, :deep_rejected rejected in :deep_s s
SELECT reason FROM unionreg.load_reject WHERE ext_id = 'DEEP-09999';
SELECT :deep_loaded + :deep_rejected = 10002 AND :deep_rejected >= 9000 AS deep_accounted,
	   (SELECT count(*) = 0 FROM unionreg.validate_hierarchy(current_date)) AS deep_healthy \gset
\if :big_accounted
\else
\echo 'FAILED: the 10 MB row'
SELECT 1/0;
\endif
\if :short_reason
\else
\echo 'FAILED: the reason echoes the 10 MB value'
SELECT 1/0;
\endif
\if :deep_accounted
\else
\echo 'FAILED: the deep chain'
SELECT 1/0;
\endif
\if :deep_healthy
\else
\echo 'FAILED: the deep chain left a broken hierarchy'
SELECT 1/0;
\endif
SQL
echo "fuzz: no crash, every rejection a data exception, every staged row accounted for"
