-- The floor under load_members(), against a loaded register in the current
-- database (test/bench/bench_members.sh runs it after the load): the rows the
-- load wrote, written again into copies of the six member tables, twice.
--   1. with their indexes, exclusion constraints and checks (what the issue
--      requires of the tables themselves), no foreign key, no trigger;
--   2. the same plus the foreign keys the tables have (per-row checks).
-- No judging, no audit, no card log trigger, no upsert: what any loader that
-- keeps these constraints pays at least, set-based or in C.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS write_floor CASCADE;
CREATE SCHEMA write_floor;
-- each table's time, as NOTICEs
SET client_min_messages = notice;
SELECT count(*) AS rows FROM unionreg.membership \gset

CREATE FUNCTION write_floor.copy_tables(with_keys boolean) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	t0 timestamptz;
	t1 timestamptz;
BEGIN
	FOREACH t IN ARRAY ARRAY['card_event', 'card', 'person_consent', 'status_period', 'membership', 'person'] LOOP
		IF to_regclass(format('write_floor.%I', t)) IS NOT NULL THEN
			EXECUTE format('DROP TABLE write_floor.%I', t);
		END IF;
	END LOOP;
	FOREACH t IN ARRAY ARRAY['person', 'membership', 'status_period', 'person_consent', 'card', 'card_event'] LOOP
		EXECUTE format('CREATE TABLE write_floor.%I (LIKE unionreg.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)', t, t);
	END LOOP;
	IF with_keys THEN
		ALTER TABLE write_floor.membership
			ADD FOREIGN KEY (person_id) REFERENCES write_floor.person (id),
			ADD FOREIGN KEY (org_id) REFERENCES unionreg.org (id),
			ADD FOREIGN KEY (subdivision_id) REFERENCES unionreg.org (id),
			ADD FOREIGN KEY (left_reason) REFERENCES unionreg.leave_reason (code);
		ALTER TABLE write_floor.status_period
			ADD FOREIGN KEY (person_id) REFERENCES write_floor.person (id),
			ADD FOREIGN KEY (status) REFERENCES unionreg.member_status (code),
			ADD FOREIGN KEY (position) REFERENCES unionreg.position_group (code),
			ADD FOREIGN KEY (student_level) REFERENCES unionreg.student_level (code);
		ALTER TABLE write_floor.person_consent ADD FOREIGN KEY (person_id) REFERENCES write_floor.person (id);
		ALTER TABLE write_floor.card
			ADD FOREIGN KEY (person_id) REFERENCES write_floor.person (id),
			ADD FOREIGN KEY (state) REFERENCES unionreg.card_state (code);
		ALTER TABLE write_floor.card_event
			ADD FOREIGN KEY (card_id) REFERENCES write_floor.card (id),
			ADD FOREIGN KEY (from_state) REFERENCES unionreg.card_state (code),
			ADD FOREIGN KEY (to_state) REFERENCES unionreg.card_state (code);
	END IF;
	t0 := clock_timestamp();
	FOREACH t IN ARRAY ARRAY['person', 'membership', 'status_period', 'person_consent', 'card', 'card_event'] LOOP
		t1 := clock_timestamp();
		EXECUTE format('INSERT INTO write_floor.%I SELECT * FROM unionreg.%I', t, t);
		RAISE NOTICE '%: % s', t, round(extract(epoch FROM clock_timestamp() - t1)::numeric, 2);
		-- fresh statistics before the keys look these rows up, as the load does
		IF t IN ('person', 'card') THEN
			EXECUTE format('ANALYZE write_floor.%I', t);
		END IF;
	END LOOP;
	RETURN round(extract(epoch FROM clock_timestamp() - t0)::numeric, 2);
END
$$;

SELECT write_floor.copy_tables(false) AS without_keys_s \gset
SELECT write_floor.copy_tables(true) AS with_keys_s \gset
\echo write floor of :rows membership rows: constraints and indexes :without_keys_s s, with the foreign keys too :with_keys_s s
SELECT round(:rows / :without_keys_s) AS rows_per_s_without_keys, round(:rows / :with_keys_s) AS rows_per_s_with_keys;
SET client_min_messages = warning;
DROP SCHEMA write_floor CASCADE;
