-- src/sql/member_fact.sql: the member pass reads one table.
-- ---------------------------------------------------------------------
-- A membership period counts with its person's birth date, virtual card,
-- status on D and card state on D.  Read from person, status_period, card
-- and card_event, that would be five tables per build and five index
-- probes per period on demand.  unionreg.member_fact holds one row per
-- period with all of it, the histories encoded (src/members/member_fact.h), kept by
-- statement triggers on the tables it derives from and written in
-- organization order, so one organization's periods lie together.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.member_fact (
	membership_id	bigint PRIMARY KEY,
	person_id		bigint NOT NULL,
	org_id			bigint NOT NULL,
	joined_on		date NOT NULL,
	left_on			date,
	birth_date		date,
	virtual_card_on date,
	profcards_on	date,
	admitted_online boolean NOT NULL,
	transfer_in		boolean NOT NULL,
	left_reason		text,
	statuses		bytea,
	cards			bytea
);
-- By organization and end: a report on D reads only the periods that end
-- after the period start P (an open period ends at infinity), not the
-- organization's whole history.
CREATE INDEX member_fact_org_idx ON unionreg.member_fact (org_id, (coalesce(left_on, 'infinity'::date)));
CREATE INDEX member_fact_person_idx ON unionreg.member_fact (person_id);
COMMENT ON TABLE unionreg.member_fact IS
	'Derived, kept by triggers: one row per membership period with what the report engine needs from its person (no grants: the engine reads it as its owner)';
COMMENT ON COLUMN unionreg.member_fact.membership_id IS 'the period (unionreg.membership.id)';
COMMENT ON COLUMN unionreg.member_fact.person_id IS 'its person';
COMMENT ON COLUMN unionreg.member_fact.org_id IS 'its primary organization';
COMMENT ON COLUMN unionreg.member_fact.joined_on IS 'first day a member';
COMMENT ON COLUMN unionreg.member_fact.left_on IS 'first day no longer a member; NULL while a member';
COMMENT ON COLUMN unionreg.member_fact.birth_date IS 'the person''s birth date';
COMMENT ON COLUMN unionreg.member_fact.virtual_card_on IS 'the day the person''s virtual card was issued';
COMMENT ON COLUMN unionreg.member_fact.profcards_on IS 'the day the person registered in the PROFCARDS programme';
COMMENT ON COLUMN unionreg.member_fact.admitted_online IS 'the period began with an online application';
COMMENT ON COLUMN unionreg.member_fact.transfer_in IS 'the person''s previous period ended "transferred" the day this one began';
COMMENT ON COLUMN unionreg.member_fact.left_reason IS 'why the period ended';
COMMENT ON COLUMN unionreg.member_fact.statuses IS 'the person''s status periods, encoded (unionreg._fact_status), by valid_from';
COMMENT ON COLUMN unionreg.member_fact.cards IS 'the moves of the person''s cards, encoded (unionreg._fact_card), in the order they were made';

CREATE FUNCTION unionreg._fact_status(valid_from date, valid_to date, status text, "position" text,
	pedagogical boolean, full_time boolean)
RETURNS bytea
AS 'MODULE_PATHNAME', 'fact_status'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._fact_status(date, date, text, text, boolean, boolean) IS
	'internal: one status period as unionreg.member_fact.statuses holds it (12 bytes: from, to, the codes the forms tell apart)';

