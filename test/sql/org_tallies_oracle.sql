-- test/sql/org_tallies_oracle.sql: the organization side of a report in
-- SQL, the test oracle the C engine is held to (_org_pass, _subtree_pass,
-- _org_pass_write, _passport_gap_fields).  The per-organization rules (what an
-- organization adds itself, its chairman, the passport gaps) are written
-- here again in SQL from doc/domain.md; it reads every table with joins,
-- counts the members with a join per period and rolls the tallies up
-- through a recursive closure instead of the engine's arrays.  Only the
-- member-level counting (member_tally) is shared with the engine.
-- test/sql/plain_formulation.sql is the other oracle: the lines straight
-- from DOMAIN.md's rules, with no unionreg function at all.
-- Load it as a superuser: \i test/sql/org_tallies_oracle.sql
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS unionreg_oracle CASCADE;
CREATE SCHEMA unionreg_oracle;
RESET client_min_messages;

-- The mandatory passport fields (unionreg.passport_requirement) empty on D,
-- one row per organization live on D and field.
CREATE FUNCTION unionreg_oracle.passport_gap_rows(p_as_of date)
RETURNS TABLE (org_id bigint, field text)
LANGUAGE sql STABLE
AS $$
	SELECT o.id, r.field
	  FROM unionreg.org o
	  JOIN unionreg.passport_requirement r ON r.level = o.level
	  LEFT JOIN unionreg.org_chairman c ON c.org_id = o.id
	 WHERE o.valid_from <= p_as_of AND (o.valid_to IS NULL OR o.valid_to > p_as_of)
	   AND CASE r.field
			WHEN 'name' THEN coalesce(btrim(o.name), '') = ''
			WHEN 'short_name' THEN coalesce(btrim(o.short_name), '') = ''
			WHEN 'inn' THEN o.inn IS NULL
			WHEN 'ogrn' THEN o.ogrn IS NULL
			WHEN 'region_code' THEN o.region_code IS NULL
			WHEN 'address' THEN coalesce(btrim(o.address), '') = ''
			WHEN 'phone' THEN coalesce(btrim(o.phone), '') = ''
			WHEN 'email' THEN coalesce(btrim(o.email), '') = ''
			WHEN 'base_figures' THEN NOT EXISTS (
				SELECT FROM unionreg.org_base b
				 WHERE b.org_id = o.id AND b.as_of <= p_as_of
				   AND (b.employees IS NOT NULL OR b.students IS NOT NULL))
			WHEN 'chairman_name' THEN coalesce(btrim(c.name), '') = ''
			WHEN 'chairman_term' THEN c.term_from IS NULL OR c.term_to IS NULL
			WHEN 'chairman_email' THEN coalesce(btrim(c.email), '') = ''
			WHEN 'chairman_email_consent' THEN c.email_consent IS NOT TRUE
			ELSE false
		   END
$$;

-- What one organization adds to itself and every ancestor on D: a primary
-- its members and itself (by kind, with no member, created in (P, D], its
-- base figures), a subdivision one subdivision, a filer whether its report
-- is incomplete, a parent the primaries liquidated under it.
CREATE FUNCTION unionreg_oracle.own_tally(
	p_level text, p_kind text, p_valid_from date, p_members unionreg.tally,
	p_employees integer, p_students integer, p_incomplete boolean, p_liquidated bigint,
	p_as_of date, p_period_start date)
RETURNS unionreg.tally
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT coalesce(p_members, '{}'::unionreg.tally)
		OPERATOR(unionreg.+) CASE
			WHEN p_level = 'primary' THEN
				tally_of('primaries', 1)
				OPERATOR(unionreg.+) tally_of('primaries_' || p_kind, 1)
				OPERATOR(unionreg.+) tally_of('primaries_no_member',
					CASE WHEN coalesce(tally_get(p_members, 'members'), 0) = 0 THEN 1 ELSE 0 END)
				OPERATOR(unionreg.+) tally_of('primaries_created',
					CASE WHEN p_valid_from > p_period_start AND p_valid_from <= p_as_of THEN 1 ELSE 0 END)
				OPERATOR(unionreg.+) tally_of('employees', coalesce(p_employees, 0))
				OPERATOR(unionreg.+) tally_of('students_base', coalesce(p_students, 0))
			WHEN p_level = 'subdivision' THEN tally_of('subdivisions', 1)
			ELSE '{}'::unionreg.tally END
		OPERATOR(unionreg.+) tally_of('incomplete_reports', CASE WHEN p_incomplete THEN 1 ELSE 0 END)
		OPERATOR(unionreg.+) tally_of('primaries_liquidated', coalesce(p_liquidated, 0))
