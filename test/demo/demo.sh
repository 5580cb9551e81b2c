#!/bin/bash
# `make demo`: the main job.  A cluster of its own (port 5499, unix socket and
# loopback only), the extension, a generated sample union loaded through the
# staging loader, and the hierarchy's health.  The cluster stays up for you to
# explore; KEEP=0 tears it down at the end.  Safe to run again: it starts over.
set -euo pipefail
cd "$(dirname "$0")/../.."
for arg in "$@"; do case $arg in KEEP=*) KEEP=${arg#KEEP=} ;; esac; done
KEEP=${KEEP:-1}
CLUSTER=unionreg_demo
PORT=${DEMO_PORT:-5499}
SCALE=${DEMO_SCALE:-0.05}
MEMBERS=${DEMO_MEMBERS:-300000}
DATA=/var/tmp/unionreg_demo_data

if pg_lsclusters -h | awk '{print $2}' | grep -qx "$CLUSTER"; then
	echo "== dropping the previous demo cluster"
	(cd / && pg_dropcluster 15 "$CLUSTER" --stop)
fi
# a port something else listens on: take the next free one, and say so
port_busy() { python3 -c 'import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"; }
WANTED=$PORT
while port_busy "$PORT" || [ -e "/var/run/postgresql/.s.PGSQL.$PORT" ]; do PORT=$((PORT + 1)); done
[ "$PORT" = "$WANTED" ] || echo "== port $WANTED is busy: using port $PORT"
echo "== creating cluster 15/$CLUSTER on port $PORT (localhost only)"
(cd / && pg_createcluster 15 "$CLUSTER" -p "$PORT" \
	-o listen_addresses=localhost \
	-o shared_preload_libraries=pg_cron \
	-o cron.database_name=unionreg \
	-o cron.use_background_workers=on \
	-o max_worker_processes=16 >/dev/null)
(cd / && pg_ctlcluster 15 "$CLUSTER" start)

export PGPORT=$PORT PGHOST=/var/run/postgresql PGDATABASE=unionreg
as_pg() {
	if runuser -u postgres -- test -x "$PWD" 2>/dev/null; then runuser -u postgres -- env PGPORT=$PGPORT PGHOST=$PGHOST "$@"
	else (cd / && runuser -u postgres -- env PGPORT=$PGPORT PGHOST=$PGHOST "$@"); fi
}
as_pg createdb unionreg

echo "== generating a sample union (scale $SCALE, $MEMBERS members, rows shuffled, a few bad rows)"
rm -rf "$DATA"
python3 test/gen/gen_union.py --seed 2026 --scale "$SCALE" --members "$MEMBERS" --bad-members 0.01 \
	--shuffle --bad 25 --out "$DATA"
chmod -R a+rX "$DATA"

as_pg psql -X -q -v ON_ERROR_STOP=1 -d unionreg <<SQL
\pset footer off
CREATE EXTENSION unionreg CASCADE;
\echo
\echo == loading organizations through unionreg.stage_org and unionreg.load_orgs()
\copy unionreg.stage_org from '$DATA/stage_org.csv' csv header
SELECT * FROM unionreg.load_orgs();
\echo
\echo == rejected rows and why (unionreg.load_reject)
SELECT ext_id, left(reason, 110) AS reason FROM unionreg.load_reject ORDER BY id LIMIT 12;
\echo
\echo == organizations live today by level
SELECT l.code AS level, l.label_ru, count(a.ext_id) AS organizations
  FROM unionreg.level l LEFT JOIN unionreg.org_at(current_date) a ON a.level = l.code
 GROUP BY l.code, l.label_ru, l.rank ORDER BY l.rank;
\echo
\echo == the tree today, the start of one region (unionreg.org_at)
SELECT repeat('   ', depth) || name AS "организация", ext_id, level, kind
  FROM unionreg.org_at(current_date) LIMIT 20;
\echo
\echo == hierarchy health (unionreg.validate_hierarchy): problems by kind
SELECT problem, count(*) FROM unionreg.validate_hierarchy(current_date) GROUP BY problem ORDER BY 2 DESC;
SELECT CASE WHEN count(*) = 0 THEN 'healthy: no problem found' ELSE count(*) || ' problems' END AS validate_hierarchy
  FROM unionreg.validate_hierarchy(current_date);
\echo
\echo == passport gaps (unionreg.passport_gaps): organizations missing a mandatory field, by level and field
SELECT level, field_label, count(*) AS organizations
  FROM unionreg.passport_gaps GROUP BY level, field_label ORDER BY level, 3 DESC;
\echo
\echo == chairman tab gaps by level (unionreg.chairman_gaps_by_level)
SELECT level, organizations, empty_chairman, empty_chairman_pct AS "empty_%", no_term, no_term_pct AS "no_term_%"
  FROM unionreg.chairman_gaps_by_level WHERE organizations > 0;
\echo
\echo == loading members through unionreg.stage_member and unionreg.load_members()
\copy unionreg.stage_member from '$DATA/stage_member.csv' csv header
SELECT * FROM unionreg.load_members();
\copy unionreg.stage_baseline from '$DATA/stage_baseline.csv' csv header
SELECT * FROM unionreg.load_baselines();
\echo
\echo == rejected member rows by reason (first words)
SELECT split_part(reason, ':', 1) AS reason, count(*) FROM unionreg.load_reject
 WHERE source = 'stage_member' GROUP BY 1 ORDER BY 2 DESC LIMIT 12;
\echo
\echo == members today by status (unknown is a gap to show)
SELECT coalesce(st.label_ru, 'не указана (unknown)') AS "категория", count(*) AS members,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "%"
  FROM unionreg.membership m
  LEFT JOIN unionreg.status_period s ON s.person_id = m.person_id AND s.valid_from <= current_date
       AND (s.valid_to IS NULL OR s.valid_to > current_date)
  LEFT JOIN unionreg.member_status st ON st.code = s.status
 WHERE m.joined_on <= current_date AND (m.left_on IS NULL OR m.left_on > current_date)
 GROUP BY st.label_ru, st.sort ORDER BY st.sort NULLS LAST;
\echo
\echo == e-cards by state
SELECT cs.label_ru AS "состояние", count(c.id) AS cards
  FROM unionreg.card_state cs LEFT JOIN unionreg.card c ON c.state = cs.code
 GROUP BY cs.label_ru, cs.sort ORDER BY cs.sort;
\echo
\echo == suspected duplicate persons (unionreg.duplicate_persons), a few
SELECT ext_id_a, name_a, ext_id_b, name_b, matched_by FROM unionreg.duplicate_persons LIMIT 5;
\echo
\echo == contacts to fix (unionreg.contact_problems)
SELECT who, problem, count(*) FROM unionreg.contact_problems GROUP BY 1, 2 ORDER BY 3 DESC;
\echo
\echo == scheduling through pg_cron (unionreg.schedule_snapshots): quarterly snapshot, nightly refresh, retention
CREATE EXTENSION pg_cron;
SELECT jobname, schedule AS "schedule (GMT)", command FROM unionreg.schedule_snapshots();
SELECT jobname, next_run FROM unionreg.scheduled_jobs;
\echo
\echo == snapshot as of the latest quarter date (unionreg.build_snapshot)
SELECT (date_trunc('quarter', current_date))::date AS quarter \gset
SELECT unionreg.build_snapshot(:'quarter') AS snapshot_id \gset
SELECT id, as_of, version, duration, organizations, members FROM unionreg.snapshot WHERE id = :snapshot_id;
SELECT org_ext_id AS territorial FROM unionreg.report_line
 WHERE snapshot_id = :snapshot_id AND form = '2SP' AND line_code = '6' ORDER BY value DESC, org_ext_id LIMIT 1 \gset
SELECT org_ext_id AS primary_org FROM unionreg.report_5sp s
  JOIN unionreg.org o ON o.ext_id = s.org_ext_id
  JOIN unionreg.org_link l ON l.org_id = o.id AND l.valid_to IS NULL
  JOIN unionreg.org t ON t.id = l.parent_id AND t.ext_id = :'territorial'
 WHERE s.snapshot_id = :snapshot_id ORDER BY s.l6 DESC, s.org_ext_id LIMIT 1 \gset
\echo
\echo == 2-СП of :territorial
SELECT line_code AS "строка", label AS "показатель", value AS "значение"
  FROM unionreg.report_line_all WHERE snapshot_id = :snapshot_id AND org_ext_id = :'territorial' ORDER BY sort;
\echo
\echo == 5-СП of :primary_org, one of its primaries
SELECT line_code AS "строка", label AS "показатель", value AS "значение"
  FROM unionreg.report_line_all WHERE snapshot_id = :snapshot_id AND org_ext_id = :'primary_org' ORDER BY sort;
\echo
\echo == control ratios broken (unionreg.control_violation)
SELECT form, rule, severity, count(*) FROM unionreg.control_violation WHERE snapshot_id = :snapshot_id
 GROUP BY 1, 2, 3 ORDER BY 4 DESC;
\echo
\echo == coverage of the register by region, with bands (unionreg.coverage_by_region), first 15
SELECT region_ext_id, region_name, baseline_members, register_members, coverage_pct, band
  FROM unionreg.coverage_by_region LIMIT 15;
SELECT band, count(*) AS regions FROM unionreg.coverage_by_region GROUP BY band ORDER BY min(coverage_pct) DESC;
\echo
\echo == e-cards by region (unionreg.cards_by_region), first 10 and the union
(SELECT * FROM unionreg.cards_by_region WHERE region_ext_id IS NOT NULL LIMIT 10)
UNION ALL (SELECT * FROM unionreg.cards_by_region WHERE region_ext_id IS NULL);
\echo
\echo == report completeness by level
SELECT o.level, count(*) AS organizations, count(*) FILTER (WHERE so.is_complete) AS complete,
       round(100.0 * count(*) FILTER (WHERE so.is_complete) / count(*), 1) AS "complete_%"
  FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id JOIN unionreg.level l ON l.code = o.level
 WHERE so.snapshot_id = :snapshot_id GROUP BY o.level, l.rank ORDER BY l.rank;
\echo
\echo == roles: a chairman mapped to :territorial sees its subtree only, with personal data masked
DO \$\$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'demo_chair') THEN
		CREATE ROLE demo_chair LOGIN IN ROLE unionreg_chair;
	END IF;
END \$\$;
SELECT unionreg.grant_scope('demo_chair', :'territorial');
SET SESSION AUTHORIZATION demo_chair;
SELECT count(*) AS organizations_seen, (SELECT count(*) FROM unionreg.persons) AS persons_seen FROM unionreg.org;
SELECT ext_id, surname, birth_date, snils, phone, org_ext_id, unmasked FROM unionreg.persons ORDER BY ext_id LIMIT 3;
SELECT count(*) AS lines_of_its_own_report FROM unionreg.report((SELECT org_ext_id FROM unionreg.my_scope LIMIT 1), '2SP', :'quarter');
DO \$\$ BEGIN
	PERFORM * FROM unionreg.report('R01', '1SP', current_date);
EXCEPTION WHEN insufficient_privilege THEN
	RAISE NOTICE 'another region''s report is refused: %', SQLERRM;
END \$\$;
RESET SESSION AUTHORIZATION;
SELECT table_name, operation, via, count(*) AS audit_entries FROM unionreg.audit_log GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 5;
SQL

echo
if [ "$KEEP" = "0" ]; then
	(cd / && pg_dropcluster 15 "$CLUSTER" --stop)
	rm -rf "$DATA"
	echo "== demo cluster and its generated files removed (KEEP=0)"
else
	echo "== the demo cluster is running. Connect with:"
	echo "     sudo -u postgres psql -p $PORT -d unionreg"
	echo "   a BI tool connects as a login granted unionreg_reader, e.g.:"
	echo "     CREATE ROLE bi LOGIN PASSWORD '...' IN ROLE unionreg_reader;   -- then host=localhost port=$PORT dbname=unionreg"
	echo "   stop and remove it with:"
	echo "     pg_dropcluster 15 $CLUSTER --stop; rm -rf $DATA      (or: make demo KEEP=0)"
fi
