-- ---------------------------------------------------------------------
-- Forms as data: which organization fills which form, the lines and how
-- each is computed from the tally, and the control ratios.  Changing a
-- label or adding a line is an INSERT/UPDATE, seen by the next build.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.form (
	code		text PRIMARY KEY,
	sort		smallint NOT NULL,
	label_ru	text NOT NULL,
	label_en	text NOT NULL,
	consolidated boolean NOT NULL
);
COMMENT ON TABLE unionreg.form IS 'Statistical report forms (1-СП … 5-СП)';
COMMENT ON COLUMN unionreg.form.code IS 'form code: 5SP, 4SP, 3SP, 2SP, 1SP';
COMMENT ON COLUMN unionreg.form.sort IS 'display order';
COMMENT ON COLUMN unionreg.form.label_ru IS 'Russian name of the form';
COMMENT ON COLUMN unionreg.form.label_en IS 'English name of the form';
COMMENT ON COLUMN unionreg.form.consolidated IS 'consolidates the organizations below (2-СП, 1-СП)';
INSERT INTO unionreg.form VALUES
	('5SP', 5, 'Форма 5-СП: первичная профсоюзная организация (общее, дошкольное, дополнительное образование)', 'form 5-SP: primary organization (schools, preschools, supplementary, other)', false),
	('4SP', 4, 'Форма 4-СП: первичная профсоюзная организация профессиональной образовательной организации', 'form 4-SP: primary organization of a professional educational organization', false),
	('3SP', 3, 'Форма 3-СП: первичная профсоюзная организация вуза, научной организации', 'form 3-SP: primary organization in higher education and science', false),
	('2SP', 2, 'Форма 2-СП: территориальная (районная, городская) организация', 'form 2-SP: territorial or district organization', true),
	('1SP', 1, 'Форма 1-СП: региональная (межрегиональная) организация', 'form 1-SP: regional organization', true);

CREATE TABLE unionreg.form_assignment (
	form		text NOT NULL REFERENCES unionreg.form,
	level		text NOT NULL REFERENCES unionreg.level,
	kind		text REFERENCES unionreg.org_kind,
	UNIQUE (level, kind)
);
COMMENT ON TABLE unionreg.form_assignment IS 'Which organizations fill which form: by level, and for primaries by kind (NULL = any kind)';
COMMENT ON COLUMN unionreg.form_assignment.form IS 'the form';
COMMENT ON COLUMN unionreg.form_assignment.level IS 'level of the organizations that fill it';
COMMENT ON COLUMN unionreg.form_assignment.kind IS 'kind of primary (NULL = any)';
INSERT INTO unionreg.form_assignment VALUES
	('5SP', 'primary', 'school'), ('5SP', 'primary', 'preschool'), ('5SP', 'primary', 'supplementary'),
	('5SP', 'primary', 'other'), ('4SP', 'primary', 'professional'), ('3SP', 'primary', 'higher'),
	('3SP', 'primary', 'science'), ('2SP', 'territorial', NULL), ('2SP', 'district', NULL),
	('1SP', 'regional', NULL), ('1SP', 'central', NULL);

CREATE TABLE unionreg.form_line (
	form		text NOT NULL REFERENCES unionreg.form,
	line_code	text NOT NULL CHECK (line_code ~ '^[0-9]+(\.[0-9]+)?$'),
	sort		integer NOT NULL,
	label_ru	text NOT NULL,
	label_en	text NOT NULL,
	formula		text NOT NULL CHECK (formula IN ('counter', 'sum', 'percent')),
	counters	text[] NOT NULL,
	PRIMARY KEY (form, line_code),
	CONSTRAINT form_line_percent_of_two CHECK (formula <> 'percent' OR cardinality(counters) = 2),
	CONSTRAINT form_line_counter_one CHECK (formula <> 'counter' OR cardinality(counters) = 1)
);
COMMENT ON TABLE unionreg.form_line IS 'Lines of each form: code as on the form, labels, and the formula over tally counters (a counter, a sum of counters, or a percentage of two)';
COMMENT ON COLUMN unionreg.form_line.form IS 'the form';
COMMENT ON COLUMN unionreg.form_line.line_code IS 'line code as on the form, e.g. 2.1';
COMMENT ON COLUMN unionreg.form_line.sort IS 'display order';
COMMENT ON COLUMN unionreg.form_line.label_ru IS 'Russian label as on the form';
COMMENT ON COLUMN unionreg.form_line.label_en IS 'English label';
COMMENT ON COLUMN unionreg.form_line.formula IS 'counter, sum (of counters) or percent (100 * first / second, NULL when the second is 0)';
COMMENT ON COLUMN unionreg.form_line.counters IS 'tally counter names (unionreg.tally_counters())';

