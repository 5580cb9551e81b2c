-- ---------------------------------------------------------------------
-- Passports: base figures per 1 January, chairman tab, mandatory fields.
-- (The general tab is in unionreg.org itself.)
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.org_base (
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	as_of		date NOT NULL CHECK (extract(month FROM as_of) = 1 AND extract(day FROM as_of) = 1),
	employees	integer CHECK (employees >= 0),
	students	integer CHECK (students >= 0),
	PRIMARY KEY (org_id, as_of)
);
COMMENT ON TABLE unionreg.org_base IS 'Passport base figures for coverage: headcounts of the educational organization as of each 1 January';
COMMENT ON COLUMN unionreg.org_base.org_id IS 'the organization';
COMMENT ON COLUMN unionreg.org_base.as_of IS 'the 1 January the figures hold on';
COMMENT ON COLUMN unionreg.org_base.employees IS 'employees of the educational organization (численность работников)';
COMMENT ON COLUMN unionreg.org_base.students IS 'students of the educational organization (численность обучающихся)';

CREATE TABLE unionreg.org_chairman (
	org_id		bigint PRIMARY KEY REFERENCES unionreg.org,
	name		text,
	term_from	date,
	term_to		date,
	released	boolean,
	email		text,
	email_consent boolean,
	CONSTRAINT org_chairman_term_ordered CHECK (term_to IS NULL OR term_from IS NULL OR term_to > term_from)
);
COMMENT ON TABLE unionreg.org_chairman IS 'Chairman tab of the passport (Председатель): one row per organization';
COMMENT ON COLUMN unionreg.org_chairman.org_id IS 'the organization';
COMMENT ON COLUMN unionreg.org_chairman.name IS 'full name of the chairman';
COMMENT ON COLUMN unionreg.org_chairman.term_from IS 'term of office, first day (сроки полномочий с)';
COMMENT ON COLUMN unionreg.org_chairman.term_to IS 'term of office, first day no longer in office (half-open, as every period here)';
COMMENT ON COLUMN unionreg.org_chairman.released IS 'released from the main job (освобожденный)';
COMMENT ON COLUMN unionreg.org_chairman.email IS 'chairman''s e-mail';
COMMENT ON COLUMN unionreg.org_chairman.email_consent IS 'consent to receive union e-mail';

CREATE TABLE unionreg.passport_field (
	field		text PRIMARY KEY,
	tab			text NOT NULL CHECK (tab IN ('general', 'base', 'chairman')),
	label_ru	text NOT NULL,
	label_en	text NOT NULL
);
COMMENT ON TABLE unionreg.passport_field IS 'Fields of the passport that can be required';
COMMENT ON COLUMN unionreg.passport_field.field IS 'field code';
COMMENT ON COLUMN unionreg.passport_field.tab IS 'passport tab: general, base, chairman';
COMMENT ON COLUMN unionreg.passport_field.label_ru IS 'Russian label';
COMMENT ON COLUMN unionreg.passport_field.label_en IS 'English label';

INSERT INTO unionreg.passport_field VALUES
	('name', 'general', 'Полное наименование', 'full name'),
	('short_name', 'general', 'Краткое наименование', 'short name'),
	('inn', 'general', 'ИНН', 'INN'),
	('ogrn', 'general', 'ОГРН', 'OGRN'),
	('region_code', 'general', 'Код субъекта РФ', 'region code'),
	('address', 'general', 'Адрес', 'address'),
	('phone', 'general', 'Телефон', 'phone'),
	('email', 'general', 'Электронная почта', 'e-mail'),
	('base_figures', 'base', 'Численность работников и обучающихся на 1 января', 'base figures as of 1 January'),
	('chairman_name', 'chairman', 'ФИО председателя', 'chairman''s name'),
	('chairman_term', 'chairman', 'Сроки полномочий председателя', 'chairman''s term of office'),
	('chairman_email', 'chairman', 'Электронная почта председателя', 'chairman''s e-mail'),
	('chairman_email_consent', 'chairman', 'Согласие на рассылку', 'chairman''s e-mail consent');

