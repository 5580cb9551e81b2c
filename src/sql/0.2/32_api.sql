-- ---------------------------------------------------------------------
-- 0.2: every API function runs as the extension's owner (SECURITY
-- DEFINER, search_path pinned) after checking that the session's login may
-- act on the organizations and persons it touches.  The 0.1 function stays,
-- renamed _<name>_unchecked and callable by its owner only; the public name
-- is a short wrapper: check, then call.
-- ---------------------------------------------------------------------

DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY[
		'create_org(text, text, text, text, date, text, text)', 'move_org(text, text, date)',
		'liquidate_org(text, date)',
		'admit_member(text, text, date, text, text, text, date, text, unionreg.snils, boolean, boolean)',
		'transfer_member(text, text, date)', 'leave(text, date, text)',
		'request_card(text, unionreg.card_number, date)', 'move_card(unionreg.card_number, text, date)',
		'move_cards(text, text, text, date)', 'approve_application(bigint, date, boolean)',
		'reject_application(bigint, text, date)', 'load_orgs()', 'load_members()', 'load_baselines()',
		'report(text, text, date)', 'org_at(date)', 'validate_hierarchy(date)']
	LOOP
		EXECUTE format('ALTER FUNCTION unionreg.%s RENAME TO %I', f, '_' || split_part(f, '(', 1) || '_unchecked');
		EXECUTE format('REVOKE EXECUTE ON FUNCTION unionreg.%s FROM PUBLIC',
					   '_' || split_part(f, '(', 1) || '_unchecked(' || split_part(f, '(', 2));
		EXECUTE format('COMMENT ON FUNCTION unionreg.%s IS %L', '_' || split_part(f, '(', 1) || '_unchecked(' || split_part(f, '(', 2),
					   format('internal: the body of unionreg.%s, without the caller''s scope check', split_part(f, '(', 1)));
	END LOOP;
END
$$;

-- ---- the hierarchy -----------------------------------------------------------

