#!/bin/bash
# The member loader on a generated, shuffled union with ~5% bad rows of every
# kind: every good row loads, every row with a bad required field is rejected
# with a reason, every row with a bad optional field loads with a warning that
# keeps the raw value, loaded + rejected = staged, and a second run of the
# same file changes nothing.
# Runs inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_gen" >/dev/null 2>&1 || true' EXIT
/usr/bin/python3 test/gen/gen_union.py --seed 11 --scale 0.01 --members 1000 --bad-members 0.05 --shuffle --out "$OUT" >/dev/null
# the same seed gives the same files
/usr/bin/python3 test/gen/gen_union.py --seed 11 --scale 0.01 --members 1000 --bad-members 0.05 --shuffle --out "$OUT/again" >/dev/null
cmp -s "$OUT/stage_member.csv" "$OUT/again/stage_member.csv" || { echo "generator is not deterministic"; exit 1; }

psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_gen" -c "CREATE DATABASE unionreg_gen"
psql -qX -v ON_ERROR_STOP=1 -d unionreg_gen <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT count(*) AS staged, count(*) FILTER (WHERE ext_id LIKE 'BADM-%') AS bad_rows,
       count(DISTINCT ext_id) FILTER (WHERE ext_id LIKE 'BADM-%') AS bad_persons,
       count(*) FILTER (WHERE ext_id LIKE 'WARNM-%') AS warn_rows
  FROM unionreg.stage_member \gset
SELECT * FROM unionreg.load_members() \gset
\copy unionreg.stage_baseline from '$OUT/stage_baseline.csv' csv header
SELECT loaded AS b_loaded, rejected AS b_rejected FROM unionreg.load_baselines() \gset
-- psql does not expand variables inside a DO body: hand them over as settings
SELECT set_config('t.staged', :'staged', false), set_config('t.bad_persons', :'bad_persons', false),
       set_config('t.loaded', :'loaded', false), set_config('t.rejected', :'rejected', false),
       set_config('t.b_loaded', :'b_loaded', false), set_config('t.b_rejected', :'b_rejected', false),
       set_config('t.warn_rows', :'warn_rows', false) \gset ignore_
DO \$\$
DECLARE
	v_bad_rejected bigint := (SELECT count(*) FROM unionreg.load_reject WHERE source = 'stage_member' AND ext_id LIKE 'BADM-%');
	v_good_rejected bigint := (SELECT count(*) FROM unionreg.load_reject WHERE source = 'stage_member' AND ext_id NOT LIKE 'BADM-%');
	v_warned bigint := (SELECT count(DISTINCT ext_id) FROM unionreg.load_warning WHERE source = 'stage_member' AND ext_id LIKE 'WARNM-%');
	v_warn_loaded bigint := (SELECT count(*) FROM unionreg.person WHERE ext_id LIKE 'WARNM-%');
	v_raw_lost bigint := (SELECT count(*) FROM unionreg.load_warning WHERE source = 'stage_member' AND column_name IS NOT NULL AND coalesce(raw, '') = '');
	v_no_reason bigint := (SELECT count(*) FROM unionreg.load_reject WHERE coalesce(reason, '') = '');
BEGIN
	IF current_setting('t.loaded')::bigint + current_setting('t.rejected')::bigint <> current_setting('t.staged')::bigint THEN
		RAISE EXCEPTION 'loaded % + rejected % <> staged %', current_setting('t.loaded')::bigint, current_setting('t.rejected')::bigint, current_setting('t.staged')::bigint;
	END IF;
	-- every bad person has exactly one bad row (the overlap kind has one good and one bad)
	IF v_bad_rejected <> current_setting('t.bad_persons')::bigint THEN
		RAISE EXCEPTION 'bad rows rejected: %, expected %', v_bad_rejected, current_setting('t.bad_persons')::bigint;
	END IF;
	IF v_good_rejected <> 0 THEN
		RAISE EXCEPTION '% good rows were rejected: %', v_good_rejected,
			(SELECT string_agg(ext_id || ': ' || reason, '; ') FROM (SELECT * FROM unionreg.load_reject WHERE ext_id NOT LIKE 'BADM-%' LIMIT 3) x);
	END IF;
	IF v_no_reason <> 0 THEN
		RAISE EXCEPTION '% rejects without a reason', v_no_reason;
	END IF;
	-- every row with a bad optional field is on record, with its warning and raw value
	IF v_warn_loaded <> current_setting('t.warn_rows')::bigint OR v_warned <> current_setting('t.warn_rows')::bigint OR v_raw_lost <> 0 THEN
		RAISE EXCEPTION 'bad optional fields: % rows staged, % loaded, % warned, % warnings without the raw value',
			current_setting('t.warn_rows')::bigint, v_warn_loaded, v_warned, v_raw_lost;
	END IF;
	IF current_setting('t.b_rejected')::bigint <> 0 OR current_setting('t.b_loaded')::bigint = 0 THEN
		RAISE EXCEPTION 'baselines: % loaded, % rejected', current_setting('t.b_loaded')::bigint, current_setting('t.b_rejected')::bigint;
	END IF;
	IF (SELECT count(*) FROM unionreg.stage_member) <> 0 THEN
		RAISE EXCEPTION 'the staging table was not emptied';
	END IF;
	-- suspected duplicates typed differently are found
	IF (SELECT count(*) FROM unionreg.duplicate_persons WHERE ext_id_b LIKE '%-D') = 0 THEN
		RAISE EXCEPTION 'no generated duplicate was found';
	END IF;
END
\$\$;
SELECT current_setting('t.staged')::bigint AS staged, current_setting('t.loaded')::bigint AS loaded, current_setting('t.rejected')::bigint AS rejected;
-- the same file again: nothing changes, nothing doubles
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM unionreg.person) p, (SELECT count(*) FROM unionreg.membership) m,
       (SELECT count(*) FROM unionreg.status_period) s, (SELECT count(*) FROM unionreg.card_event) c,
       (SELECT count(*) FROM unionreg.person_consent) k;
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT * FROM unionreg.load_members() \gset again_
SELECT set_config('t.again_loaded', :'again_loaded', false), set_config('t.again_rejected', :'again_rejected', false) \gset ignore_
DO \$\$
BEGIN
	IF current_setting('t.again_loaded')::bigint <> current_setting('t.loaded')::bigint OR current_setting('t.again_rejected')::bigint <> current_setting('t.rejected')::bigint THEN
		RAISE EXCEPTION 'second run: % loaded, % rejected; first: %, %', current_setting('t.again_loaded')::bigint, current_setting('t.again_rejected')::bigint, current_setting('t.loaded')::bigint, current_setting('t.rejected')::bigint;
	END IF;
	IF EXISTS (SELECT (SELECT count(*) FROM unionreg.person), (SELECT count(*) FROM unionreg.membership),
					  (SELECT count(*) FROM unionreg.status_period), (SELECT count(*) FROM unionreg.card_event),
					  (SELECT count(*) FROM unionreg.person_consent)
			   EXCEPT SELECT * FROM before) THEN
		RAISE EXCEPTION 'the second run changed the register';
	END IF;
END
\$\$;
SQL
echo "load_generated: ok"
