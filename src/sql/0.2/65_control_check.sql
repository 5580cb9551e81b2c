-- ---------------------------------------------------------------------
-- 0.2: control_violation checks each organization's tally against its
-- form's ratios in C (src/control_check.c).  The view before it (above,
-- 41_line_value.sql) made a row of every term of every ratio and grouped
-- them back: 1.2 million rows and 760,000 groups for one union-wide
-- snapshot, 3.6 s.  The function reads a form's ratios and lines once per
-- query, so a ratio or line edited shows in the next read, as before.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg._control_violations(t unionreg.tally, form text)
RETURNS TABLE (rule text, severity text, left_value numeric, right_value numeric)
AS 'MODULE_PATHNAME', 'control_violations'
LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION unionreg._control_violations(unionreg.tally, text) IS
	'internal: the control ratios of a form (unionreg.control_ratio) a tally breaks, with both sides; a side with no value breaks nothing';

CREATE OR REPLACE VIEW unionreg.control_violation AS
SELECT so.snapshot_id, o.ext_id AS org_ext_id, so.form, v.rule, v.severity, v.left_value, v.right_value
  FROM unionreg.snapshot_org so
  JOIN unionreg.latest_snapshot s ON s.id = so.snapshot_id
 CROSS JOIN LATERAL unionreg._control_violations(so.tally, so.form) v
  JOIN unionreg.org o ON o.id = so.org_id;
