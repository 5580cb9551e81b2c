-- The next size of test/bench/bench_build.sh: half of the persons go, with
-- everything of theirs (set-up, triggers off).
SET session_replication_role = replica;
CREATE TEMP TABLE gone AS
SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM unionreg.person) p WHERE rn % 2 = 0;
DELETE FROM unionreg.card_event e USING unionreg.card c, gone g WHERE e.card_id = c.id AND c.person_id = g.id;
DELETE FROM unionreg.card c USING gone g WHERE c.person_id = g.id;
DELETE FROM unionreg.person_consent x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.status_period x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.membership x USING gone g WHERE x.person_id = g.id;
-- their derived facts too (the triggers that would drop them are off)
DELETE FROM unionreg.member_fact x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.application x USING gone g WHERE x.person_id = g.id;
DELETE FROM unionreg.person x USING gone g WHERE x.id = g.id;
DELETE FROM unionreg.snapshot_org;
DELETE FROM unionreg.snapshot;
