-- ---------------------------------------------------------------------
-- 0.2: the wide form views read one row per organization, each column a
-- line computed in C (_line_of, its formula read once per column and
-- query), instead of grouping report_line's row per line back into one
-- (max(value) FILTER per column: 1.4 s for report_5sp's 72,000 primaries).
-- The same rows and columns; a line's formula edited shows in the next
-- read, a line added or removed rebuilds the views, as before.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg._line_of(t unionreg.tally, form text, line_code text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'line_of'
LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION unionreg._line_of(unionreg.tally, text, text) IS
	'internal: the value of a form''s line (by code) from a tally, its formula read from unionreg.form_line once per call site and query; NULL for no such line';

CREATE OR REPLACE FUNCTION unionreg._build_form_views()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	f record;
	l record;
	v_cols text;
	v_view text;
BEGIN
	FOR f IN SELECT code, label_ru, label_en FROM unionreg.form ORDER BY sort LOOP
		v_view := 'report_' || lower(f.code);
		SELECT string_agg(format('unionreg._line_of(so.tally, so.form, %L) AS %I',
								 fl.line_code, 'l' || replace(fl.line_code, '.', '_')), E',\n\t\t' ORDER BY fl.sort)
		  INTO v_cols FROM unionreg.form_line fl WHERE fl.form = f.code;
		-- rebuild only when the columns change (a new label changes comments only);
		-- a view the extension script made is detached first, so it can go
		IF to_regclass('unionreg.' || v_view) IS NULL
		   OR pg_get_viewdef(to_regclass('unionreg.' || v_view)) NOT LIKE '%\_line\_of(%'
		   OR (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
				WHERE a.attrelid = to_regclass('unionreg.' || v_view) AND a.attnum > 6 AND NOT a.attisdropped)
			  IS DISTINCT FROM
			  (SELECT array_agg('l' || replace(fl.line_code, '.', '_') ORDER BY fl.sort)
				 FROM unionreg.form_line fl WHERE fl.form = f.code) THEN
			IF EXISTS (SELECT 1 FROM pg_depend d
						WHERE d.classid = 'pg_class'::regclass AND d.objid = to_regclass('unionreg.' || v_view)
						  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')
			   AND current_setting('unionreg.creating', true) IS DISTINCT FROM 'on' THEN
				EXECUTE format('ALTER EXTENSION unionreg DROP VIEW unionreg.%I', v_view);
			END IF;
			EXECUTE format('DROP VIEW IF EXISTS unionreg.%I', v_view);
			EXECUTE format($v$
			CREATE VIEW unionreg.%I AS
			SELECT so.snapshot_id, s.as_of, o.ext_id AS org_ext_id, o.name AS org_name, o.level,
				   r.ext_id AS region_ext_id%s
			  FROM unionreg.snapshot_org so
			  JOIN unionreg.latest_snapshot ls ON ls.id = so.snapshot_id
			  JOIN unionreg.snapshot s ON s.id = so.snapshot_id
			  JOIN unionreg.org o ON o.id = so.org_id
			  LEFT JOIN unionreg.org r ON r.id = so.region_id
			 WHERE so.form = %L
			   AND EXISTS (SELECT 1 FROM unionreg.form_line fl WHERE fl.form = so.form)$v$,
			v_view, CASE WHEN v_cols IS NULL THEN '' ELSE E',\n\t\t' || v_cols END, f.code);
		END IF;
		-- a view made anew has lost its grants: the reader keeps seeing every form
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unionreg_reader') THEN
			EXECUTE format('GRANT SELECT ON unionreg.%I TO unionreg_reader', v_view);
		END IF;
		EXECUTE format('COMMENT ON VIEW unionreg.%I IS %L', v_view,
					   format('%s / %s: one row per organization and snapshot (latest version of each date), one column per line', f.label_en, f.label_ru));
		PERFORM unionreg._comment_report_keys(v_view);
		FOR l IN SELECT fl.line_code, fl.label_ru, fl.label_en FROM unionreg.form_line fl WHERE fl.form = f.code LOOP
			EXECUTE format('COMMENT ON COLUMN unionreg.%I.%I IS %L', v_view, 'l' || replace(l.line_code, '.', '_'),
						   format('%s %s / %s', l.line_code, l.label_en, l.label_ru));
		END LOOP;
	END LOOP;
END
$$;

-- the views made anew in the new formulation (members of the extension, as
-- this script makes them)
SELECT set_config('unionreg.creating', 'on', true);
SELECT unionreg._build_form_views();
SELECT set_config('unionreg.creating', '', true);
