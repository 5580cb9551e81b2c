-- ---------------------------------------------------------------------
-- 0.2: a report line's value in C (src/line_value.c), the same rule as
-- 0.1's SQL: every read of report_line, control_violation, the wide views
-- and report() evaluates it per organization and line (1.7 million lines
-- for one union-wide snapshot: 7.7 s in SQL).
-- ---------------------------------------------------------------------
CREATE OR REPLACE FUNCTION unionreg.line_value(t unionreg.tally, formula text, counters text[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'line_value'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.line_value(unionreg.tally, text, text[]) IS
	'The value of a report line from a tally: a counter, a sum of counters, or 100 * first / second (NULL when the second is 0)';

-- The control ratios' sides resolved against the line catalog once per
-- ratio, each term's value computed per organization, then summed in one
-- grouped pass over narrow rows (0.1 looked the right side's lines up per
-- organization and ratio: 10.7 s for one union-wide snapshot with the lines
-- already in C; grouping rows that still carried the tally spilled 350 MB
-- of sort to disk).
CREATE OR REPLACE VIEW unionreg.control_violation AS
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
