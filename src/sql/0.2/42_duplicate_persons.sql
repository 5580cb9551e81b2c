-- ---------------------------------------------------------------------
-- 0.2: duplicate_persons found from the keys that repeat, not by probing
-- every person's SNILS and name key (0.1: a nested loop of two index
-- probes per person, 29 s over 4 million persons).  The keys that occur
-- twice are counted in key order from the two indexes (the ORDER BY under
-- the GROUP BY makes a sorted group of the index's order: left to itself
-- the planner hashed 4 million name keys and spilled to disk, 18 s); only
-- their persons are then fetched, one index probe per repeated key and per
-- pair (OFFSET 0 keeps each probe from being turned into a join over the
-- whole table).  The same pairs, the same order; 4 million persons ~3.5 s.
-- ---------------------------------------------------------------------
CREATE OR REPLACE VIEW unionreg.duplicate_persons AS
WITH same_snils AS MATERIALIZED (
	SELECT k.snils
	  FROM (SELECT p.snils FROM unionreg.person p WHERE p.snils IS NOT NULL ORDER BY p.snils OFFSET 0) k
	 GROUP BY k.snils HAVING count(*) > 1),
same_name AS MATERIALIZED (
	SELECT k.name_key, k.birth_date
	  FROM (SELECT p.name_key, p.birth_date FROM unionreg.person p
			 WHERE p.birth_date IS NOT NULL ORDER BY p.name_key, p.birth_date OFFSET 0) k
	 GROUP BY k.name_key, k.birth_date HAVING count(*) > 1),
by_snils AS (
	SELECT p.id, s.snils
	  FROM same_snils s
	 CROSS JOIN LATERAL (SELECT p.id FROM unionreg.person p WHERE p.snils = s.snils OFFSET 0) p),
by_name AS (
	SELECT p.id, s.name_key, s.birth_date
	  FROM same_name s
	 CROSS JOIN LATERAL (SELECT p.id FROM unionreg.person p
						  WHERE p.name_key = s.name_key AND p.birth_date = s.birth_date OFFSET 0) p),
pair AS (
	SELECT a.id AS a_id, b.id AS b_id FROM by_snils a JOIN by_snils b ON b.snils = a.snils AND b.id > a.id
	UNION
	SELECT a.id, b.id FROM by_name a
	  JOIN by_name b ON b.name_key = a.name_key AND b.birth_date = a.birth_date AND b.id > a.id)
SELECT a.ext_id AS ext_id_a,
	   concat_ws(' ', a.surname, a.first_name, a.patronymic) AS name_a,
	   b.ext_id AS ext_id_b,
	   concat_ws(' ', b.surname, b.first_name, b.patronymic) AS name_b,
	   a.birth_date,
	   CASE WHEN a.snils = b.snils AND a.name_key = b.name_key THEN 'snils and name'
			WHEN a.snils = b.snils THEN 'snils'
			ELSE 'name and birth date' END AS matched_by
  FROM pair
 CROSS JOIN LATERAL (SELECT * FROM unionreg.person x WHERE x.id = pair.a_id OFFSET 0) a
 CROSS JOIN LATERAL (SELECT * FROM unionreg.person x WHERE x.id = pair.b_id OFFSET 0) b
 ORDER BY concat_ws(' ', a.surname, a.first_name, a.patronymic) COLLATE unionreg.ru, a.ext_id, b.ext_id;
