-- ---------------------------------------------------------------------
-- Register analytics the union reads (its 2021 report is made of them):
-- views over the latest snapshot, or live data where "now" is meant.
-- ---------------------------------------------------------------------

CREATE VIEW unionreg.current_snapshot AS
SELECT s.id, s.as_of FROM unionreg.snapshot s ORDER BY s.as_of DESC, s.version DESC LIMIT 1;
COMMENT ON VIEW unionreg.current_snapshot IS 'The snapshot the analytics read: the latest version of the latest date';
COMMENT ON COLUMN unionreg.current_snapshot.id IS 'snapshot id';
COMMENT ON COLUMN unionreg.current_snapshot.as_of IS 'its reporting date';

-- The snapshot the analytics of a date read: the latest version of that
-- date.  A date with no snapshot is refused, naming the built dates near it
-- (an analytics function never builds one behind the caller's back); no date
-- (a view over an empty register) is no snapshot and no rows.
CREATE FUNCTION unionreg._snapshot_of(p_as_of date) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_as_of IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM unionreg._check_date(p_as_of, 'date');
	SELECT ls.id INTO v_id FROM unionreg.latest_snapshot ls WHERE ls.as_of = p_as_of;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'there is no snapshot of %', p_as_of
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The analytics of a date read the snapshot built for it.',
				  HINT = format('Ask for a built date (%s), or ask the register administrator to build one: unionreg.build_snapshot(%L).',
								unionreg._snapshot_dates_near(p_as_of), p_as_of);
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._snapshot_of(date) IS
	'internal: the latest snapshot version of a date, 55000 naming the nearest built dates when there is none; NULL for a NULL date';

-- The regional organizations of a date's snapshot, and the union as a whole
-- (region NULL, from the central organization): what the per-region
-- analytics read.
CREATE FUNCTION unionreg._region_tally_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, tally unionreg.tally, as_of date, is_union boolean,
			   org_id bigint, org_ext_id text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(p_as_of);
BEGIN
	RETURN QUERY
	SELECT CASE WHEN o.level = 'central' THEN NULL ELSE o.ext_id END,
		   CASE WHEN o.level = 'central' THEN 'весь Профсоюз' ELSE o.name END,
		   so.tally, p_as_of, o.level = 'central', o.id, o.ext_id
	  FROM unionreg.snapshot_org so
	  JOIN unionreg.org o ON o.id = so.org_id AND o.level IN ('regional', 'central')
	 WHERE so.snapshot_id = v_id;
END
$$;
COMMENT ON FUNCTION unionreg._region_tally_at(date) IS
	'internal: consolidated tallies of the regions and of the whole union (region NULL) in the snapshot of a date';

CREATE FUNCTION unionreg.coverage_band(pct numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN pct IS NULL THEN NULL
				WHEN pct >= 100 THEN '>=100' WHEN pct > 90 THEN '>90' WHEN pct > 70 THEN '>70'
				WHEN pct > 50 THEN '>50' WHEN pct > 40 THEN '>40' WHEN pct > 20 THEN '>20' ELSE '<20' END
$$;
COMMENT ON FUNCTION unionreg.coverage_band(numeric) IS 'The band the union reads coverage in: >=100, >90, >70, >50, >40, >20, <20';

CREATE FUNCTION unionreg.coverage_by_region_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, baseline_as_of date, baseline_members bigint,
			   register_members bigint, coverage_pct numeric, band text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT rt.region_ext_id, rt.region_name, rt.as_of, b.as_of, b.members::bigint,
		   unionreg.tally_get(rt.tally, 'members'), c.pct, unionreg.coverage_band(c.pct)
	  FROM unionreg._region_tally_at($1) rt
	  LEFT JOIN LATERAL (SELECT pb.as_of, pb.members FROM unionreg.paper_baseline pb
						  WHERE pb.org_id = rt.org_id AND pb.as_of <= rt.as_of ORDER BY pb.as_of DESC LIMIT 1) b ON true
	  CROSS JOIN LATERAL (SELECT unionreg.share_pct(unionreg.tally_get(rt.tally, 'members'), b.members) AS pct) c
	 WHERE NOT rt.is_union
	 ORDER BY rt.org_ext_id
$$;
COMMENT ON FUNCTION unionreg.coverage_by_region_at(date) IS
	'coverage_by_region as of a date: members on record in that date''s snapshot / members in the latest paper report on or before it, with the band; 55000 for a date with no snapshot';

CREATE VIEW unionreg.coverage_by_region AS
SELECT c.region_ext_id, c.region_name, c.baseline_as_of, c.baseline_members, c.register_members, c.coverage_pct, c.band
  FROM unionreg.coverage_by_region_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) c;
COMMENT ON VIEW unionreg.coverage_by_region IS 'Coverage of the register by region: members on record in the current snapshot / members in the latest paper report, with the band';
COMMENT ON COLUMN unionreg.coverage_by_region.region_ext_id IS 'regional organization';
COMMENT ON COLUMN unionreg.coverage_by_region.region_name IS 'its name';
COMMENT ON COLUMN unionreg.coverage_by_region.baseline_as_of IS 'date of the paper figures used';
COMMENT ON COLUMN unionreg.coverage_by_region.baseline_members IS 'members in the paper report';
COMMENT ON COLUMN unionreg.coverage_by_region.register_members IS 'members on record in the register (line 6)';
COMMENT ON COLUMN unionreg.coverage_by_region.coverage_pct IS 'register / paper, %, 2 decimals';
COMMENT ON COLUMN unionreg.coverage_by_region.band IS '>=100, >90, >70, >50, >40, >20 or <20';

-- Table 1 of the union's report: organizations in the register against
-- the paper count, per region (the latest paper counts on or before D).
CREATE FUNCTION unionreg.org_coverage_by_region_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, baseline_as_of date,
			   baseline_primaries bigint, register_primaries bigint, primaries_pct numeric,
			   baseline_territorials bigint, register_territorials bigint, territorials_pct numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(p_as_of);
BEGIN
	RETURN QUERY
	SELECT rt.region_ext_id, rt.region_name, rt.as_of, b.as_of, b.primaries::bigint,
		   unionreg.tally_get(rt.tally, 'primaries'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'primaries'), b.primaries),
		   b.territorials::bigint, t.n,
		   unionreg.share_pct(t.n, b.territorials)
	  FROM unionreg._region_tally_at(p_as_of) rt
	  LEFT JOIN LATERAL (SELECT pb.as_of, pb.primaries, pb.territorials FROM unionreg.paper_baseline pb
						  WHERE pb.org_id = rt.org_id AND pb.as_of <= rt.as_of
							AND (pb.primaries IS NOT NULL OR pb.territorials IS NOT NULL)
						  ORDER BY pb.as_of DESC LIMIT 1) b ON true
	  -- the territorials of the region that file their report on D
	  CROSS JOIN LATERAL (SELECT count(*) AS n FROM unionreg.snapshot_org so JOIN unionreg.org o ON o.id = so.org_id
						   WHERE so.snapshot_id = v_id AND so.region_id = rt.org_id AND o.level = 'territorial') t
	 WHERE NOT rt.is_union
	 ORDER BY rt.org_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.org_coverage_by_region_at(date) IS
	'org_coverage_by_region as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.org_coverage_by_region AS