CREATE FUNCTION unionreg._check_form_line() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_bad text;
BEGIN
	SELECT c INTO v_bad FROM unnest(NEW.counters) c
	 WHERE NOT EXISTS (SELECT 1 FROM unionreg.tally_counters() t WHERE t.name = c) LIMIT 1;
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'line % of form % names counter "%", which a tally does not hold', NEW.line_code, NEW.form, v_bad
			USING ERRCODE = 'foreign_key_violation', HINT = 'SELECT * FROM unionreg.tally_counters() lists them.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION unionreg._check_form_line() IS 'internal: report lines name existing tally counters';
CREATE TRIGGER form_line_counters BEFORE INSERT OR UPDATE ON unionreg.form_line
	FOR EACH ROW EXECUTE FUNCTION unionreg._check_form_line();

-- the lines every form has, then the blocks some add
INSERT INTO unionreg.form_line (form, line_code, sort, label_ru, label_en, formula, counters)
SELECT f.form, l.code, l.sort, l.ru, l.en, l.formula, l.counters
  FROM (VALUES ('5SP'), ('4SP'), ('3SP'), ('2SP'), ('1SP')) f(form)
 CROSS JOIN (VALUES
	('1', 10, 'Численность работающих в организации (по данным паспорта)', 'employees of the organization (passport)', 'counter', ARRAY['employees']),
	('2', 20, 'Работающие члены Профсоюза', 'working members', 'counter', ARRAY['working']),
	('2.1', 21, 'из них педагогические работники', 'of them pedagogical workers', 'counter', ARRAY['working_pedagogical']),
	('2.2', 22, 'из них молодежь до 35 лет', 'of them youth under 35', 'counter', ARRAY['working_youth']),
	('2.3', 23, 'из них молодые педагоги до 35 лет', 'of them young pedagogical workers under 35', 'counter', ARRAY['working_pedagogical_youth']),
	('5', 50, 'Неработающие пенсионеры, состоящие на учете', 'non-working pensioners on record', 'counter', ARRAY['pensioners']),
	('6', 60, 'Всего членов Профсоюза на учете', 'all members on record', 'counter', ARRAY['members']),
	('6.1', 61, 'из них с неуказанной категорией', 'of them status unknown', 'counter', ARRAY['status_unknown']),
	('6.2', 62, 'Членов Профсоюза на начало периода', 'members at the start of the period', 'counter', ARRAY['members_on_p']),
	('7', 70, 'Принято в Профсоюз за период', 'admitted during the period', 'counter', ARRAY['admitted']),
	('7.1', 71, 'из них через онлайн-сервис', 'of them online', 'counter', ARRAY['admitted_online']),
	('7.2', 72, 'Прибыло из других организаций Профсоюза', 'transferred in', 'counter', ARRAY['transferred_in']),
	('8', 80, 'Выбыло из Профсоюза за период', 'left during the period', 'counter', ARRAY['left']),
	('8.1', 81, 'из них по собственному желанию', 'of them at own wish', 'counter', ARRAY['left_own_wish']),
	('8.2', 82, 'Убыло в другие организации Профсоюза', 'transferred out', 'counter', ARRAY['transferred_out']),
	('9', 90, 'Охват профсоюзным членством работающих, %', 'coverage of workers, %', 'percent', ARRAY['working', 'employees']),
	('10', 100, 'Профгрупп (структурных подразделений)', 'subdivisions (profgroups)', 'counter', ARRAY['subdivisions']),
	('11', 110, 'Выдано электронных профсоюзных билетов', 'e-cards issued', 'counter', ARRAY['cards_issued']),
	('11.1', 111, 'Виртуальных карт в приложении', 'virtual cards in the app', 'counter', ARRAY['virtual_cards']),
	('11.2', 112, 'Членов Профсоюза без билета и виртуальной карты', 'members with neither card', 'counter', ARRAY['no_card']),
	('12', 120, 'Председатель избран (срок полномочий действует)', 'chairman in office', 'counter', ARRAY['chairman_in_office']),
	('12.1', 121, 'Председатель освобожденный', 'chairman released from the main job', 'counter', ARRAY['chairman_released'])
 ) l(code, sort, ru, en, formula, counters);