$$;

-- the member pass of the given organizations, a join per period
CREATE FUNCTION unionreg_oracle.member_tallies_of(p_as_of date, p_orgs bigint[])
RETURNS TABLE (org_id bigint, tally unionreg.tally)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, unionreg, pg_temp
SET jit = off
SET enable_nestloop = on
SET plan_cache_mode = force_generic_plan
AS $$
	SELECT m.org_id,
		   unionreg.sum(unionreg.member_tally(p_as_of, unionreg.period_start(p_as_of), m.joined_on, m.left_on, m.left_reason,
			   prev.person_id IS NOT NULL, m.admitted_online, s.status, s.pedagogical, s.position,
			   s.full_time, pe.birth_date, cs.state, pe.virtual_card_on, pe.profcards_on,
			   EXISTS (SELECT 1 FROM unionreg.card c JOIN unionreg.card_event e ON e.card_id = c.id
						WHERE c.person_id = m.person_id AND e.to_state = 'requested'
						  AND e.on_date > unionreg.period_start(p_as_of) AND e.on_date <= p_as_of)))
	  FROM unionreg.membership m
	  JOIN unionreg.person pe ON pe.id = m.person_id
	  LEFT JOIN unionreg.membership prev
		ON prev.person_id = m.person_id AND prev.left_on = m.joined_on AND prev.left_reason = 'transferred'
	  LEFT JOIN unionreg.status_period s
		ON s.person_id = m.person_id AND s.valid_from <= p_as_of AND (s.valid_to IS NULL OR s.valid_to > p_as_of)
	  LEFT JOIN LATERAL (
			SELECT e.to_state AS state
			  FROM unionreg.card c JOIN unionreg.card_event e ON e.card_id = c.id
			 WHERE c.person_id = m.person_id AND e.on_date <= p_as_of
			 -- a later card wins a tie: a lost card and its successor loaded in one
			 -- transaction share the date and the recorded_at
			 ORDER BY e.on_date DESC, e.recorded_at DESC, c.id DESC LIMIT 1) cs ON true
	 WHERE m.org_id = ANY (p_orgs)
	   AND m.joined_on <= p_as_of AND (m.left_on IS NULL OR m.left_on > unionreg.period_start(p_as_of))
	 GROUP BY m.org_id
$$;