CREATE TABLE unionreg.passport_requirement (
	level		text NOT NULL REFERENCES unionreg.level,
	field		text NOT NULL REFERENCES unionreg.passport_field,
	PRIMARY KEY (level, field)
);
COMMENT ON TABLE unionreg.passport_requirement IS 'Which passport fields are mandatory at which level: a row = mandatory. Change with INSERT/DELETE';
COMMENT ON COLUMN unionreg.passport_requirement.level IS 'level code';
COMMENT ON COLUMN unionreg.passport_requirement.field IS 'mandatory field code';

INSERT INTO unionreg.passport_requirement
SELECT l.level, f.field
  FROM (VALUES ('central'), ('regional'), ('district'), ('territorial'), ('primary')) l(level)
 CROSS JOIN (VALUES ('name'), ('short_name'), ('region_code'), ('chairman_name'), ('chairman_term')) f(field)
 WHERE NOT (l.level = 'central' AND f.field = 'region_code')
UNION ALL
SELECT l.level, 'inn' FROM (VALUES ('central'), ('regional'), ('territorial')) l(level)
UNION ALL
SELECT l.level, 'ogrn' FROM (VALUES ('central'), ('regional'), ('territorial')) l(level)
UNION ALL
SELECT 'primary', 'base_figures'
UNION ALL
SELECT 'subdivision', f FROM (VALUES ('name'), ('chairman_name')) v(f);

-- The mandatory passport fields that are empty, one row per organization
-- live on D and field: the rule that makes a filer's report incomplete, in
-- C with the organization pass (src/engine/org_pass.c), so the lists and
-- the reports cannot disagree.
CREATE FUNCTION unionreg._passport_gap_fields(p_as_of date)
RETURNS TABLE (org_id bigint, field text)
AS 'MODULE_PATHNAME', 'passport_gaps'
LANGUAGE C STABLE;
COMMENT ON FUNCTION unionreg._passport_gap_fields(date) IS
	'internal: mandatory passport fields (unionreg.passport_requirement) empty on D, one row per organization live on D and field (no row security: the owner''s functions only)';

CREATE FUNCTION unionreg.passport_gaps_at(as_of date DEFAULT current_date)
RETURNS TABLE (org_ext_id text, org_name text, level text, region_code smallint,
			   field text, field_label text)
LANGUAGE sql STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.ext_id, o.name, o.level, o.region_code, g.field, f.label_ru
	  FROM unionreg._passport_gap_fields($1) g
	  JOIN unionreg.org o ON o.id = g.org_id
	  JOIN unionreg.passport_field f ON f.field = g.field
	 ORDER BY o.ext_id, g.field
$$;
COMMENT ON FUNCTION unionreg.passport_gaps_at(date) IS
	'Mandatory passport fields that are empty, per organization live on as_of and field';

CREATE VIEW unionreg.passport_gaps AS
	SELECT g.org_ext_id, g.org_name, g.level, g.region_code::integer AS region_code, g.field, g.field_label
	  FROM unionreg.passport_gaps_at(current_date) g;
COMMENT ON VIEW unionreg.passport_gaps IS
	'Mandatory passport fields (unionreg.passport_requirement) that are empty today: one row per organization and missing field';
COMMENT ON COLUMN unionreg.passport_gaps.org_ext_id IS 'organization';
COMMENT ON COLUMN unionreg.passport_gaps.org_name IS 'its full name';
COMMENT ON COLUMN unionreg.passport_gaps.level IS 'its level';
COMMENT ON COLUMN unionreg.passport_gaps.region_code IS 'its region code (код субъекта РФ)';
COMMENT ON COLUMN unionreg.passport_gaps.field IS 'the empty mandatory field';
COMMENT ON COLUMN unionreg.passport_gaps.field_label IS 'Russian label of the field';

CREATE FUNCTION unionreg.chairman_gaps_by_level_at(as_of date DEFAULT current_date)
RETURNS TABLE (level text, level_label text, organizations bigint,
			   empty_chairman bigint, empty_chairman_pct numeric,
			   no_term bigint, no_term_pct numeric,
			   term_not_current bigint, term_not_current_pct numeric)