INSERT INTO unionreg.form_line (form, line_code, sort, label_ru, label_en, formula, counters)
SELECT f.form, l.code, l.sort, l.ru, l.en, l.formula, l.counters
  FROM (VALUES ('4SP'), ('3SP'), ('2SP'), ('1SP')) f(form)
 CROSS JOIN (VALUES
	('3', 30, 'Численность обучающихся в организации (по данным паспорта)', 'students of the organization (passport)', 'counter', ARRAY['students_base']),
	('4', 40, 'Обучающиеся члены Профсоюза', 'student members', 'counter', ARRAY['students']),
	('4.1', 41, 'из них очной формы обучения', 'of them full-time', 'counter', ARRAY['students_full_time']),
	('9.1', 91, 'Охват профсоюзным членством обучающихся, %', 'coverage of students, %', 'percent', ARRAY['students', 'students_base'])
 ) l(code, sort, ru, en, formula, counters);

INSERT INTO unionreg.form_line (form, line_code, sort, label_ru, label_en, formula, counters)
SELECT f.form, l.code, l.sort, l.ru, l.en, l.formula, l.counters
  FROM (VALUES ('3SP'), ('2SP'), ('1SP')) f(form)
 CROSS JOIN (VALUES
	('2.4', 24, 'из них профессорско-преподавательский состав', 'of them university teaching staff', 'counter', ARRAY['faculty']),
	('2.5', 25, 'из них научные работники', 'of them researchers', 'counter', ARRAY['researchers'])
 ) l(code, sort, ru, en, formula, counters);

INSERT INTO unionreg.form_line (form, line_code, sort, label_ru, label_en, formula, counters)
SELECT f.form, l.code, l.sort, l.ru, l.en, l.formula, l.counters
  FROM (VALUES ('2SP'), ('1SP')) f(form)
 CROSS JOIN (VALUES
	('13', 130, 'Первичных профсоюзных организаций', 'primary organizations', 'counter', ARRAY['primaries']),
	('13.1', 131, 'в общеобразовательных организациях', 'in schools', 'counter', ARRAY['primaries_school']),
	('13.2', 132, 'в дошкольных организациях', 'in preschools', 'counter', ARRAY['primaries_preschool']),
	('13.3', 133, 'в организациях дополнительного образования', 'in supplementary education', 'counter', ARRAY['primaries_supplementary']),
	('13.4', 134, 'в профессиональных образовательных организациях', 'in professional education', 'counter', ARRAY['primaries_professional']),
	('13.5', 135, 'в вузах', 'in higher education', 'counter', ARRAY['primaries_higher']),
	('13.6', 136, 'в научных организациях', 'in science', 'counter', ARRAY['primaries_science']),
	('13.7', 137, 'в прочих организациях', 'in other organizations', 'counter', ARRAY['primaries_other']),
	('14', 140, 'Первичных организаций без членов Профсоюза на учете', 'primaries with no member on record', 'counter', ARRAY['primaries_no_member']),
	('15', 150, 'Создано первичных организаций за период', 'primaries created during the period', 'counter', ARRAY['primaries_created']),
	('16', 160, 'Ликвидировано первичных организаций за период', 'primaries liquidated during the period', 'counter', ARRAY['primaries_liquidated']),
	('17', 170, 'Организаций с незаполненной отчетностью', 'organizations whose own report is incomplete', 'counter', ARRAY['incomplete_reports'])
 ) l(code, sort, ru, en, formula, counters);

