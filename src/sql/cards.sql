

CREATE TABLE unionreg.card_state (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL,
	is_active boolean NOT NULL);
COMMENT ON TABLE unionreg.card_state IS 'States of a plastic e-card (ЭПБ); a person holds at most one card in an active state';
COMMENT ON COLUMN unionreg.card_state.is_active IS 'the card is on its way or in use; refused, lost and cancelled cards allow a new request';
INSERT INTO unionreg.card_state VALUES
	('requested', 1, 'Заявка', 'requested', true),
	('produced', 2, 'Изготовлен', 'produced', true),
	('delivered_to_region', 3, 'Доставлен в регион', 'delivered to the region', true),
	('issued', 4, 'Выдан', 'issued', true),
	('refused', 5, 'Отказ', 'refused', false),
	('lost', 6, 'Утерян', 'lost', false),
	('cancelled', 7, 'Аннулирован', 'cancelled', false);

CREATE TABLE unionreg.card_transition (
	from_state	text NOT NULL REFERENCES unionreg.card_state,
	to_state	text NOT NULL REFERENCES unionreg.card_state,
	PRIMARY KEY (from_state, to_state)
);
COMMENT ON TABLE unionreg.card_transition IS 'Allowed moves of a plastic card; any other move is refused';
COMMENT ON COLUMN unionreg.card_transition.from_state IS 'state the card is in';
COMMENT ON COLUMN unionreg.card_transition.to_state IS 'state it may move to';
INSERT INTO unionreg.card_transition VALUES
	('requested', 'produced'), ('produced', 'delivered_to_region'), ('delivered_to_region', 'issued'),
	('requested', 'refused'), ('produced', 'refused'), ('delivered_to_region', 'refused'),
	('issued', 'lost'),
	('requested', 'cancelled'), ('produced', 'cancelled'), ('delivered_to_region', 'cancelled'),
	('issued', 'cancelled');

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['member_status', 'position_group', 'student_level', 'leave_reason', 'card_state'] LOOP
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.code IS %L', t, 'code as in DOMAIN.md');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.sort IS %L', t, 'display order');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.label_ru IS %L', t, 'Russian label');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.label_en IS %L', t, 'English label');
	END LOOP;
END
$$;

-- ---------------------------------------------------------------------
-- The electronic union card (ЭПБ): plastic cards and every move they make.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.card (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number		unionreg.card_number NOT NULL UNIQUE,
	person_id	bigint NOT NULL REFERENCES unionreg.person,
	state		text NOT NULL REFERENCES unionreg.card_state,
	state_on	date NOT NULL,
	requested_on date NOT NULL,
	CONSTRAINT card_state_after_request CHECK (state_on >= requested_on)
);
COMMENT ON TABLE unionreg.card IS 'Plastic e-cards (ЭПБ) and their current state; moves go through unionreg.move_card()/move_cards() or an UPDATE of state, checked against unionreg.card_transition and kept in unionreg.card_event';
COMMENT ON COLUMN unionreg.card.id IS 'key';
COMMENT ON COLUMN unionreg.card.number IS 'card number, 16 digits with a Luhn check digit';
COMMENT ON COLUMN unionreg.card.person_id IS 'the holder';
COMMENT ON COLUMN unionreg.card.state IS 'current state (unionreg.card_state)';
COMMENT ON COLUMN unionreg.card.state_on IS 'the day it entered the current state';
COMMENT ON COLUMN unionreg.card.requested_on IS 'the day it was requested (or first recorded)';
-- one card on its way or in use per person: a new request needs the old one refused, lost or cancelled
CREATE UNIQUE INDEX card_one_active_idx ON unionreg.card (person_id)
	WHERE state IN ('requested', 'produced', 'delivered_to_region', 'issued');
CREATE INDEX card_state_idx ON unionreg.card (state);
CREATE INDEX card_person_idx ON unionreg.card (person_id);