SELECT c.region_ext_id, c.region_name, c.baseline_as_of, c.baseline_primaries, c.register_primaries, c.primaries_pct,
	   c.baseline_territorials, c.register_territorials, c.territorials_pct
  FROM unionreg.org_coverage_by_region_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) c;
COMMENT ON VIEW unionreg.org_coverage_by_region IS
	'Organizations in the register against the paper count per region (Table 1 of the union''s report): primaries and territorials live in the current snapshot against the latest paper counts (stage_baseline''s primaries, territorials)';
COMMENT ON COLUMN unionreg.org_coverage_by_region.region_ext_id IS 'regional organization';
COMMENT ON COLUMN unionreg.org_coverage_by_region.region_name IS 'its name';
COMMENT ON COLUMN unionreg.org_coverage_by_region.baseline_as_of IS 'date of the paper counts used';
COMMENT ON COLUMN unionreg.org_coverage_by_region.baseline_primaries IS 'primary organizations on paper';
COMMENT ON COLUMN unionreg.org_coverage_by_region.register_primaries IS 'primary organizations in the register';
COMMENT ON COLUMN unionreg.org_coverage_by_region.primaries_pct IS 'register / paper, %';
COMMENT ON COLUMN unionreg.org_coverage_by_region.baseline_territorials IS 'territorial organizations on paper';
COMMENT ON COLUMN unionreg.org_coverage_by_region.register_territorials IS 'territorial organizations in the register';
COMMENT ON COLUMN unionreg.org_coverage_by_region.territorials_pct IS 'register / paper, %';

