#!/bin/bash
# The report engine against an independent plain-SQL formulation of its
# member lines, on a generated union, for every primary, on several dates
# (1 January, a quarter date, a mid-month date, a 1 March after a leap-day
# birthday), and of the consolidated lines of every organization of every
# form through a plain recursive closure of the hierarchy as on each date,
# with a primary moved on one of the dates: every value must agree; and the
# build's organization side in C against its SQL formulation.  On
# generated unions of several seeds and sizes (SEED:SCALE:MEMBERS).
# Runs inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
UNIONS=${UNIONS:-"5:0.01:3000 17:0.02:6000 29:0.004:1500"}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_check" >/dev/null 2>&1 || true' EXIT
for spec in $UNIONS; do
IFS=: read -r seed scale members <<<"$spec"
echo "report_check: seed $seed, scale $scale, $members members"
rm -rf "${OUT:?}"/*
/usr/bin/python3 test/gen/gen_union.py --seed "$seed" --scale "$scale" --members "$members" --shuffle --out "$OUT" >/dev/null
psql -qX -d postgres -c "DROP DATABASE IF EXISTS unionreg_check" -c "CREATE DATABASE unionreg_check"
psql -qX -v ON_ERROR_STOP=1 -d unionreg_check <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from '$OUT/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs() \gset
\copy unionreg.stage_member from '$OUT/stage_member.csv' csv header
SELECT * FROM unionreg.load_members() \gset
-- a few edge cases by hand: joined on D, left on D, a 35th birthday on D, a leap-day birth
SELECT ext_id AS p FROM unionreg.org WHERE level = 'primary' AND valid_from < '2015-01-01' ORDER BY ext_id LIMIT 1 \gset
SELECT unionreg.admit_member('E1', :'p', '2026-04-01', 'Край', 'Вступил', NULL, '1991-04-01', 'f') \gset ignore_
SELECT unionreg.admit_member('E2', :'p', '2020-01-01', 'Край', 'Выбыл', NULL, '1992-02-29', 'f') \gset ignore_
SELECT unionreg.leave('E2', '2026-04-01', 'own_wish') \gset ignore_
INSERT INTO unionreg.status_period (person_id, status, valid_from, pedagogical)
SELECT id, 'working', '2015-01-01', true FROM unionreg.person WHERE ext_id IN ('E1', 'E2');

-- a primary moved on a check date (2026-04-01) to another territorial of its region:
-- on 1 January it counts under the old parent, from 1 April under the new one
SELECT p.ext_id AS moved, t2.ext_id AS new_parent
  FROM unionreg.org p
  JOIN unionreg.org_link l ON l.org_id = p.id AND l.valid_to IS NULL
  JOIN unionreg.org t ON t.id = l.parent_id AND t.level = 'territorial'
  JOIN unionreg.org_link tl ON tl.org_id = t.id AND tl.valid_to IS NULL
  JOIN unionreg.org_link tl2 ON tl2.parent_id = tl.parent_id AND tl2.valid_to IS NULL AND tl2.org_id <> t.id
  JOIN unionreg.org t2 ON t2.id = tl2.org_id AND t2.level = 'territorial' AND t2.valid_from < '2015-01-01'
 WHERE p.level = 'primary' AND p.valid_from < '2015-01-01' AND p.ext_id <> :'p'
   AND EXISTS (SELECT 1 FROM unionreg.membership m WHERE m.org_id = p.id)
 ORDER BY p.ext_id, t2.ext_id LIMIT 1 \gset
SELECT unionreg.move_org(:'moved', :'new_parent', '2026-04-01') \gset ignore_

CREATE TABLE check_dates (d date);
INSERT INTO check_dates VALUES ('2026-01-01'), ('2026-04-01'), ('2025-07-15'), ('2027-03-01');
CREATE TABLE built AS SELECT d, unionreg.build_snapshot(d) AS sid FROM check_dates;

\i test/sql/plain_formulation.sql
\i test/sql/org_tallies_oracle.sql
CREATE TABLE rolled_mismatches AS
SELECT so.snapshot_id AS sid, o.ext_id, o.level, x.line, x.expected, x.engine
  FROM unionreg.snapshot_org so
  JOIN unionreg.org o ON o.id = so.org_id
  LEFT JOIN expected_rolled e ON e.sid = so.snapshot_id AND e.org_id = so.org_id
  CROSS JOIN LATERAL (VALUES
	('6', e.l6, unionreg.tally_get(so.tally, 'members')), ('6.2', e.l6_2, unionreg.tally_get(so.tally, 'members_on_p')),
	('7', e.l7, unionreg.tally_get(so.tally, 'admitted')), ('7.1', e.l7_1, unionreg.tally_get(so.tally, 'admitted_online')),
	('7.2', e.l7_2, unionreg.tally_get(so.tally, 'transferred_in')), ('8', e.l8, unionreg.tally_get(so.tally, 'left')),
	('8.1', e.l8_1, unionreg.tally_get(so.tally, 'left_own_wish')), ('8.2', e.l8_2, unionreg.tally_get(so.tally, 'transferred_out')),
	('2', e.l2, unionreg.tally_get(so.tally, 'working')), ('2.1', e.l2_1, unionreg.tally_get(so.tally, 'working_pedagogical')),
	('2.2', e.l2_2, unionreg.tally_get(so.tally, 'working_youth')), ('4', e.l4, unionreg.tally_get(so.tally, 'students')),
	('5', e.l5, unionreg.tally_get(so.tally, 'pensioners')), ('6.1', e.l6_1, unionreg.tally_get(so.tally, 'status_unknown')),
	('primaries', e.primaries, unionreg.tally_get(so.tally, 'primaries')),
	('subdivisions', e.subdivisions, unionreg.tally_get(so.tally, 'subdivisions')),
	('primaries_no_member', e.primaries_no_member, unionreg.tally_get(so.tally, 'primaries_no_member')),
	('region', e.region_id, so.region_id)
  ) x(line, expected, engine)
 WHERE so.snapshot_id IN (SELECT sid FROM built) AND x.expected IS DISTINCT FROM x.engine;
SELECT count(*) AS consolidated_org_dates, count(*) * 18 AS consolidated_values_checked,
	   count(DISTINCT o.level) AS levels,
	   (SELECT count(*) FROM rolled_mismatches) AS consolidated_mismatches
  FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id WHERE so.snapshot_id IN (SELECT sid FROM built);
SELECT * FROM rolled_mismatches ORDER BY sid, ext_id, line LIMIT 20;
-- the moved primary: under its old parent on 1 January, under the new one on 1 April
SELECT b.d, t.ext_id AS counted_under
  FROM built b JOIN closure c ON c.sid = b.sid JOIN unionreg.org p ON p.id = c.org_id AND p.ext_id = :'moved'
  JOIN unionreg.org t ON t.id = c.anc AND t.level = 'territorial'
 WHERE b.d IN ('2026-01-01', '2026-04-01') ORDER BY b.d;
SELECT (SELECT count(*) FROM rolled_mismatches) > 0 AS n_rolled_mismatch \gset
\if :n_rolled_mismatch
\echo 'report_check: consolidated lines disagree with the plain-SQL closure'
SELECT 1/0;
\endif

-- of which the primaries' own lines, straight from the members
SELECT (SELECT count(*) FROM expected_lines) AS primary_dates_with_members,
	   (SELECT count(*) FROM rolled_mismatches WHERE level = 'primary') AS primary_mismatches;
-- and every primary's balance holds: 6 = 6.2 + 7 + 7.2 - 8 - 8.2
SELECT count(*) > 0 AS balance_broken FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id
 WHERE so.snapshot_id IN (SELECT sid FROM built)
   AND unionreg.tally_get(so.tally, 'members') <> unionreg.tally_get(so.tally, 'members_on_p')
	   + unionreg.tally_get(so.tally, 'admitted') + unionreg.tally_get(so.tally, 'transferred_in')
	   - unionreg.tally_get(so.tally, 'left') - unionreg.tally_get(so.tally, 'transferred_out') \gset
\if :balance_broken
\echo 'report_check: 6 = 6.2 + 7 + 7.2 - 8 - 8.2 is broken'
SELECT 1/0;
\endif

-- report() on demand (the subtree path) equals the snapshot, every line of
-- every organization of every form, on every check date
SELECT clock_timestamp() AS t0 \gset
CREATE TABLE on_demand_mismatches AS
SELECT b.d, o.ext_id, so.form, r.line_code, r.value AS on_demand, l.value AS in_snapshot
  FROM built b
  JOIN unionreg.snapshot_org so ON so.snapshot_id = b.sid
  JOIN unionreg.org o ON o.id = so.org_id
 CROSS JOIN LATERAL unionreg.report(o.ext_id, so.form, b.d) r
  LEFT JOIN unionreg.report_line_all l ON l.snapshot_id = b.sid AND l.org_ext_id = o.ext_id AND l.line_code = r.line_code
 WHERE r.value IS DISTINCT FROM l.value;
SELECT count(*) AS reports_on_demand,
	   round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric / count(*), 2) AS ms_each,
	   (SELECT count(*) FROM on_demand_mismatches) AS on_demand_mismatches
  FROM built b JOIN unionreg.snapshot_org so ON so.snapshot_id = b.sid;
SELECT * FROM on_demand_mismatches ORDER BY 1, 2, 3, 4 LIMIT 20;
SELECT count(*) > 0 AS on_demand_differs FROM on_demand_mismatches \gset
\if :on_demand_differs
\echo 'report_check: report() differs from the snapshot'
SELECT 1/0;
\endif

-- the build's organization side in C (_org_pass) gives its SQL formulation's
-- rows (test/sql/org_tallies_oracle.sql): forms, tallies, completeness, gaps, regions
CREATE TABLE org_pass_mismatches AS
SELECT b.d, coalesce((x.c).org_id, (x.q).org_id) AS org_id, x.c::text AS c_pass, x.q::text AS sql_pass
  FROM check_dates b
 CROSS JOIN LATERAL (SELECT c, q FROM unionreg._org_pass(b.d) c
					  FULL JOIN unionreg_oracle.org_tallies(b.d) q ON q.org_id = c.org_id) x
 WHERE (x.c).org_id IS NULL OR (x.q).org_id IS NULL
	OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
	   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
	OR NOT ((x.c).tally OPERATOR(unionreg.=) (x.q).tally);
-- and for a subtree (report() of a region or of the union): every region and the central
INSERT INTO org_pass_mismatches
SELECT b.d, coalesce((x.c).org_id, (x.q).org_id), x.c::text, x.q::text
  FROM check_dates b
 CROSS JOIN unionreg.org r
 CROSS JOIN LATERAL (SELECT c, q FROM unionreg._org_pass(b.d, r.id) c
					  FULL JOIN unionreg_oracle.org_tallies(b.d, r.id) q ON q.org_id = c.org_id) x
 WHERE r.level IN ('central', 'regional')
   AND ((x.c).org_id IS NULL OR (x.q).org_id IS NULL
	OR ((x.c).form, (x.c).is_complete, (x.c).gaps, (x.c).region_id)
	   IS DISTINCT FROM ((x.q).form, (x.q).is_complete, (x.q).gaps, (x.q).region_id)
	OR NOT ((x.c).tally OPERATOR(unionreg.=) (x.q).tally));
-- and report()'s sum of a subtree in C (_subtree_pass): the root's row of the SQL formulation
INSERT INTO org_pass_mismatches
SELECT b.d, r.id, s.t::text, q.tally::text
  FROM check_dates b
 CROSS JOIN unionreg.org r
 CROSS JOIN LATERAL (SELECT unionreg._subtree_pass(b.d, r.id) AS t) s
  LEFT JOIN LATERAL (SELECT q.tally FROM unionreg_oracle.org_tallies(b.d, r.id) q WHERE q.org_id = r.id) q ON true
 WHERE r.level IN ('central', 'regional')
   AND ((s.t IS NULL) <> (q.tally IS NULL) OR NOT coalesce(s.t OPERATOR(unionreg.=) q.tally, true));
SELECT count(*) AS org_pass_rows, count(*) FILTER (WHERE NOT c.is_complete) AS incomplete,
	   count(DISTINCT cardinality(c.gaps)) AS gap_counts,
	   (SELECT count(*) FROM org_pass_mismatches) AS org_pass_mismatches
  FROM check_dates b CROSS JOIN LATERAL unionreg._org_pass(b.d) c;
SELECT * FROM org_pass_mismatches ORDER BY 1, 2 LIMIT 5;
SELECT count(*) > 0 AS org_pass_differs FROM org_pass_mismatches \gset
\if :org_pass_differs
\echo 'report_check: the C organization pass differs from its SQL formulation'
SELECT 1/0;
\endif
SQL
done
echo "report_check: ok"
