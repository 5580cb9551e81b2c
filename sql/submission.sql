-- Report adoption: submitting a report (its figures frozen with a hash),
-- approval or return by the level above, versions, drift against the
-- figures now, report() of the submitted figures, and the adoption counts
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
DROP ROLE IF EXISTS regress_sub_chair_p1;
DROP ROLE IF EXISTS regress_sub_chair_t1;
DROP ROLE IF EXISTS regress_sub_officer_r2;
DROP ROLE IF EXISTS regress_sub_reader;
CREATE ROLE regress_sub_chair_p1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_sub_chair_t1 LOGIN IN ROLE unionreg_chair;
CREATE ROLE regress_sub_officer_r2 LOGIN IN ROLE unionreg_officer;
CREATE ROLE regress_sub_reader LOGIN IN ROLE unionreg_reader;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

\i test/sql/reports_union.sql
SET client_min_messages = warning;
SELECT grant_scope('regress_sub_chair_p1', 'P1'), grant_scope('regress_sub_chair_t1', 'T1'),
	   grant_scope('regress_sub_officer_r2', 'R2');
-- P2 and P3 complete: a chairman with a term, base figures (T1, P1 and P4 stay incomplete)
INSERT INTO org_chairman (org_id, name, term_from, term_to)
SELECT id, 'Председатель ' || ext_id, '2024-01-01', '2029-01-01' FROM org WHERE ext_id IN ('P2', 'P3')
ON CONFLICT (org_id) DO UPDATE SET name = excluded.name, term_from = excluded.term_from, term_to = excluded.term_to;
UPDATE org SET short_name = name, region_code = 1 WHERE ext_id IN ('P2', 'P3');
SELECT build_snapshot('2026-04-01') > 0 AS built;

-- the chairman of P1 submits: incomplete without a reason is refused with the gaps
SET SESSION AUTHORIZATION regress_sub_chair_p1;
SELECT unionreg.submit_report('P1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.submit_report('P1', '5SP', '2026-04-01', 'председатель избран, срок вносится') > 0 AS submitted;
-- a second submission waits for the decision
SELECT unionreg.submit_report('P1', '5SP', '2026-04-01', 'ещё раз');
\echo :LAST_ERROR_SQLSTATE
-- nor may it approve its own report
SELECT unionreg.approve_report('P1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
-- another form, a date to come, another organization
SELECT unionreg.submit_report('P1', '2SP', '2026-04-01', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.submit_report('P1', '5SP', '2099-01-01', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.submit_report('P2', '4SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

-- the chairman of T1 (the level above) returns it with a reason; P1 submits again as version 2
SET SESSION AUTHORIZATION regress_sub_chair_t1;
SELECT unionreg.return_report('P1', '5SP', '2026-04-01', '');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.return_report('P1', '5SP', '2026-04-01', 'не указан срок полномочий председателя');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sub_chair_p1;
SELECT unionreg.submit_report('P1', '5SP', '2026-04-01', 'срок полномочий уточняется') > 0 AS resubmitted;
RESET SESSION AUTHORIZATION;
-- an officer of another region may not decide it
SET SESSION AUTHORIZATION regress_sub_officer_r2;
SELECT unionreg.approve_report('P1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS seen FROM unionreg.report_submissions;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sub_chair_t1;
SELECT unionreg.approve_report('P1', '5SP', '2026-04-01');
SELECT unionreg.approve_report('P1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT unionreg.submit_report('P2', '4SP', '2026-04-01') > 0 AS p2_submitted;
RESET SESSION AUTHORIZATION;

SELECT org_ext_id, form, as_of, version, state, is_complete, reason, submitted_by, decided_by, return_reason,
	   hash = _report_hash((SELECT tally FROM snapshot_org so JOIN org o ON o.id = so.org_id
							 WHERE o.ext_id = org_ext_id AND so.snapshot_id = (SELECT max(id) FROM snapshot)), form) AS hash_as_built,
	   lines_changed
  FROM report_submissions ORDER BY org_ext_id, version;

-- the figures move on after the submission: drift shows it, report() can
-- give either
SELECT admit_member('LATE1', 'P1', '2026-03-20', 'Поздняя', 'Анна') > 0 AS late_entry;
SELECT org_ext_id, version, state, lines_changed FROM report_submissions WHERE org_ext_id = 'P1' ORDER BY version;
SELECT c.line_code, c.value AS computed, s.value AS submitted
  FROM report('P1', '5SP', '2026-04-01') c JOIN report('P1', '5SP', '2026-04-01', p_submitted => true) s USING (line_code)
 WHERE c.value IS DISTINCT FROM s.value;
SELECT * FROM report('P3', '3SP', '2026-04-01', p_submitted => true);
\echo :LAST_ERROR_SQLSTATE

-- adoption on the snapshot's date: per level and region, and the union per level
SELECT * FROM report_adoption_at('2026-04-01');
SELECT count(*) = (SELECT count(*) FROM report_adoption_at('2026-04-01')) AS view_is_current FROM report_adoption;
SELECT * FROM report_adoption_at('2026-02-15');
\echo :LAST_ERROR_SQLSTATE
SET SESSION AUTHORIZATION regress_sub_reader;
SELECT level, region_ext_id, filers, submitted, approved FROM unionreg.report_adoption ORDER BY 1, 2;
SELECT count(*) FROM unionreg.report_submissions;
\echo :LAST_ERROR_SQLSTATE
RESET SESSION AUTHORIZATION;

SET client_min_messages = warning;
DROP EXTENSION unionreg CASCADE;
DROP ROLE regress_sub_chair_p1;
DROP ROLE regress_sub_chair_t1;
DROP ROLE regress_sub_officer_r2;
DROP ROLE regress_sub_reader;