CREATE FUNCTION unionreg.members_by_status_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, members bigint, working bigint, students bigint,
			   pensioners bigint, unknown bigint, working_pct numeric, students_pct numeric, pensioners_pct numeric,
			   unknown_pct numeric, baseline_working bigint, baseline_students bigint, baseline_pensioners bigint,
			   working_register_pct numeric, students_register_pct numeric, pensioners_register_pct numeric)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	WITH rt AS (SELECT * FROM unionreg._region_tally_at($1)),
	-- each region's latest paper figures on or before D; the union's are the regions' sum
	base AS (
		SELECT rt.org_id, b.working, b.students, b.pensioners
		  FROM rt
		  CROSS JOIN LATERAL (SELECT pb.working, pb.students, pb.pensioners FROM unionreg.paper_baseline pb
							   WHERE pb.org_id = rt.org_id AND pb.as_of <= rt.as_of
								 AND num_nonnulls(pb.working, pb.students, pb.pensioners) > 0
							   ORDER BY pb.as_of DESC LIMIT 1) b
		 WHERE NOT rt.is_union),
	union_base AS (
		SELECT sum(b.working)::bigint AS working, sum(b.students)::bigint AS students, sum(b.pensioners)::bigint AS pensioners
		  FROM base b)
	SELECT rt.region_ext_id, rt.region_name, rt.as_of,
		   unionreg.tally_get(rt.tally, 'members'),
		   unionreg.tally_get(rt.tally, 'working'),
		   unionreg.tally_get(rt.tally, 'students'),
		   unionreg.tally_get(rt.tally, 'pensioners'),
		   unionreg.tally_get(rt.tally, 'status_unknown'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'working'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'students'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'pensioners'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'status_unknown'), unionreg.tally_get(rt.tally, 'members')),
		   bw.working, bw.students, bw.pensioners,
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'working'), bw.working),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'students'), bw.students),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'pensioners'), bw.pensioners)
	  FROM rt
	  LEFT JOIN LATERAL (
			SELECT b.working::bigint AS working, b.students::bigint AS students, b.pensioners::bigint AS pensioners
			  FROM base b WHERE b.org_id = rt.org_id AND NOT rt.is_union
			UNION ALL
			SELECT u.working, u.students, u.pensioners FROM union_base u WHERE rt.is_union) bw ON true
	 ORDER BY rt.is_union, rt.org_ext_id
$$;
COMMENT ON FUNCTION unionreg.members_by_status_at(date) IS
	'members_by_status as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.members_by_status AS
SELECT m.region_ext_id, m.region_name, m.members, m.working, m.students, m.pensioners, m.unknown,
	   m.working_pct, m.students_pct, m.pensioners_pct, m.unknown_pct,
	   m.baseline_working, m.baseline_students, m.baseline_pensioners,
	   m.working_register_pct, m.students_register_pct, m.pensioners_register_pct
  FROM unionreg.members_by_status_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) m;
COMMENT ON VIEW unionreg.members_by_status IS 'Members on record by status per region and for the whole union (region NULL), with shares; unknown status shown, not hidden';
COMMENT ON COLUMN unionreg.members_by_status.region_ext_id IS 'regional organization; NULL = the whole union';
COMMENT ON COLUMN unionreg.members_by_status.region_name IS 'its name';
COMMENT ON COLUMN unionreg.members_by_status.members IS 'members on record';
COMMENT ON COLUMN unionreg.members_by_status.working IS 'working (работающие)';
COMMENT ON COLUMN unionreg.members_by_status.students IS 'students (обучающиеся)';
COMMENT ON COLUMN unionreg.members_by_status.pensioners IS 'non-working pensioners';
COMMENT ON COLUMN unionreg.members_by_status.unknown IS 'status unknown';
COMMENT ON COLUMN unionreg.members_by_status.working_pct IS 'working, % of members';
COMMENT ON COLUMN unionreg.members_by_status.students_pct IS 'students, % of members';
COMMENT ON COLUMN unionreg.members_by_status.pensioners_pct IS 'pensioners, % of members';
COMMENT ON COLUMN unionreg.members_by_status.unknown_pct IS 'unknown, % of members';
COMMENT ON COLUMN unionreg.members_by_status.baseline_working IS 'working members on paper (the latest paper report on or before the date; the union: the regions'' sum)';
COMMENT ON COLUMN unionreg.members_by_status.baseline_students IS 'student members on paper';
COMMENT ON COLUMN unionreg.members_by_status.baseline_pensioners IS 'non-working pensioners on paper';
COMMENT ON COLUMN unionreg.members_by_status.working_register_pct IS 'working members on record, % of the paper figure';
COMMENT ON COLUMN unionreg.members_by_status.students_register_pct IS 'students on record, % of the paper figure';
COMMENT ON COLUMN unionreg.members_by_status.pensioners_register_pct IS 'pensioners on record, % of the paper figure';

CREATE FUNCTION unionreg.cards_by_region_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, members bigint, cards_issued bigint,
			   cards_issued_pct numeric, virtual_cards bigint, delivered_to_region bigint, refused bigint,
			   refused_no_virtual bigint, cards_made bigint, cards_made_pct numeric, all_have_cards boolean,
			   requested_in_period bigint, virtual_cards_pct numeric, delivered_to_region_pct numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT rt.region_ext_id, rt.region_name, rt.as_of,
		   unionreg.tally_get(rt.tally, 'members'),
		   unionreg.tally_get(rt.tally, 'cards_issued'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'cards_issued'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.tally_get(rt.tally, 'virtual_cards'),
		   unionreg.tally_get(rt.tally, 'cards_delivered'),
		   unionreg.tally_get(rt.tally, 'cards_refused'),
		   unionreg.tally_get(rt.tally, 'cards_refused_no_virtual'),
		   unionreg.tally_get(rt.tally, 'cards_made'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'cards_made'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.tally_get(rt.tally, 'members') > 0
			   AND unionreg.tally_get(rt.tally, 'cards_made') >= unionreg.tally_get(rt.tally, 'members'),
		   unionreg.tally_get(rt.tally, 'cards_requested_in_period'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'virtual_cards'), unionreg.tally_get(rt.tally, 'members')),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'cards_delivered'), unionreg.tally_get(rt.tally, 'members'))
	  FROM unionreg._region_tally_at(p_as_of) rt
	 ORDER BY rt.is_union, rt.org_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.cards_by_region_at(date) IS
	'cards_by_region as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.cards_by_region AS
