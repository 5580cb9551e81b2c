#!/bin/bash
# Where report() should stop reading a subtree by key and read the
# organization tables whole: _subtree_pass(D, root, by_key_max) timed both
# ways, alternated, for roots of every size (the regions, and territorials
# and primaries picked across their sizes), medians of N pairs after one
# warm-up call each.  Prints the organizations in each subtree and the two
# medians; the engine's limit (SUBTREE_BY_KEY_MAX in src/engine/org_pass.c)
# belongs where the by-key time passes the whole read's.  Run as a
# superuser against a loaded union (PG* variables name it), e.g.
#     PGDATABASE=big test/bench/subtree_read.sh 2026-10-01 5
set -euo pipefail
D=${1:-$(date +%Y-%m-01)}
N=${2:-5}
psql -qX -v ON_ERROR_STOP=1 -v d="$D" -v n="$N" <<'SQL'
SET client_min_messages = warning;
SELECT set_config('bench.d', :'d', false), set_config('bench.n', :'n', false) \gset
CREATE TEMP TABLE roots AS
WITH RECURSIVE live_link AS (
	SELECT l.org_id, l.parent_id FROM unionreg.org_link l
	 WHERE l.valid_from <= :'d'::date AND (l.valid_to IS NULL OR l.valid_to > :'d'::date)),
up (id, anc) AS (
	SELECT o.id, o.id FROM unionreg.org o
	 WHERE o.valid_from <= :'d'::date AND (o.valid_to IS NULL OR o.valid_to > :'d'::date)
	UNION ALL
	SELECT u.id, l.parent_id FROM up u JOIN live_link l ON l.org_id = u.anc),
sizes AS (
	SELECT u.anc AS id, count(*) AS orgs FROM up u GROUP BY u.anc),
ranked AS (
	SELECT o.id, o.ext_id, o.level, s.orgs,
		   ntile(6) OVER (PARTITION BY o.level ORDER BY s.orgs) AS band
	  FROM sizes s JOIN unionreg.org o ON o.id = s.id
	 WHERE o.level IN ('regional', 'territorial', 'primary'))
SELECT DISTINCT ON (level, band) id, ext_id, level, orgs FROM ranked ORDER BY level, band, orgs DESC;
CREATE TEMP TABLE timing (ext_id text, how text, ms float8);
DO $$
DECLARE
	r record;
	t timestamptz;
	v unionreg.tally;
BEGIN
	FOR r IN SELECT * FROM roots ORDER BY orgs LOOP
		v := unionreg._subtree_pass(current_setting('bench.d')::date, r.id, 0);
		v := unionreg._subtree_pass(current_setting('bench.d')::date, r.id, 1000000);
		FOR i IN 1 .. current_setting('bench.n')::int LOOP
			t := clock_timestamp();
			v := unionreg._subtree_pass(current_setting('bench.d')::date, r.id, 0);
			INSERT INTO timing VALUES (r.ext_id, 'whole', 1000 * extract(epoch FROM clock_timestamp() - t));
			t := clock_timestamp();
			v := unionreg._subtree_pass(current_setting('bench.d')::date, r.id, 1000000);
			INSERT INTO timing VALUES (r.ext_id, 'by key', 1000 * extract(epoch FROM clock_timestamp() - t));
		END LOOP;
	END LOOP;
END
$$;
SELECT r.level, r.ext_id, r.orgs,
	   round(percentile_disc(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.how = 'by key')::numeric, 1) AS by_key_ms,
	   round(percentile_disc(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.how = 'whole')::numeric, 1) AS whole_ms
  FROM roots r JOIN timing t ON t.ext_id = r.ext_id
 GROUP BY r.level, r.ext_id, r.orgs ORDER BY r.orgs;
SQL