LANGUAGE sql STABLE PARALLEL SAFE
-- definer: the reader role sees these organization-level figures through the
-- views without a grant on the tables (which hold chairmen's names and contacts)
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH o AS (
		SELECT o.level,
			   coalesce(btrim(c.name), '') = '' AS empty_chairman,
			   coalesce(btrim(c.name), '') <> '' AND (c.term_from IS NULL OR c.term_to IS NULL) AS no_term,
			   coalesce(btrim(c.name), '') <> '' AND c.term_from IS NOT NULL AND c.term_to IS NOT NULL
				   AND NOT (c.term_from <= $1 AND $1 < c.term_to) AS term_not_current
		  FROM unionreg.org o
		  LEFT JOIN unionreg.org_chairman c ON c.org_id = o.id
		 WHERE o.valid_from <= $1 AND (o.valid_to IS NULL OR o.valid_to > $1)
	)
	SELECT l.code, l.label_ru, count(o.level),
		   count(*) FILTER (WHERE o.empty_chairman),
		   unionreg.share_pct(count(*) FILTER (WHERE o.empty_chairman), count(o.level)),
		   count(*) FILTER (WHERE o.no_term),
		   unionreg.share_pct(count(*) FILTER (WHERE o.no_term), count(o.level)),
		   count(*) FILTER (WHERE o.term_not_current),
		   unionreg.share_pct(count(*) FILTER (WHERE o.term_not_current), count(o.level))
	  FROM unionreg.level l
	  LEFT JOIN o ON o.level = l.code
	 GROUP BY l.code, l.label_ru, l.rank
	 ORDER BY l.rank
$$;
COMMENT ON FUNCTION unionreg.chairman_gaps_by_level_at(date) IS
	'Per level, organizations live on as_of with an empty chairman tab, with a chairman but no term of office, and with a term that does not cover as_of; counts and % of the level';

CREATE VIEW unionreg.chairman_gaps_by_level AS
	SELECT * FROM unionreg.chairman_gaps_by_level_at(current_date);
COMMENT ON VIEW unionreg.chairman_gaps_by_level IS
	'Organizations live today per level with an empty chairman tab or no term of office, and their share of the level (the union reads "6,645 primaries = 9.25%" this way)';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.level IS 'level code';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.level_label IS 'Russian label of the level';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.organizations IS 'organizations of the level live today';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.empty_chairman IS 'of them with an empty chairman tab (no chairman''s name)';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.empty_chairman_pct IS 'the same, % of the level';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.no_term IS 'of them with a chairman but no term of office (from or to empty)';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.no_term_pct IS 'the same, % of the level';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.term_not_current IS 'of them whose chairman''s term does not cover today (expired or not begun)';
COMMENT ON COLUMN unionreg.chairman_gaps_by_level.term_not_current_pct IS 'the same, % of the level';

CREATE TABLE unionreg.paper_baseline (
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	as_of		date NOT NULL,
	members		integer CHECK (members >= 0),
	working		integer CHECK (working >= 0),
	students	integer CHECK (students >= 0),
	pensioners	integer CHECK (pensioners >= 0),
	employees	integer CHECK (employees >= 0),
	primaries	integer CHECK (primaries >= 0),
	territorials integer CHECK (territorials >= 0),
	PRIMARY KEY (org_id, as_of)
);
COMMENT ON TABLE unionreg.paper_baseline IS 'Figures of the paper statistical reports, to compare the register with';
COMMENT ON COLUMN unionreg.paper_baseline.org_id IS 'the organization';
COMMENT ON COLUMN unionreg.paper_baseline.as_of IS 'the report date';
COMMENT ON COLUMN unionreg.paper_baseline.members IS 'members on paper';
COMMENT ON COLUMN unionreg.paper_baseline.working IS 'working members on paper';
COMMENT ON COLUMN unionreg.paper_baseline.students IS 'student members on paper';
COMMENT ON COLUMN unionreg.paper_baseline.pensioners IS 'non-working pensioners on paper';
COMMENT ON COLUMN unionreg.paper_baseline.employees IS 'employees on paper';
COMMENT ON COLUMN unionreg.paper_baseline.primaries IS 'primary organizations on paper (a region''s count)';
COMMENT ON COLUMN unionreg.paper_baseline.territorials IS 'territorial organizations on paper (a region''s count)';