SELECT c.region_ext_id, c.region_name, c.members, c.cards_issued, c.cards_issued_pct, c.virtual_cards,
	   c.delivered_to_region, c.refused, c.refused_no_virtual, c.cards_made, c.cards_made_pct, c.all_have_cards,
	   c.requested_in_period, c.virtual_cards_pct, c.delivered_to_region_pct
  FROM unionreg.cards_by_region_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) c;
COMMENT ON VIEW unionreg.cards_by_region IS 'E-cards per region and union-wide: plastic cards issued and their share of members, virtual cards, cards stuck in delivered_to_region, refusals, refusals with no virtual card';
COMMENT ON COLUMN unionreg.cards_by_region.region_ext_id IS 'regional organization; NULL = the whole union';
COMMENT ON COLUMN unionreg.cards_by_region.region_name IS 'its name';
COMMENT ON COLUMN unionreg.cards_by_region.members IS 'members on record';
COMMENT ON COLUMN unionreg.cards_by_region.cards_issued IS 'plastic cards issued (Выдан)';
COMMENT ON COLUMN unionreg.cards_by_region.cards_issued_pct IS 'issued cards, % of members';
COMMENT ON COLUMN unionreg.cards_by_region.virtual_cards IS 'members with a virtual card in the app';
COMMENT ON COLUMN unionreg.cards_by_region.delivered_to_region IS 'cards waiting in the region (Доставлен в регион)';
COMMENT ON COLUMN unionreg.cards_by_region.refused IS 'refused cards (Отказ)';
COMMENT ON COLUMN unionreg.cards_by_region.refused_no_virtual IS 'refusals whose holder has no virtual card either';
COMMENT ON COLUMN unionreg.cards_by_region.cards_made IS 'members whose card is made on the date: produced, delivered to the region or issued (Table 4)';
COMMENT ON COLUMN unionreg.cards_by_region.cards_made_pct IS 'cards made, % of members';
COMMENT ON COLUMN unionreg.cards_by_region.all_have_cards IS 'every member on record has a card made';
COMMENT ON COLUMN unionreg.cards_by_region.requested_in_period IS 'members on the date whose card entered requested in the reporting period (P, D]';
COMMENT ON COLUMN unionreg.cards_by_region.virtual_cards_pct IS 'virtual cards, % of members';
COMMENT ON COLUMN unionreg.cards_by_region.delivered_to_region_pct IS 'cards waiting in the region, % of members';

-- ---------------------------------------------------------------------
-- online_admissions_by_region walks the hierarchy once per primary, not
-- once per admission (hundreds of thousands of walks at union scale): each
-- primary with an online admission climbs once, carrying the interval of
-- days its links hold ([lo, hi), narrowed at every step, so a move splits
-- it), and every admission takes the region of the interval its day falls
-- in (tested against the walk per admission).  The counts are grouped by
-- region key before the names are looked up.
-- ---------------------------------------------------------------------
CREATE VIEW unionreg.online_admissions_by_region AS
WITH RECURSIVE online AS MATERIALIZED (
	SELECT m.org_id, m.joined_on FROM unionreg.membership m WHERE m.admitted_online),
up (org_id, id, level, lo, hi, depth) AS (
	SELECT o.org_id, o.org_id, x.level, '-infinity'::date, 'infinity'::date, 0
	  FROM (SELECT DISTINCT org_id FROM online) o JOIN unionreg.org x ON x.id = o.org_id
	UNION ALL
	SELECT u.org_id, l.parent_id, p.level, greatest(u.lo, l.valid_from), least(u.hi, coalesce(l.valid_to, 'infinity'::date)),
		   u.depth + 1
	  FROM up u
	  JOIN unionreg.org_link l ON l.org_id = u.id AND l.valid_from < u.hi AND coalesce(l.valid_to, 'infinity'::date) > u.lo
	  JOIN unionreg.org p ON p.id = l.parent_id
	 WHERE u.depth < 16 AND u.level <> 'regional'),
region AS (
	SELECT DISTINCT ON (u.org_id, u.lo) u.org_id, u.id AS region_id, u.lo, u.hi
	  FROM up u WHERE u.level = 'regional' ORDER BY u.org_id, u.lo, u.depth)
SELECT r.ext_id AS region_ext_id, r.name AS region_name, c.year, c.online_admissions
  FROM (SELECT g.region_id, extract(year FROM m.joined_on)::integer AS year, count(*) AS online_admissions
		  FROM online m
		  JOIN region g ON g.org_id = m.org_id AND m.joined_on >= g.lo AND m.joined_on < g.hi
		 GROUP BY 1, 2) c
  JOIN unionreg.org r ON r.id = c.region_id
 ORDER BY 1, 3;