CREATE TABLE unionreg.control_ratio (
	form		text NOT NULL REFERENCES unionreg.form,
	rule		text NOT NULL,
	left_line	text NOT NULL,
	op			text NOT NULL CHECK (op IN ('<=', '=', '>=', '<', '>')),
	right_terms text[] NOT NULL,
	severity	text NOT NULL CHECK (severity IN ('error', 'warning')),
	PRIMARY KEY (form, rule),
	FOREIGN KEY (form, left_line) REFERENCES unionreg.form_line (form, line_code)
);
COMMENT ON TABLE unionreg.control_ratio IS 'Control ratios (контрольные соотношения): left line <op> sum of right terms; a term is a line code, -line to subtract, or #number';
COMMENT ON COLUMN unionreg.control_ratio.form IS 'the form';
COMMENT ON COLUMN unionreg.control_ratio.rule IS 'the rule as written, e.g. 2.1 <= 2';
COMMENT ON COLUMN unionreg.control_ratio.left_line IS 'line on the left';
COMMENT ON COLUMN unionreg.control_ratio.op IS 'comparison';
COMMENT ON COLUMN unionreg.control_ratio.right_terms IS 'terms summed on the right: line codes, -code to subtract, #number for a constant';
COMMENT ON COLUMN unionreg.control_ratio.severity IS 'error or warning';
INSERT INTO unionreg.control_ratio (form, rule, left_line, op, right_terms, severity)
SELECT f.code, r.rule, r.l, r.op, r.terms, r.sev
  FROM unionreg.form f
 CROSS JOIN (VALUES
	('2.1 <= 2', '2.1', '<=', ARRAY['2'], 'error'),
	('2.2 <= 2', '2.2', '<=', ARRAY['2'], 'error'),
	('2.3 <= 2.2', '2.3', '<=', ARRAY['2.2'], 'error'),
	('2.3 <= 2.1', '2.3', '<=', ARRAY['2.1'], 'error'),
	('6.1 <= 6', '6.1', '<=', ARRAY['6'], 'error'),
	('6 = 6.2 + 7 + 7.2 - 8 - 8.2', '6', '=', ARRAY['6.2', '7', '7.2', '-8', '-8.2'], 'error'),
	('7.1 <= 7', '7.1', '<=', ARRAY['7'], 'error'),
	('8.1 <= 8', '8.1', '<=', ARRAY['8'], 'error'),
	('9 <= 100', '9', '<=', ARRAY['#100'], 'warning')
 ) r(rule, l, op, terms, sev);
INSERT INTO unionreg.control_ratio VALUES
	('5SP', '6 = 2 + 5 + 6.1', '6', '=', ARRAY['2', '5', '6.1'], 'error');
INSERT INTO unionreg.control_ratio (form, rule, left_line, op, right_terms, severity)
SELECT f, '6 = 2 + 4 + 5 + 6.1', '6', '=', ARRAY['2', '4', '5', '6.1'], 'error' FROM unnest(ARRAY['4SP', '3SP', '2SP', '1SP']) f
UNION ALL
SELECT f, '4.1 <= 4', '4.1', '<=', ARRAY['4'], 'error' FROM unnest(ARRAY['4SP', '3SP', '2SP', '1SP']) f
UNION ALL
SELECT f, '9.1 <= 100', '9.1', '<=', ARRAY['#100'], 'warning' FROM unnest(ARRAY['4SP', '3SP', '2SP', '1SP']) f
UNION ALL
SELECT f, '14 <= 13', '14', '<=', ARRAY['13'], 'error' FROM unnest(ARRAY['2SP', '1SP']) f;

-- ---------------------------------------------------------------------
-- A report line's value in C (src/engine/line_value.c): every read of
-- report_line, control_violation, the wide views and report() evaluates it
-- per organization and line, over a million lines for one snapshot.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg.line_value(t unionreg.tally, formula text, counters text[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'line_value'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION unionreg.line_value(unionreg.tally, text, text[]) IS
	'The value of a report line from a tally: a counter, a sum of counters, or 100 * first / second (NULL when the second is 0)';

-- ---------------------------------------------------------------------
-- control_violation checks each organization's tally against its form's
-- ratios in C (src/engine/control_check.c), not as a row per term of every ratio
-- grouped back.  The function reads a form's ratios and lines once per
-- query, so a ratio or line edited shows in the next read.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg._control_violations(t unionreg.tally, form text)
RETURNS TABLE (rule text, severity text, left_value numeric, right_value numeric)
AS 'MODULE_PATHNAME', 'control_violations'
LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION unionreg._control_violations(unionreg.tally, text) IS
	'internal: the control ratios of a form (unionreg.control_ratio) a tally breaks, with both sides; a side with no value breaks nothing';

-- ---------------------------------------------------------------------
-- The wide form views read one row per organization, each column a line
-- computed in C (_line_of, its formula read once per column and query),
-- rather than grouping report_line's row per line back into one.  A line's
-- formula edited shows in the next read; a line added or removed rebuilds
-- the views.
-- ---------------------------------------------------------------------
CREATE FUNCTION unionreg._line_of(t unionreg.tally, form text, line_code text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'line_of'
LANGUAGE C STABLE PARALLEL SAFE COST 10;
COMMENT ON FUNCTION unionreg._line_of(unionreg.tally, text, text) IS
	'internal: the value of a form''s line (by code) from a tally, its formula read from unionreg.form_line once per call site and query; NULL for no such line';
