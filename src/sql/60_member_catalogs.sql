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

CREATE TABLE unionreg.card_state (
	code text PRIMARY KEY, sort smallint NOT NULL, label_ru text NOT NULL, label_en text NOT NULL,
	is_active boolean NOT NULL);
COMMENT ON TABLE unionreg.card_state IS 'States of a plastic e-card (ЭПБ); a person holds at most one card in an active state';
COMMENT ON COLUMN unionreg.card_state.is_active IS 'the card is on its way or in use; refused, lost and cancelled cards allow a new request';
INSERT INTO unionreg.card_state VALUES
	('requested', 1, 'Заявка', 'requested', true),
	('produced', 2, 'Изготовлен', 'produced', true),
	('delivered_to_region', 3, 'Доставлен в регион', 'delivered to the region', true),
	('issued', 4, 'Выдан', 'issued', true),
	('refused', 5, 'Отказ', 'refused', false),
	('lost', 6, 'Утерян', 'lost', false),
	('cancelled', 7, 'Аннулирован', 'cancelled', false);

CREATE TABLE unionreg.card_transition (
	from_state	text NOT NULL REFERENCES unionreg.card_state,
	to_state	text NOT NULL REFERENCES unionreg.card_state,
	PRIMARY KEY (from_state, to_state)
);
COMMENT ON TABLE unionreg.card_transition IS 'Allowed moves of a plastic card; any other move is refused';
COMMENT ON COLUMN unionreg.card_transition.from_state IS 'state the card is in';
COMMENT ON COLUMN unionreg.card_transition.to_state IS 'state it may move to';
INSERT INTO unionreg.card_transition VALUES
	('requested', 'produced'), ('produced', 'delivered_to_region'), ('delivered_to_region', 'issued'),
	('requested', 'refused'), ('produced', 'refused'), ('delivered_to_region', 'refused'),
	('issued', 'lost'),
	('requested', 'cancelled'), ('produced', 'cancelled'), ('delivered_to_region', 'cancelled'),
	('issued', 'cancelled');

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['member_status', 'position_group', 'student_level', 'leave_reason', 'card_state'] LOOP
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.code IS %L', t, 'code as in DOMAIN.md');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.sort IS %L', t, 'display order');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.label_ru IS %L', t, 'Russian label');
		EXECUTE format('COMMENT ON COLUMN unionreg.%I.label_en IS %L', t, 'English label');
	END LOOP;
END
$$;
