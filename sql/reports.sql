-- Reports: tallies rolled up through the hierarchy as of D, forms as data,
-- snapshots, their versions and drift, the wide views and control ratios
-- (the analytics: sql/reports_analytics.sql; the engine's C against its SQL
-- oracle: sql/reports_engine.sql)
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

\i test/sql/reports_union.sql

-- on demand, no snapshot: a primary's 5-СП as of 1 April
SELECT * FROM report('P1', '5SP', '2026-04-01');
-- the territorial 2-СП: on 1 January P4 is still under T1, on 1 April it is not
SELECT line_code, label, j.value AS on_jan_1, a.value AS on_apr_1
  FROM report('T1', '2SP', '2026-01-01') j JOIN report('T1', '2SP', '2026-04-01') a USING (line_code, label)
 WHERE line_code IN ('1', '2', '4', '6', '6.2', '7', '7.2', '8', '8.1', '8.2', '10', '11', '12', '12.1', '13', '13.1', '13.4', '14', '15', '17');

-- snapshots: every organization live on D that fills a form; the same numbers as on demand
-- (the build's progress NOTICEs carry timings: the outcome is shown by queries instead)
SET client_min_messages = warning;
SELECT build_snapshot('2026-04-01') AS sid \gset
SELECT form, count(*) FROM snapshot_org WHERE snapshot_id = :sid GROUP BY form ORDER BY form;
SELECT count(*) AS differ FROM report('T1', '2SP', '2026-04-01') r
  JOIN report_line v ON v.org_ext_id = 'T1' AND v.line_code = r.line_code AND v.snapshot_id = :sid
 WHERE r.value IS DISTINCT FROM v.value;
SELECT org_ext_id, level, region_ext_id, l2, l4, l6, l6_1, l6_2, l7, l7_2, l8, l8_2, l13, l14, l15, l17
  FROM report_1sp ORDER BY org_ext_id;
SELECT org_ext_id, l1, l2, l2_1, l2_2, l6, l9, l10, l11, l11_1, l11_2, l12 FROM report_5sp ORDER BY org_ext_id;
SELECT org_ext_id, l3, l4, l4_1, l9_1 FROM report_4sp;
-- the wide views (a column per line in C) hold report_line's values, and
-- a formula edited shows in the next read without the views made anew
CREATE TEMP VIEW wide_vs_lines AS
SELECT '5SP' AS form, count(*) AS line_values,
	   count(*) FILTER (WHERE w.org_ext_id IS NULL
						OR (to_jsonb(w) ->> ('l' || replace(rl.line_code, '.', '_')))::numeric IS DISTINCT FROM rl.value) AS differ,
	   (SELECT count(*) FROM report_5sp) AS view_rows
  FROM report_line rl LEFT JOIN report_5sp w ON w.snapshot_id = rl.snapshot_id AND w.org_ext_id = rl.org_ext_id
 WHERE rl.form = '5SP'
UNION ALL
SELECT '4SP' AS form, count(*) AS line_values,
	   count(*) FILTER (WHERE w.org_ext_id IS NULL
						OR (to_jsonb(w) ->> ('l' || replace(rl.line_code, '.', '_')))::numeric IS DISTINCT FROM rl.value) AS differ,
	   (SELECT count(*) FROM report_4sp) AS view_rows
  FROM report_line rl LEFT JOIN report_4sp w ON w.snapshot_id = rl.snapshot_id AND w.org_ext_id = rl.org_ext_id
 WHERE rl.form = '4SP'
UNION ALL
SELECT '3SP' AS form, count(*) AS line_values,
	   count(*) FILTER (WHERE w.org_ext_id IS NULL
						OR (to_jsonb(w) ->> ('l' || replace(rl.line_code, '.', '_')))::numeric IS DISTINCT FROM rl.value) AS differ,
	   (SELECT count(*) FROM report_3sp) AS view_rows
  FROM report_line rl LEFT JOIN report_3sp w ON w.snapshot_id = rl.snapshot_id AND w.org_ext_id = rl.org_ext_id
 WHERE rl.form = '3SP'
UNION ALL
SELECT '2SP' AS form, count(*) AS line_values,
	   count(*) FILTER (WHERE w.org_ext_id IS NULL
						OR (to_jsonb(w) ->> ('l' || replace(rl.line_code, '.', '_')))::numeric IS DISTINCT FROM rl.value) AS differ,
	   (SELECT count(*) FROM report_2sp) AS view_rows
  FROM report_line rl LEFT JOIN report_2sp w ON w.snapshot_id = rl.snapshot_id AND w.org_ext_id = rl.org_ext_id
 WHERE rl.form = '2SP'
UNION ALL
SELECT '1SP' AS form, count(*) AS line_values,
	   count(*) FILTER (WHERE w.org_ext_id IS NULL
						OR (to_jsonb(w) ->> ('l' || replace(rl.line_code, '.', '_')))::numeric IS DISTINCT FROM rl.value) AS differ,
	   (SELECT count(*) FROM report_1sp) AS view_rows
  FROM report_line rl LEFT JOIN report_1sp w ON w.snapshot_id = rl.snapshot_id AND w.org_ext_id = rl.org_ext_id
 WHERE rl.form = '1SP';
SELECT * FROM wide_vs_lines;
BEGIN;
UPDATE form_line SET formula = 'sum', counters = '{working, students}' WHERE form = '5SP' AND line_code = '2';
UPDATE form_line SET formula = 'percent', counters = '{working, members}' WHERE form = '1SP' AND line_code = '6';
SELECT * FROM wide_vs_lines;
SELECT org_ext_id, l2 FROM report_5sp ORDER BY org_ext_id;
ROLLBACK;
-- (a view of the user's on a wide view would stop a new line from making it anew)
DROP VIEW wide_vs_lines;
-- one call site asked for every form's lines in turn (as a qual run before a
-- view's form filter asks): the same values as line_value; none for a line
-- or form that does not exist
SELECT count(*) AS pairs,
	   count(*) FILTER (WHERE _line_of(so.tally, l.form, l.line_code)
								IS DISTINCT FROM line_value(so.tally, l.formula, l.counters)) AS differ,
	   count(*) FILTER (WHERE _line_of(so.tally, 'NO', l.line_code) IS NOT NULL
						   OR _line_of(so.tally, l.form, '99.9') IS NOT NULL) AS phantom
  FROM snapshot_org so CROSS JOIN form_line l;
SELECT count(*) = (SELECT count(*) FROM report_5sp) AS filtered_whole_rows FROM (SELECT * FROM report_5sp) x WHERE x IS NOT NULL OR true;
-- a student in a workers' school breaks 6 = 2 + 5 + 6.1 on 5-СП (data to fix), coverage > 100% would warn
SELECT org_ext_id, form, rule, severity, left_value, right_value FROM control_violation ORDER BY org_ext_id, rule;
-- the ratios checked in C (_control_violations) against the view that
-- grouped a row per term, on every way a ratio can be written: each
-- operator, a percent on the left, #constants (decimal too), -terms, a
-- term naming no line, a NULL term, no term at all
CREATE TEMP VIEW control_violation_rows AS
WITH ratio AS (
	SELECT cr.form, cr.rule, cr.severity, cr.op, l.formula, l.counters,
		   t.term, rl.formula AS term_formula, rl.counters AS term_counters
	  FROM unionreg.control_ratio cr
	  JOIN unionreg.form_line l ON l.form = cr.form AND l.line_code = cr.left_line
	 CROSS JOIN LATERAL unnest(cr.right_terms) t(term)
	  LEFT JOIN unionreg.form_line rl ON rl.form = cr.form AND rl.line_code = ltrim(t.term, '-')),
term AS (
	SELECT so.snapshot_id, so.org_id, so.form, r.rule, r.severity, r.op,
		   unionreg.line_value(so.tally, r.formula, r.counters) AS left_value,
		   CASE WHEN r.term LIKE '#%' THEN substr(r.term, 2)::numeric
				WHEN r.term LIKE '-%' THEN -unionreg.line_value(so.tally, r.term_formula, r.term_counters)
				ELSE unionreg.line_value(so.tally, r.term_formula, r.term_counters) END AS term_value
	  FROM unionreg.snapshot_org so
	  JOIN unionreg.latest_snapshot s ON s.id = so.snapshot_id
	  JOIN ratio r ON r.form = so.form),
side AS (
	SELECT t.snapshot_id, t.org_id, t.form, t.rule, t.severity, t.op,
		   max(t.left_value) AS left_value, sum(t.term_value) AS right_value
	  FROM term t
	 GROUP BY t.snapshot_id, t.org_id, t.form, t.rule, t.severity, t.op)
SELECT x.snapshot_id, o.ext_id AS org_ext_id, x.form, x.rule, x.severity, x.left_value, x.right_value
  FROM side x
  JOIN unionreg.org o ON o.id = x.org_id
 WHERE x.left_value IS NOT NULL AND x.right_value IS NOT NULL
   AND NOT CASE x.op WHEN '<=' THEN x.left_value <= x.right_value
					 WHEN '=' THEN x.left_value = x.right_value
					 WHEN '>=' THEN x.left_value >= x.right_value
					 WHEN '<' THEN x.left_value < x.right_value
					 WHEN '>' THEN x.left_value > x.right_value END;
BEGIN;
INSERT INTO control_ratio (form, rule, left_line, op, right_terms, severity)
SELECT f.form, r.rule, r.left_line, r.op, r.terms, 'warning'
  FROM (SELECT DISTINCT form FROM form_line) f
 CROSS JOIN (VALUES ('t: 6 < 2', '6', '<', ARRAY['2']), ('t: 6 > 2 - 2', '6', '>', ARRAY['2', '-2']),
					('t: 2 >= #0.5 + 2', '2', '>=', ARRAY['#0.5', '2']), ('t: 9 = #33.33', '9', '=', ARRAY['#33.33']),
					('t: 2 <= 99 (no line)', '2', '<=', ARRAY['99']), ('t: 2 <= -99 + #-1', '2', '<=', ARRAY['-99', '#-1']),
					('t: 2 = NULL + 2', '2', '=', ARRAY[NULL, '2']), ('t: 2 < nothing', '2', '<', ARRAY[]::text[]),
					('t: 2 <= --2', '2', '<=', ARRAY['--2']), ('t: 9 >= #0', '9', '>=', ARRAY['#0'])) r(rule, left_line, op, terms)
 WHERE EXISTS (SELECT 1 FROM form_line l WHERE l.form = f.form AND l.line_code = r.left_line);
SELECT count(*) AS violations, count(DISTINCT rule) AS rules_broken FROM control_violation;
SELECT count(*) AS differ FROM (
	(SELECT * FROM control_violation EXCEPT ALL SELECT * FROM control_violation_rows)
	UNION ALL
	(SELECT * FROM control_violation_rows EXCEPT ALL SELECT * FROM control_violation)) d;
SELECT rule, count(*) FROM control_violation WHERE rule LIKE 't:%' GROUP BY rule ORDER BY rule;
-- a constant that is no number: 22P02, as the cast in the view
SAVEPOINT s;
UPDATE control_ratio SET right_terms = ARRAY['#x'] WHERE rule = 't: 9 = #33.33';
SELECT count(*) FROM control_violation;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
ROLLBACK;
SELECT org_ext_id, gap, gap_label FROM report_gaps ORDER BY org_ext_id, gap;

-- the same date again: a new version, which the views show
SELECT build_snapshot('2026-04-01') - :sid AS next_id;
SELECT as_of, version FROM snapshot ORDER BY id;
SELECT DISTINCT snapshot_id - :sid AS shown FROM report_line;
-- a back-dated correction: the frozen snapshot keeps its numbers, drift shows the change
SELECT admit_member('M11', 'P1', '2026-03-15', 'Поздняя', 'Запись', NULL, '1990-01-01', 'f') > 0 AS late_entry;
SELECT org_ext_id, form, line_code, frozen, now FROM snapshot_drift(:sid)
 WHERE org_ext_id IN ('P1', 'T1') AND line_code IN ('6', '6.1', '7') ORDER BY 1, 3;

-- forms are data: a new label and a new line show up without a release
UPDATE form_line SET label_ru = 'Работающие члены Профсоюза (всего)' WHERE form = '5SP' AND line_code = '2';
INSERT INTO form_line (form, line_code, sort, label_ru, label_en, formula, counters)
VALUES ('5SP', '2.6', 26, 'из них со статусом «работающий» и билетом', 'working with a card', 'sum', ARRAY['working', 'cards_issued']);
SELECT line_code, label FROM report_line WHERE org_ext_id = 'P1' AND line_code IN ('2', '2.6') ORDER BY line_code;
SELECT org_ext_id, l2_6 FROM report_5sp WHERE org_ext_id = 'P1';
INSERT INTO form_line (form, line_code, sort, label_ru, label_en, formula, counters)
VALUES ('5SP', '2.7', 27, 'ошибка', 'bad', 'counter', ARRAY['teachers']);
\echo :LAST_ERROR_SQLSTATE

-- report_line orders lines as the form does (sort), not as text (line_code)
SELECT string_agg(line_code, ' ' ORDER BY sort) AS by_sort, string_agg(line_code, ' ' ORDER BY line_code) AS as_text
  FROM report_line WHERE org_ext_id = 'P1' AND as_of = '2026-04-01';

-- bad requests
SELECT * FROM report('P1', '6SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM report('NOPE', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
-- a form the organization does not file on D (a 5-СП of a territorial, a
-- 2-СП of a school) is refused, naming the form it files
SELECT * FROM report('T1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM report('P1', '2SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM report('P5', '5SP', '2026-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM report('S1', '5SP', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT build_snapshot('infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM snapshot_drift(999);
\echo :LAST_ERROR_SQLSTATE

