-- A move of a subtree of ~2,000 organizations (the figure issue 2 sets a
-- 100 ms target for), against a loaded union in the current database
-- (test/bench/bench_orgs.sh runs it after its load; psql -f works on any
-- generated union).  The generator's largest district holds ~650
-- organizations, so the script first gathers one: a new district in the
-- region with the most territorial organizations, and whole territorial
-- subtrees moved under it until it holds ~2,000 (not timed).  Then that
-- district moves to another region with every check, timed; and the
-- hierarchy is validated after it.  Everything is rolled back at the end.
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL client_min_messages = warning;
-- the region with the most territorials directly under it, and another one
SELECT p.ext_id AS region, count(*) AS territorials
  FROM unionreg.org o
  JOIN unionreg.org_link l ON l.org_id = o.id AND l.valid_to IS NULL
  JOIN unionreg.org p ON p.id = l.parent_id AND p.level = 'regional'
 WHERE o.level = 'territorial' AND o.valid_to IS NULL
 GROUP BY p.ext_id ORDER BY 2 DESC, 1 LIMIT 1 \gset
SELECT ext_id AS other_region FROM unionreg.org
 WHERE level = 'regional' AND valid_to IS NULL AND ext_id <> :'region'
 ORDER BY ext_id LIMIT 1 \gset
INSERT INTO unionreg.stage_org (ext_id, parent_ext_id, level, name, region_code, valid_from)
SELECT 'BENCH-DISTRICT', :'region', 'district', 'Окружная организация (бенчмарк)', region_code::text, valid_from::text
  FROM unionreg.org WHERE ext_id = :'region';
SELECT loaded AS district_loaded FROM unionreg.load_orgs() \gset
-- whole territorial subtrees, in ext_id order, while the running total stays within ~2,000
CREATE TEMP TABLE bench_moved ON COMMIT DROP AS
WITH RECURSIVE terr AS (
	SELECT o.id, o.ext_id
	  FROM unionreg.org o
	  JOIN unionreg.org_link l ON l.org_id = o.id AND l.valid_to IS NULL
	  JOIN unionreg.org p ON p.id = l.parent_id AND p.ext_id = :'region'
	 WHERE o.level = 'territorial' AND o.valid_to IS NULL),
sub AS (
	SELECT t.id, t.ext_id AS root FROM terr t
	UNION ALL
	SELECT l.org_id, s.root FROM sub s JOIN unionreg.org_link l ON l.parent_id = s.id AND l.valid_to IS NULL),
sized AS (
	SELECT root, count(*) AS size, sum(count(*)) OVER (ORDER BY root) AS running
	  FROM sub GROUP BY root)
SELECT root, size FROM sized WHERE running <= 2000;
SELECT count(*) AS territorials_gathered, sum(size) + 1 AS subtree_size FROM bench_moved \gset
SELECT count(unionreg.move_org(root, 'BENCH-DISTRICT', current_date)) AS gathered FROM bench_moved \gset
\echo a district holding :subtree_size organizations (:territorials_gathered territorial subtrees of :region) moves to :other_region
SELECT clock_timestamp() AS t0 \gset
SELECT unionreg.move_org('BENCH-DISTRICT', :'other_region', current_date);
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)::numeric * 1000, 1) AS move_2000_subtree_ms;
SELECT count(*) AS problems_after_move FROM unionreg.validate_hierarchy(current_date);
ROLLBACK;
