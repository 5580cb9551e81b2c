-- ---------------------------------------------------------------------
-- The reader role: what BI tools and HQ analysts connect as.  It sees the
-- report and analytics views, built of aggregates and organization data, and
-- no table: persons, contacts, SNILS, chairmen's names stay out of reach.
-- Grants list views one by one, so a view added later is private until
-- someone decides it is fit for readers.  (The wide form views are granted
-- by refresh_form_views(), which makes them.)
-- ---------------------------------------------------------------------

GRANT USAGE ON SCHEMA unionreg TO unionreg_reader;

GRANT SELECT ON
	unionreg.report_line, unionreg.report_line_all, unionreg.control_violation, unionreg.report_gaps,
	unionreg.latest_snapshot, unionreg.current_snapshot,
	unionreg.coverage_by_region, unionreg.members_by_status, unionreg.cards_by_region,
	unionreg.online_admissions_by_region, unionreg.empty_primaries, unionreg.report_completeness_by_level,
	unionreg.passport_gaps, unionreg.chairman_gaps_by_level
TO unionreg_reader;

CREATE FUNCTION unionreg.reader_views()
RETURNS TABLE (view_name text, description text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.relname::text, obj_description(c.oid, 'pg_class')
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname = 'unionreg' AND c.relkind = 'v'
	   AND has_table_privilege('unionreg_reader', c.oid, 'SELECT')
	 ORDER BY 1
$$;
COMMENT ON FUNCTION unionreg.reader_views() IS 'The views the unionreg_reader role may read, with their descriptions';