COMMENT ON VIEW unionreg.online_admissions_by_region IS 'Admissions through the online service per region (as the hierarchy stood on the day of joining) and calendar year, from live data. It counts calendar years; the reports count the period (P, D] (an admission on 1 January belongs to the period that ends on it): online_admissions_by_region_at(D) gives that figure';
COMMENT ON COLUMN unionreg.online_admissions_by_region.region_ext_id IS 'regional organization';
COMMENT ON COLUMN unionreg.online_admissions_by_region.region_name IS 'its name';
COMMENT ON COLUMN unionreg.online_admissions_by_region.year IS 'year of joining';
COMMENT ON COLUMN unionreg.online_admissions_by_region.online_admissions IS 'memberships admitted online';

-- The period rule (doc/domain.md): an admission counts in the report as of
-- D when it falls in (P, D].  online_admissions_by_region_at(D) is line 7.1
-- of the regional organizations' reports in the snapshot of D, by
-- construction the same figure.
CREATE FUNCTION unionreg.online_admissions_by_region_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, online_admissions bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT rt.region_ext_id, rt.region_name, rt.as_of, unionreg.tally_get(rt.tally, 'admitted_online')
	  FROM unionreg._region_tally_at($1) rt
	 WHERE NOT rt.is_union
	 ORDER BY rt.org_ext_id
$$;
COMMENT ON FUNCTION unionreg.online_admissions_by_region_at(date) IS
	'Admissions through the online service per region in the reporting period (P, D] of a date: line 7.1 of the regional organizations'' reports in that date''s snapshot; 55000 for a date with no snapshot';

CREATE FUNCTION unionreg.empty_primaries_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, primaries bigint, empty_primaries bigint, empty_pct numeric)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT rt.region_ext_id, rt.region_name, rt.as_of,
		   unionreg.tally_get(rt.tally, 'primaries'),
		   unionreg.tally_get(rt.tally, 'primaries_no_member'),
		   unionreg.share_pct(unionreg.tally_get(rt.tally, 'primaries_no_member'), unionreg.tally_get(rt.tally, 'primaries'))
	  FROM unionreg._region_tally_at($1) rt
	 ORDER BY rt.is_union, rt.org_ext_id
$$;
COMMENT ON FUNCTION unionreg.empty_primaries_at(date) IS
	'empty_primaries as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.empty_primaries AS
SELECT e.region_ext_id, e.region_name, e.primaries, e.empty_primaries, e.empty_pct
  FROM unionreg.empty_primaries_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) e;
COMMENT ON VIEW unionreg.empty_primaries IS 'Primary organizations with no member on record, per region and for the whole union (region NULL), count and share';
COMMENT ON COLUMN unionreg.empty_primaries.region_ext_id IS 'regional organization; NULL = the whole union';
COMMENT ON COLUMN unionreg.empty_primaries.region_name IS 'its name';
COMMENT ON COLUMN unionreg.empty_primaries.primaries IS 'primaries live on the date';
COMMENT ON COLUMN unionreg.empty_primaries.empty_primaries IS 'of them with no member on record';
COMMENT ON COLUMN unionreg.empty_primaries.empty_pct IS 'share, %';

CREATE FUNCTION unionreg.report_completeness_by_level_at(p_as_of date)
RETURNS TABLE (level text, region_ext_id text, as_of date, organizations bigint, complete bigint, complete_pct numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(p_as_of);
BEGIN
	RETURN QUERY
	SELECT o.level, r.ext_id, p_as_of, count(*),
		   count(*) FILTER (WHERE so.is_complete),
		   unionreg.share_pct(count(*) FILTER (WHERE so.is_complete), count(*))
	  FROM unionreg.snapshot_org so
	  JOIN unionreg.org o ON o.id = so.org_id
	  JOIN unionreg.level l ON l.code = o.level
	  LEFT JOIN unionreg.org r ON r.id = so.region_id
	 WHERE so.snapshot_id = v_id
	 GROUP BY o.level, l.rank, r.ext_id
	 ORDER BY l.rank, r.ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.report_completeness_by_level_at(date) IS
	'report_completeness_by_level as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.report_completeness_by_level AS
SELECT c.level, c.region_ext_id, c.organizations, c.complete, c.complete_pct
  FROM unionreg.report_completeness_by_level_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) c;
COMMENT ON VIEW unionreg.report_completeness_by_level IS 'Share of organizations whose report for the current snapshot''s date is complete, per level and region';
COMMENT ON COLUMN unionreg.report_completeness_by_level.level IS 'level';
COMMENT ON COLUMN unionreg.report_completeness_by_level.region_ext_id IS 'regional organization (NULL for the central one)';
COMMENT ON COLUMN unionreg.report_completeness_by_level.organizations IS 'organizations that file a report';
COMMENT ON COLUMN unionreg.report_completeness_by_level.complete IS 'of them complete';
COMMENT ON COLUMN unionreg.report_completeness_by_level.complete_pct IS 'share complete, %';

