-- ---------------------------------------------------------------------
-- Catalogs: codes of DOMAIN.md with Russian labels.  Rules are data.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.level (
	code		text PRIMARY KEY,
	rank		smallint NOT NULL UNIQUE,
	label_ru	text NOT NULL,
	label_en	text NOT NULL,
	max_self_nesting smallint NOT NULL DEFAULT 1
		CHECK (max_self_nesting >= 1)
);
COMMENT ON TABLE unionreg.level IS 'Levels of the union''s structure, top (rank 0) to bottom';
COMMENT ON COLUMN unionreg.level.code IS 'level code: central, regional, district, territorial, primary, subdivision';
COMMENT ON COLUMN unionreg.level.rank IS 'position from the top, 0 = central';
COMMENT ON COLUMN unionreg.level.label_ru IS 'Russian label';
COMMENT ON COLUMN unionreg.level.label_en IS 'English label';
COMMENT ON COLUMN unionreg.level.max_self_nesting IS 'how many organizations of this level may stand in a chain one under another (subdivisions: 2)';

INSERT INTO unionreg.level VALUES
	('central',     0, 'Общероссийский Профсоюз образования', 'central (the Union)', 1),
	('regional',    1, 'региональная (межрегиональная) организация', 'regional organization', 1),
	('district',    2, 'окружная организация', 'district organization', 1),
	('territorial', 3, 'территориальная (районная, городская) организация', 'territorial organization', 1),
	('primary',     4, 'первичная профсоюзная организация', 'primary organization', 1),
	('subdivision', 5, 'структурное подразделение (профгруппа, цеховая)', 'structural subdivision', 2);

CREATE TABLE unionreg.level_parent (
	level		text NOT NULL REFERENCES unionreg.level,
	parent_level text NOT NULL REFERENCES unionreg.level,
	PRIMARY KEY (level, parent_level)
);
COMMENT ON TABLE unionreg.level_parent IS 'Allowed parent levels: a link from an organization of "level" may go only to one of "parent_level"';
COMMENT ON COLUMN unionreg.level_parent.level IS 'level of the child organization';
COMMENT ON COLUMN unionreg.level_parent.parent_level IS 'a level its parent may have';

INSERT INTO unionreg.level_parent VALUES
	('regional', 'central'),
	('district', 'regional'),
	('territorial', 'regional'), ('territorial', 'district'),
	('primary', 'territorial'), ('primary', 'district'), ('primary', 'regional'),
	('subdivision', 'primary'), ('subdivision', 'subdivision');

CREATE TABLE unionreg.org_kind (
	code		text PRIMARY KEY,
	label_ru	text NOT NULL,
	label_en	text NOT NULL
);
COMMENT ON TABLE unionreg.org_kind IS 'Kinds of primary organizations: the type of educational organization they sit in';
COMMENT ON COLUMN unionreg.org_kind.code IS 'kind code';
COMMENT ON COLUMN unionreg.org_kind.label_ru IS 'Russian label';
COMMENT ON COLUMN unionreg.org_kind.label_en IS 'English label';

INSERT INTO unionreg.org_kind VALUES
	('school', 'общеобразовательная организация', 'general school'),
	('preschool', 'дошкольная образовательная организация', 'preschool'),
	('supplementary', 'организация дополнительного образования', 'supplementary education'),
	('professional', 'профессиональная образовательная организация', 'professional education (college)'),
	('higher', 'образовательная организация высшего образования', 'higher education'),
	('science', 'научная организация', 'science'),
	('other', 'управление образованием, прочие', 'other');

CREATE TABLE unionreg.composition (
	code		text PRIMARY KEY,
	label_ru	text NOT NULL,
	label_en	text NOT NULL
);
COMMENT ON TABLE unionreg.composition IS 'Composition of a primary organization: whom it unites';
COMMENT ON COLUMN unionreg.composition.code IS 'composition code';
COMMENT ON COLUMN unionreg.composition.label_ru IS 'Russian label';
COMMENT ON COLUMN unionreg.composition.label_en IS 'English label';

INSERT INTO unionreg.composition VALUES
	('workers', 'работников', 'workers'),
	('students', 'обучающихся', 'students'),
	('joint', 'работников и обучающихся', 'workers and students');