-- every filer's consolidated row on D, of the whole union or one subtree
CREATE FUNCTION unionreg_oracle.org_tallies(p_as_of date, p_root bigint DEFAULT NULL)
RETURNS TABLE (org_id bigint, form text, tally unionreg.tally, is_complete boolean, gaps text[], region_id bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, unionreg_oracle, pg_temp
-- the CTEs carry no statistics: a guess of 1 row for 3,600 turned a join into
-- 68 million comparisons; every join here is between whole sets
SET enable_nestloop = off
-- and those guesses make JIT compile for a second what runs in milliseconds
SET jit = off
-- a dozen hashes and sorts over 150,000 organizations: at 64 MB each the build
-- held ~390 MB and ran no faster (4.4 s against 3.8 s at 4 MB, 500,000 persons)
SET work_mem = '4MB'
AS $f$
BEGIN
	RETURN QUERY
		WITH RECURSIVE
		d AS (SELECT p_as_of AS d, unionreg.period_start(p_as_of) AS p),
		live AS (
			SELECT o.id, o.level, o.kind, o.valid_from FROM unionreg.org o, d WHERE o.valid_from <= d.d AND (o.valid_to IS NULL OR o.valid_to > d.d)),
		link AS (
			SELECT l.org_id, l.parent_id FROM unionreg.org_link l, d
			 WHERE l.valid_from <= d.d AND (l.valid_to IS NULL OR l.valid_to > d.d)),
		down AS (
			SELECT o.id FROM live o WHERE o.id = p_root
			UNION
			SELECT l.org_id FROM down dn JOIN link l ON l.parent_id = dn.id),
		scope AS (
			SELECT o.id, o.level, o.kind, o.valid_from, lk.parent_id
			  FROM live o LEFT JOIN link lk ON lk.org_id = o.id
			 WHERE p_root IS NULL OR o.id IN (SELECT dn.id FROM down dn)),
		assigned AS (
			SELECT s.id, s.level, s.kind, fa.form
			  FROM scope s
			  JOIN unionreg.form_assignment fa ON fa.level = s.level AND (fa.kind IS NULL OR fa.kind = s.kind)),
		mt AS (
			SELECT * FROM unionreg_oracle.member_tallies_of(p_as_of,
				ARRAY(SELECT a.id FROM assigned a WHERE a.level = 'primary'))),
		base AS (
			SELECT DISTINCT ON (b.org_id) b.org_id, b.employees, b.students
			  FROM unionreg.org_base b, d WHERE b.as_of <= d.d ORDER BY b.org_id, b.as_of DESC),
		gaps AS (
			SELECT g.org_id, array_agg(g.gap ORDER BY g.gap) AS gaps
			  FROM (SELECT pg.org_id, 'passport: ' || pg.field AS gap
					  FROM unionreg_oracle.passport_gap_rows(p_as_of) pg
					UNION ALL
					SELECT m.org_id, format('status unknown for %s member(s)', unionreg.tally_get(m.tally, 'status_unknown'))
					  FROM mt m WHERE unionreg.tally_get(m.tally, 'status_unknown') > 0) g
			 GROUP BY g.org_id),
		liquidated AS (
			SELECT l.parent_id AS org_id, count(*) AS n
			  FROM unionreg.org x CROSS JOIN d
			  JOIN unionreg.org_link l ON l.org_id = x.id AND l.valid_to = x.valid_to
			 WHERE x.level = 'primary' AND x.valid_to > d.p AND x.valid_to <= d.d
			 GROUP BY l.parent_id),
		own AS (
			SELECT s.id, s.parent_id, s.level = 'regional' AS is_region, a.form, g.gaps,
				   unionreg_oracle.own_tally(s.level, s.kind, s.valid_from, m.tally, b.employees, b.students,
									   a.id IS NOT NULL AND g.gaps IS NOT NULL, lq.n, d.d, d.p) AS tally
			  FROM scope s CROSS JOIN d
			  LEFT JOIN assigned a ON a.id = s.id
			  LEFT JOIN mt m ON m.org_id = s.id
			  LEFT JOIN base b ON b.org_id = s.id
			  LEFT JOIN gaps g ON g.org_id = s.id
			  LEFT JOIN liquidated lq ON lq.org_id = s.id),
		chairman AS (
			SELECT c.org_id, unionreg.tally_of('chairman_in_office', 1)
				   OPERATOR(unionreg.+) unionreg.tally_of('chairman_released', CASE WHEN c.released THEN 1 ELSE 0 END) AS tally
			  FROM unionreg.org_chairman c, d
			 WHERE c.name IS NOT NULL AND c.term_from <= d.d AND (c.term_to IS NULL OR c.term_to > d.d)),
		-- the roll-up: every organization with each of its ancestors in scope
		up (id, anc, steps) AS (
			SELECT w.id, w.id, 0 FROM own w
			UNION ALL
			SELECT u.id, w.parent_id, u.steps + 1
			  FROM up u JOIN own w ON w.id = u.anc
			 WHERE w.parent_id IN (SELECT o2.id FROM own o2) AND u.steps < 64),
		rolled AS (
			SELECT u.anc AS id, unionreg.sum(w.tally) AS tally
			  FROM up u JOIN own w ON w.id = u.id GROUP BY u.anc),
		region AS (
			SELECT DISTINCT ON (u.id) u.id, u.anc AS region_id
			  FROM up u JOIN own r ON r.id = u.anc AND r.is_region ORDER BY u.id, u.steps)
		SELECT w.id, w.form, r.tally OPERATOR(unionreg.+) coalesce(c.tally, '{}'::unionreg.tally),
			   w.gaps IS NULL, w.gaps, rg.region_id
		  FROM own w
		  JOIN rolled r ON r.id = w.id
		  LEFT JOIN chairman c ON c.org_id = w.id
		  LEFT JOIN region rg ON rg.id = w.id
		 WHERE w.form IS NOT NULL;
END
$f$;