-- PROFCARDS: members registered on D (the engine's counters), of them
-- through the app (a virtual card on D), and the members' consents per
-- channel given and not withdrawn on D (the latest consent of the channel
-- on or before D), by the region of their primary on D.
CREATE FUNCTION unionreg.profcards_by_region_at(p_as_of date)
RETURNS TABLE (region_ext_id text, region_name text, as_of date, members bigint, profcards bigint,
			   profcards_pct numeric, profcards_virtual bigint, profcards_virtual_pct numeric,
			   consent_email bigint, consent_email_pct numeric, consent_sms bigint, consent_sms_pct numeric,
			   consent_push bigint, consent_push_pct numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(p_as_of);
BEGIN
	RETURN QUERY
	WITH consent AS (
		SELECT so.region_id, c.channel, count(*) AS n
		  FROM unionreg.membership m
		  JOIN unionreg.snapshot_org so ON so.snapshot_id = v_id AND so.org_id = m.org_id
		  CROSS JOIN LATERAL (
				SELECT DISTINCT ON (pc.channel) pc.channel, pc.given FROM unionreg.person_consent pc
				 WHERE pc.person_id = m.person_id AND pc.on_date <= p_as_of
				 ORDER BY pc.channel, pc.on_date DESC) c
		 WHERE m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > p_as_of) AND c.given
		 GROUP BY so.region_id, c.channel),
	per_region AS (
		SELECT rt.region_ext_id, rt.region_name, rt.as_of, rt.is_union, rt.org_ext_id,
			   unionreg.tally_get(rt.tally, 'members') AS members,
			   unionreg.tally_get(rt.tally, 'profcards') AS profcards,
			   unionreg.tally_get(rt.tally, 'profcards_virtual') AS profcards_virtual,
			   (SELECT coalesce(sum(c.n), 0)::bigint FROM consent c WHERE c.channel = 'email' AND (rt.is_union OR c.region_id = rt.org_id)) AS email,
			   (SELECT coalesce(sum(c.n), 0)::bigint FROM consent c WHERE c.channel = 'sms' AND (rt.is_union OR c.region_id = rt.org_id)) AS sms,
			   (SELECT coalesce(sum(c.n), 0)::bigint FROM consent c WHERE c.channel = 'push' AND (rt.is_union OR c.region_id = rt.org_id)) AS push
		  FROM unionreg._region_tally_at(p_as_of) rt)
	SELECT r.region_ext_id, r.region_name, r.as_of, r.members, r.profcards, unionreg.share_pct(r.profcards, r.members),
		   r.profcards_virtual, unionreg.share_pct(r.profcards_virtual, r.profcards),
		   r.email, unionreg.share_pct(r.email, r.members), r.sms, unionreg.share_pct(r.sms, r.members),
		   r.push, unionreg.share_pct(r.push, r.members)
	  FROM per_region r
	 ORDER BY r.is_union, r.org_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.profcards_by_region_at(date) IS
	'profcards_by_region as of a date (its snapshot); 55000 for a date with no snapshot';

CREATE VIEW unionreg.profcards_by_region AS
SELECT p.region_ext_id, p.region_name, p.members, p.profcards, p.profcards_pct, p.profcards_virtual,
	   p.profcards_virtual_pct, p.consent_email, p.consent_email_pct, p.consent_sms, p.consent_sms_pct,
	   p.consent_push, p.consent_push_pct
  FROM unionreg.profcards_by_region_at((SELECT cs.as_of FROM unionreg.current_snapshot cs)) p;
COMMENT ON VIEW unionreg.profcards_by_region IS
	'The PROFCARDS programme per region and for the whole union (region NULL) on the current snapshot''s date: members registered, of them through the app, and consents per channel given and not withdrawn, with shares';
COMMENT ON COLUMN unionreg.profcards_by_region.region_ext_id IS 'regional organization; NULL = the whole union';
COMMENT ON COLUMN unionreg.profcards_by_region.region_name IS 'its name';
COMMENT ON COLUMN unionreg.profcards_by_region.members IS 'members on record';
COMMENT ON COLUMN unionreg.profcards_by_region.profcards IS 'members registered in PROFCARDS on the date';
COMMENT ON COLUMN unionreg.profcards_by_region.profcards_pct IS 'registered, % of members';
COMMENT ON COLUMN unionreg.profcards_by_region.profcards_virtual IS 'of them with a virtual card (through the app)';
COMMENT ON COLUMN unionreg.profcards_by_region.profcards_virtual_pct IS 'through the app, % of the registered';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_email IS 'members whose e-mail consent is given and not withdrawn on the date';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_email_pct IS 'the same, % of members';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_sms IS 'members whose SMS consent is given and not withdrawn';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_sms_pct IS 'the same, % of members';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_push IS 'members whose push consent is given and not withdrawn';
COMMENT ON COLUMN unionreg.profcards_by_region.consent_push_pct IS 'the same, % of members';

-- Two dates side by side, per region and for the whole union (region NULL,
-- 'Профсоюз'): each measure on both dates, the change and the change in %
-- of the earlier value (NULL when that is 0); coverage also its band on
-- each date and the change in percentage points (the pace).
CREATE FUNCTION unionreg.region_growth(from_date date, to_date date)
RETURNS TABLE (region_ext_id text, region_name text,
			   members_from bigint, members_to bigint, members_delta bigint, members_delta_pct numeric,
			   coverage_pct_from numeric, coverage_pct_to numeric, coverage_pct_delta numeric, coverage_pct_delta_pct numeric,
			   cards_made_from bigint, cards_made_to bigint, cards_made_delta bigint, cards_made_delta_pct numeric,
			   virtual_cards_from bigint, virtual_cards_to bigint, virtual_cards_delta bigint, virtual_cards_delta_pct numeric,
			   profcards_from bigint, profcards_to bigint, profcards_delta bigint, profcards_delta_pct numeric,
			   online_admissions_from bigint, online_admissions_to bigint, online_admissions_delta bigint,
			   online_admissions_delta_pct numeric,
			   band_from text, band_to text, coverage_points numeric, band_changed boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._snapshot_of(from_date);
	PERFORM unionreg._snapshot_of(to_date);
	RETURN QUERY
	WITH d (k, day) AS (VALUES (0, from_date), (1, to_date)),
	m AS (
		SELECT d.k, rt.region_ext_id, rt.is_union, rt.org_ext_id,
			   unionreg.tally_get(rt.tally, 'members') AS members,
			   unionreg.tally_get(rt.tally, 'cards_made') AS cards_made,
			   unionreg.tally_get(rt.tally, 'virtual_cards') AS virtual_cards,
			   unionreg.tally_get(rt.tally, 'profcards') AS profcards,
			   unionreg.tally_get(rt.tally, 'admitted_online') AS online,
			   b.members AS baseline
		  FROM d CROSS JOIN LATERAL unionreg._region_tally_at(d.day) rt
		  LEFT JOIN LATERAL (SELECT pb.members FROM unionreg.paper_baseline pb
							  WHERE pb.org_id = rt.org_id AND pb.as_of <= d.day AND pb.members IS NOT NULL
							  ORDER BY pb.as_of DESC LIMIT 1) b ON NOT rt.is_union),
	-- the union's coverage: its members against the regions' paper members
	cov AS (
		SELECT m.k, m.region_ext_id, m.is_union,
			   unionreg.share_pct(m.members, CASE WHEN m.is_union
												  THEN (SELECT sum(x.baseline) FROM m x WHERE x.k = m.k AND NOT x.is_union)
												  ELSE m.baseline END) AS pct
		  FROM m),
	keys AS (SELECT DISTINCT m.region_ext_id, m.is_union, m.org_ext_id FROM m),
	g AS (
		SELECT k.region_ext_id, k.is_union, k.org_ext_id,
			   f.members AS m0, t.members AS m1, cf.pct AS c0, ct.pct AS c1, f.cards_made AS k0, t.cards_made AS k1,
			   f.virtual_cards AS v0, t.virtual_cards AS v1, f.profcards AS p0, t.profcards AS p1,
			   f.online AS o0, t.online AS o1
		  FROM keys k
		  LEFT JOIN m f ON f.k = 0 AND f.region_ext_id IS NOT DISTINCT FROM k.region_ext_id
		  LEFT JOIN m t ON t.k = 1 AND t.region_ext_id IS NOT DISTINCT FROM k.region_ext_id
		  LEFT JOIN cov cf ON cf.k = 0 AND cf.region_ext_id IS NOT DISTINCT FROM k.region_ext_id
		  LEFT JOIN cov ct ON ct.k = 1 AND ct.region_ext_id IS NOT DISTINCT FROM k.region_ext_id)
	SELECT g.region_ext_id,
		   CASE WHEN g.is_union THEN 'Профсоюз' ELSE (SELECT o.name FROM unionreg.org o WHERE o.ext_id = g.region_ext_id) END,
		   g.m0, g.m1, g.m1 - g.m0, unionreg.share_pct(g.m1 - g.m0, nullif(g.m0, 0)),
		   g.c0, g.c1, g.c1 - g.c0, round(100 * (g.c1 - g.c0) / nullif(g.c0, 0), 2),
		   g.k0, g.k1, g.k1 - g.k0, unionreg.share_pct(g.k1 - g.k0, nullif(g.k0, 0)),
		   g.v0, g.v1, g.v1 - g.v0, unionreg.share_pct(g.v1 - g.v0, nullif(g.v0, 0)),
		   g.p0, g.p1, g.p1 - g.p0, unionreg.share_pct(g.p1 - g.p0, nullif(g.p0, 0)),
		   g.o0, g.o1, g.o1 - g.o0, unionreg.share_pct(g.o1 - g.o0, nullif(g.o0, 0)),
		   unionreg.coverage_band(g.c0), unionreg.coverage_band(g.c1), g.c1 - g.c0,
		   unionreg.coverage_band(g.c0) IS DISTINCT FROM unionreg.coverage_band(g.c1)
	  FROM g
	 ORDER BY g.is_union, g.region_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.region_growth(date, date) IS
	'Two dates side by side per region and for the whole union (region NULL, Профсоюз): members, coverage, cards made, virtual cards, PROFCARDS and online admissions (each date''s period) on both dates with the change and the change in % of the earlier value (NULL when it is 0); the coverage band on each date, the change in percentage points (the pace) and whether the band changed; both dates need snapshots (55000)';

-- The region rating of the union's resolution: per region on D its
-- coverage and band, its pace since an earlier date (the change of coverage
-- in percentage points), its data quality (complete reports among its
-- filers, members with status unknown, filers with a passport gap, filers
-- with an empty chairman tab) and its share of members with a card made,
-- each with its rank among the regions (1 = best; ties share a rank).
CREATE FUNCTION unionreg.region_rating(as_of date, since date)
RETURNS TABLE (region_ext_id text, region_name text, rating_as_of date, rating_since date,
			   coverage_pct numeric, band text, coverage_rank bigint,
			   pace_points numeric, pace_rank bigint,
			   complete_pct numeric, complete_rank bigint,
			   unknown_pct numeric, unknown_rank bigint,
			   passport_gaps_pct numeric, passport_gaps_rank bigint,
			   empty_chairman_pct numeric, empty_chairman_rank bigint,
			   cards_made_pct numeric, cards_made_rank bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._snapshot_of(region_rating.as_of);
BEGIN
	PERFORM unionreg._snapshot_of(region_rating.since);
	RETURN QUERY
	WITH now_cov AS (SELECT * FROM unionreg.coverage_by_region_at(region_rating.as_of)),
	then_cov AS (SELECT * FROM unionreg.coverage_by_region_at(region_rating.since)),
	filers AS (
		SELECT so.region_id, count(*) AS n,
			   count(*) FILTER (WHERE so.is_complete) AS complete,
			   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM unnest(so.gaps) g WHERE g LIKE 'passport: %')) AS gapped,
			   count(*) FILTER (WHERE 'passport: chairman_name' = ANY (so.gaps)) AS no_chairman
		  FROM unionreg.snapshot_org so
		 WHERE so.snapshot_id = v_id AND so.region_id IS NOT NULL
		 GROUP BY so.region_id),
	m AS (
		SELECT rt.region_ext_id, rt.region_name, nc.coverage_pct, nc.band,
			   nc.coverage_pct - tc.coverage_pct AS pace,
			   unionreg.share_pct(f.complete, f.n) AS complete_pct,
			   unionreg.share_pct(unionreg.tally_get(rt.tally, 'status_unknown'), unionreg.tally_get(rt.tally, 'members')) AS unknown_pct,
			   unionreg.share_pct(f.gapped, f.n) AS gaps_pct,
			   unionreg.share_pct(f.no_chairman, f.n) AS chairman_pct,
			   unionreg.share_pct(unionreg.tally_get(rt.tally, 'cards_made'), unionreg.tally_get(rt.tally, 'members')) AS cards_pct
		  FROM unionreg._region_tally_at(region_rating.as_of) rt
		  LEFT JOIN now_cov nc ON nc.region_ext_id = rt.region_ext_id
		  LEFT JOIN then_cov tc ON tc.region_ext_id = rt.region_ext_id
		  LEFT JOIN filers f ON f.region_id = rt.org_id
		 WHERE NOT rt.is_union)
	SELECT m.region_ext_id, m.region_name, region_rating.as_of, region_rating.since,
		   m.coverage_pct, m.band, rank() OVER (ORDER BY m.coverage_pct DESC NULLS LAST),
		   m.pace, rank() OVER (ORDER BY m.pace DESC NULLS LAST),
		   m.complete_pct, rank() OVER (ORDER BY m.complete_pct DESC NULLS LAST),
		   m.unknown_pct, rank() OVER (ORDER BY m.unknown_pct ASC NULLS LAST),
		   m.gaps_pct, rank() OVER (ORDER BY m.gaps_pct ASC NULLS LAST),
		   m.chairman_pct, rank() OVER (ORDER BY m.chairman_pct ASC NULLS LAST),
		   m.cards_pct, rank() OVER (ORDER BY m.cards_pct DESC NULLS LAST)
	  FROM m
	 ORDER BY m.region_ext_id;
END
$$;
COMMENT ON FUNCTION unionreg.region_rating(date, date) IS
	'The region rating on as_of: coverage and band, pace since an earlier date (coverage points), complete reports, status unknown, passport gaps and empty chairman tabs among its filers, cards made, each with its rank (1 = best); both dates need snapshots (55000)';

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
