-- ---------------------------------------------------------------------
-- 0.2: personal data, masked.  Officers and chairmen read persons through
-- unionreg.persons: the rows of their subtree, with SNILS, phone, e-mail
-- and birth date in clear only for the members they own (see
-- _owned_person_ids); the table's own columns for those are not granted.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg.mask_snils(unionreg.snils) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT '***-***-*' || right($1::text, 5) $$;
COMMENT ON FUNCTION unionreg.mask_snils(unionreg.snils) IS 'SNILS with all but the last digit of the number and the check digits hidden: ***-***-*45 95';

CREATE FUNCTION unionreg.mask_phone(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN length(regexp_replace($1, '\D', '', 'g')) >= 4
				  THEN '*** ***-**-' || right(regexp_replace($1, '\D', '', 'g'), 2)
				  ELSE '***' END $$;
COMMENT ON FUNCTION unionreg.mask_phone(text) IS 'a phone number with all but its last two digits hidden: *** ***-**-00';

CREATE FUNCTION unionreg.mask_email(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN position('@' IN $1) > 1
				  THEN left($1, 1) || '***@' || split_part($1, '@', 2)
				  ELSE '***' END $$;
COMMENT ON FUNCTION unionreg.mask_email(text) IS 'an e-mail address with its local part hidden but the first letter: a***@example.org';

CREATE VIEW unionreg.persons WITH (security_barrier) AS
	SELECT p.ext_id, p.surname, p.first_name, p.patronymic, p.gender,
		   CASE WHEN w.owned THEN p.birth_date::text ELSE '****-**-**' END AS birth_date,
		   CASE WHEN w.owned THEN p.snils::text ELSE unionreg.mask_snils(p.snils) END AS snils,
		   CASE WHEN w.owned THEN p.email ELSE unionreg.mask_email(p.email) END AS email,
		   CASE WHEN w.owned THEN p.phone ELSE unionreg.mask_phone(p.phone) END AS phone,
		   o.ext_id AS org_ext_id, s.ext_id AS subdivision_ext_id, m.joined_on, m.left_on,
		   w.owned AS unmasked
	  FROM unionreg.person p
	  LEFT JOIN LATERAL (
			SELECT x.org_id, x.subdivision_id, x.joined_on, x.left_on FROM unionreg.membership x
			 WHERE x.person_id = p.id ORDER BY x.joined_on DESC LIMIT 1) m ON true
	  LEFT JOIN unionreg.org o ON o.id = m.org_id
	  LEFT JOIN unionreg.org s ON s.id = m.subdivision_id
		 -- each set once per query (initplans and hashed subplans), not a call per row
	 CROSS JOIN LATERAL (SELECT (SELECT unionreg._sees_all()) OR p.id IN (SELECT unionreg._owned_person_ids()) AS owned) w
	 WHERE (SELECT unionreg._sees_all()) OR p.id IN (SELECT unionreg._visible_person_ids());
COMMENT ON VIEW unionreg.persons IS
	'Record cards of the persons in the session login''s subtree (their latest membership there), SNILS, e-mail, phone and birth date masked unless the login owns the member (the administrator, the region''s officer, the chairman of the member''s own primary or subdivision)';
COMMENT ON COLUMN unionreg.persons.ext_id IS 'external id of the person';
COMMENT ON COLUMN unionreg.persons.surname IS 'фамилия';
COMMENT ON COLUMN unionreg.persons.first_name IS 'имя';
COMMENT ON COLUMN unionreg.persons.patronymic IS 'отчество';
COMMENT ON COLUMN unionreg.persons.gender IS 'm or f';
COMMENT ON COLUMN unionreg.persons.birth_date IS 'birth date (ISO), or ****-**-** masked';
COMMENT ON COLUMN unionreg.persons.snils IS 'СНИЛС, or masked: ***-***-*45 95';
COMMENT ON COLUMN unionreg.persons.email IS 'e-mail, or masked: a***@example.org';
COMMENT ON COLUMN unionreg.persons.phone IS 'phone, or masked: *** ***-**-00';
COMMENT ON COLUMN unionreg.persons.org_ext_id IS 'primary organization of the latest membership period';
COMMENT ON COLUMN unionreg.persons.subdivision_ext_id IS 'its subdivision, if any';
COMMENT ON COLUMN unionreg.persons.joined_on IS 'first day of that period';
COMMENT ON COLUMN unionreg.persons.left_on IS 'first day no longer a member (NULL = a member)';
COMMENT ON COLUMN unionreg.persons.unmasked IS 'true when the login owns the member and sees the personal data in clear';
REVOKE ALL ON unionreg.persons FROM PUBLIC;
GRANT SELECT ON unionreg.persons TO unionreg_admin, unionreg_officer, unionreg_chair;
