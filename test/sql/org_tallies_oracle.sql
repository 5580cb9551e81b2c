-- test/sql/org_tallies_oracle.sql: the organization side of a report in
-- SQL, the test oracle the C engine is held to (_org_pass, _subtree_pass,
-- _org_pass_write).  It composes the same per-organization rules
-- (_own_tally, _chairman_tally, the passport gaps) but reads every table
-- with joins, counts the members with a join per period and rolls the
-- tallies up through a recursive closure instead of the engine's arrays.
-- test/sql/plain_formulation.sql is the other oracle: the lines straight
-- from DOMAIN.md's rules, with no unionreg function at all.
-- Load it as a superuser: \i test/sql/org_tallies_oracle.sql
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS unionreg_oracle CASCADE;
CREATE SCHEMA unionreg_oracle;
RESET client_min_messages;

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
			   s.full_time, pe.birth_date, cs.state, pe.virtual_card_on))
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
					  FROM unionreg._passport_gap_rows(p_as_of) pg
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
				   unionreg._own_tally(s.level, s.kind, s.valid_from, m.tally, b.employees, b.students,
									   a.id IS NOT NULL AND g.gaps IS NOT NULL, lq.n, d.d, d.p) AS tally
			  FROM scope s CROSS JOIN d
			  LEFT JOIN assigned a ON a.id = s.id
			  LEFT JOIN mt m ON m.org_id = s.id
			  LEFT JOIN base b ON b.org_id = s.id
			  LEFT JOIN gaps g ON g.org_id = s.id
			  LEFT JOIN liquidated lq ON lq.org_id = s.id),
		chairman AS (
			SELECT c.org_id, unionreg._chairman_tally(c.released) AS tally
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
