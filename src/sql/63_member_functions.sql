-- ---------------------------------------------------------------------
-- Member operations: admission, transfer, leaving; online applications;
-- duplicate persons; contacts to fix.
-- ---------------------------------------------------------------------

-- Internal: the primary (and subdivision) a membership on p_on goes to,
-- from the ext_id of a primary or of one of its subdivisions.
CREATE FUNCTION unionreg._member_place(p_org text, p_on date, OUT org_id bigint, OUT subdivision_id bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint := unionreg._org_id(p_org);
	v_level text;
	v_live boolean;
BEGIN
	SELECT o.level, o.valid_from <= p_on AND (o.valid_to IS NULL OR o.valid_to > p_on)
	  INTO v_level, v_live FROM unionreg.org o WHERE o.id = v_id;
	IF NOT v_live THEN
		RAISE EXCEPTION 'organization "%" does not exist on %', p_org, p_on
			USING ERRCODE = 'check_violation',
				  HINT = 'Choose a primary organization live on that date (see unionreg.org_at).';
	END IF;
	IF v_level = 'primary' THEN
		org_id := v_id;
		RETURN;
	END IF;
	IF v_level <> 'subdivision' THEN
		RAISE EXCEPTION 'organization "%" is %: members belong to a primary organization or its subdivision', p_org, v_level
			USING ERRCODE = 'check_violation', HINT = 'Give the ext_id of a primary organization or of a subdivision.';
	END IF;
	subdivision_id := v_id;
	-- up through nested subdivisions to the primary, as on p_on
	WITH RECURSIVE up AS (
		SELECT l.parent_id, 1 AS steps FROM unionreg.org_link l
		 WHERE l.org_id = v_id AND l.valid_from <= p_on AND (l.valid_to IS NULL OR l.valid_to > p_on)
		UNION ALL
		SELECT l.parent_id, u.steps + 1 FROM up u
		  JOIN unionreg.org o ON o.id = u.parent_id AND o.level = 'subdivision'
		  JOIN unionreg.org_link l ON l.org_id = o.id AND l.valid_from <= p_on AND (l.valid_to IS NULL OR l.valid_to > p_on)
		 WHERE u.steps < 8)
	SELECT u.parent_id INTO org_id FROM up u JOIN unionreg.org o ON o.id = u.parent_id
	 WHERE o.level = 'primary' LIMIT 1;
	IF org_id IS NULL THEN
		RAISE EXCEPTION 'subdivision "%" stands under no primary organization on %', p_org, p_on
			USING ERRCODE = 'check_violation', HINT = 'Run unionreg.validate_hierarchy() and link the subdivision first.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._member_place(text, date) IS 'internal: primary and subdivision ids for a membership in a primary or subdivision on a date';

-- Internal: live members on p_on who look like this person (same SNILS, or
-- same name key and birth date).
CREATE FUNCTION unionreg._live_lookalike(p_snils unionreg.snils, p_key text, p_birth date, p_on date)
RETURNS TABLE (person_id bigint, ext_id text, org_ext_id text, match text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT p.id, p.ext_id, o.ext_id,
		   CASE WHEN p.snils = p_snils THEN 'the same SNILS' ELSE 'the same name and birth date' END
	  FROM unionreg.person p
	  JOIN unionreg.membership m ON m.person_id = p.id
		   AND m.joined_on <= p_on AND (m.left_on IS NULL OR m.left_on > p_on)
	  JOIN unionreg.org o ON o.id = m.org_id
	 WHERE p.snils = p_snils OR (p.name_key = p_key AND p.birth_date = p_birth)
	 ORDER BY p.id LIMIT 1
$$;
COMMENT ON FUNCTION unionreg._live_lookalike(unionreg.snils, text, date, date) IS 'internal: a live member who looks like the given person, for the duplicate check';

CREATE FUNCTION unionreg.admit_member(
	p_ext_id text, p_org text, p_on date,
	p_surname text, p_first_name text, p_patronymic text DEFAULT NULL,
	p_birth_date date DEFAULT NULL, p_gender text DEFAULT NULL, p_snils unionreg.snils DEFAULT NULL,
	p_online boolean DEFAULT false, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_place record := unionreg._member_place(p_org, p_on);
	v_twin record;
	v_person bigint;
BEGIN
	SELECT * INTO v_twin FROM unionreg._live_lookalike(
		p_snils, unionreg.person_name_key(p_surname, p_first_name, p_patronymic),
		p_birth_date, p_on);
	IF FOUND AND NOT p_force THEN
		RAISE EXCEPTION 'cannot admit "% %": % is already a member of "%" on % (%)',
			p_surname, p_first_name, v_twin.ext_id, v_twin.org_ext_id, p_on, v_twin.match
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'A person is on record once; a second record card would count the member twice.',
				  HINT = CASE WHEN v_twin.org_ext_id = p_org
							  THEN 'The person is already a member of this organization: nothing to admit. If it really is another person, pass p_force => true.'
							  ELSE format('To move the member, transfer: SELECT unionreg.transfer_member(%L, %L, %L). If it really is another person, pass p_force => true.',
										  v_twin.ext_id, p_org, p_on) END;
	END IF;
	SELECT id INTO v_person FROM unionreg.person WHERE ext_id = p_ext_id;
	IF v_person IS NULL THEN
		INSERT INTO unionreg.person (ext_id, surname, first_name, patronymic, birth_date, gender, snils)
		VALUES (p_ext_id, p_surname, p_first_name, p_patronymic, p_birth_date, p_gender, p_snils)
		RETURNING id INTO v_person;
	END IF;
	INSERT INTO unionreg.membership (person_id, org_id, subdivision_id, joined_on, admitted_online)
	VALUES (v_person, v_place.org_id, v_place.subdivision_id, p_on, p_online);
	RETURN v_person;
END
$$;
COMMENT ON FUNCTION unionreg.admit_member(text, text, date, text, text, text, date, text, unionreg.snils, boolean, boolean) IS
	'Admit a person (new, or an earlier member by ext_id) to a primary or subdivision on a date; refused when a live member matches by SNILS or name key and birth date, unless p_force';

CREATE FUNCTION unionreg.transfer_member(p_person text, p_new_org text, p_on date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_person bigint := unionreg._person_id(p_person);
	v_place record := unionreg._member_place(p_new_org, p_on);
	m record;
BEGIN
	SELECT * INTO m FROM unionreg.membership
	 WHERE person_id = v_person AND joined_on <= p_on AND (left_on IS NULL OR left_on > p_on)
	 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cannot transfer "%" on %: not a member that day', p_person, p_on
			USING ERRCODE = 'check_violation', HINT = 'Admit the person instead (unionreg.admit_member).';
	END IF;
	IF m.org_id = v_place.org_id AND m.subdivision_id IS NOT DISTINCT FROM v_place.subdivision_id THEN
		RAISE EXCEPTION 'cannot transfer "%" to "%": already a member there on %', p_person, p_new_org, p_on
			USING ERRCODE = 'check_violation', HINT = 'Nothing to do.';
	END IF;
	IF m.joined_on = p_on THEN
		RAISE EXCEPTION 'cannot transfer "%" on %: the period in force began that day', p_person, p_on
			USING ERRCODE = 'check_violation',
				  HINT = 'Correct the organization of that period instead (UPDATE unionreg.membership), or transfer on a later day.';
	END IF;
	-- close and open in one step: [joined, on) here, [on, old left) there
	UPDATE unionreg.membership SET left_on = p_on, left_reason = 'transferred' WHERE id = m.id;
	INSERT INTO unionreg.membership (person_id, org_id, subdivision_id, joined_on, left_on, left_reason, admitted_online)
	VALUES (v_person, v_place.org_id, v_place.subdivision_id, p_on, m.left_on, m.left_reason, false);
END
$$;
COMMENT ON FUNCTION unionreg.transfer_member(text, text, date) IS
	'Transfer a member to another primary or subdivision on a date: the period in force ends that day (reason transferred) and the next begins';

CREATE FUNCTION unionreg.leave(p_person text, p_on date, p_reason text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_person bigint := unionreg._person_id(p_person);
	m record;
BEGIN
	IF p_reason IS NULL OR NOT EXISTS (SELECT 1 FROM unionreg.leave_reason WHERE code = p_reason) THEN
		RAISE EXCEPTION 'leaving reason "%" is not in the catalog', coalesce(p_reason, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of: ' || (SELECT string_agg(code, ', ' ORDER BY sort) FROM unionreg.leave_reason) || '.';
	END IF;
	SELECT * INTO m FROM unionreg.membership
	 WHERE person_id = v_person AND joined_on < p_on AND (left_on IS NULL OR left_on > p_on)
	 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cannot record that "%" leaves on %: no membership runs through that day', p_person, p_on
			USING ERRCODE = 'check_violation',
				  HINT = 'The leaving day is the first day no longer a member, after the joining day.';
	END IF;
	UPDATE unionreg.membership SET left_on = p_on, left_reason = p_reason WHERE id = m.id;
	-- a card on its way or in use is cancelled with the membership
	UPDATE unionreg.card SET state = 'cancelled', state_on = greatest(p_on, state_on)
	 WHERE person_id = v_person AND state IN ('requested', 'produced', 'delivered_to_region', 'issued');
END
$$;
COMMENT ON FUNCTION unionreg.leave(text, date, text) IS
	'Record that a member leaves on a date (the first day no longer a member) with a reason from unionreg.leave_reason; an active card is cancelled';

-- ---- online admission ---------------------------------------------------

CREATE TABLE unionreg.application (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	surname		text NOT NULL,
	first_name	text NOT NULL,
	patronymic	text,
	birth_date	date,
	gender		text CHECK (gender IN ('m', 'f')),
	snils		unionreg.snils,
	email		text,
	phone		text,
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	consent		boolean NOT NULL,
	submitted_at timestamptz NOT NULL DEFAULT now(),
	state		text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'approved', 'rejected')),
	decided_on	date,
	reject_reason text,
	person_id	bigint REFERENCES unionreg.person,
	CONSTRAINT application_decided CHECK ((state = 'submitted') = (decided_on IS NULL)),
	CONSTRAINT application_rejected_reason CHECK (state <> 'rejected' OR reject_reason IS NOT NULL)
);
COMMENT ON TABLE unionreg.application IS 'Applications of the online admission service («Прием в Профсоюз»): submitted, then approved or rejected';
COMMENT ON COLUMN unionreg.application.id IS 'key';
COMMENT ON COLUMN unionreg.application.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.application.first_name IS 'имя';
COMMENT ON COLUMN unionreg.application.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.application.birth_date IS 'дата рождения';
COMMENT ON COLUMN unionreg.application.gender IS 'm or f';
COMMENT ON COLUMN unionreg.application.snils IS 'СНИЛС';
COMMENT ON COLUMN unionreg.application.email IS 'e-mail';
COMMENT ON COLUMN unionreg.application.phone IS 'phone';
COMMENT ON COLUMN unionreg.application.org_id IS 'the primary organization chosen';
COMMENT ON COLUMN unionreg.application.consent IS 'consent to the processing of personal data and to e-mail';
COMMENT ON COLUMN unionreg.application.submitted_at IS 'when it was submitted';
COMMENT ON COLUMN unionreg.application.state IS 'submitted, approved or rejected';
COMMENT ON COLUMN unionreg.application.decided_on IS 'day of the decision';
COMMENT ON COLUMN unionreg.application.reject_reason IS 'why it was rejected';
COMMENT ON COLUMN unionreg.application.person_id IS 'the member it made (approved)';

CREATE FUNCTION unionreg.approve_application(p_id bigint, p_on date DEFAULT current_date, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	a record;
	v_org text;
	v_twin record;
	v_person bigint;
BEGIN
	SELECT * INTO a FROM unionreg.application WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'application % does not exist', p_id USING ERRCODE = 'no_data_found';
	END IF;
	IF a.state <> 'submitted' THEN
		RAISE EXCEPTION 'application % is already % (on %)', p_id, a.state, a.decided_on
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Only a submitted application can be approved or rejected.';
	END IF;
	IF NOT a.consent THEN
		RAISE EXCEPTION 'application % has no consent', p_id
			USING ERRCODE = 'check_violation', HINT = 'Reject it (unionreg.reject_application) or ask the applicant for consent.';
	END IF;
	SELECT ext_id INTO v_org FROM unionreg.org WHERE id = a.org_id;
	PERFORM unionreg._member_place(v_org, p_on);

	-- find the person: a live member is a duplicate; an earlier member comes back
	SELECT * INTO v_twin FROM unionreg._live_lookalike(
		a.snils, unionreg.person_name_key(a.surname, a.first_name, a.patronymic),
		a.birth_date, p_on);
	IF FOUND AND NOT p_force THEN
		RAISE EXCEPTION 'cannot approve application % of "% %": % is already a member of "%" on % (%)',
			p_id, a.surname, a.first_name, v_twin.ext_id, v_twin.org_ext_id, p_on, v_twin.match
			USING ERRCODE = 'unique_violation',
				  HINT = CASE WHEN v_twin.org_ext_id = v_org
							  THEN 'The applicant is already a member of this organization: reject the application as a duplicate (unionreg.reject_application). If it really is another person, pass p_force => true.'
							  ELSE format('To move the member, transfer: SELECT unionreg.transfer_member(%L, %L, %L), then reject the application. If it really is another person, pass p_force => true.',
										  v_twin.ext_id, v_org, p_on) END;
	END IF;
	IF NOT FOUND THEN
		SELECT p.id INTO v_person FROM unionreg.person p
		 WHERE p.snils = a.snils
			OR (p.name_key = unionreg.person_name_key(a.surname, a.first_name, a.patronymic)
				AND p.birth_date = a.birth_date)
		 ORDER BY p.id LIMIT 1;
	END IF;
	IF v_person IS NULL THEN
		INSERT INTO unionreg.person (ext_id, surname, first_name, patronymic, birth_date, gender, snils, email, phone)
		VALUES ('APP-' || p_id, a.surname, a.first_name, a.patronymic, a.birth_date, a.gender, a.snils, a.email, a.phone)
		RETURNING id INTO v_person;
	END IF;
	INSERT INTO unionreg.membership (person_id, org_id, joined_on, admitted_online)
	VALUES (v_person, a.org_id, p_on, true);
	INSERT INTO unionreg.person_consent (person_id, channel, on_date, given)
	VALUES (v_person, 'email', p_on, true)
	ON CONFLICT (person_id, channel, on_date) DO UPDATE SET given = true;
	UPDATE unionreg.application SET state = 'approved', decided_on = p_on, person_id = v_person WHERE id = p_id;
	RETURN v_person;
END
$$;
COMMENT ON FUNCTION unionreg.approve_application(bigint, date, boolean) IS
	'Approve a submitted application on a date: finds or creates the person (a live member who matches is refused unless p_force) and opens a membership admitted online';

CREATE FUNCTION unionreg.reject_application(p_id bigint, p_reason text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	a record;
BEGIN
	IF p_reason IS NULL OR btrim(p_reason) = '' THEN
		RAISE EXCEPTION 'rejecting application % needs a reason', p_id
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Say why, so the applicant can be told.';
	END IF;
	SELECT * INTO a FROM unionreg.application WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'application % does not exist', p_id USING ERRCODE = 'no_data_found';
	END IF;
	IF a.state <> 'submitted' THEN
		RAISE EXCEPTION 'application % is already % (on %)', p_id, a.state, a.decided_on
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Only a submitted application can be approved or rejected.';
	END IF;
	UPDATE unionreg.application SET state = 'rejected', decided_on = p_on, reject_reason = p_reason WHERE id = p_id;
END
$$;
COMMENT ON FUNCTION unionreg.reject_application(bigint, text, date) IS 'Reject a submitted application with a reason';

-- ---- views ---------------------------------------------------------------

CREATE VIEW unionreg.duplicate_persons AS
SELECT a.ext_id AS ext_id_a,
	   concat_ws(' ', a.surname, a.first_name, a.patronymic) AS name_a,
	   b.ext_id AS ext_id_b,
	   concat_ws(' ', b.surname, b.first_name, b.patronymic) AS name_b,
	   a.birth_date,
	   CASE WHEN a.snils = b.snils AND a.name_key = b.name_key THEN 'snils and name'
			WHEN a.snils = b.snils THEN 'snils'
			ELSE 'name and birth date' END AS matched_by
  FROM unionreg.person a
  JOIN unionreg.person b ON b.id > a.id
   AND (b.snils = a.snils OR (b.name_key = a.name_key AND b.birth_date = a.birth_date))
 ORDER BY concat_ws(' ', a.surname, a.first_name, a.patronymic) COLLATE unionreg.ru, a.ext_id, b.ext_id;
COMMENT ON VIEW unionreg.duplicate_persons IS 'Suspected duplicate persons: the same SNILS, or the same name key (unionreg.name_key) and birth date; one row per pair, by name in Russian collation';
COMMENT ON COLUMN unionreg.duplicate_persons.ext_id_a IS 'ext_id of the earlier record';
COMMENT ON COLUMN unionreg.duplicate_persons.name_a IS 'its name as written';
COMMENT ON COLUMN unionreg.duplicate_persons.ext_id_b IS 'ext_id of the later record';
COMMENT ON COLUMN unionreg.duplicate_persons.name_b IS 'its name as written';
COMMENT ON COLUMN unionreg.duplicate_persons.birth_date IS 'birth date of the earlier record';
COMMENT ON COLUMN unionreg.duplicate_persons.matched_by IS 'snils, name and birth date, or snils and name';

CREATE VIEW unionreg.contact_problems AS
SELECT 'chairman'::text AS who, o.ext_id AS org_ext_id, NULL::text AS person_ext_id,
	   c.name COLLATE unionreg.ru AS name, c.email,
	   coalesce(unionreg.email_problem(c.email),
				CASE WHEN c.email_consent IS NOT TRUE THEN 'no consent to e-mail' END) AS problem
  FROM unionreg.org_chairman c JOIN unionreg.org o ON o.id = c.org_id
 WHERE o.valid_to IS NULL AND c.email IS NOT NULL
   AND (unionreg.email_problem(c.email) IS NOT NULL OR c.email_consent IS NOT TRUE)
UNION ALL
SELECT 'member', o.ext_id, p.ext_id, concat_ws(' ', p.surname, p.first_name, p.patronymic) COLLATE unionreg.ru, p.email,
	   coalesce(unionreg.email_problem(p.email),
				CASE WHEN ec.given IS NOT TRUE THEN 'no consent to e-mail' END)
  FROM unionreg.person p
  JOIN unionreg.membership m ON m.person_id = p.id AND m.joined_on <= current_date
	   AND (m.left_on IS NULL OR m.left_on > current_date)
  JOIN unionreg.org o ON o.id = m.org_id
  LEFT JOIN LATERAL (SELECT pc.given FROM unionreg.person_consent pc
					  WHERE pc.person_id = p.id AND pc.channel = 'email' AND pc.on_date <= current_date
					  ORDER BY pc.on_date DESC LIMIT 1) ec ON true
 WHERE p.email IS NOT NULL
   AND (unionreg.email_problem(p.email) IS NOT NULL OR ec.given IS NOT TRUE)
 ORDER BY who, name, org_ext_id, person_ext_id;
COMMENT ON VIEW unionreg.contact_problems IS 'Chairmen of live organizations and current members whose e-mail is invalid or who have not consented to e-mail';
COMMENT ON COLUMN unionreg.contact_problems.who IS 'chairman or member';
COMMENT ON COLUMN unionreg.contact_problems.org_ext_id IS 'the organization (a member''s primary)';
COMMENT ON COLUMN unionreg.contact_problems.person_ext_id IS 'the member''s ext_id (NULL for a chairman)';
COMMENT ON COLUMN unionreg.contact_problems.name IS 'full name';
COMMENT ON COLUMN unionreg.contact_problems.email IS 'the address as stored';
COMMENT ON COLUMN unionreg.contact_problems.problem IS 'what is wrong with the address, or that consent is missing';
COMMENT ON SEQUENCE unionreg.application_id_seq IS 'ids of online applications';