CREATE FUNCTION unionreg._fact_card(on_date date, to_state text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'fact_card'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg._fact_card(date, text) IS
	'internal: one card move as unionreg.member_fact.cards holds it (8 bytes: the day, the state code)';

CREATE FUNCTION unionreg._member_facts_defer(boolean) RETURNS void
AS 'MODULE_PATHNAME', 'member_facts_defer'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION unionreg._member_facts_defer(boolean) IS
	'internal: true, and the member_fact triggers stand aside until false or the end of the calling (sub)transaction; the caller refreshes the persons it wrote (the loader)';

-- (restricted: the flag is the backend's own, which a parallel worker does not share)
CREATE FUNCTION unionreg._member_facts_deferred() RETURNS boolean
AS 'MODULE_PATHNAME', 'member_facts_deferred'
LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION unionreg._member_facts_deferred() IS
	'internal: whether a loader has deferred the member_fact refresh';

-- The facts of some persons (NULL: of everyone), from the tables.  For
-- everyone, whole tables hashed and grouped; for given persons, each one's
-- rows through the indexes (a region's card move touches a few hundred
-- persons: hashing the tables for them took a second).  The histories in
-- the order the card moves were made: by day, then by when written, a later
-- card after an earlier one, a later row of one card last.
CREATE FUNCTION unionreg._member_fact_rows(p_persons bigint[])
RETURNS SETOF unionreg.member_fact
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
-- planned for itself, whatever the writer that fired the refresh has set
-- (the card-move trigger turns nested loops off: per person, that made the
-- card history a scan of every card move, 75 ms a person)
SET enable_nestloop = on
SET jit = off
AS $$
BEGIN
	IF p_persons IS NULL THEN
		RETURN QUERY
		SELECT m.id, m.person_id, m.org_id, m.joined_on, m.left_on, pe.birth_date, pe.virtual_card_on,
			   pe.profcards_on, m.admitted_online,
			   EXISTS (SELECT 1 FROM unionreg.membership prev
						WHERE prev.person_id = m.person_id AND prev.left_on = m.joined_on
						  AND prev.left_reason = 'transferred'),
			   m.left_reason, st.statuses, cd.cards
		  FROM unionreg.membership m
		  JOIN unionreg.person pe ON pe.id = m.person_id
		  LEFT JOIN (SELECT s.person_id,
							string_agg(unionreg._fact_status(s.valid_from, s.valid_to, s.status, s.position,
															 s.pedagogical, s.full_time), ''::bytea
									   ORDER BY s.valid_from) AS statuses
					   FROM unionreg.status_period s
					  GROUP BY s.person_id) st ON st.person_id = m.person_id
		  LEFT JOIN (SELECT c.person_id,
							string_agg(unionreg._fact_card(e.on_date, e.to_state), ''::bytea
									   ORDER BY e.on_date, e.recorded_at, c.id, e.ctid) AS cards
					   FROM unionreg.card c JOIN unionreg.card_event e ON e.card_id = c.id
					  GROUP BY c.person_id) cd ON cd.person_id = m.person_id;
	ELSE
		RETURN QUERY
		SELECT m.id, m.person_id, m.org_id, m.joined_on, m.left_on, pe.birth_date, pe.virtual_card_on,
			   pe.profcards_on, m.admitted_online,
			   EXISTS (SELECT 1 FROM unionreg.membership prev
						WHERE prev.person_id = m.person_id AND prev.left_on = m.joined_on
						  AND prev.left_reason = 'transferred'),
			   m.left_reason, st.statuses, cd.cards
		  FROM (SELECT DISTINCT x AS id FROM unnest(p_persons) x) p
		  JOIN unionreg.person pe ON pe.id = p.id
		  JOIN unionreg.membership m ON m.person_id = p.id
		  LEFT JOIN LATERAL (
				SELECT string_agg(unionreg._fact_status(s.valid_from, s.valid_to, s.status, s.position,
														s.pedagogical, s.full_time), ''::bytea
								  ORDER BY s.valid_from) AS statuses
				  FROM unionreg.status_period s WHERE s.person_id = p.id) st ON true
		  LEFT JOIN LATERAL (
				SELECT string_agg(unionreg._fact_card(e.on_date, e.to_state), ''::bytea
								  ORDER BY e.on_date, e.recorded_at, c.id, e.ctid) AS cards
				  FROM unionreg.card c JOIN unionreg.card_event e ON e.card_id = c.id
				 WHERE c.person_id = p.id) cd ON true;
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._member_fact_rows(bigint[]) IS
	'internal: the unionreg.member_fact rows of the given persons (NULL: of every person) as the tables give them now';

-- Replace the facts of some persons (NULL: everyone's).  A few persons are
-- locked one by one (advisory, in key order): two sessions writing one
-- person refresh one after the other, the second from what the first
-- committed.  Many lock the table against other refreshes.
CREATE FUNCTION unionreg._member_fact_refresh(p_persons bigint[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF cardinality(p_persons) = 0 THEN
		RETURN;
	END IF;
	IF p_persons IS NULL OR cardinality(p_persons) > 1000 THEN
		LOCK TABLE unionreg.member_fact IN SHARE ROW EXCLUSIVE MODE;
	ELSE
		PERFORM pg_advisory_xact_lock(1970170224, k.h)
		   FROM (SELECT DISTINCT hashint8(x) AS h FROM unnest(p_persons) x ORDER BY 1) k;
	END IF;
	IF p_persons IS NULL THEN
		DELETE FROM unionreg.member_fact;
	ELSE
		EXECUTE 'DELETE FROM unionreg.member_fact f WHERE f.person_id = ANY ($1)' USING p_persons;
	END IF;
	INSERT INTO unionreg.member_fact
	SELECT * FROM unionreg._member_fact_rows(p_persons) r ORDER BY r.org_id, coalesce(r.left_on, 'infinity'::date);
END
$$;
COMMENT ON FUNCTION unionreg._member_fact_refresh(bigint[]) IS
	'internal: recompute the unionreg.member_fact rows of the given persons (NULL: of everyone)';

-- The statement triggers: the persons a statement touched (argument: the
-- query giving them from its transition tables), refreshed.  Definer:
-- chairmen write members under row security and cannot see member_fact.
CREATE FUNCTION unionreg._member_fact_sync() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
-- as _member_fact_rows: not the planner settings of the statement that fired it
SET enable_nestloop = on
SET jit = off
AS $$
DECLARE
	v_persons bigint[];
BEGIN
	IF unionreg._member_facts_deferred() THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM unionreg._member_fact_refresh(NULL);
		RETURN NULL;
	END IF;
	EXECUTE TG_ARGV[0] INTO v_persons;
	PERFORM unionreg._member_fact_refresh(coalesce(v_persons, '{}'));
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._member_fact_sync() IS
	'internal: statement trigger refreshing the unionreg.member_fact rows of the persons a statement touched (argument: the query giving them)';

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
			('membership', 'person_id', NULL),
			('status_period', 'person_id', NULL),
			('card_event', 'c.person_id', 'JOIN unionreg.card c ON c.id = r.card_id')) v(tab, person, via)
	LOOP
		EXECUTE format('CREATE TRIGGER member_fact_ins AFTER INSERT ON unionreg.%I REFERENCING NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._member_fact_sync(%L)',
					   t.tab, format('SELECT array_agg(DISTINCT %s) FROM new_rows r %s', t.person, t.via));
		EXECUTE format('CREATE TRIGGER member_fact_upd AFTER UPDATE ON unionreg.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._member_fact_sync(%L)',
					   t.tab, format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$s FROM old_rows r %2$s UNION ALL SELECT %1$s FROM new_rows r %2$s) u(x)',
									 t.person, t.via));
		EXECUTE format('CREATE TRIGGER member_fact_del AFTER DELETE ON unionreg.%I REFERENCING OLD TABLE AS old_rows
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._member_fact_sync(%L)',
					   t.tab, format('SELECT array_agg(DISTINCT %s) FROM old_rows r %s', t.person, t.via));
		EXECUTE format('CREATE TRIGGER member_fact_truncate AFTER TRUNCATE ON unionreg.%I
						FOR EACH STATEMENT EXECUTE FUNCTION unionreg._member_fact_sync()', t.tab);
	END LOOP;
END
$$;
-- a person's birth date, virtual card and PROFCARDS registration (a card's holder never changes:
-- unionreg._card_moves_check; a person is deleted after their periods)
CREATE TRIGGER member_fact_upd AFTER UPDATE ON unionreg.person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg._member_fact_sync(
		'SELECT array_agg(n.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
		  WHERE (n.birth_date, n.virtual_card_on, n.profcards_on) IS DISTINCT FROM (o.birth_date, o.virtual_card_on, o.profcards_on)');

-- what a dump brings back
SELECT pg_catalog.pg_extension_config_dump('unionreg.member_fact', '');


-- For the DBA: facts that differ from what the tables give (none, unless
-- rows were written with triggers disabled), and a rebuild.
CREATE FUNCTION unionreg.member_fact_drift()
RETURNS TABLE (membership_id bigint, person_id bigint, problem text)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT coalesce(f.membership_id, r.membership_id), coalesce(f.person_id, r.person_id),
		   CASE WHEN f.membership_id IS NULL THEN 'missing'
				WHEN r.membership_id IS NULL THEN 'left over'
				ELSE 'differs' END
	  FROM unionreg.member_fact f
	  FULL JOIN unionreg._member_fact_rows(NULL) r ON r.membership_id = f.membership_id
	 WHERE f IS DISTINCT FROM r
	 ORDER BY 1
$$;
COMMENT ON FUNCTION unionreg.member_fact_drift() IS
	'Membership periods whose unionreg.member_fact row differs from what the member tables give (missing, left over, differs); empty unless rows were written with triggers disabled';
REVOKE EXECUTE ON FUNCTION unionreg.member_fact_drift() FROM PUBLIC;

CREATE FUNCTION unionreg.member_fact_rebuild()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	PERFORM unionreg._member_fact_refresh(NULL);
	SELECT count(*) INTO v_n FROM unionreg.member_fact;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg.member_fact_rebuild() IS
	'Recompute unionreg.member_fact from the member tables (after rows were written with triggers disabled); returns the rows written';
REVOKE EXECUTE ON FUNCTION unionreg.member_fact_rebuild() FROM PUBLIC;
