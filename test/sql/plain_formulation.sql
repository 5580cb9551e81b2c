-- The independent formulation of the report lines, in plain SQL straight
-- from DOMAIN.md's rules (no unionreg function): for every snapshot of the
-- table built (d date, sid bigint), the member lines of every primary
-- (expected_lines), the hierarchy on each date as a recursive closure
-- (closure), and every organization's consolidated lines (expected_rolled).
-- Used by test/scripts/report_check.sh (checked against the engine) and
-- test/bench/bench_build.sh (timed beside it).
CREATE TABLE expected_lines AS
WITH dd AS (
	SELECT b.d, b.sid, CASE WHEN extract(month FROM b.d) = 1 AND extract(day FROM b.d) = 1
							THEN (b.d - interval '1 year')::date ELSE date_trunc('year', b.d)::date END AS p
	  FROM built b),
m AS (
	SELECT dd.sid, dd.d, dd.p, ms.org_id, ms.joined_on, ms.left_on, ms.left_reason, ms.admitted_online,
		   EXISTS (SELECT 1 FROM unionreg.membership x WHERE x.person_id = ms.person_id
					AND x.left_on = ms.joined_on AND x.left_reason = 'transferred') AS tin,
		   st.status, st.pedagogical,
		   -- the 35th birthday; 29 February falls on 1 March in other years
		   CASE WHEN extract(month FROM pe.birth_date) = 2 AND extract(day FROM pe.birth_date) = 29
					 AND NOT ((extract(year FROM pe.birth_date)::int + 35) % 4 = 0
							  AND ((extract(year FROM pe.birth_date)::int + 35) % 100 <> 0
								   OR (extract(year FROM pe.birth_date)::int + 35) % 400 = 0))
				THEN make_date(extract(year FROM pe.birth_date)::int + 35, 3, 1)
				ELSE (pe.birth_date + interval '35 years')::date END AS turns35
	  FROM dd JOIN unionreg.membership ms ON true
	  JOIN unionreg.person pe ON pe.id = ms.person_id
	  LEFT JOIN unionreg.status_period st ON st.person_id = ms.person_id AND st.valid_from <= dd.d
		   AND (st.valid_to IS NULL OR st.valid_to > dd.d))
SELECT sid, org_id,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d) AS l6,
	   count(*) FILTER (WHERE joined_on <= p AND coalesce(left_on, 'infinity') > p) AS l6_2,
	   count(*) FILTER (WHERE joined_on > p AND joined_on <= d AND NOT tin) AS l7,
	   count(*) FILTER (WHERE joined_on > p AND joined_on <= d AND NOT tin AND admitted_online) AS l7_1,
	   count(*) FILTER (WHERE joined_on > p AND joined_on <= d AND tin) AS l7_2,
	   count(*) FILTER (WHERE left_on > p AND left_on <= d AND left_reason <> 'transferred') AS l8,
	   count(*) FILTER (WHERE left_on > p AND left_on <= d AND left_reason = 'own_wish') AS l8_1,
	   count(*) FILTER (WHERE left_on > p AND left_on <= d AND left_reason = 'transferred') AS l8_2,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status = 'working') AS l2,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status = 'working' AND pedagogical) AS l2_1,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status = 'working' AND d < turns35) AS l2_2,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status = 'student') AS l4,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status = 'pensioner') AS l5,
	   count(*) FILTER (WHERE joined_on <= d AND coalesce(left_on, 'infinity') > d AND status IS NULL) AS l6_1
  FROM m GROUP BY sid, org_id;

-- consolidated: every organization of every form, from the primaries below it
-- as the hierarchy stood on D (a plain recursive closure over org_link)
CREATE TABLE closure AS
WITH RECURSIVE up AS (
	SELECT b.sid, b.d, o.id AS org_id, o.id AS anc, 0 AS depth
	  FROM built b JOIN unionreg.org o ON o.valid_from <= b.d AND (o.valid_to IS NULL OR o.valid_to > b.d)
	UNION ALL
	SELECT u.sid, u.d, u.org_id, l.parent_id, u.depth + 1
	  FROM up u JOIN unionreg.org_link l ON l.org_id = u.anc AND l.valid_from <= u.d AND (l.valid_to IS NULL OR l.valid_to > u.d))
SELECT sid, org_id, anc FROM up;
CREATE INDEX ON closure (sid, org_id);
CREATE TABLE expected_rolled AS
SELECT c.sid, c.anc AS org_id,
	   sum(coalesce(e.l6, 0)) AS l6, sum(coalesce(e.l6_2, 0)) AS l6_2, sum(coalesce(e.l7, 0)) AS l7,
	   sum(coalesce(e.l7_1, 0)) AS l7_1, sum(coalesce(e.l7_2, 0)) AS l7_2, sum(coalesce(e.l8, 0)) AS l8,
	   sum(coalesce(e.l8_1, 0)) AS l8_1, sum(coalesce(e.l8_2, 0)) AS l8_2, sum(coalesce(e.l2, 0)) AS l2,
	   sum(coalesce(e.l2_1, 0)) AS l2_1, sum(coalesce(e.l2_2, 0)) AS l2_2, sum(coalesce(e.l4, 0)) AS l4,
	   sum(coalesce(e.l5, 0)) AS l5, sum(coalesce(e.l6_1, 0)) AS l6_1,
	   count(*) FILTER (WHERE o.level = 'primary') AS primaries,
	   count(*) FILTER (WHERE o.level = 'subdivision') AS subdivisions,
	   count(*) FILTER (WHERE o.level = 'primary' AND coalesce(e.l6, 0) = 0) AS primaries_no_member,
	   (SELECT r.id FROM closure c2 JOIN unionreg.org r ON r.id = c2.anc AND r.level = 'regional'
		 WHERE c2.sid = c.sid AND c2.org_id = c.anc) AS region_id
  FROM closure c
  JOIN unionreg.org o ON o.id = c.org_id
  LEFT JOIN expected_lines e ON e.sid = c.sid AND e.org_id = c.org_id
 GROUP BY c.sid, c.anc;