CREATE TABLE unionreg.card_event (
	card_id		bigint NOT NULL REFERENCES unionreg.card,
	on_date		date NOT NULL,
	from_state	text REFERENCES unionreg.card_state,
	to_state	text NOT NULL REFERENCES unionreg.card_state,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	recorded_by text NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg.card_event IS 'Every move of every card with its date (from_state NULL: the card was recorded)';
COMMENT ON COLUMN unionreg.card_event.card_id IS 'the card';
COMMENT ON COLUMN unionreg.card_event.on_date IS 'the day of the move';
COMMENT ON COLUMN unionreg.card_event.from_state IS 'state before; NULL when the card was first recorded';
COMMENT ON COLUMN unionreg.card_event.to_state IS 'state after';
COMMENT ON COLUMN unionreg.card_event.recorded_at IS 'when the move was written';
COMMENT ON COLUMN unionreg.card_event.recorded_by IS 'who wrote it';
CREATE INDEX card_event_card_idx ON unionreg.card_event (card_id, on_date);

-- Moves are checked and logged per statement: "all cards of a region
-- delivered_to_region -> issued" is one UPDATE, one check, one INSERT.
CREATE FUNCTION unionreg._card_moves_check() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
-- transition tables carry no statistics: a nested loop of old_rows over
-- new_rows is quadratic on a bulk move of 100,000 cards; hash them
SET enable_nestloop = off
AS $$
DECLARE
	r record;
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- a big insert: fresh statistics before the log's foreign key looks the
		-- cards up (a card table vacuumed while empty would be scanned per row)
		IF (SELECT count(*) FROM new_rows) >= 10000 THEN
			ANALYZE unionreg.card;
		END IF;
		INSERT INTO unionreg.card_event (card_id, on_date, from_state, to_state)
		SELECT n.id, n.state_on, NULL, n.state FROM new_rows n;
		RETURN NULL;
	END IF;

	SELECT o.number, o.state AS from_state, n.state AS to_state, o.state_on AS from_on, n.state_on AS to_on
	  INTO r
	  FROM old_rows o JOIN new_rows n ON n.id = o.id
	 WHERE n.state IS DISTINCT FROM o.state
	   AND NOT EXISTS (SELECT 1 FROM unionreg.card_transition t
					    WHERE t.from_state = o.state AND t.to_state = n.state)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'card % is %: the move % -> % is not allowed', r.number, r.from_state, r.from_state, r.to_state
			USING ERRCODE = 'check_violation',
				  DETAIL = format('Allowed from %s: %s.', r.from_state,
								  coalesce((SELECT string_agg(t.to_state, ', ' ORDER BY s.sort)
											  FROM unionreg.card_transition t JOIN unionreg.card_state s ON s.code = t.to_state
											 WHERE t.from_state = r.from_state), 'nothing (the card is final)')),
				  HINT = CASE WHEN r.from_state IN ('refused', 'lost', 'cancelled')
							  THEN 'Request a new card for the member instead (unionreg.request_card).'
							  ELSE 'Move the card through the states in order: requested, produced, delivered_to_region, issued.' END;
	END IF;

	SELECT o.number, o.state AS from_state, n.state AS to_state, o.state_on AS from_on, n.state_on AS to_on
	  INTO r
	  FROM old_rows o JOIN new_rows n ON n.id = o.id
	 WHERE n.state IS DISTINCT FROM o.state AND n.state_on < o.state_on
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'card % cannot move % -> % on %: it became % on %', r.number, r.from_state, r.to_state,
			r.to_on, r.from_state, r.from_on
			USING ERRCODE = 'check_violation',
				  HINT = 'A move is dated on or after the card''s previous move.';
	END IF;

	SELECT o.number INTO r
	  FROM old_rows o JOIN new_rows n ON n.id = o.id
	 WHERE n.number <> o.number OR n.person_id <> o.person_id
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'card %: its number and holder never change', r.number
			USING ERRCODE = 'check_violation',
				  HINT = 'Refuse or cancel the card and request a new one.';
	END IF;

	INSERT INTO unionreg.card_event (card_id, on_date, from_state, to_state)
	SELECT n.id, n.state_on, o.state, n.state
	  FROM old_rows o JOIN new_rows n ON n.id = o.id
	 WHERE n.state IS DISTINCT FROM o.state;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._card_moves_check() IS
	'statement trigger: every card move is allowed by unionreg.card_transition, dated after the previous one, and logged in unionreg.card_event';
CREATE TRIGGER card_moves_ins AFTER INSERT ON unionreg.card
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._card_moves_check();
CREATE TRIGGER card_moves_upd AFTER UPDATE ON unionreg.card
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._card_moves_check();

CREATE FUNCTION unionreg._request_card_unchecked(p_person text, p_number unionreg.card_number, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_person bigint := unionreg._person_id(p_person);
	v_old record;
BEGIN
	SELECT c.number, c.state INTO v_old FROM unionreg.card c
	 WHERE c.person_id = v_person AND c.state IN ('requested', 'produced', 'delivered_to_region', 'issued');
	IF FOUND THEN
		RAISE EXCEPTION 'cannot request card % for "%": card % is %', p_number, p_person, v_old.number, v_old.state
			USING ERRCODE = 'unique_violation',
				  HINT = 'A new card follows only a refused, lost or cancelled one: move the current card first.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM unionreg.membership m WHERE m.person_id = v_person
					AND unionreg._holds_on(m.joined_on, m.left_on, p_on)) THEN
		RAISE EXCEPTION 'cannot request card % for "%": not a member on %', p_number, p_person, p_on
			USING ERRCODE = 'check_violation', HINT = 'Cards are issued to members only.';
	END IF;
	INSERT INTO unionreg.card (number, person_id, state, state_on, requested_on)
	VALUES (p_number, v_person, 'requested', p_on, p_on);
END
$$;
COMMENT ON FUNCTION unionreg._request_card_unchecked(text, unionreg.card_number, date) IS
	'internal: the body of unionreg.request_card, without the caller''s scope check';

CREATE FUNCTION unionreg.request_card(p_person text, p_number unionreg.card_number, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'request day');
	PERFORM unionreg._require_person(p_person, 'request a card for');
	PERFORM unionreg._request_card_unchecked(p_person, p_number, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.request_card(text, unionreg.card_number, date) IS
	'Record a plastic e-card requested for a member of the caller''s subtree (state requested)';

CREATE FUNCTION unionreg._move_card_unchecked(p_number unionreg.card_number, p_to text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_state text;
BEGIN
	-- the row lock makes a concurrent move of the same card wait, then see this one
	SELECT id, state INTO v_id, v_state FROM unionreg.card WHERE number = p_number FOR UPDATE;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'card % does not exist', p_number
			USING ERRCODE = 'no_data_found', HINT = 'Request it first (unionreg.request_card).';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM unionreg.card_state WHERE code = p_to) THEN
		RAISE EXCEPTION 'card state "%" does not exist', p_to
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of requested, produced, delivered_to_region, issued, refused, lost, cancelled.';
	END IF;
	IF v_state = p_to THEN
		RAISE EXCEPTION 'card % is %: the move % -> % is not allowed', p_number, v_state, v_state, p_to
			USING ERRCODE = 'check_violation', HINT = 'Nothing to do: the card is already in that state.';
	END IF;
	UPDATE unionreg.card SET state = p_to, state_on = p_on WHERE id = v_id;
END
$$;
COMMENT ON FUNCTION unionreg._move_card_unchecked(unionreg.card_number, text, date) IS
	'internal: the body of unionreg.move_card, without the caller''s scope check';

CREATE FUNCTION unionreg.move_card(p_number unionreg.card_number, p_to text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'day of the move');
	-- the same refusal whether the card exists elsewhere or not at all
	IF NOT unionreg._sees_all()
	   AND NOT EXISTS (SELECT 1 FROM unionreg.card c
					    WHERE c.number = p_number AND c.person_id IN (SELECT unionreg._visible_person_ids())) THEN
		RAISE EXCEPTION 'login % may not move card %: no such card in the subtree the login stands for', session_user, p_number
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
	PERFORM unionreg._move_card_unchecked(p_number, p_to, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.move_card(unionreg.card_number, text, date) IS
	'Move one card of a member of the caller''s subtree to a state on a date (allowed moves only; the card row is locked)';

CREATE FUNCTION unionreg._move_cards_unchecked(p_region_ext_id text, p_from text, p_to text, p_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_n bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM unionreg.card_transition WHERE from_state = p_from AND to_state = p_to) THEN
		RAISE EXCEPTION 'cards cannot move % -> %', p_from, p_to
			USING ERRCODE = 'check_violation',
				  HINT = 'See unionreg.card_transition for the allowed moves.';
	END IF;
	-- the cards of members whose primary stands under the region on p_on
	WITH RECURSIVE sub AS (
		SELECT unionreg._org_id(p_region_ext_id) AS id
		UNION ALL
		SELECT l.org_id FROM sub s JOIN unionreg.org_link l ON l.parent_id = s.id
		 WHERE unionreg._holds_on(l.valid_from, l.valid_to, p_on))
	UPDATE unionreg.card c SET state = p_to, state_on = p_on
	  FROM unionreg.membership m
	 WHERE c.state = p_from AND m.person_id = c.person_id
	   AND unionreg._holds_on(m.joined_on, m.left_on, p_on)
	   AND m.org_id IN (SELECT id FROM sub)
	   -- only the cards of members the caller stands for today: a member
	   -- under the region on p_on may have moved to another subtree since
	   AND (unionreg._sees_all() OR c.person_id IN (SELECT unionreg._visible_person_ids()));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION unionreg._move_cards_unchecked(text, text, text, date) IS
	'internal: the body of unionreg.move_cards, without the caller''s scope check';
COMMENT ON SEQUENCE unionreg.card_id_seq IS 'internal ids of e-cards';

CREATE FUNCTION unionreg.move_cards(p_region_ext_id text, p_from text, p_to text, p_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'day of the move');
	PERFORM unionreg._require_org(p_region_ext_id, 'move the cards of');
	RETURN unionreg._move_cards_unchecked(p_region_ext_id, p_from, p_to, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.move_cards(text, text, text, date) IS
	'Set-based: every card in one state of the members of an organization''s subtree (in the caller''s) moves to another state on a date; returns the count';
