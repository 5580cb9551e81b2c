-- ---------------------------------------------------------------------
-- Staged loading of members and paper baselines (public loading contract).
-- ---------------------------------------------------------------------



-- Internal: a subdivision's primary over time (through nested subdivisions),
-- for the loader to place a member staged under a subdivision.
CREATE FUNCTION unionreg._subdivision_primaries()
RETURNS TABLE (sub_id bigint, valid_from date, valid_to date, primary_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	WITH RECURSIVE up AS (
		SELECT l.org_id AS sub_id, l.valid_from AS f, coalesce(l.valid_to, 'infinity') AS t, l.parent_id, 1 AS steps
		  FROM unionreg.org_link l JOIN unionreg.org s ON s.id = l.org_id AND s.level = 'subdivision'
		UNION ALL
		SELECT u.sub_id, greatest(u.f, l.valid_from), least(u.t, coalesce(l.valid_to, 'infinity')), l.parent_id, u.steps + 1
		  FROM up u
		  JOIN unionreg.org p ON p.id = u.parent_id AND p.level = 'subdivision'
		  JOIN unionreg.org_link l ON l.org_id = p.id AND l.valid_from < u.t AND coalesce(l.valid_to, 'infinity') > u.f
		 WHERE u.steps < 8)
	SELECT u.sub_id, u.f, u.t, u.parent_id
	  FROM up u JOIN unionreg.org p ON p.id = u.parent_id AND p.level = 'primary'
$$;
COMMENT ON FUNCTION unionreg._subdivision_primaries() IS 'internal: for every subdivision link period, the primary organization above it';

CREATE FUNCTION unionreg._load_members_unchecked(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
SET datestyle = 'ISO, YMD'
-- the planner's guesses over work tables are wild; compiling them costs seconds, running them milliseconds
SET jit = off
-- and a guess of 70 rows where there are 12,000 turns a nested loop quadratic:
-- every join here is between whole sets, which hash and merge joins do in one pass
SET enable_nestloop = off
AS $$
DECLARE
	v_staged bigint;
	v_persons bigint;
	-- persons a batch: its statements' after-trigger queues (a foreign-key
	-- check a row) and transition tables stay a few MB, whatever the file
	-- (the setting is the C module's; before the module is loaded in this
	-- session it may not exist yet)
	v_batch constant bigint := coalesce(nullif(current_setting('unionreg.load_batch_persons', true), '')::bigint, 250000);
	v_lo bigint;
	v_redo bigint;
	v_err text;
	t0 timestamptz := clock_timestamp();
BEGIN
	-- one member load at a time (two loads of overlapping files would race on the same persons)
	PERFORM pg_advisory_xact_lock(1970170223, 3);
	IF to_regclass('pg_temp._um') IS NOT NULL THEN DROP TABLE pg_temp._um; END IF;
	IF to_regclass('pg_temp._umw') IS NOT NULL THEN DROP TABLE pg_temp._umw; END IF;
	IF to_regclass('pg_temp._usub') IS NOT NULL THEN DROP TABLE pg_temp._usub; END IF;

	CREATE TEMP TABLE _usub ON COMMIT DROP AS SELECT * FROM unionreg._subdivision_primaries();

	-- 1. take exactly the rows staged now and judge each on its own, in one
	--    pass.  The staged row is kept as it came (a composite, turned into
	--    jsonb only if it is rejected).
	CREATE TEMP TABLE _um ON COMMIT DROP AS
	WITH taken AS (DELETE FROM unionreg.stage_member RETURNING *),
	trimmed AS (
		SELECT row_number() OVER () AS rn, ROW(s.*)::unionreg.stage_member AS orig,
			   nullif(btrim(s.ext_id), '') AS ext_id,
			   nullif(btrim(s.org_ext_id), '') AS org_ext_id,
			   nullif(btrim(s.surname), '') AS surname,
			   nullif(btrim(s.first_name), '') AS first_name,
			   nullif(btrim(s.patronymic), '') AS patronymic,
			   nullif(btrim(s.birth_date), '') AS birth_text,
			   lower(nullif(btrim(s.gender), '')) AS gender,
			   nullif(btrim(s.snils), '') AS snils_text,
			   nullif(btrim(s.email), '') AS email,
			   nullif(btrim(s.phone), '') AS phone,
			   lower(nullif(btrim(s.status), '')) AS status,
			   nullif(btrim(s.pedagogical), '') AS pedagogical_text,
			   lower(nullif(btrim(s.position), '')) AS position,
			   lower(nullif(btrim(s.student_level), '')) AS student_level,
			   nullif(btrim(s.full_time), '') AS full_time_text,
			   nullif(btrim(s.joined_on), '') AS joined_text,
			   nullif(btrim(s.left_on), '') AS left_text,
			   lower(nullif(btrim(s.left_reason), '')) AS left_reason,
			   nullif(btrim(s.admitted_online), '') AS online_text,
			   nullif(btrim(s.card_number), '') AS card_text,
			   lower(nullif(btrim(s.card_status), '')) AS card_status,
			   nullif(btrim(s.card_status_on), '') AS card_on_text,
			   nullif(btrim(s.virtual_card_on), '') AS virtual_text,
			   nullif(btrim(s.profcards_on), '') AS profcards_text,
			   nullif(btrim(s.consent_email), '') AS c_email_text,
			   nullif(btrim(s.consent_sms), '') AS c_sms_text,
			   nullif(btrim(s.consent_push), '') AS c_push_text
		  FROM taken s),
	parsed AS (
		SELECT t.*,
			   unionreg._stage_date(birth_text) AS birth_date,
			   unionreg.snils_problem(snils_text) AS snils_problem,
			   unionreg.email_problem(t.email) AS email_problem,
			   unionreg._phone_problem(t.phone) AS phone_problem,
			   unionreg._stage_bool(pedagogical_text) AS pedagogical,
			   unionreg._stage_bool(full_time_text) AS full_time,
			   unionreg._stage_date(joined_text) AS joined_on,
			   unionreg._stage_date(left_text) AS left_on,
			   unionreg._stage_bool(online_text) AS admitted_online,
			   unionreg.card_number_problem(card_text) AS card_problem,
			   unionreg._stage_date(card_on_text) AS card_status_on,
			   unionreg._stage_date(virtual_text) AS virtual_card_on,
			   unionreg._stage_date(profcards_text) AS profcards_on,
			   unionreg._stage_bool(c_email_text) AS consent_email,
			   unionreg._stage_bool(c_sms_text) AS consent_sms,
			   unionreg._stage_bool(c_push_text) AS consent_push,
			   st.code AS status_code, pg.code AS position_code, sl.code AS student_level_code,
			   lr.code AS left_reason_code, cs.code AS card_status_code, gd.code AS gender_code,
			   o.id AS org_ref_id, o.level AS org_level
		  FROM trimmed t
		  LEFT JOIN unionreg._code_key st ON st.catalog = 'member_status' AND st.key = unionreg._label_key(t.status)
		  LEFT JOIN unionreg._code_key pg ON pg.catalog = 'position_group' AND pg.key = unionreg._label_key(t.position)
		  LEFT JOIN unionreg._code_key sl ON sl.catalog = 'student_level' AND sl.key = unionreg._label_key(t.student_level)
		  LEFT JOIN unionreg._code_key lr ON lr.catalog = 'leave_reason' AND lr.key = unionreg._label_key(t.left_reason)
		  LEFT JOIN unionreg._code_key cs ON cs.catalog = 'card_state' AND cs.key = unionreg._label_key(t.card_status)
		  LEFT JOIN unionreg._code_key gd ON gd.catalog = 'gender' AND gd.key = unionreg._label_key(t.gender)
		  LEFT JOIN unionreg.org o ON o.ext_id = t.org_ext_id),
	-- an optional field that is not valid is left empty, with a note; what
	-- describes a status is kept only with that status
	kept AS (
		SELECT p.*,
			   (p.status IS NOT NULL AND p.status_code IS NULL) AS bad_status,
			   (p.card_text IS NOT NULL OR p.card_status IS NOT NULL)
			   AND (p.card_problem IS NOT NULL OR p.card_text IS NULL OR p.card_status_code IS NULL) AS bad_card
		  FROM parsed p),
	judged AS (
		SELECT k.*,
			   CASE WHEN NOT k.bad_status THEN k.status_code END AS status_ok,
			   k.status_code = 'working' AND NOT k.bad_status AS is_working,
			   k.status_code = 'student' AND NOT k.bad_status AS is_student
		  FROM kept k),
	placed AS (
		SELECT p.*,
			   CASE WHEN p.org_level = 'primary' THEN p.org_ref_id ELSE us.primary_id END AS primary_id,
			   CASE WHEN p.org_level = 'subdivision' THEN p.org_ref_id END AS subdivision_id
		  FROM judged p
		  LEFT JOIN _usub us ON p.org_level = 'subdivision' AND us.sub_id = p.org_ref_id
			   AND us.valid_from <= p.joined_on AND us.valid_to > p.joined_on)
	SELECT p.rn, p.orig, p.ext_id, p.org_ext_id, p.surname, p.first_name, p.patronymic, p.birth_date,
		   p.gender_code AS gender,
		   CASE WHEN p.snils_problem IS NULL THEN p.snils_text::unionreg.snils END AS snils,
		   CASE WHEN p.email_problem IS NULL THEN p.email END AS email,
		   CASE WHEN p.phone_problem IS NULL THEN p.phone END AS phone,
		   p.status_ok AS status,
		   CASE WHEN p.is_working THEN p.pedagogical END AS pedagogical,
		   CASE WHEN p.is_working THEN p.position_code END AS position,
		   CASE WHEN p.is_student THEN p.student_level_code END AS student_level,
		   CASE WHEN p.is_student THEN p.full_time END AS full_time,
		   p.joined_on, p.left_on, p.left_reason_code AS left_reason, coalesce(p.admitted_online, false) AS admitted_online,
		   CASE WHEN NOT p.bad_card THEN p.card_text::unionreg.card_number END AS card_number,
		   CASE WHEN NOT p.bad_card THEN p.card_status_code END AS card_status,
		   CASE WHEN NOT p.bad_card THEN coalesce(p.card_status_on, p.joined_on) END AS card_status_on,
		   p.virtual_card_on, p.profcards_on, p.consent_email, p.consent_sms, p.consent_push,
		   p.primary_id, p.subdivision_id, o.valid_from AS primary_from, o.valid_to AS primary_to,
		   array_remove(ARRAY[
			CASE WHEN p.birth_text IS NOT NULL AND p.birth_date IS NULL
				 THEN ROW('birth_date', (p.orig).birth_date, 'birth_date ' || quote_literal(p.birth_text) || ' ' || unionreg._stage_date_problem(p.birth_text) || ': left empty', NULL)::unionreg._load_note END,
			CASE WHEN p.gender IS NOT NULL AND p.gender_code IS NULL
				 THEN ROW('gender', (p.orig).gender, format('gender %L is not m or f (м or ж): left empty', p.gender), NULL)::unionreg._load_note END,
			CASE WHEN p.snils_problem IS NOT NULL
				 THEN ROW('snils', (p.orig).snils, format('snils %L: %s: left empty', p.snils_text, p.snils_problem),
						  CASE WHEN p.snils_text ~ '^[0-9]{9,10}$'
							   THEN 'A spreadsheet may have dropped its leading zeros: format the column as text and export again.' END)::unionreg._load_note END,
			CASE WHEN p.email_problem IS NOT NULL
				 THEN ROW('email', (p.orig).email, format('email %L: %s: left empty', p.email, p.email_problem), NULL)::unionreg._load_note END,
			CASE WHEN p.phone_problem IS NOT NULL
				 THEN ROW('phone', (p.orig).phone, format('phone %L %s: left empty', p.phone, p.phone_problem), NULL)::unionreg._load_note END,
			CASE WHEN p.bad_status
				 THEN ROW('status', (p.orig).status, format('status %L is not one of working, student, pensioner or their Russian labels: left unknown', p.status), NULL)::unionreg._load_note END,
			CASE WHEN p.pedagogical_text IS NOT NULL AND p.pedagogical IS NULL
				 THEN ROW('pedagogical', (p.orig).pedagogical, format('pedagogical %L is not a boolean (t/f/true/false/1/0/да/нет): left empty', p.pedagogical_text), NULL)::unionreg._load_note
				 WHEN p.pedagogical_text IS NOT NULL AND NOT p.is_working
				 THEN ROW('pedagogical', (p.orig).pedagogical, format('pedagogical describes working members, but status is %s: left empty', coalesce(quote_literal(p.status_ok), 'unknown')), NULL)::unionreg._load_note END,
			CASE WHEN p.position IS NOT NULL AND p.position_code IS NULL
				 THEN ROW('position', (p.orig).position, format('position %L is not one of teacher, educator, faculty, researcher, other or their Russian labels: left empty', p.position), NULL)::unionreg._load_note
				 WHEN p.position IS NOT NULL AND NOT p.is_working
				 THEN ROW('position', (p.orig).position, format('position describes working members, but status is %s: left empty', coalesce(quote_literal(p.status_ok), 'unknown')), NULL)::unionreg._load_note END,
			CASE WHEN p.student_level IS NOT NULL AND p.student_level_code IS NULL
				 THEN ROW('student_level', (p.orig).student_level, format('student_level %L is not one of college, bachelor, master, postgraduate or their Russian labels: left empty', p.student_level), NULL)::unionreg._load_note
				 WHEN p.student_level IS NOT NULL AND NOT p.is_student
				 THEN ROW('student_level', (p.orig).student_level, format('student_level describes students, but status is %s: left empty', coalesce(quote_literal(p.status_ok), 'unknown')), NULL)::unionreg._load_note END,
			CASE WHEN p.full_time_text IS NOT NULL AND p.full_time IS NULL
				 THEN ROW('full_time', (p.orig).full_time, format('full_time %L is not a boolean (t/f/true/false/1/0/да/нет): left empty', p.full_time_text), NULL)::unionreg._load_note
				 WHEN p.full_time_text IS NOT NULL AND NOT p.is_student
				 THEN ROW('full_time', (p.orig).full_time, format('full_time describes students, but status is %s: left empty', coalesce(quote_literal(p.status_ok), 'unknown')), NULL)::unionreg._load_note END,
			CASE WHEN p.online_text IS NOT NULL AND p.admitted_online IS NULL
				 THEN ROW('admitted_online', (p.orig).admitted_online, format('admitted_online %L is not a boolean (t/f/true/false/1/0/да/нет): read as no', p.online_text), NULL)::unionreg._load_note END,
			CASE WHEN p.card_text IS NOT NULL AND p.card_problem IS NOT NULL
				 THEN ROW('card_number', (p.orig).card_number, format('card_number %L: %s: the card is left out', p.card_text, p.card_problem),
						  CASE WHEN p.card_text ~* '^[0-9.,]+e\+?[0-9]+$'
							   THEN 'A spreadsheet showed the number in exponent form and kept only its first digits: format the column as text and export again.' END)::unionreg._load_note
				 WHEN p.card_status IS NOT NULL AND p.card_status_code IS NULL
				 THEN ROW('card_status', (p.orig).card_status, format('card_status %L is not one of requested, produced, delivered_to_region, issued, refused, lost, cancelled or their Russian labels: the card is left out', p.card_status), NULL)::unionreg._load_note
				 WHEN p.card_text IS NOT NULL AND p.card_status IS NULL
				 THEN ROW('card_number', (p.orig).card_number, 'card_number is given but card_status is empty: the card is left out', NULL)::unionreg._load_note
				 WHEN p.card_text IS NULL AND p.card_status IS NOT NULL
				 THEN ROW('card_status', (p.orig).card_status, format('card_status %L is given but card_number is empty: the card is left out', p.card_status), NULL)::unionreg._load_note END,
			CASE WHEN p.card_on_text IS NOT NULL AND p.card_status_on IS NULL AND NOT p.bad_card
				 THEN ROW('card_status_on', (p.orig).card_status_on, 'card_status_on ' || quote_literal(p.card_on_text) || ' ' || unionreg._stage_date_problem(p.card_on_text) || ': joined_on taken instead', NULL)::unionreg._load_note END,
			CASE WHEN p.virtual_text IS NOT NULL AND p.virtual_card_on IS NULL
				 THEN ROW('virtual_card_on', (p.orig).virtual_card_on, 'virtual_card_on ' || quote_literal(p.virtual_text) || ' ' || unionreg._stage_date_problem(p.virtual_text) || ': left empty', NULL)::unionreg._load_note END,
			CASE WHEN p.profcards_text IS NOT NULL AND p.profcards_on IS NULL
				 THEN ROW('profcards_on', (p.orig).profcards_on, 'profcards_on ' || quote_literal(p.profcards_text) || ' ' || unionreg._stage_date_problem(p.profcards_text) || ': left empty', NULL)::unionreg._load_note END,
			CASE WHEN p.c_email_text IS NOT NULL AND p.consent_email IS NULL
				 THEN ROW('consent_email', (p.orig).consent_email, format('consent_email %L is not a boolean (t/f/true/false/1/0/да/нет): left empty', p.c_email_text), NULL)::unionreg._load_note END,
			CASE WHEN p.c_sms_text IS NOT NULL AND p.consent_sms IS NULL
				 THEN ROW('consent_sms', (p.orig).consent_sms, format('consent_sms %L is not a boolean (t/f/true/false/1/0/да/нет): left empty', p.c_sms_text), NULL)::unionreg._load_note END,
			CASE WHEN p.c_push_text IS NOT NULL AND p.consent_push IS NULL
				 THEN ROW('consent_push', (p.orig).consent_push, format('consent_push %L is not a boolean (t/f/true/false/1/0/да/нет): left empty', p.c_push_text), NULL)::unionreg._load_note END
		   ], NULL) AS notes,
		   nullif(concat_ws('; ',
			CASE WHEN p.ext_id IS NULL THEN 'ext_id is empty: it identifies the person' END,
			CASE WHEN p.surname IS NULL THEN 'surname is empty' END,
			CASE WHEN p.first_name IS NULL THEN 'first_name is empty' END,
			CASE WHEN p.joined_text IS NULL THEN 'joined_on is empty: the first day of membership is required'
				 WHEN p.joined_on IS NULL THEN 'joined_on ' || quote_literal(p.joined_text) || ' ' || unionreg._stage_date_problem(p.joined_text)
				 WHEN p.joined_on > current_date
				 THEN format('joined_on %s is after the load day %s: a membership is recorded once it has begun', p.joined_on, current_date) END,
			CASE WHEN p.left_text IS NOT NULL AND p.left_on IS NULL THEN 'left_on ' || quote_literal(p.left_text) || ' ' || unionreg._stage_date_problem(p.left_text)
				 WHEN p.left_on <= p.joined_on THEN format('left_on %s is not after joined_on %s (left_on is the first day no longer a member)', p.left_text, p.joined_text) END,
			CASE WHEN p.left_reason IS NOT NULL AND p.left_reason_code IS NULL
				 THEN format('left_reason %L is not one of own_wish, left_job, graduated, transferred, retired, died, expelled, other or their Russian labels', p.left_reason)
				 WHEN p.left_text IS NOT NULL AND p.left_reason IS NULL THEN 'left_on is given but left_reason is empty: leaving needs a reason'
				 WHEN p.left_text IS NULL AND p.left_reason IS NOT NULL THEN format('left_reason %L is given but left_on is empty', p.left_reason) END,
			CASE WHEN NOT p.bad_card AND p.card_status_on > current_date
				 THEN format('card_status_on %s is after the load day %s: a card''s move is recorded once it has happened', p.card_status_on, current_date) END,
			CASE WHEN p.virtual_card_on > current_date
				 THEN format('virtual_card_on %s is after the load day %s', p.virtual_card_on, current_date) END,
			CASE WHEN p.org_ext_id IS NULL THEN 'org_ext_id is empty: a member belongs to a primary organization'
				 WHEN p.org_ref_id IS NULL THEN format('organization %L does not exist (load it with unionreg.load_orgs first)', p.org_ext_id)
				 WHEN p.org_level NOT IN ('primary', 'subdivision')
				 THEN format('organization %L is %s: members belong to a primary organization or its subdivision', p.org_ext_id, p.org_level)
				 WHEN p.joined_on IS NULL THEN NULL
				 WHEN p.primary_id IS NULL
				 THEN format('subdivision %L stands under no primary organization on %s', p.org_ext_id, p.joined_on)
				 WHEN o.valid_from > p.joined_on
				 THEN format('organization %L exists [%s, %s) but the membership would begin on %s, before it; if the organization is older than its stored creation date, correct that date with unionreg.correct_org(%L, valid_from => ...) and load the row again',
							 o.ext_id, o.valid_from, coalesce(o.valid_to::text, 'open'), p.joined_on, o.ext_id)
				 WHEN coalesce(o.valid_to, 'infinity') < coalesce(p.left_on, 'infinity')
				 THEN format('organization %L exists [%s, %s) but the membership would hold [%s, %s)', o.ext_id, o.valid_from,
							 coalesce(o.valid_to::text, 'open'), p.joined_on, coalesce(p.left_on::text, 'open')) END
		   ), '') AS row_reason
	  FROM placed p
	  LEFT JOIN unionreg.org o ON o.id = p.primary_id;
	GET DIAGNOSTICS v_staged = ROW_COUNT;
	ANALYZE _um (ext_id, joined_on, card_number, row_reason);
	PERFORM unionreg._progress('load_members', 'rows checked one by one', v_staged);
	RAISE NOTICE 'load_members: % rows staged and checked one by one (% s)', v_staged,
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);

	-- 2. rows against each other and against what is stored
	CREATE TEMP TABLE _umw ON COMMIT DROP AS
	WITH ok AS (SELECT * FROM _um WHERE row_reason IS NULL),
	stored_person AS (
		SELECT DISTINCT ON (ok.ext_id) ok.ext_id, p.id AS person_id
		  FROM ok JOIN unionreg.person p ON p.ext_id = ok.ext_id),
	file_order AS (
		SELECT ok.rn,
			   count(*) OVER same_period AS n_same,
			   -- a period staged twice alike is loaded once (from its first row)
			   min(ok.orig::text) OVER same_period = max(ok.orig::text) OVER same_period AS all_alike,
			   min(ok.rn) OVER same_period AS first_rn,
			   lag(ok.joined_on) OVER by_person AS prev_joined,
			   lag(ok.left_on) OVER by_person AS prev_left,
			   lag(ok.rn) OVER by_person AS prev_rn,
			   -- the person's number, in the order the windows sort anyway: writing goes by persons
			   dense_rank() OVER (ORDER BY ok.ext_id COLLATE "C") AS pn
		  FROM ok
		WINDOW same_period AS (PARTITION BY ok.ext_id COLLATE "C", ok.joined_on),
			   by_person AS (PARTITION BY ok.ext_id COLLATE "C" ORDER BY ok.joined_on, ok.rn)),
	-- a stored period the row restates: the register keeps its history; the
	-- row may only end a period the register has open
	stored_period AS (
		SELECT ok.rn, m.org_id, m.subdivision_id, m.left_on, m.left_reason, m.admitted_online,
			   (m.org_id, m.subdivision_id, m.admitted_online) IS DISTINCT FROM (ok.primary_id, ok.subdivision_id, ok.admitted_online)
			   OR (m.left_on IS NOT NULL AND (m.left_on, m.left_reason) IS DISTINCT FROM (ok.left_on, ok.left_reason)) AS differs,
			   po.ext_id AS stored_org
		  FROM ok JOIN stored_person sp ON sp.ext_id = ok.ext_id
		  JOIN unionreg.membership m ON m.person_id = sp.person_id AND m.joined_on = ok.joined_on
		  JOIN unionreg.org po ON po.id = coalesce(m.subdivision_id, m.org_id)),
	stored_overlap AS (
		SELECT ok.rn, min(m.joined_on) AS m_joined, min(m.left_on) AS m_left,
			   bool_or(m.left_on IS NULL AND m.joined_on < ok.joined_on AND m.org_id IS DISTINCT FROM ok.primary_id) AS open_before
		  FROM ok JOIN stored_person sp ON sp.ext_id = ok.ext_id
		  JOIN unionreg.membership m ON m.person_id = sp.person_id AND m.joined_on <> ok.joined_on
			   AND m.joined_on < coalesce(ok.left_on, 'infinity') AND coalesce(m.left_on, 'infinity') > ok.joined_on
		  -- a stored period this load restates is judged in its new form, above
		  LEFT JOIN ok x ON x.ext_id = ok.ext_id AND x.joined_on = m.joined_on
		 WHERE x.rn IS NULL
		 GROUP BY ok.rn),
	-- a card's state is the one staged on the person's latest row that names it
	card_rows AS (
		SELECT ok.rn, ok.card_number,
			   row_number() OVER (PARTITION BY ok.card_number ORDER BY ok.joined_on DESC, ok.rn) = 1 AS card_final,
			   min(ok.ext_id) OVER (PARTITION BY ok.card_number) AS min_holder,
			   max(ok.ext_id) OVER (PARTITION BY ok.card_number) AS max_holder
		  FROM ok WHERE ok.card_number IS NOT NULL),
	-- the one card a stored person holds on its way or in use, unless this load retires it
	stored_active AS (
		SELECT sp.ext_id, c2.number, c2.state
		  FROM stored_person sp
		  JOIN unionreg.card c2 ON c2.person_id = sp.person_id
			   AND c2.state IN ('requested', 'produced', 'delivered_to_region', 'issued')
		 WHERE NOT EXISTS (SELECT 1 FROM card_rows cr JOIN ok x ON x.rn = cr.rn
							WHERE cr.card_final AND cr.card_number = c2.number
							  AND x.card_status NOT IN ('requested', 'produced', 'delivered_to_region', 'issued'))),
	card_check AS (
		SELECT cr.rn, cr.card_final, cr.min_holder, cr.max_holder, c.state AS stored_state,
			   hp.ext_id AS stored_holder,
			   -- a holder the loading login cannot see is not named to it
			   (hp.id IS NULL OR unionreg._sees_all() OR hp.id IN (SELECT unionreg._visible_person_ids())) AS holder_visible,
			   (c.state IS NOT NULL AND c.state <> ok.card_status
				AND NOT EXISTS (SELECT 1 FROM unionreg.card_transition t
								 WHERE t.from_state = c.state AND t.to_state = ok.card_status)) AS bad_move,
			   sa.number::text || ' (' || sa.state || ')' AS other_active
		  FROM card_rows cr JOIN ok ON ok.rn = cr.rn
		  LEFT JOIN unionreg.card c ON c.number = cr.card_number
		  LEFT JOIN unionreg.person hp ON hp.id = c.person_id
		  LEFT JOIN stored_active sa ON sa.ext_id = ok.ext_id AND sa.number <> cr.card_number),
	active_cards AS (
		SELECT ok.ext_id, count(DISTINCT ok.card_number) AS n
		  FROM ok JOIN card_rows cr ON cr.rn = ok.rn AND cr.card_final
		 WHERE ok.card_status IN ('requested', 'produced', 'delivered_to_region', 'issued')
		 GROUP BY ok.ext_id HAVING count(DISTINCT ok.card_number) > 1)
	SELECT u.rn, u.orig, u.ext_id, u.org_ext_id, u.surname, u.first_name, u.patronymic, u.birth_date, u.gender,
		   u.snils, u.email, u.phone, u.status, u.pedagogical, u.position, u.student_level, u.full_time, u.joined_on,
		   -- a restated period that differs keeps what is stored
		   CASE WHEN spd.differs THEN spd.left_on ELSE u.left_on END AS left_on,
		   CASE WHEN spd.differs THEN spd.left_reason ELSE u.left_reason END AS left_reason,
		   CASE WHEN spd.differs THEN spd.admitted_online ELSE u.admitted_online END AS admitted_online,
		   u.card_number, u.card_status, u.card_status_on, u.virtual_card_on, u.profcards_on,
		   u.consent_email, u.consent_sms, u.consent_push,
		   CASE WHEN spd.differs THEN spd.org_id ELSE u.primary_id END AS primary_id,
		   CASE WHEN spd.differs THEN spd.subdivision_id ELSE u.subdivision_id END AS subdivision_id,
		   u.primary_from, u.primary_to,
		   u.notes || CASE WHEN spd.differs THEN ARRAY[ROW(NULL, NULL,
				format('the stored period of person %L joined on %s is [%s, %s) in %L%s; the row says [%s, %s) in %L: the register keeps its history',
					   u.ext_id, u.joined_on, u.joined_on, coalesce(spd.left_on::text, 'open'), spd.stored_org,
					   coalesce(' (' || spd.left_reason || ')', ''), u.joined_on, coalesce(u.left_on::text, 'open'), u.org_ext_id),
				format('If the stored period is wrong, correct it with unionreg.correct_membership(%L, %L, ...).', u.ext_id, u.joined_on)
				)::unionreg._load_note] ELSE '{}' END AS notes,
		   u.row_reason,
		   fo.pn, sp.person_id IS NOT NULL AS person_stored, spd.rn IS NOT NULL AS period_stored,
		   coalesce(cc.card_final, false) AS card_final,
		   CASE WHEN fo.n_same > 1 AND fo.all_alike AND fo.first_rn <> u.rn THEN fo.first_rn END AS repeat_of,
		   coalesce(u.row_reason, nullif(concat_ws('; ',
			CASE WHEN fo.n_same > 1 AND NOT fo.all_alike THEN format('person %L has %s different rows for the period joined on %s in this load; stage each period once',
												u.ext_id, fo.n_same, u.joined_on) END,
			CASE WHEN fo.n_same = 1 AND fo.prev_joined IS NOT NULL AND fo.prev_joined <> u.joined_on
					  AND coalesce(fo.prev_left, 'infinity') > u.joined_on
				 THEN format('period [%s, %s) of person %L overlaps its period [%s, %s) in row %s of this load: one person''s periods never overlap',
							 u.joined_on, coalesce(u.left_on::text, 'open'), u.ext_id, fo.prev_joined,
							 coalesce(fo.prev_left::text, 'open'), fo.prev_rn) END,
			CASE WHEN so.rn IS NOT NULL
				 THEN format('period [%s, %s) of person %L overlaps its stored period [%s, %s): one person''s periods never overlap; %s',
							 u.joined_on, coalesce(u.left_on::text, 'open'), u.ext_id, so.m_joined,
							 coalesce(so.m_left::text, 'open'),
							 CASE WHEN so.open_before
								  THEN format('if the member moved, stage the stored period too, ended on %s with left_reason transferred, or call unionreg.transfer_member(%L, %L, %L)',
											  u.joined_on, u.ext_id, u.org_ext_id, u.joined_on)
								  ELSE format('if the stored start date is wrong, correct it with unionreg.correct_membership(%L, %L, new_joined_on => %L)',
											  u.ext_id, so.m_joined, u.joined_on) END) END,
			CASE WHEN cc.min_holder <> cc.max_holder
				 THEN format('card %s is staged for two persons (%L and %L): a card has one holder',
							 u.card_number, cc.min_holder, cc.max_holder)
				 WHEN cc.stored_holder IS NOT NULL AND cc.stored_holder <> u.ext_id
				 THEN CASE WHEN cc.holder_visible
						   THEN format('card %s belongs to person %L, not %L', u.card_number, cc.stored_holder, u.ext_id)
						   ELSE format('card %s belongs to another person, not %L', u.card_number, u.ext_id) END END,
			CASE WHEN cc.card_final AND cc.bad_move AND cc.holder_visible
				 THEN format('card %s is %s: the move %s -> %s is not allowed', u.card_number, cc.stored_state,
							 cc.stored_state, u.card_status) END,
			CASE WHEN cc.card_final AND u.card_status IN ('requested', 'produced', 'delivered_to_region', 'issued')
					  AND cc.other_active IS NOT NULL
				 THEN format('person %L already holds card %s: a new card follows only a refused, lost or cancelled one',
							 u.ext_id, cc.other_active)
				 WHEN ac.ext_id IS NOT NULL AND cc.card_final
					  AND u.card_status IN ('requested', 'produced', 'delivered_to_region', 'issued')
				 THEN format('person %L has %s cards on their way or in use in this load; at most one is', u.ext_id, ac.n) END
		   ), '')) AS reason
	  FROM _um u
	  LEFT JOIN file_order fo ON fo.rn = u.rn
	  LEFT JOIN stored_person sp ON sp.ext_id = u.ext_id
	  LEFT JOIN stored_overlap so ON so.rn = u.rn
	  LEFT JOIN stored_period spd ON spd.rn = u.rn
	  LEFT JOIN card_check cc ON cc.rn = u.rn
	  LEFT JOIN active_cards ac ON ac.ext_id = u.ext_id;
	DROP TABLE _um;
	ANALYZE _umw (rn, pn, ext_id, reason);
	PERFORM unionreg._progress('load_members', 'rows checked against the register; writing', v_staged);
	RAISE NOTICE 'load_members: rows checked against each other and the register (% s)',
		round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);

	-- 3. write a batch of persons at a time, every row of a person in the
	--    same batch (its latest period speaks for it).  The batches share
	--    one subtransaction: PostgreSQL keeps a subtransaction's memory (its
	--    statements' transition tables, up to work_mem each) until the
	--    transaction ends, so one per batch would add up with the file.  If
	--    a rule only the database sees breaks, the batches before the failing
	--    one (rolled back with it) are written again, and the failing one is
	--    split down to one person, whose rows then go one at a time.
	-- what the register holds of the periods this file restates, to tell
	-- afterwards which rows changed it
	IF to_regclass('pg_temp._umi') IS NOT NULL THEN DROP TABLE pg_temp._umi; END IF;
	CREATE TEMP TABLE _umi ON COMMIT DROP AS SELECT i.rn, i.image AS before FROM unionreg._member_images() i;
	SELECT max(pn) INTO v_persons FROM _umw WHERE reason IS NULL;
	IF v_persons > v_batch THEN
		CREATE INDEX ON _umw (pn);
	END IF;
	v_lo := 1;
	WHILE v_lo <= coalesce(v_persons, 0) LOOP
		v_redo := v_lo;
		BEGIN
			WHILE v_lo <= v_persons LOOP
				PERFORM unionreg._load_members_write(v_lo, least(v_lo + v_batch - 1, v_persons), NULL);
				v_lo := v_lo + v_batch;
				PERFORM unionreg._progress('load_members', 'writing persons', least(v_lo - 1, v_persons), v_persons);
			END LOOP;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
			RAISE NOTICE 'load_members: persons % to % at once failed (%); writing them in smaller batches',
				v_lo, least(v_lo + v_batch - 1, v_persons), v_err;
			WHILE v_redo < v_lo LOOP
				PERFORM unionreg._load_members_write(v_redo, least(v_redo + v_batch - 1, v_persons), NULL);
				v_redo := v_redo + v_batch;
			END LOOP;
			PERFORM unionreg._load_members_write_split(v_lo, least(v_lo + v_batch - 1, v_persons));
			v_lo := v_lo + v_batch;
			PERFORM unionreg._progress('load_members', 'writing persons', least(v_lo - 1, v_persons), v_persons);
		END;
	END LOOP;

	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_member', (w.orig).ext_id, to_jsonb(w.orig), w.reason
	  FROM _umw w WHERE w.reason IS NOT NULL ORDER BY w.rn;
	GET DIAGNOSTICS rejected = ROW_COUNT;
	loaded := v_staged - rejected;
	-- the loaded rows' notes, and the rows loaded once for two alike
	INSERT INTO unionreg.load_warning (source, ext_id, column_name, raw, reason, hint)
	SELECT 'stage_member', x.ext_id, x.column_name, x.raw, x.reason, x.hint
	  FROM (SELECT w.rn, 0 AS k, (w.orig).ext_id, n.column_name, coalesce(n.raw, w.orig::text) AS raw, n.reason, n.hint
			  FROM _umw w CROSS JOIN LATERAL unnest(w.notes) n
			 WHERE w.reason IS NULL AND w.repeat_of IS NULL
			UNION ALL
			SELECT w.rn, 1, (w.orig).ext_id, NULL, w.orig::text,
				   format('row %s repeats row %s of this load: loaded once', w.rn, w.repeat_of), NULL
			  FROM _umw w WHERE w.reason IS NULL AND w.repeat_of IS NOT NULL) x
	 ORDER BY x.rn, x.k;
	GET DIAGNOSTICS warnings = ROW_COUNT;
	SELECT count(*) FILTER (WHERE NOT w.period_stored AND w.repeat_of IS NULL),
		   count(*) FILTER (WHERE w.period_stored AND w.repeat_of IS NULL AND a.image IS DISTINCT FROM b.before)
	  INTO inserted, updated
	  FROM _umw w
	  LEFT JOIN _umi b ON b.rn = w.rn
	  LEFT JOIN unionreg._member_images() a ON a.rn = w.rn
	 WHERE w.reason IS NULL;
	unchanged := loaded - inserted - updated;
	RAISE NOTICE 'load_members: written in % s', round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
	DROP TABLE _umw;
	DROP TABLE _umi;
	DROP TABLE _usub;
	IF to_regclass('pg_temp._ump') IS NOT NULL THEN DROP TABLE pg_temp._ump; END IF;
	IF to_regclass('pg_temp._umb') IS NOT NULL THEN DROP TABLE pg_temp._umb; END IF;