CREATE FUNCTION unionreg.create_org(
	p_ext_id text, p_parent_ext_id text, p_level text, p_name text,
	p_valid_from date DEFAULT current_date,
	p_kind text DEFAULT NULL, p_composition text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF p_parent_ext_id IS NULL THEN
		PERFORM unionreg._require_admin('create an organization without a parent');
	ELSE
		PERFORM unionreg._require_org(p_parent_ext_id, 'create an organization under', 'parent');
	END IF;
	RETURN unionreg._create_org_unchecked(p_ext_id, p_parent_ext_id, p_level, p_name, p_valid_from, p_kind, p_composition);
END
$$;
COMMENT ON FUNCTION unionreg.create_org(text, text, text, text, date, text, text) IS
	'Create an organization under a parent from a date (primaries need kind and composition); the parent must be in the caller''s subtree';

CREATE FUNCTION unionreg.move_org(p_org text, p_new_parent text, p_effective date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_org(p_org, 'move');
	PERFORM unionreg._require_org(p_new_parent, 'move an organization under', 'parent');
	PERFORM unionreg._move_org_unchecked(p_org, p_new_parent, p_effective);
END
$$;
COMMENT ON FUNCTION unionreg.move_org(text, text, date) IS
	'Move an organization with its whole subtree under a new parent from an effective date, checked as one operation; both must be in the caller''s subtree';

CREATE FUNCTION unionreg.liquidate_org(p_org text, p_on date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_org(p_org, 'liquidate');
	PERFORM unionreg._liquidate_org_unchecked(p_org, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.liquidate_org(text, date) IS
	'Liquidate an organization on a date (refused while live children or members remain); it must be in the caller''s subtree';

-- the tree and its problems, within the caller's subtree
CREATE FUNCTION unionreg.org_at(as_of date DEFAULT current_date)
RETURNS TABLE (ext_id text, parent_ext_id text, level text, kind text, composition text, name text, depth integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF unionreg._sees_all() THEN
		RETURN QUERY SELECT * FROM unionreg._org_at_unchecked(as_of);
	ELSE
		RETURN QUERY SELECT t.* FROM unionreg._org_at_unchecked(as_of) t
		 WHERE t.ext_id IN (SELECT unionreg._visible_org_ext_ids());
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg.org_at(date) IS
	'The tree as it stood on a date, one row per live organization, parents before children, siblings by name in Russian collation (depth 0 = central); within the caller''s subtree';

CREATE FUNCTION unionreg.validate_hierarchy(as_of date DEFAULT current_date)
RETURNS TABLE (org_ext_id text, problem text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF unionreg._sees_all() THEN
		RETURN QUERY SELECT * FROM unionreg._validate_hierarchy_unchecked(as_of);
	ELSE
		RETURN QUERY SELECT t.* FROM unionreg._validate_hierarchy_unchecked(as_of) t
		 WHERE t.org_ext_id IN (SELECT unionreg._visible_org_ext_ids());
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg.validate_hierarchy(date) IS
	'Every broken hierarchy rule in the stored data on a date, one row per problem (org_ext_id, problem, detail); within the caller''s subtree';

-- ---- members and cards -------------------------------------------------------

-- A live member elsewhere who looks like the person being admitted: the
-- duplicate rule holds, but the refusal names neither who nor where.
CREATE FUNCTION unionreg._refuse_hidden_twin(p_what text, p_snils unionreg.snils, p_surname text,
	p_first_name text, p_patronymic text, p_birth date, p_on date) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_twin record;
BEGIN
	IF unionreg._sees_all() THEN
		RETURN;
	END IF;
	SELECT * INTO v_twin FROM unionreg._live_lookalike(
		p_snils, unionreg.person_name_key(p_surname, p_first_name, p_patronymic), p_birth, p_on);
	IF FOUND AND v_twin.person_id NOT IN (SELECT unionreg._visible_person_ids()) THEN
		RAISE EXCEPTION 'cannot %: a member with % is on record outside your subtree', p_what, v_twin.match
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'A person is on record once; a second record card would count the member twice.',
				  HINT = 'Ask your region''s officer to transfer the member; if it really is another person, pass p_force => true.';
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._refuse_hidden_twin(text, unionreg.snils, text, text, text, date, date) IS
	'internal: refuses (23505) a new record card that duplicates a live member outside the session login''s subtree, without naming the member or the organization';

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
	PERFORM unionreg._require_org(p_org, 'admit a member to');
	-- an earlier member coming back is the caller's to re-admit only if theirs
	IF EXISTS (SELECT 1 FROM unionreg.person p WHERE p.ext_id = p_ext_id) THEN
		PERFORM unionreg._require_person(p_ext_id, 'admit again');
	END IF;
	IF NOT p_force THEN
		PERFORM unionreg._refuse_hidden_twin(format('admit "%s %s"', p_surname, p_first_name),
			p_snils, p_surname, p_first_name, p_patronymic, p_birth_date, p_on);
	END IF;
	RETURN unionreg._admit_member_unchecked(p_ext_id, p_org, p_on, p_surname, p_first_name, p_patronymic,
										   p_birth_date, p_gender, p_snils, p_online, p_force);
END
$$;
COMMENT ON FUNCTION unionreg.admit_member(text, text, date, text, text, text, date, text, unionreg.snils, boolean, boolean) IS
	'Admit a person (new, or an earlier member by ext_id) to a primary or subdivision in the caller''s subtree on a date; refused when a live member matches by SNILS or name key and birth date, unless p_force';

CREATE FUNCTION unionreg.transfer_member(p_person text, p_new_org text, p_on date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_person(p_person, 'transfer');
	PERFORM unionreg._require_org(p_new_org, 'transfer a member into');
	PERFORM unionreg._transfer_member_unchecked(p_person, p_new_org, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.transfer_member(text, text, date) IS
	'Close the member''s current period on a date (reason transferred) and open the next in another primary or subdivision, in one step; both ends in the caller''s subtree';

CREATE FUNCTION unionreg.leave(p_person text, p_on date, p_reason text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_person(p_person, 'record the leaving of');
	PERFORM unionreg._leave_unchecked(p_person, p_on, p_reason);
END
$$;
COMMENT ON FUNCTION unionreg.leave(text, date, text) IS
	'End the member''s current period on a date (the first day no longer a member) with a reason from unionreg.leave_reason; cancels the live card';

CREATE FUNCTION unionreg.request_card(p_person text, p_number unionreg.card_number, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_person(p_person, 'request a card for');
	PERFORM unionreg._request_card_unchecked(p_person, p_number, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.request_card(text, unionreg.card_number, date) IS
	'Record a plastic e-card requested for a member of the caller''s subtree (state requested)';

CREATE FUNCTION unionreg.move_card(p_number unionreg.card_number, p_to text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
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

CREATE FUNCTION unionreg.move_cards(p_region_ext_id text, p_from text, p_to text, p_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._require_org(p_region_ext_id, 'move the cards of');
	RETURN unionreg._move_cards_unchecked(p_region_ext_id, p_from, p_to, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.move_cards(text, text, text, date) IS
	'Set-based: every card in one state of the members of an organization''s subtree (in the caller''s) moves to another state on a date; returns the count';

CREATE FUNCTION unionreg.approve_application(p_id bigint, p_on date DEFAULT current_date, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	a record;
BEGIN
	PERFORM unionreg._require_application(p_id, 'approve');
	IF NOT p_force THEN
		SELECT * INTO a FROM unionreg.application WHERE id = p_id;
		PERFORM unionreg._refuse_hidden_twin(format('approve application %s of "%s %s"', p_id, a.surname, a.first_name),
			a.snils, a.surname, a.first_name, a.patronymic, a.birth_date, p_on);
	END IF;
	RETURN unionreg._approve_application_unchecked(p_id, p_on, p_force);
END
$$;
COMMENT ON FUNCTION unionreg.approve_application(bigint, date, boolean) IS
	'Approve an online application to a primary of the caller''s subtree: find or create the person (duplicate check) and open a membership admitted online';

CREATE FUNCTION unionreg.reject_application(p_id bigint, p_reason text, p_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
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

-- ---- reports -------------------------------------------------------------------

-- Aggregates only, so the reader may ask for any organization; a chairman or
-- an officer only within the subtree: refused, never filtered to zeros.
CREATE FUNCTION unionreg.report(p_org_ext_id text, p_form text, p_as_of date)
RETURNS TABLE (line_code text, label text, value numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	IF NOT pg_has_role(session_user, 'unionreg_reader', 'MEMBER') THEN
		PERFORM unionreg._require_org(p_org_ext_id, 'report on');
	END IF;
	RETURN QUERY SELECT * FROM unionreg._report_unchecked(p_org_ext_id, p_form, p_as_of);
END
$$;
COMMENT ON FUNCTION unionreg.report(text, text, date) IS
	'The lines (code, Russian label, value) of one organization''s form as of a date, computed now, without a snapshot; the same numbers a snapshot of that date holds. Chairmen and officers: their subtree only';
GRANT EXECUTE ON FUNCTION unionreg.report(text, text, date) TO unionreg_reader;

-- the whole union: the administrator's (and pg_cron's, which runs as its owner)
DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['build_snapshot(date)', 'snapshot_drift(bigint)', 'delete_snapshot(bigint, boolean)',
							 'prune_snapshots(integer)', 'refresh_analytics()', 'refresh_form_views()',
							 'run_quarterly_snapshot(text)', 'schedule_snapshots(text, time, time, integer)',
							 'unschedule_snapshots()']
	LOOP
		EXECUTE format('REVOKE EXECUTE ON FUNCTION unionreg.%s FROM PUBLIC', f);
		EXECUTE format('GRANT EXECUTE ON FUNCTION unionreg.%s TO unionreg_admin', f);
		EXECUTE format('ALTER FUNCTION unionreg.%s SECURITY DEFINER', f);
	END LOOP;
END
$$;

-- organization-level figures of the whole union: the reader's views and the administrator
REVOKE EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unionreg.passport_gaps_at(date), unionreg.chairman_gaps_by_level_at(date)
	TO unionreg_reader, unionreg_admin;
