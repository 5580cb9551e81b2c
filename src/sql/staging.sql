-- src/sql/staging.sql: where files arrive.  A login \copy-es a file into
-- stage_org, stage_member or stage_baseline (every column text, so a file
-- with bad values still arrives and the loaders judge it row by row, keeping
-- each rejected row with its reason in load_reject) and loads it with
-- load_orgs(), load_members() or load_baselines().
--
-- Staged rows belong to the login that staged them: the stage_* views show
-- and take only the session's login's rows (session_user, which nothing a
-- login sets can change), a row inserted through them is stamped with that
-- login, and each loader takes only its caller's rows.  The views, not
-- tables, because COPY FROM refuses a table under row security; COPY into
-- a view runs its INSTEAD OF trigger.

CREATE TABLE unionreg._staged_org (
	ext_id text, parent_ext_id text, level text, kind text, composition text,
	name text, short_name text, inn text, ogrn text, region_code text,
	valid_from text, valid_to text, base_as_of text, employees text, students text,
	chairman_name text, chairman_term_from text, chairman_term_to text,
	chairman_released text, chairman_email text, chairman_email_consent text,
	staged_by name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg._staged_org IS 'internal: the rows staged in unionreg.stage_org by every login, each with the login that staged it';
CREATE INDEX _staged_org_login_idx ON unionreg._staged_org (staged_by);

CREATE TABLE unionreg._staged_member (
	ext_id text, org_ext_id text, surname text, first_name text, patronymic text,
	birth_date text, gender text, snils text, email text, phone text,
	status text, pedagogical text, position text, student_level text, full_time text,
	joined_on text, left_on text, left_reason text, admitted_online text,
	card_number text, card_status text, card_status_on text, virtual_card_on text, profcards_on text,
	consent_email text, consent_sms text, consent_push text,
	staged_by name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg._staged_member IS 'internal: the rows staged in unionreg.stage_member by every login, each with the login that staged it';
CREATE INDEX _staged_member_login_idx ON unionreg._staged_member (staged_by);

CREATE TABLE unionreg._staged_baseline (
	org_ext_id text, as_of text, members text, working text, students text, pensioners text, employees text,
	primaries text, territorials text,
	staged_by name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg._staged_baseline IS 'internal: the rows staged in unionreg.stage_baseline by every login, each with the login that staged it';
CREATE INDEX _staged_baseline_login_idx ON unionreg._staged_baseline (staged_by);

CREATE TABLE unionreg._staged_org_correction (
	ext_id text, valid_from text, link_from text, parent_ext_id text, moved_on text, valid_to text,
	staged_by name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE unionreg._staged_org_correction IS 'internal: the rows staged in unionreg.stage_org_correction by every login, each with the login that staged it';
CREATE INDEX _staged_org_correction_login_idx ON unionreg._staged_org_correction (staged_by);

-- A row staged through a stage_* view, stamped with the login that staged it.
CREATE FUNCTION unionreg._stage_row() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- plpgsql plans each branch for the view the trigger fires on, once per session
	IF TG_TABLE_NAME = 'stage_member' THEN
		INSERT INTO unionreg._staged_member VALUES (NEW.*, session_user);
	ELSIF TG_TABLE_NAME = 'stage_org' THEN
		INSERT INTO unionreg._staged_org VALUES (NEW.*, session_user);
	ELSIF TG_TABLE_NAME = 'stage_baseline' THEN
		INSERT INTO unionreg._staged_baseline VALUES (NEW.*, session_user);
	ELSIF TG_TABLE_NAME = 'stage_org_correction' THEN
		INSERT INTO unionreg._staged_org_correction VALUES (NEW.*, session_user);
	ELSE
		RAISE EXCEPTION 'unionreg._stage_row() fired on %', TG_TABLE_NAME;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION unionreg._stage_row() IS
	'internal: INSTEAD OF INSERT trigger of the stage_* views: the row goes to its _staged_* table with the session''s login';

CREATE VIEW unionreg.stage_org WITH (security_barrier) AS
	SELECT ext_id, parent_ext_id, level, kind, composition, name, short_name, inn, ogrn, region_code, valid_from, valid_to, base_as_of, employees, students, chairman_name, chairman_term_from, chairman_term_to, chairman_released, chairman_email, chairman_email_consent
	  FROM unionreg._staged_org WHERE staged_by = session_user;
CREATE TRIGGER stage INSTEAD OF INSERT ON unionreg.stage_org
	FOR EACH ROW EXECUTE FUNCTION unionreg._stage_row();
COMMENT ON VIEW unionreg.stage_org IS
	'Staging for organizations: every column text, so a file with bad values still arrives and unionreg.load_orgs() judges it row by row; one row = one organization (upsert by ext_id); each login sees and loads only the rows it staged';
COMMENT ON COLUMN unionreg.stage_org.ext_id IS 'external id of the organization';
COMMENT ON COLUMN unionreg.stage_org.parent_ext_id IS 'external id of its parent (empty for central); a changed parent is a move effective on valid_from';
COMMENT ON COLUMN unionreg.stage_org.level IS 'central, regional, district, territorial, primary, subdivision';
COMMENT ON COLUMN unionreg.stage_org.kind IS 'kind of a primary: school, preschool, supplementary, professional, higher, science, other';
COMMENT ON COLUMN unionreg.stage_org.composition IS 'composition of a primary: workers, students, joint';
COMMENT ON COLUMN unionreg.stage_org.name IS 'full name';
COMMENT ON COLUMN unionreg.stage_org.short_name IS 'short name';
COMMENT ON COLUMN unionreg.stage_org.inn IS 'ИНН, 10 or 12 digits';
COMMENT ON COLUMN unionreg.stage_org.ogrn IS 'ОГРН, 13 or 15 digits';
COMMENT ON COLUMN unionreg.stage_org.region_code IS 'code of the subject of the Russian Federation, 01..99';
COMMENT ON COLUMN unionreg.stage_org.valid_from IS 'creation date, ISO (or the effective date of a move)';
COMMENT ON COLUMN unionreg.stage_org.valid_to IS 'first day it no longer exists, ISO; empty = exists';
COMMENT ON COLUMN unionreg.stage_org.base_as_of IS 'the 1 January the headcounts hold on';
COMMENT ON COLUMN unionreg.stage_org.employees IS 'employees of the educational organization on base_as_of';
COMMENT ON COLUMN unionreg.stage_org.students IS 'students of the educational organization on base_as_of';
COMMENT ON COLUMN unionreg.stage_org.chairman_name IS 'chairman''s full name';
COMMENT ON COLUMN unionreg.stage_org.chairman_term_from IS 'chairman''s term of office, first day';
COMMENT ON COLUMN unionreg.stage_org.chairman_term_to IS 'chairman''s term of office, first day no longer in office';
COMMENT ON COLUMN unionreg.stage_org.chairman_released IS 'released from the main job: t/f/true/false/1/0/да/нет';
COMMENT ON COLUMN unionreg.stage_org.chairman_email IS 'chairman''s e-mail';
COMMENT ON COLUMN unionreg.stage_org.chairman_email_consent IS 'consent to union e-mail: t/f/true/false/1/0/да/нет';

CREATE VIEW unionreg.stage_member WITH (security_barrier) AS
	SELECT ext_id, org_ext_id, surname, first_name, patronymic, birth_date, gender, snils, email, phone, status, pedagogical, position, student_level, full_time, joined_on, left_on, left_reason, admitted_online, card_number, card_status, card_status_on, virtual_card_on, profcards_on, consent_email, consent_sms, consent_push
	  FROM unionreg._staged_member WHERE staged_by = session_user;
CREATE TRIGGER stage INSTEAD OF INSERT ON unionreg.stage_member
	FOR EACH ROW EXECUTE FUNCTION unionreg._stage_row();
COMMENT ON VIEW unionreg.stage_member IS
	'Staging for members: every column text, so a file with bad values still arrives and unionreg.load_members() judges it row by row; one row = one membership period of one person (ext_id); each login sees and loads only the rows it staged';
COMMENT ON COLUMN unionreg.stage_member.ext_id IS 'external id of the person; rows sharing it are that person''s periods';
COMMENT ON COLUMN unionreg.stage_member.org_ext_id IS 'the primary organization or one of its subdivisions';
COMMENT ON COLUMN unionreg.stage_member.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.stage_member.first_name IS 'имя';
COMMENT ON COLUMN unionreg.stage_member.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.stage_member.birth_date IS 'ISO date';
COMMENT ON COLUMN unionreg.stage_member.gender IS 'm or f';
COMMENT ON COLUMN unionreg.stage_member.snils IS 'СНИЛС, 11 digits, dashes allowed';
COMMENT ON COLUMN unionreg.stage_member.email IS 'e-mail (kept even when invalid: unionreg.contact_problems lists it)';
COMMENT ON COLUMN unionreg.stage_member.phone IS 'phone';
COMMENT ON COLUMN unionreg.stage_member.status IS 'working, student, pensioner; empty = unknown';
COMMENT ON COLUMN unionreg.stage_member.pedagogical IS 'working: pedagogical worker (boolean)';
COMMENT ON COLUMN unionreg.stage_member.position IS 'working: teacher, educator, faculty, researcher, other';
COMMENT ON COLUMN unionreg.stage_member.student_level IS 'student: college, bachelor, master, postgraduate';
COMMENT ON COLUMN unionreg.stage_member.full_time IS 'student: full-time (boolean)';
COMMENT ON COLUMN unionreg.stage_member.joined_on IS 'first day of the period, ISO';
COMMENT ON COLUMN unionreg.stage_member.left_on IS 'first day no longer a member, ISO; empty = member';
COMMENT ON COLUMN unionreg.stage_member.left_reason IS 'own_wish, left_job, graduated, transferred, retired, died, expelled, other; required with left_on';
COMMENT ON COLUMN unionreg.stage_member.admitted_online IS 'admitted through the online service (boolean)';
COMMENT ON COLUMN unionreg.stage_member.card_number IS 'plastic card number, 16 digits (Luhn)';
COMMENT ON COLUMN unionreg.stage_member.card_status IS 'requested, produced, delivered_to_region, issued, refused, lost, cancelled';
COMMENT ON COLUMN unionreg.stage_member.card_status_on IS 'the day the card entered that state, ISO';
COMMENT ON COLUMN unionreg.stage_member.virtual_card_on IS 'first day of the virtual card in the app, ISO';
COMMENT ON COLUMN unionreg.stage_member.profcards_on IS 'PROFCARDS registration day, ISO';
COMMENT ON COLUMN unionreg.stage_member.consent_email IS 'consent to e-mail (boolean), as of joined_on';
COMMENT ON COLUMN unionreg.stage_member.consent_sms IS 'consent to SMS (boolean), as of joined_on';
COMMENT ON COLUMN unionreg.stage_member.consent_push IS 'consent to push messages (boolean), as of joined_on';

CREATE VIEW unionreg.stage_baseline WITH (security_barrier) AS
	SELECT org_ext_id, as_of, members, working, students, pensioners, employees, primaries, territorials
	  FROM unionreg._staged_baseline WHERE staged_by = session_user;
CREATE TRIGGER stage INSTEAD OF INSERT ON unionreg.stage_baseline
	FOR EACH ROW EXECUTE FUNCTION unionreg._stage_row();
COMMENT ON VIEW unionreg.stage_baseline IS 'Staging for the paper report figures of an organization on a date; load with unionreg.load_baselines(); each login sees and loads only the rows it staged';
COMMENT ON COLUMN unionreg.stage_baseline.org_ext_id IS 'the organization';
COMMENT ON COLUMN unionreg.stage_baseline.as_of IS 'the report date, ISO';
COMMENT ON COLUMN unionreg.stage_baseline.members IS 'members on paper';
COMMENT ON COLUMN unionreg.stage_baseline.working IS 'working members on paper';
COMMENT ON COLUMN unionreg.stage_baseline.students IS 'student members on paper';
COMMENT ON COLUMN unionreg.stage_baseline.pensioners IS 'non-working pensioners on paper';
COMMENT ON COLUMN unionreg.stage_baseline.employees IS 'employees (and students) of the organization on paper';
COMMENT ON COLUMN unionreg.stage_baseline.primaries IS 'primary organizations on paper (optional; a region''s count)';
COMMENT ON COLUMN unionreg.stage_baseline.territorials IS 'territorial organizations on paper (optional; a region''s count)';

CREATE VIEW unionreg.stage_org_correction WITH (security_barrier) AS
	SELECT ext_id, valid_from, link_from, parent_ext_id, moved_on, valid_to
	  FROM unionreg._staged_org_correction WHERE staged_by = session_user;
CREATE TRIGGER stage INSTEAD OF INSERT ON unionreg.stage_org_correction
	FOR EACH ROW EXECUTE FUNCTION unionreg._stage_row();
COMMENT ON VIEW unionreg.stage_org_correction IS 'Staging for corrections of organizations'' stored history, one correct_org() call a row (a creation date; a stored link''s parent or move day; a liquidation date); load with unionreg.load_org_corrections(); each login sees and loads only the rows it staged';
COMMENT ON COLUMN unionreg.stage_org_correction.ext_id IS 'the organization';
COMMENT ON COLUMN unionreg.stage_org_correction.valid_from IS 'its corrected creation date';
COMMENT ON COLUMN unionreg.stage_org_correction.link_from IS 'or: the day the stored link to correct begins';
COMMENT ON COLUMN unionreg.stage_org_correction.parent_ext_id IS 'with link_from: the link''s corrected parent';
COMMENT ON COLUMN unionreg.stage_org_correction.moved_on IS 'with link_from: the day that move really happened';
COMMENT ON COLUMN unionreg.stage_org_correction.valid_to IS 'or: the corrected liquidation date of a liquidated organization';

-- the tables' columns say what the views' columns say
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT t.relname AS tab, a.attname AS col, col_description(v.oid, va.attnum) AS note
		  FROM pg_class t
		  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
		  JOIN pg_class v ON v.relname = 'stage_' || substr(t.relname, 9) AND v.relnamespace = t.relnamespace
		  LEFT JOIN pg_attribute va ON va.attrelid = v.oid AND va.attname = a.attname
		 WHERE t.relnamespace = 'unionreg'::regnamespace AND t.relname LIKE '\_staged\_%'
	LOOP
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.%I IS %L', c.tab, c.col,
					   coalesce(c.note, 'the login that staged the row (session_user)'));
	END LOOP;
END
$$;