END
$$;
COMMENT ON FUNCTION unionreg._load_members_unchecked() IS
	'internal: the body of unionreg.load_members, without the caller''s scope check';

CREATE FUNCTION unionreg.load_members(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$ SELECT * FROM unionreg._scoped_load(3, 'load_members', '_reject_staged_members_outside', '_load_members_with_facts') $$;
COMMENT ON FUNCTION unionreg.load_members() IS
	'Load every row of unionreg.stage_member (one membership period of one person per row): persons, periods, statuses, cards, consents; invalid rows to unionreg.load_reject with the reason; loaded + rejected = staged; the staging table is emptied. Rows outside the caller''s subtree are rejected';

CREATE FUNCTION unionreg._load_baselines_unchecked(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
SET datestyle = 'ISO, YMD'
-- the planner's guesses over work tables are wild; compiling them costs seconds, running them milliseconds
SET jit = off
AS $$
DECLARE
	v_staged bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(1970170223, 4);
	IF to_regclass('pg_temp._ub') IS NOT NULL THEN DROP TABLE pg_temp._ub; END IF;
	CREATE TEMP TABLE _ub ON COMMIT DROP AS
	WITH taken AS (DELETE FROM unionreg.stage_baseline RETURNING *),
	t AS (
		SELECT row_number() OVER () AS rn, ROW(s.*)::unionreg.stage_baseline AS orig,
			   nullif(btrim(s.org_ext_id), '') AS org_ext_id, nullif(btrim(s.as_of), '') AS as_of_text,
			   nullif(btrim(s.members), '') AS members_text, nullif(btrim(s.working), '') AS working_text,
			   nullif(btrim(s.students), '') AS students_text, nullif(btrim(s.pensioners), '') AS pensioners_text,
			   nullif(btrim(s.employees), '') AS employees_text,
			   nullif(btrim(s.primaries), '') AS primaries_text, nullif(btrim(s.territorials), '') AS territorials_text
		  FROM taken s),
	p AS (
		SELECT t.*, o.id AS org_id, unionreg._stage_date(as_of_text) AS as_of,
			   unionreg._stage_int(members_text) AS members, unionreg._stage_int(working_text) AS working,
			   unionreg._stage_int(students_text) AS students, unionreg._stage_int(pensioners_text) AS pensioners,
			   unionreg._stage_int(employees_text) AS employees,
			   unionreg._stage_int(primaries_text) AS primaries, unionreg._stage_int(territorials_text) AS territorials,
			   count(*) OVER (PARTITION BY t.org_ext_id, t.as_of_text) AS n_same,
			   min(t.orig::text) OVER (PARTITION BY t.org_ext_id, t.as_of_text)
			   = max(t.orig::text) OVER (PARTITION BY t.org_ext_id, t.as_of_text) AS all_alike,
			   min(t.rn) OVER (PARTITION BY t.org_ext_id, t.as_of_text) AS first_rn
		  FROM t LEFT JOIN unionreg.org o ON o.ext_id = t.org_ext_id)
	SELECT p.*, CASE WHEN p.n_same > 1 AND p.all_alike AND p.first_rn <> p.rn THEN p.first_rn END AS repeat_of,
		   nullif(concat_ws('; ',
		CASE WHEN p.org_ext_id IS NULL THEN 'org_ext_id is empty'
			 WHEN p.org_id IS NULL THEN format('organization %L does not exist', p.org_ext_id) END,
		CASE WHEN p.as_of_text IS NULL THEN 'as_of is empty: the report date is required'
			 WHEN p.as_of IS NULL THEN 'as_of ' || quote_literal(p.as_of_text) || ' ' || unionreg._stage_date_problem(p.as_of_text) END,
		CASE WHEN p.members_text IS NOT NULL AND p.members IS NULL THEN format('members %L is not a non-negative integer', p.members_text) END,
		CASE WHEN p.working_text IS NOT NULL AND p.working IS NULL THEN format('working %L is not a non-negative integer', p.working_text) END,
		CASE WHEN p.students_text IS NOT NULL AND p.students IS NULL THEN format('students %L is not a non-negative integer', p.students_text) END,
		CASE WHEN p.pensioners_text IS NOT NULL AND p.pensioners IS NULL THEN format('pensioners %L is not a non-negative integer', p.pensioners_text) END,
		CASE WHEN p.employees_text IS NOT NULL AND p.employees IS NULL THEN format('employees %L is not a non-negative integer', p.employees_text) END,
		CASE WHEN p.primaries_text IS NOT NULL AND p.primaries IS NULL THEN format('primaries %L is not a non-negative integer', p.primaries_text) END,
		CASE WHEN p.territorials_text IS NOT NULL AND p.territorials IS NULL THEN format('territorials %L is not a non-negative integer', p.territorials_text) END,
		CASE WHEN p.members IS NOT NULL AND coalesce(p.working, 0) + coalesce(p.students, 0) + coalesce(p.pensioners, 0) > p.members
			 THEN format('working + students + pensioners = %s is more than members = %s',
						 coalesce(p.working, 0) + coalesce(p.students, 0) + coalesce(p.pensioners, 0), p.members) END,
		CASE WHEN p.n_same > 1 AND NOT p.all_alike THEN format('organization %L has %s different rows for %s in this load; stage one', p.org_ext_id, p.n_same, p.as_of_text) END
	   ), '') AS reason
	  FROM p;
	GET DIAGNOSTICS v_staged = ROW_COUNT;

	-- a row a stored one already says is not written (xmax tells an update from an insert)
	WITH written AS (
		INSERT INTO unionreg.paper_baseline (org_id, as_of, members, working, students, pensioners, employees,
											 primaries, territorials)
		SELECT org_id, as_of, members, working, students, pensioners, employees, primaries, territorials FROM _ub
		 WHERE reason IS NULL AND repeat_of IS NULL
		ON CONFLICT (org_id, as_of) DO UPDATE
		   SET members = excluded.members, working = excluded.working, students = excluded.students,
			   pensioners = excluded.pensioners, employees = excluded.employees,
			   primaries = excluded.primaries, territorials = excluded.territorials
		 WHERE (paper_baseline.members, paper_baseline.working, paper_baseline.students, paper_baseline.pensioners,
				paper_baseline.employees, paper_baseline.primaries, paper_baseline.territorials)
			   IS DISTINCT FROM
			   (excluded.members, excluded.working, excluded.students, excluded.pensioners, excluded.employees,
				excluded.primaries, excluded.territorials)
		RETURNING xmax = 0 AS is_new)
	SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) INTO inserted, updated FROM written;

	INSERT INTO unionreg.load_reject (source, ext_id, raw, reason)
	SELECT 'stage_baseline', (b.orig).org_ext_id, to_jsonb(b.orig), b.reason FROM _ub b WHERE b.reason IS NOT NULL ORDER BY b.rn;
	GET DIAGNOSTICS rejected = ROW_COUNT;
	loaded := v_staged - rejected;
	INSERT INTO unionreg.load_warning (source, ext_id, column_name, raw, reason)
	SELECT 'stage_baseline', (b.orig).org_ext_id, NULL, b.orig::text,
		   format('row %s repeats row %s of this load: loaded once', b.rn, b.repeat_of)
	  FROM _ub b WHERE b.reason IS NULL AND b.repeat_of IS NOT NULL ORDER BY b.rn;
	GET DIAGNOSTICS warnings = ROW_COUNT;
	unchanged := loaded - inserted - updated;
	DROP TABLE _ub;
END
$$;
COMMENT ON FUNCTION unionreg._load_baselines_unchecked() IS
	'internal: the body of unionreg.load_baselines, without the caller''s scope check';

CREATE FUNCTION unionreg.load_baselines(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$ SELECT * FROM unionreg._scoped_load(4, 'load_baselines', '_reject_staged_baselines_outside', '_load_baselines_unchecked') $$;
COMMENT ON FUNCTION unionreg.load_baselines() IS
	'Load every row of unionreg.stage_baseline (paper report figures per organization and date); invalid rows to unionreg.load_reject; loaded + rejected = staged. Rows outside the caller''s subtree are rejected';

-- What the register holds of each period load_members()'s work table _umw
-- restates (its person, the period, the person's statuses, cards and
-- consents), as one digest a row: taken before and after the write, they
-- tell an updated row from an unchanged one.
CREATE FUNCTION unionreg._member_images() RETURNS TABLE (rn bigint, image text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	SELECT w.rn, md5(concat_ws('|', p::text, m::text,
		(SELECT string_agg(s::text, ',' ORDER BY s.valid_from) FROM unionreg.status_period s WHERE s.person_id = p.id),
		(SELECT string_agg(c::text, ',' ORDER BY c.id) FROM unionreg.card c WHERE c.person_id = p.id),
		(SELECT string_agg(pc::text, ',' ORDER BY pc.channel, pc.on_date) FROM unionreg.person_consent pc WHERE pc.person_id = p.id)))
	  FROM pg_temp._umw w
	  JOIN unionreg.person p ON p.ext_id = w.ext_id
	  LEFT JOIN unionreg.membership m ON m.person_id = p.id AND m.joined_on = w.joined_on
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.period_stored
$$;
COMMENT ON FUNCTION unionreg._member_images() IS
	'internal: a digest of what the register holds of each stored period load_members()''s work table restates, to count the rows that changed it';

-- Write the valid rows of persons [p_lo, p_hi] of the work table _umw
-- (p_rn: only that row).
CREATE FUNCTION unionreg._load_members_write(p_lo bigint, p_hi bigint, p_rn bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- the batch's valid rows, read out of the work table once, with the
	-- columns the statements below write
	IF to_regclass('pg_temp._umb') IS NOT NULL THEN DROP TABLE pg_temp._umb; END IF;
	CREATE TEMP TABLE _umb ON COMMIT DROP AS
	SELECT w.rn, w.ext_id, w.person_stored, w.surname, w.first_name, w.patronymic, w.birth_date, w.gender,
		   w.snils, w.email, w.phone, w.virtual_card_on, w.profcards_on,
		   w.primary_id, w.subdivision_id, w.joined_on, w.left_on, w.left_reason, w.admitted_online,
		   w.status, w.pedagogical, w.position, w.student_level, w.full_time,
		   w.consent_email, w.consent_sms, w.consent_push,
		   w.card_final, w.card_number, w.card_status, w.card_status_on
	  FROM _umw w
	 WHERE w.reason IS NULL AND w.repeat_of IS NULL AND w.pn BETWEEN p_lo AND p_hi AND (p_rn IS NULL OR w.rn = p_rn);
	ANALYZE _umb;

	-- persons: the latest period's row speaks for the person.  The ids of
	-- the persons written come back from the upsert, into _ump, with
	-- whether the person was stored when the load judged its rows (only
	-- those can have stored periods and cards to compare with: for a first
	-- load of persons, the statements below then read none of the stored
	-- rows, instead of scanning their tables for every batch).
	IF to_regclass('pg_temp._ump') IS NOT NULL THEN DROP TABLE pg_temp._ump; END IF;
	CREATE TEMP TABLE _ump (ext_id text PRIMARY KEY, person_id bigint NOT NULL, stored boolean NOT NULL) ON COMMIT DROP;
	WITH up AS (
	INSERT INTO unionreg.person (ext_id, surname, first_name, patronymic, birth_date, gender, snils,
								 email, phone, virtual_card_on, profcards_on)
	SELECT DISTINCT ON (w.ext_id) w.ext_id, w.surname, w.first_name, w.patronymic, w.birth_date, w.gender,
		   w.snils, w.email, w.phone, w.virtual_card_on, w.profcards_on
	  FROM _umb w
	 ORDER BY w.ext_id, w.joined_on DESC
	ON CONFLICT (ext_id) DO UPDATE
	   SET surname = excluded.surname, first_name = excluded.first_name, patronymic = excluded.patronymic,
		   birth_date = excluded.birth_date, gender = excluded.gender, snils = excluded.snils,
		   email = excluded.email, phone = excluded.phone, virtual_card_on = excluded.virtual_card_on,
		   profcards_on = excluded.profcards_on
	 WHERE (person.surname, person.first_name, person.patronymic, person.birth_date, person.gender,
			person.snils::text, person.email, person.phone, person.virtual_card_on, person.profcards_on)
		   IS DISTINCT FROM
		   (excluded.surname, excluded.first_name, excluded.patronymic, excluded.birth_date, excluded.gender,
			excluded.snils::text, excluded.email, excluded.phone, excluded.virtual_card_on, excluded.profcards_on)
	RETURNING person.ext_id, person.id),
	judged AS (
		SELECT w.ext_id, bool_or(w.person_stored) AS stored
		  FROM _umb w
		 GROUP BY w.ext_id)
	INSERT INTO _ump SELECT up.ext_id, up.id, j.stored FROM up JOIN judged j ON j.ext_id = up.ext_id;
	-- the persons the upsert left as they were (stored, unchanged): looked up
	IF EXISTS (SELECT 1 FROM _umb w WHERE NOT EXISTS (SELECT 1 FROM _ump u WHERE u.ext_id = w.ext_id)) THEN
		INSERT INTO _ump
		SELECT p.ext_id, p.id, true FROM unionreg.person p
		 WHERE p.ext_id IN (SELECT w.ext_id FROM _umb w)
		   AND NOT EXISTS (SELECT 1 FROM _ump u WHERE u.ext_id = p.ext_id);
	END IF;
	ANALYZE _ump;

	-- Fresh statistics before the foreign keys look persons up: a table
	-- vacuumed while empty says "0 rows", and the cached check plans would
	-- scan it once per inserted row (quadratic on a first big load).  Only
	-- while this batch is large beside what the statistics say is stored.
	IF p_rn IS NULL AND p_hi - p_lo >= 10000
	   AND (SELECT c.reltuples FROM pg_class c WHERE c.oid = 'unionreg.person'::regclass) < 2 * (p_hi - p_lo) THEN
		ANALYZE unionreg.person;
	END IF;

	-- periods: restated ones first (a period that now ends makes room for the
	-- next), then new ones; the exclusion constraint is checked row by row
	UPDATE unionreg.membership m
	   SET org_id = w.primary_id, subdivision_id = w.subdivision_id, left_on = w.left_on,
		   left_reason = w.left_reason, admitted_online = w.admitted_online
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id AND p.stored
	 WHERE m.person_id = p.person_id AND m.joined_on = w.joined_on
	   AND (m.org_id, m.subdivision_id, m.left_on, m.left_reason, m.admitted_online)
		   IS DISTINCT FROM
		   (w.primary_id, w.subdivision_id, w.left_on, w.left_reason, w.admitted_online);
	-- (the stored keys are read once, materialized: a NOT EXISTS against the
	-- table being filled may be planned as a rescan per row when its
	-- statistics say "empty", and each rescan reads the pages this very
	-- statement is adding)
	WITH stored AS MATERIALIZED (
		SELECT m.person_id, m.joined_on FROM unionreg.membership m JOIN _ump p ON p.person_id = m.person_id AND p.stored)
	INSERT INTO unionreg.membership (person_id, org_id, subdivision_id, joined_on, left_on, left_reason, admitted_online)
	SELECT p.person_id, w.primary_id, w.subdivision_id, w.joined_on, w.left_on, w.left_reason, w.admitted_online
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id
	  LEFT JOIN stored x ON x.person_id = p.person_id AND x.joined_on = w.joined_on
	 WHERE x.person_id IS NULL;

	-- statuses: one period per membership period; an emptied status is unknown again
	DELETE FROM unionreg.status_period s
	 USING _umb w JOIN _ump p ON p.ext_id = w.ext_id AND p.stored
	 WHERE w.status IS NULL
	   AND s.person_id = p.person_id AND s.valid_from = w.joined_on;
	UPDATE unionreg.status_period s
	   SET status = w.status, valid_to = w.left_on, pedagogical = w.pedagogical, position = w.position,
		   student_level = w.student_level, full_time = w.full_time
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id AND p.stored
	 WHERE w.status IS NOT NULL
	   AND s.person_id = p.person_id AND s.valid_from = w.joined_on
	   AND (s.status, s.valid_to, s.pedagogical, s.position, s.student_level, s.full_time)
		   IS DISTINCT FROM
		   (w.status, w.left_on, w.pedagogical, w.position, w.student_level, w.full_time);
	WITH stored AS MATERIALIZED (
		SELECT s.person_id, s.valid_from FROM unionreg.status_period s JOIN _ump p ON p.person_id = s.person_id AND p.stored)
	INSERT INTO unionreg.status_period (person_id, status, valid_from, valid_to, pedagogical, position,
										student_level, full_time)
	SELECT p.person_id, w.status, w.joined_on, w.left_on, w.pedagogical, w.position, w.student_level, w.full_time
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id
	  LEFT JOIN stored x ON x.person_id = p.person_id AND x.valid_from = w.joined_on
	 WHERE w.status IS NOT NULL AND x.person_id IS NULL;

	INSERT INTO unionreg.person_consent (person_id, channel, on_date, given)
	SELECT p.person_id, c.channel, w.joined_on, c.given
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id
	 CROSS JOIN LATERAL (VALUES ('email', w.consent_email), ('sms', w.consent_sms), ('push', w.consent_push)) c(channel, given)
	 WHERE c.given IS NOT NULL
	ON CONFLICT (person_id, channel, on_date) DO UPDATE SET given = excluded.given
	 WHERE person_consent.given IS DISTINCT FROM excluded.given;

	-- cards: stored ones move first (freeing the one active card), then new ones
	UPDATE unionreg.card c SET state = w.card_status, state_on = w.card_status_on
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id AND p.stored
	 WHERE w.card_final
	   AND c.number = w.card_number AND c.state <> w.card_status;
	WITH stored AS MATERIALIZED (
		SELECT c.number FROM unionreg.card c JOIN _ump p ON p.person_id = c.person_id AND p.stored)
	INSERT INTO unionreg.card (number, person_id, state, state_on, requested_on)
	SELECT w.card_number, p.person_id, w.card_status, w.card_status_on, w.card_status_on
	  FROM _umb w JOIN _ump p ON p.ext_id = w.ext_id
	  LEFT JOIN stored x ON x.number = w.card_number
	 WHERE w.card_final AND x.number IS NULL;
END
$$;
COMMENT ON FUNCTION unionreg._load_members_write(bigint, bigint, bigint) IS
	'internal: writes the valid rows of persons [p_lo, p_hi] (or the one row p_rn) of load_members()''s work table';

-- Persons [p_lo, p_hi] of the work table failed together: write them in
-- ten smaller batches, each in a subtransaction, and split a failing one
-- the same way; one person's rows go one at a time, oldest period first,
-- each failing one kept with the database's reason.
CREATE FUNCTION unionreg._load_members_write_split(p_lo bigint, p_hi bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_step bigint;
	v_lo bigint;
	v_err text;
	v_detail text;
	r record;
BEGIN
	IF p_lo < p_hi THEN
		v_step := (p_hi - p_lo + 10) / 10;
		v_lo := p_lo;
		WHILE v_lo <= p_hi LOOP
			BEGIN
				PERFORM unionreg._load_members_write(v_lo, least(v_lo + v_step - 1, p_hi), NULL);
			EXCEPTION WHEN OTHERS THEN
				PERFORM unionreg._load_members_write_split(v_lo, least(v_lo + v_step - 1, p_hi));
			END;
			v_lo := v_lo + v_step;
		END LOOP;
		RETURN;
	END IF;
	FOR r IN SELECT w.rn FROM _umw w WHERE w.pn = p_lo AND w.reason IS NULL AND w.repeat_of IS NULL ORDER BY w.joined_on, w.rn LOOP
		BEGIN
			PERFORM unionreg._load_members_write(p_lo, p_lo, r.rn);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
			UPDATE _umw SET reason = v_err || coalesce(' (' || nullif(v_detail, '') || ')', '') WHERE rn = r.rn;
		END;
	END LOOP;
END
$$;
COMMENT ON FUNCTION unionreg._load_members_write_split(bigint, bigint) IS
	'internal: writes persons [p_lo, p_hi] of load_members()''s work table that failed together, splitting them until each failing row is kept with its reason';

-- The member loader refreshes once, at its end, the persons of the file.
CREATE FUNCTION unionreg._load_members_with_facts(OUT loaded bigint, OUT rejected bigint, OUT warnings bigint,
	OUT inserted bigint, OUT updated bigint, OUT unchanged bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_persons bigint[];
BEGIN
	CREATE TEMP TABLE _umf_staged ON COMMIT DROP AS SELECT DISTINCT s.ext_id FROM unionreg.stage_member s;
	PERFORM unionreg._member_facts_defer(true);
	SELECT l.* INTO loaded, rejected, warnings, inserted, updated, unchanged FROM unionreg._load_members_unchecked() l;
	PERFORM unionreg._member_facts_defer(false);
	PERFORM unionreg._progress('load_members', 'member facts');
	IF (SELECT count(*) FROM _umf_staged) * 10 > (SELECT reltuples FROM pg_class WHERE oid = 'unionreg.person'::regclass) THEN
		-- most of the union: one pass over the tables, not a probe per person
		PERFORM unionreg._member_fact_refresh(NULL);
	ELSE
		SELECT array_agg(p.id) INTO v_persons FROM unionreg.person p JOIN _umf_staged s ON s.ext_id = p.ext_id;
		PERFORM unionreg._member_fact_refresh(coalesce(v_persons, '{}'));
	END IF;
	DROP TABLE _umf_staged;
END
$$;
COMMENT ON FUNCTION unionreg._load_members_with_facts() IS
	'internal: the member load with the unionreg.member_fact refresh deferred to its end (the persons of the file, or everyone when the file is most of the union)';

-- the administrator reads everything (src/sql/security.sql); the facts are derived, written by the triggers only
GRANT SELECT ON unionreg.member_fact TO unionreg_admin;
