

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
COMMENT ON SEQUENCE unionreg.application_id_seq IS 'ids of online applications';

CREATE FUNCTION unionreg._approve_application_unchecked(p_id bigint, p_on date DEFAULT current_date, p_force boolean DEFAULT false)
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
COMMENT ON FUNCTION unionreg._approve_application_unchecked(bigint, date, boolean) IS
	'internal: the body of unionreg.approve_application, without the caller''s scope check';

CREATE FUNCTION unionreg.approve_application(p_id bigint, p_on date DEFAULT current_date, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	a record;
BEGIN
	PERFORM unionreg._check_date(p_on, 'approval day');
	PERFORM unionreg._require_application(p_id, 'approve');
	-- any person it might be whose record the login cannot read, live or
	-- not, even with p_force: approving reuses a former member's record
	SELECT * INTO a FROM unionreg.application WHERE id = p_id;
	PERFORM unionreg._refuse_hidden_twin(format('approve application %s of "%s %s"', p_id, a.surname, a.first_name),
		a.snils, a.surname, a.first_name, a.patronymic, p_on, false);
	RETURN unionreg._approve_application_unchecked(p_id, p_on, p_force);
END
$$;
COMMENT ON FUNCTION unionreg.approve_application(bigint, date, boolean) IS
	'Approve an online application to a primary of the caller''s subtree: find or create the person (duplicate check) and open a membership admitted online';

CREATE FUNCTION unionreg._reject_application_unchecked(p_id bigint, p_reason text, p_on date DEFAULT current_date)
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
COMMENT ON FUNCTION unionreg._reject_application_unchecked(bigint, text, date) IS
	'internal: the body of unionreg.reject_application, without the caller''s scope check';

CREATE FUNCTION unionreg.reject_application(p_id bigint, p_reason text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'rejection day');
	PERFORM unionreg._require_application(p_id, 'reject');
	PERFORM unionreg._reject_application_unchecked(p_id, p_reason, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.reject_application(bigint, text, date) IS
	'Reject an online application to a primary of the caller''s subtree with a reason';

CREATE FUNCTION unionreg._require_application(p_id bigint, p_action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF NOT unionreg._sees_all()
	   AND NOT EXISTS (SELECT 1 FROM unionreg.application a
					    WHERE a.id = p_id AND a.org_id IN (SELECT unionreg._visible_org_ids())) THEN
		RAISE EXCEPTION 'login % may not % application %: no such application in the subtree the login stands for',
			session_user, p_action, p_id
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._require_application(bigint, text) IS
	'internal: refuses (42501) an application to an organization outside the session login''s subtree';
