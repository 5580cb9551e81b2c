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
