-- ---------------------------------------------------------------------
-- The regional office's follow-up lists: who to call, what to fix.  Each
-- shows the session login's subtree (everything to the administrator), the
-- same filter as the persons view, and names people only as far as the
-- login may read them (names and the organization; no contacts of members).
-- ---------------------------------------------------------------------

CREATE VIEW unionreg.refused_without_card WITH (security_barrier) AS
SELECT p.ext_id AS person_ext_id, p.surname, p.first_name, p.patronymic,
	   o.ext_id AS org_ext_id, o.name AS org_name, s.ext_id AS subdivision_ext_id,
	   c.number::text AS card_number, c.state_on AS refused_on
  FROM unionreg.person p
  JOIN unionreg.membership m ON m.person_id = p.id AND m.joined_on <= current_date
								 AND (m.left_on IS NULL OR m.left_on > current_date)
  JOIN unionreg.org o ON o.id = m.org_id
  LEFT JOIN unionreg.org s ON s.id = m.subdivision_id
  -- the person's latest card, refused
  JOIN LATERAL (SELECT x.number, x.state, x.state_on FROM unionreg.card x WHERE x.person_id = p.id
				 ORDER BY x.requested_on DESC, x.id DESC LIMIT 1) c ON c.state = 'refused'
 WHERE (p.virtual_card_on IS NULL OR p.virtual_card_on > current_date)
   AND ((SELECT unionreg._sees_all()) OR p.id IN (SELECT unionreg._visible_person_ids()));
COMMENT ON VIEW unionreg.refused_without_card IS
	'Members today who refused the plastic card and have no virtual card either, so nothing proves their membership; with their primary; the session login''s subtree';
COMMENT ON COLUMN unionreg.refused_without_card.person_ext_id IS 'the member';
COMMENT ON COLUMN unionreg.refused_without_card.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.refused_without_card.first_name IS 'имя';
COMMENT ON COLUMN unionreg.refused_without_card.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.refused_without_card.org_ext_id IS 'the primary organization the member belongs to today';
COMMENT ON COLUMN unionreg.refused_without_card.org_name IS 'its name';
COMMENT ON COLUMN unionreg.refused_without_card.subdivision_ext_id IS 'the subdivision, if any';
COMMENT ON COLUMN unionreg.refused_without_card.card_number IS 'the refused card';
COMMENT ON COLUMN unionreg.refused_without_card.refused_on IS 'the day it was refused';

CREATE VIEW unionreg.pending_applications WITH (security_barrier) AS
SELECT a.id AS application_id, a.surname, a.first_name, a.patronymic, o.ext_id AS org_ext_id, o.name AS org_name,
	   a.submitted_at, (current_date - a.submitted_at::date) AS age_days
  FROM unionreg.application a
  JOIN unionreg.org o ON o.id = a.org_id
 WHERE a.state = 'submitted'
   AND ((SELECT unionreg._sees_all()) OR a.org_id IN (SELECT unionreg._visible_org_ids()));
COMMENT ON VIEW unionreg.pending_applications IS
	'Online applications waiting for a decision, oldest first by age, with the primary they chose; the session login''s subtree (approve_application / reject_application decide them)';
COMMENT ON COLUMN unionreg.pending_applications.application_id IS 'the application (for approve_application / reject_application)';
COMMENT ON COLUMN unionreg.pending_applications.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.pending_applications.first_name IS 'имя';
COMMENT ON COLUMN unionreg.pending_applications.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.pending_applications.org_ext_id IS 'the primary organization chosen';
COMMENT ON COLUMN unionreg.pending_applications.org_name IS 'its name';
COMMENT ON COLUMN unionreg.pending_applications.submitted_at IS 'when it was submitted';
COMMENT ON COLUMN unionreg.pending_applications.age_days IS 'days it has waited';

CREATE VIEW unionreg.chairmen_without_access WITH (security_barrier) AS
SELECT o.ext_id AS org_ext_id, o.name AS org_name, o.level, c.name AS chairman_name, c.term_from, c.term_to
  FROM unionreg.org o
  JOIN unionreg.org_chairman c ON c.org_id = o.id AND btrim(coalesce(c.name, '')) <> ''
 WHERE o.valid_from <= current_date AND (o.valid_to IS NULL OR o.valid_to > current_date)
   AND NOT EXISTS (SELECT 1 FROM unionreg.access_scope sc WHERE sc.org_id = o.id)
   AND ((SELECT unionreg._sees_all()) OR o.id IN (SELECT unionreg._visible_org_ids()));
COMMENT ON VIEW unionreg.chairmen_without_access IS
	'Organizations live today whose chairman tab is filled but no login stands for them (unionreg.access_scope), so the chairman cannot enter data or build the reports; grant with unionreg.grant_scope(); the session login''s subtree';
COMMENT ON COLUMN unionreg.chairmen_without_access.org_ext_id IS 'the organization';
COMMENT ON COLUMN unionreg.chairmen_without_access.org_name IS 'its name';
COMMENT ON COLUMN unionreg.chairmen_without_access.level IS 'its level';
COMMENT ON COLUMN unionreg.chairmen_without_access.chairman_name IS 'the chairman on the tab';
COMMENT ON COLUMN unionreg.chairmen_without_access.term_from IS 'first day of the term';
COMMENT ON COLUMN unionreg.chairmen_without_access.term_to IS 'last day of the term (exclusive)';

CREATE VIEW unionreg.chairmen_contact_problems WITH (security_barrier) AS
SELECT o.ext_id AS org_ext_id, o.name AS org_name, o.level, c.name AS chairman_name, c.email,
	   CASE WHEN btrim(coalesce(c.email, '')) = '' THEN 'no e-mail'
			ELSE coalesce('invalid e-mail: ' || unionreg.email_problem(c.email),
						  CASE WHEN c.email_consent IS NOT TRUE THEN 'no consent to e-mail' END) END AS problem
  FROM unionreg.org o
  JOIN unionreg.org_chairman c ON c.org_id = o.id AND btrim(coalesce(c.name, '')) <> ''
 WHERE o.valid_from <= current_date AND (o.valid_to IS NULL OR o.valid_to > current_date)
   AND (btrim(coalesce(c.email, '')) = '' OR unionreg.email_problem(c.email) IS NOT NULL OR c.email_consent IS NOT TRUE)
   AND ((SELECT unionreg._sees_all()) OR o.id IN (SELECT unionreg._visible_org_ids()));
COMMENT ON VIEW unionreg.chairmen_contact_problems IS
	'Chairmen of organizations live today whom the union''s mail cannot reach: no e-mail, an invalid one, or no consent; the session login''s subtree';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.org_ext_id IS 'the organization';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.org_name IS 'its name';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.level IS 'its level';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.chairman_name IS 'the chairman on the tab';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.email IS 'the e-mail on the tab, as written';
COMMENT ON COLUMN unionreg.chairmen_contact_problems.problem IS 'no e-mail, invalid e-mail (why), or no consent to e-mail';

REVOKE ALL ON unionreg.refused_without_card, unionreg.pending_applications, unionreg.chairmen_without_access,
	unionreg.chairmen_contact_problems FROM PUBLIC;
GRANT SELECT ON unionreg.refused_without_card, unionreg.pending_applications, unionreg.chairmen_without_access,
	unionreg.chairmen_contact_problems TO unionreg_admin, unionreg_officer, unionreg_chair;
