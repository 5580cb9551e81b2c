-- ---------------------------------------------------------------------
-- Member catalogs: the codes of DOMAIN.md with Russian labels.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg.name_key(text) RETURNS text
	AS 'MODULE_PATHNAME', 'name_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.name_key(text) IS
	'Comparison key of a person''s name (ICU): NFKC, case folding, ё→е, runs of spaces/hyphens as one space, junk at the ends trimmed, Latin look-alike letters inside Cyrillic words read as Cyrillic';
CREATE FUNCTION unionreg.email_ascii(text) RETURNS text
	AS 'MODULE_PATHNAME', 'email_ascii' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.email_ascii(text) IS
	'Checks an e-mail address and returns its ASCII form: the domain through ICU IDNA (UTS #46), the local part checked and kept; a bad address fails with 22P02 saying what is wrong';
CREATE FUNCTION unionreg.email_problem(text) RETURNS text
	AS 'MODULE_PATHNAME', 'email_problem' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.email_problem(text) IS
	'What is wrong with an e-mail address, or NULL when email_ascii() accepts it; never fails';

-- A phone number as people write it: digits with the usual separators, an
-- optional leading +, 10 to 15 digits (a Russian number has 11 with its 7 or
-- 8; the international plan at most 15).
CREATE FUNCTION unionreg._phone_problem(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN btrim($1) !~ '^\+?[0-9 ()./-]+$' THEN 'has characters a phone number does not: write digits, spaces, + ( ) and -'
		WHEN length(regexp_replace($1, '[^0-9]', '', 'g')) NOT BETWEEN 10 AND 15
		THEN format('has %s digits, a phone number has 10 to 15', length(regexp_replace($1, '[^0-9]', '', 'g')))
	END
$$;
COMMENT ON FUNCTION unionreg._phone_problem(text) IS 'internal: what is wrong with a phone number as written (NULL if nothing): the characters, or the count of digits (10 to 15)';

CREATE TABLE unionreg.member_status (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL);
COMMENT ON TABLE unionreg.member_status IS 'Member status (категория); unknown is the absence of a status period';
INSERT INTO unionreg.member_status VALUES
	('working', 1, 'работающий', 'working'),
	('student', 2, 'обучающийся', 'student'),
	('pensioner', 3, 'неработающий пенсионер', 'non-working pensioner');

CREATE TABLE unionreg.position_group (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL);
COMMENT ON TABLE unionreg.position_group IS 'Position group of a working member';
INSERT INTO unionreg.position_group VALUES
	('teacher', 1, 'учитель', 'teacher'),
	('educator', 2, 'воспитатель', 'preschool educator'),
	('faculty', 3, 'профессорско-преподавательский состав (ППС)', 'university teaching staff'),
	('researcher', 4, 'научный работник', 'researcher'),
	('other', 5, 'прочий персонал', 'other staff');

CREATE TABLE unionreg.student_level (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL);
COMMENT ON TABLE unionreg.student_level IS 'Level of education of a student member';
INSERT INTO unionreg.student_level VALUES
	('college', 1, 'среднее профессиональное образование', 'college'),
	('bachelor', 2, 'бакалавриат, специалитет', 'bachelor or specialist'),
	('master', 3, 'магистратура', 'master'),
	('postgraduate', 4, 'аспирантура', 'postgraduate');

CREATE TABLE unionreg.leave_reason (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL);
COMMENT ON TABLE unionreg.leave_reason IS 'Reasons a membership ends';
INSERT INTO unionreg.leave_reason VALUES
	('own_wish', 1, 'по собственному желанию', 'own wish'),
	('left_job', 2, 'в связи с увольнением или отчислением', 'left the job or school'),
	('graduated', 3, 'в связи с окончанием обучения', 'graduated'),
	('transferred', 4, 'переход в другую организацию Профсоюза', 'transferred'),
	('retired', 5, 'выход на пенсию', 'retired'),
	('died', 6, 'смерть', 'died'),
	('expelled', 7, 'исключение из Профсоюза', 'expelled'),
	('other', 8, 'иное', 'other');

-- ---------------------------------------------------------------------
-- Members over time: persons, membership and status periods, consents.
-- Periods are half-open [from, to); "on D" means from <= D < to.
-- ---------------------------------------------------------------------

-- The key of a full name: one definition for the stored column and every
-- duplicate check, so they can never drift apart.
CREATE FUNCTION unionreg.person_name_key(surname text, first_name text, patronymic text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT unionreg.name_key(surname || ' ' || first_name || coalesce(' ' || patronymic, '')) $$;
COMMENT ON FUNCTION unionreg.person_name_key(text, text, text) IS
	'unionreg.name_key() of surname, first name and (optional) patronymic: the key duplicates share';

CREATE TABLE unionreg.person (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ext_id		text NOT NULL UNIQUE CHECK (ext_id <> ''),
	surname		text NOT NULL CHECK (btrim(surname) <> ''),
	first_name	text NOT NULL CHECK (btrim(first_name) <> ''),
	patronymic	text,
	birth_date	date CHECK (birth_date BETWEEN '1900-01-01' AND '2100-01-01'),
	gender		text CHECK (gender IN ('m', 'f')),
	snils		unionreg.snils,
	email		text,
	phone		text,
	virtual_card_on date,
	profcards_on date,
	name_key	text GENERATED ALWAYS AS
				(unionreg.person_name_key(surname, first_name, patronymic)) STORED
);
COMMENT ON TABLE unionreg.person IS 'A member''s record card (учетная карточка): the person; periods live in membership and status_period';
COMMENT ON COLUMN unionreg.person.id IS 'key';
COMMENT ON COLUMN unionreg.person.ext_id IS 'external id of the person (the staging files'' ext_id)';
COMMENT ON COLUMN unionreg.person.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.person.first_name IS 'имя';
COMMENT ON COLUMN unionreg.person.patronymic IS 'отчество (may be absent)';
COMMENT ON COLUMN unionreg.person.birth_date IS 'дата рождения';
COMMENT ON COLUMN unionreg.person.gender IS 'm or f';
COMMENT ON COLUMN unionreg.person.snils IS 'СНИЛС, where known';
COMMENT ON COLUMN unionreg.person.email IS 'e-mail as given (its ASCII form: unionreg.email_ascii)';
COMMENT ON COLUMN unionreg.person.phone IS 'phone';
COMMENT ON COLUMN unionreg.person.virtual_card_on IS 'first day the member uses the virtual card in the PROFCARDS app';
COMMENT ON COLUMN unionreg.person.profcards_on IS 'registration in the PROFCARDS bonus programme';
COMMENT ON COLUMN unionreg.person.name_key IS 'unionreg.name_key() of surname, first name and patronymic: duplicates share it';
CREATE INDEX person_name_key_idx ON unionreg.person (name_key, birth_date);
CREATE INDEX person_snils_idx ON unionreg.person (snils) WHERE snils IS NOT NULL;

CREATE TABLE unionreg.person_consent (
	person_id	bigint NOT NULL REFERENCES unionreg.person ON DELETE CASCADE,
	channel		text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
	on_date		date NOT NULL,
	given		boolean NOT NULL,
	PRIMARY KEY (person_id, channel, on_date)
);
COMMENT ON TABLE unionreg.person_consent IS 'Consents to e-mail, SMS and push messages: each row a consent given or withdrawn on a date; the latest row on or before a date holds';
COMMENT ON COLUMN unionreg.person_consent.person_id IS 'the person';
COMMENT ON COLUMN unionreg.person_consent.channel IS 'email, sms or push';
COMMENT ON COLUMN unionreg.person_consent.on_date IS 'date given or withdrawn';
COMMENT ON COLUMN unionreg.person_consent.given IS 'true = given, false = withdrawn';

CREATE TABLE unionreg.membership (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id	bigint NOT NULL REFERENCES unionreg.person,
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	subdivision_id bigint REFERENCES unionreg.org,
	joined_on	date NOT NULL,
	left_on		date,
	left_reason text REFERENCES unionreg.leave_reason,
	admitted_online boolean NOT NULL DEFAULT false,
	UNIQUE (person_id, joined_on),
	CONSTRAINT membership_ordered CHECK (left_on IS NULL OR left_on > joined_on),
	CONSTRAINT membership_leave_has_reason CHECK ((left_on IS NULL) = (left_reason IS NULL)),
	CONSTRAINT membership_no_overlap EXCLUDE USING gist
		(person_id WITH =, daterange(joined_on, left_on) WITH &&)
);
COMMENT ON TABLE unionreg.membership IS 'Membership periods [joined_on, left_on) of a person in a primary organization (and optionally one of its subdivisions); one person''s periods never overlap';
COMMENT ON COLUMN unionreg.membership.id IS 'key';
COMMENT ON COLUMN unionreg.membership.person_id IS 'the member';
COMMENT ON COLUMN unionreg.membership.org_id IS 'the primary organization, live for the whole period';
COMMENT ON COLUMN unionreg.membership.subdivision_id IS 'a subdivision of that primary, or NULL';
COMMENT ON COLUMN unionreg.membership.joined_on IS 'first day of membership';
COMMENT ON COLUMN unionreg.membership.left_on IS 'first day no longer a member; NULL = member';
COMMENT ON COLUMN unionreg.membership.left_reason IS 'why the period ended (unionreg.leave_reason), required with left_on';
COMMENT ON COLUMN unionreg.membership.admitted_online IS 'admitted through the online admission service (not on paper)';
CREATE INDEX membership_org_idx ON unionreg.membership (org_id, joined_on);
CREATE INDEX membership_subdivision_idx ON unionreg.membership (subdivision_id) WHERE subdivision_id IS NOT NULL;

CREATE TABLE unionreg.status_period (
	person_id	bigint NOT NULL REFERENCES unionreg.person,
	status		text NOT NULL REFERENCES unionreg.member_status,
	valid_from	date NOT NULL,
	valid_to	date,
	pedagogical boolean,
	position	text REFERENCES unionreg.position_group,
	student_level text REFERENCES unionreg.student_level,
	full_time	boolean,
	PRIMARY KEY (person_id, valid_from),
	CONSTRAINT status_period_ordered CHECK (valid_to IS NULL OR valid_to > valid_from),
	CONSTRAINT status_working_attributes CHECK
		(status = 'working' OR (pedagogical IS NULL AND position IS NULL)),
	CONSTRAINT status_student_attributes CHECK
		(status = 'student' OR (student_level IS NULL AND full_time IS NULL)),
	CONSTRAINT status_period_no_overlap EXCLUDE USING gist
		(person_id WITH =, daterange(valid_from, valid_to) WITH &&)
);
COMMENT ON TABLE unionreg.status_period IS 'Status (категория) of a person over time; a day with no period is status unknown';
COMMENT ON COLUMN unionreg.status_period.person_id IS 'the person';
COMMENT ON COLUMN unionreg.status_period.status IS 'working, student or pensioner';
COMMENT ON COLUMN unionreg.status_period.valid_from IS 'first day';
COMMENT ON COLUMN unionreg.status_period.valid_to IS 'first day it no longer holds; NULL = holds';
COMMENT ON COLUMN unionreg.status_period.pedagogical IS 'working: a pedagogical worker (педагогический работник)';
COMMENT ON COLUMN unionreg.status_period.position IS 'working: position group (unionreg.position_group)';
COMMENT ON COLUMN unionreg.status_period.student_level IS 'student: level (unionreg.student_level)';
COMMENT ON COLUMN unionreg.status_period.full_time IS 'student: full-time (очная форма)';

-- A membership stands in a primary live for the whole period; its
-- subdivision, if any, stands under that primary.  Set-based over the
-- statement's rows so a load of millions is one query, not a call per row.
CREATE FUNCTION unionreg._membership_check() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	-- shared with other member writers, exclusive against hierarchy writers
	-- (a liquidation must see this membership, and this check its liquidation)
	PERFORM pg_advisory_xact_lock_shared(1970170223, 1);
	-- find a broken row first, then name it (no join to person for every row)
	SELECT (SELECT p.ext_id FROM unionreg.person p WHERE p.id = x.person_id) AS person, x.*
	  INTO r
	  FROM (WITH bad AS MATERIALIZED (
				SELECT n.person_id, o.ext_id AS org, o.level, o.valid_from, o.valid_to, n.joined_on, n.left_on
				  FROM new_rows n
				  JOIN unionreg.org o ON o.id = n.org_id
				 WHERE o.level <> 'primary' OR o.valid_from > n.joined_on
					OR coalesce(o.valid_to, 'infinity') < coalesce(n.left_on, 'infinity'))
			SELECT * FROM bad LIMIT 1) x;
	IF FOUND THEN
		IF r.level <> 'primary' THEN
			RAISE EXCEPTION 'membership of "%" cannot stand in "%" (%): members belong to a primary organization',
				r.person, r.org, r.level
				USING ERRCODE = 'check_violation',
					  DETAIL = format('The period is [%s, %s).', r.joined_on, coalesce(r.left_on::text, 'open')),
					  HINT = 'Give the primary organization in org_id and the subdivision, if any, in subdivision_id.';
		END IF;
		RAISE EXCEPTION 'membership of "%" in "%" holds outside the lifetime of "%"', r.person, r.org, r.org
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The membership holds [%s, %s); "%s" exists [%s, %s).', r.joined_on,
								  coalesce(r.left_on::text, 'open'), r.org, r.valid_from, coalesce(r.valid_to::text, 'open')),
				  HINT = 'A member can belong only to a live primary: correct the dates, or transfer the member (unionreg.transfer_member).';
	END IF;

	-- subdivisions: live for the period, and under this primary all along
	-- (the walk up is aggregated per membership, then joined: no per-row subquery)
	WITH RECURSIVE up AS (
		SELECT n.person_id, n.joined_on, n.org_id,
			   greatest(l.valid_from, n.joined_on) AS f,
			   least(coalesce(l.valid_to, 'infinity'), coalesce(n.left_on, 'infinity')) AS t,
			   l.parent_id, 1 AS steps
		  FROM new_rows n
		  JOIN unionreg.org_link l ON l.org_id = n.subdivision_id
		 WHERE n.subdivision_id IS NOT NULL
		   AND l.valid_from < coalesce(n.left_on, 'infinity')
		   AND coalesce(l.valid_to, 'infinity') > n.joined_on
		UNION ALL
		SELECT u.person_id, u.joined_on, u.org_id,
			   greatest(u.f, l.valid_from), least(u.t, coalesce(l.valid_to, 'infinity')),
			   l.parent_id, u.steps + 1
		  FROM up u
		  JOIN unionreg.org po ON po.id = u.parent_id AND po.level = 'subdivision'
		  JOIN unionreg.org_link l ON l.org_id = po.id
		 WHERE u.steps < 8 AND l.valid_from < u.t AND coalesce(l.valid_to, 'infinity') > u.f),
	reached AS (
		SELECT u.person_id, u.joined_on,
			   bool_or(u.parent_id = u.org_id) AS to_primary,
			   bool_or(x.level <> 'subdivision' AND u.parent_id <> u.org_id) AS elsewhere
		  FROM up u JOIN unionreg.org x ON x.id = u.parent_id
		 GROUP BY u.person_id, u.joined_on),
	-- materialized: planned for all rows (hash joins), not for the LIMIT below
	bad AS MATERIALIZED (
		SELECT n.person_id, s.ext_id AS sub, s.level AS sub_level, o.ext_id AS org,
			   n.joined_on, n.left_on, s.valid_from, s.valid_to
		  FROM new_rows n
		  JOIN unionreg.org s ON s.id = n.subdivision_id
		  JOIN unionreg.org o ON o.id = n.org_id
		  LEFT JOIN reached a ON a.person_id = n.person_id AND a.joined_on = n.joined_on
		 WHERE s.level <> 'subdivision'
			OR s.valid_from > n.joined_on
			OR coalesce(s.valid_to, 'infinity') < coalesce(n.left_on, 'infinity')
			OR a.elsewhere OR a.to_primary IS NOT TRUE)
	SELECT (SELECT p.ext_id FROM unionreg.person p WHERE p.id = x.person_id) AS person, x.*
	  INTO r
	  FROM (SELECT * FROM bad LIMIT 1) x;
	IF FOUND THEN
		RAISE EXCEPTION 'membership of "%" cannot name "%" (%) as its subdivision: it is not a subdivision of "%" live for the whole period',
			r.person, r.sub, r.sub_level, r.org
			USING ERRCODE = 'check_violation',
				  DETAIL = format('The membership holds [%s, %s) in "%s"; "%s" exists [%s, %s).', r.joined_on,
								  coalesce(r.left_on::text, 'open'), r.org, r.sub, r.valid_from,
								  coalesce(r.valid_to::text, 'open')),
				  HINT = 'Name a subdivision that stands under the member''s primary organization, or leave subdivision_id empty.';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._membership_check() IS
	'statement trigger: a membership stands in a primary live for the whole period, its subdivision under that primary';
CREATE TRIGGER membership_check_ins AFTER INSERT ON unionreg.membership
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._membership_check();
CREATE TRIGGER membership_check_upd AFTER UPDATE ON unionreg.membership
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._membership_check();
COMMENT ON SEQUENCE unionreg.person_id_seq IS 'internal ids of persons';
COMMENT ON SEQUENCE unionreg.membership_id_seq IS 'ids of membership periods';

-- Internal: the id of a person by ext_id, or a clear error.
CREATE FUNCTION unionreg._person_id(p_ext_id text) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	SELECT id INTO v_id FROM unionreg.person WHERE ext_id = p_ext_id;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'person "%" does not exist', p_ext_id
			USING ERRCODE = 'no_data_found', HINT = 'Give the ext_id of a person in unionreg.person.';
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._person_id(text) IS 'internal: person id by ext_id, failing clearly when there is none';

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
	SELECT o.level, unionreg._holds_on(o.valid_from, o.valid_to, p_on)
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
		 WHERE l.org_id = v_id AND unionreg._holds_on(l.valid_from, l.valid_to, p_on)
		UNION ALL
		SELECT l.parent_id, u.steps + 1 FROM up u
		  JOIN unionreg.org o ON o.id = u.parent_id AND o.level = 'subdivision'
		  JOIN unionreg.org_link l ON l.org_id = o.id AND unionreg._holds_on(l.valid_from, l.valid_to, p_on)
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
		   AND unionreg._holds_on(m.joined_on, m.left_on, p_on)
	  JOIN unionreg.org o ON o.id = m.org_id
	 WHERE p.snils = p_snils OR (p.name_key = p_key AND p.birth_date = p_birth)
	 ORDER BY p.id LIMIT 1
$$;
COMMENT ON FUNCTION unionreg._live_lookalike(unionreg.snils, text, date, date) IS 'internal: a live member who looks like the given person, for the duplicate check';

CREATE FUNCTION unionreg._admit_member_unchecked(
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
COMMENT ON FUNCTION unionreg._admit_member_unchecked(text, text, date, text, text, text, date, text, unionreg.snils, boolean, boolean) IS
	'internal: the body of unionreg.admit_member, without the caller''s scope check';

CREATE FUNCTION unionreg.admit_member(
	p_ext_id text, p_org text, p_on date,
	p_surname text, p_first_name text, p_patronymic text DEFAULT NULL,
	p_birth_date date DEFAULT NULL, p_gender text DEFAULT NULL, p_snils unionreg.snils DEFAULT NULL,
	p_online boolean DEFAULT false, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'joining day');
	PERFORM unionreg._check_date(p_birth_date, 'birth date');
	PERFORM unionreg._check_ext_id(p_ext_id, 'person id');
	PERFORM unionreg._require_org(p_org, 'admit a member to');
	-- an earlier member coming back is the caller's to re-admit only if theirs
	IF EXISTS (SELECT 1 FROM unionreg.person p WHERE p.ext_id = p_ext_id) THEN
		PERFORM unionreg._require_person(p_ext_id, 'admit again');
	END IF;
	IF NOT p_force THEN
		PERFORM unionreg._refuse_hidden_twin(format('admit "%s %s"', p_surname, p_first_name),
			p_snils, p_surname, p_first_name, p_patronymic, p_on, true);
	END IF;
	RETURN unionreg._admit_member_unchecked(p_ext_id, p_org, p_on, p_surname, p_first_name, p_patronymic,
										   p_birth_date, p_gender, p_snils, p_online, p_force);
END
$$;
COMMENT ON FUNCTION unionreg.admit_member(text, text, date, text, text, text, date, text, unionreg.snils, boolean, boolean) IS
	'Admit a person (new, or an earlier member by ext_id) to a primary or subdivision in the caller''s subtree on a date; refused when a live member matches by SNILS or name key and birth date, unless p_force';

CREATE FUNCTION unionreg._transfer_member_unchecked(p_person text, p_new_org text, p_on date)
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
	 WHERE person_id = v_person AND unionreg._holds_on(joined_on, left_on, p_on)
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
COMMENT ON FUNCTION unionreg._transfer_member_unchecked(text, text, date) IS
	'internal: the body of unionreg.transfer_member, without the caller''s scope check';

CREATE FUNCTION unionreg.transfer_member(p_person text, p_new_org text, p_on date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'transfer day');
	PERFORM unionreg._require_period(unionreg._require_person(p_person, 'transfer'), p_person, p_on, 'transfer');
	PERFORM unionreg._require_org(p_new_org, 'transfer a member into');
	PERFORM unionreg._transfer_member_unchecked(p_person, p_new_org, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.transfer_member(text, text, date) IS
	'Close the member''s current period on a date (reason transferred) and open the next in another primary or subdivision, in one step; both ends in the caller''s subtree';

CREATE FUNCTION unionreg._leave_unchecked(p_person text, p_on date, p_reason text)
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
COMMENT ON FUNCTION unionreg._leave_unchecked(text, date, text) IS
	'internal: the body of unionreg.leave, without the caller''s scope check';

CREATE FUNCTION unionreg.leave(p_person text, p_on date, p_reason text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'leaving day');
	PERFORM unionreg._require_period(unionreg._require_person(p_person, 'record the leaving of'), p_person, p_on, 'record the leaving of');
	PERFORM unionreg._leave_unchecked(p_person, p_on, p_reason);
END
$$;
COMMENT ON FUNCTION unionreg.leave(text, date, text) IS
	'End the member''s current period on a date (the first day no longer a member) with a reason from unionreg.leave_reason; cancels the live card';

-- A stored membership period corrected on purpose: its first day, or the
-- last day and reason of an ended one.  A load never changes a period the
-- register holds (it may only end an open one); the periods never overlap
-- (the exclusion constraint), the status of the period follows its dates,
-- and the change is audited as coming through this function.  Returns the
-- built reports whose figures change.
CREATE FUNCTION unionreg._correct_membership_unchecked(p_person text, p_joined_on date, new_joined_on date,
	new_left_on date, new_left_reason text)
RETURNS TABLE (as_of date, snapshot_id bigint, org_ext_id text, form text)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_person bigint := unionreg._person_id(p_person);
	m record;
	v_lo date;
	v_hi date;
BEGIN
	SELECT * INTO m FROM unionreg.membership x WHERE x.person_id = v_person AND x.joined_on = p_joined_on FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'person "%" has no stored period that begins on %', p_person, p_joined_on
			USING ERRCODE = 'no_data_found',
				  DETAIL = (SELECT 'Stored periods: ' || string_agg(format('[%s, %s)', x.joined_on, coalesce(x.left_on::text, 'open')), ', ' ORDER BY x.joined_on)
							  FROM unionreg.membership x WHERE x.person_id = v_person),
				  HINT = 'Give the first day of a stored period.';
	END IF;
	IF num_nonnulls(new_joined_on, new_left_on, new_left_reason) = 0 THEN
		RAISE EXCEPTION 'correct_membership(%, %): nothing to correct', p_person, p_joined_on
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give new_joined_on, or new_left_on and new_left_reason of an ended period.';
	END IF;
	IF m.left_on IS NULL AND num_nonnulls(new_left_on, new_left_reason) > 0 THEN
		RAISE EXCEPTION 'the period of "%" that begins on % has not ended: record the leaving with unionreg.leave()', p_person, p_joined_on
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF new_left_reason IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unionreg.leave_reason r WHERE r.code = new_left_reason) THEN
		RAISE EXCEPTION 'leaving reason "%" is not in the catalog', new_left_reason
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of: ' || (SELECT string_agg(code, ', ' ORDER BY sort) FROM unionreg.leave_reason) || '.';
	END IF;
	v_lo := least(p_joined_on, coalesce(new_joined_on, p_joined_on), coalesce(new_left_on, m.left_on, p_joined_on));
	v_hi := CASE WHEN new_joined_on IS NOT NULL AND new_left_on IS NULL THEN greatest(p_joined_on, new_joined_on)
				 ELSE greatest(coalesce(m.left_on, p_joined_on), coalesce(new_left_on, m.left_on, p_joined_on),
							   coalesce(new_joined_on, p_joined_on)) + 1 END;
	PERFORM unionreg._reports_before(coalesce(m.subdivision_id, m.org_id), v_lo, v_hi);
	UPDATE unionreg.membership x
	   SET joined_on = coalesce(new_joined_on, x.joined_on), left_on = coalesce(new_left_on, x.left_on),
		   left_reason = coalesce(new_left_reason, x.left_reason)
	 WHERE x.id = m.id;
	-- the period's status follows its dates
	UPDATE unionreg.status_period s
	   SET valid_from = coalesce(new_joined_on, s.valid_from), valid_to = coalesce(new_left_on, s.valid_to)
	 WHERE s.person_id = v_person AND s.valid_from = p_joined_on;
	RETURN QUERY SELECT * FROM unionreg._reports_changed(coalesce(m.subdivision_id, m.org_id), v_lo, v_hi);
END
$$;
COMMENT ON FUNCTION unionreg._correct_membership_unchecked(text, date, date, date, text) IS
	'internal: the body of unionreg.correct_membership, without the caller''s scope check';

CREATE FUNCTION unionreg.correct_membership(p_person text, p_joined_on date, new_joined_on date DEFAULT NULL,
	new_left_on date DEFAULT NULL, new_left_reason text DEFAULT NULL)
RETURNS TABLE (as_of date, snapshot_id bigint, org_ext_id text, form text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_person bigint;
BEGIN
	PERFORM unionreg._check_date(p_joined_on, 'first day of the period');
	PERFORM unionreg._check_date(new_joined_on, 'new first day');
	PERFORM unionreg._check_date(new_left_on, 'new leaving day');
	v_person := unionreg._require_person(p_person, 'correct a period of');
	-- the period itself must lie in the caller's subtree
	IF NOT unionreg._sees_all() AND EXISTS (
		SELECT 1 FROM unionreg.membership x
		 WHERE x.person_id = v_person AND x.joined_on = p_joined_on
		   AND x.org_id NOT IN (SELECT unionreg._visible_org_ids())) THEN
		RAISE EXCEPTION 'login % may not correct the period of person "%" that begins on %: it is outside the subtree the login stands for',
			session_user, p_person, p_joined_on
			USING ERRCODE = 'insufficient_privilege', HINT = unionreg._scope_hint();
	END IF;
	RETURN QUERY SELECT * FROM unionreg._correct_membership_unchecked(p_person, p_joined_on, new_joined_on, new_left_on, new_left_reason);
END
$$;
COMMENT ON FUNCTION unionreg.correct_membership(text, date, date, date, text) IS
	'Correct a stored membership period on purpose: its first day (new_joined_on), or the leaving day and reason of an ended one; its status period follows; periods never overlap; audited. Returns the built reports (latest snapshot of each date) whose figures change';

-- ---------------------------------------------------------------------
-- duplicate_persons is found from the keys that repeat, not by probing
-- every person's SNILS and name key (two index probes per person).  The keys that occur
-- twice are counted in key order from the two indexes (the ORDER BY under
-- the GROUP BY makes a sorted group of the index's order: left to itself
-- the planner hashes millions of name keys and spills to disk); only
-- their persons are then fetched, one index probe per repeated key and per
-- pair (OFFSET 0 keeps each probe from being turned into a join over the
-- whole table).
-- ---------------------------------------------------------------------
CREATE VIEW unionreg.duplicate_persons AS
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

-- ---- members and cards -------------------------------------------------------

-- The duplicate rule for a login that cannot read every record.  A person
-- the login does not own (masked in its view, or outside its subtree) who
-- has the given SNILS, or the given name whatever the birth date, refuses
-- the new record card with one answer that names neither who nor where nor
-- which field matched: it does not depend on what the login cannot read, so
-- asking again with other dates or numbers teaches nothing.  Each such
-- refusal goes to the server log (which outlives a rollback) and is counted
-- for the session (src/security/probe_guard.c); past 20 the login gets no answer at
-- all in that session.  An application reuses a former member's record, so
-- for it any such person counts, live or not: an officer above both
-- resolves it.
CREATE FUNCTION unionreg._refuse_hidden_twin(p_what text, p_snils unionreg.snils, p_surname text,
	p_first_name text, p_patronymic text, p_on date, p_live_only boolean) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_key text := unionreg.person_name_key(p_surname, p_first_name, p_patronymic);
	v_n integer;
BEGIN
	IF unionreg._sees_all() THEN
		RETURN;
	END IF;
	IF unionreg._hidden_refusals(false) >= 20 THEN
		RAISE LOG 'unionreg: login % refused to %: the session''s limit of refusals about unreadable records is reached',
			session_user, p_what;
		RAISE EXCEPTION 'login % may not % for the rest of the session: it had 20 refusals about records it cannot read', session_user, p_what
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = 'Each refusal about a record the login cannot read is logged and counted for the session.',
				  HINT = 'Ask the officer of your region to check the person.';
	END IF;
	IF EXISTS (SELECT 1 FROM unionreg.person p
				WHERE (p.snils = p_snils OR p.name_key = v_key)
				  AND (NOT p_live_only
					   OR EXISTS (SELECT 1 FROM unionreg.membership m
								   WHERE m.person_id = p.id AND m.joined_on <= p_on
									 AND (m.left_on IS NULL OR m.left_on > p_on)))
				  AND p.id NOT IN (SELECT unionreg._owned_person_ids())) THEN
		v_n := unionreg._hidden_refusals(true);
		RAISE LOG 'unionreg: login % refused to %: a person whose record it cannot read matches (refusal % of 20 in the session)',
			session_user, p_what, v_n;
		RAISE EXCEPTION 'cannot %: a person who may be the same is on record where your login cannot read the record', p_what
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'A person is on record once; a second record card would count the member twice.',
				  HINT = 'Ask the officer of your region, who sees both records, to admit or transfer the person.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._refuse_hidden_twin(text, unionreg.snils, text, text, text, date, boolean) IS
	'internal: refuses (23505) a record card that may duplicate a person the session login cannot read (same SNILS, or same name whatever the birth date), in one answer, logged and limited to 20 a session (54000 after)';

CREATE FUNCTION unionreg._hidden_refusals(p_add boolean) RETURNS integer
AS 'MODULE_PATHNAME', 'hidden_refusal_count'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION unionreg._hidden_refusals(boolean) IS
	'internal: the session login''s count of refusals about records it cannot read, after adding one when true (kept in the backend: a rollback does not undo it)';
