-- ---------------------------------------------------------------------
-- Organizations, their lifetimes and their parent links over time.
-- Periods are half-open [valid_from, valid_to); valid_to NULL = still holds.
-- ---------------------------------------------------------------------

CREATE TABLE unionreg.org (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ext_id		text NOT NULL UNIQUE CHECK (ext_id <> ''),
	level		text NOT NULL REFERENCES unionreg.level,
	kind		text REFERENCES unionreg.org_kind,
	composition text REFERENCES unionreg.composition,
	name		text NOT NULL CHECK (btrim(name) <> ''),
	short_name	text,
	inn			unionreg.inn,
	ogrn		unionreg.ogrn,
	region_code smallint CHECK (region_code BETWEEN 1 AND 99),
	address		text,
	phone		text,
	email		text,
	valid_from	date NOT NULL,
	valid_to	date,
	CONSTRAINT org_lifetime_ordered CHECK (valid_to IS NULL OR valid_to > valid_from),
	CONSTRAINT org_primary_has_kind CHECK (level <> 'primary' OR (kind IS NOT NULL AND composition IS NOT NULL)),
	-- exactly one root: a backstop for the trigger's clearer check
	CONSTRAINT org_single_central EXCLUDE USING btree ((true) WITH =) WHERE (level = 'central')
		DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE unionreg.org IS 'Organizations of every level with the general tab of their passport and their lifetime [valid_from, valid_to)';
COMMENT ON COLUMN unionreg.org.id IS 'internal key';
COMMENT ON COLUMN unionreg.org.ext_id IS 'external identifier used by files, views and functions';
COMMENT ON COLUMN unionreg.org.level IS 'level code (see unionreg.level)';
COMMENT ON COLUMN unionreg.org.kind IS 'kind of a primary organization (see unionreg.org_kind)';
COMMENT ON COLUMN unionreg.org.composition IS 'composition of a primary organization (see unionreg.composition)';
COMMENT ON COLUMN unionreg.org.name IS 'full name (полное наименование)';
COMMENT ON COLUMN unionreg.org.short_name IS 'short name (краткое наименование)';
COMMENT ON COLUMN unionreg.org.inn IS 'ИНН of the legal entity, where it has one';
COMMENT ON COLUMN unionreg.org.ogrn IS 'ОГРН of the legal entity, where it has one';
COMMENT ON COLUMN unionreg.org.region_code IS 'code of the subject of the Russian Federation (код субъекта РФ), 1..99';
COMMENT ON COLUMN unionreg.org.address IS 'postal address';
COMMENT ON COLUMN unionreg.org.phone IS 'phone';
COMMENT ON COLUMN unionreg.org.email IS 'e-mail of the organization';
COMMENT ON COLUMN unionreg.org.valid_from IS 'first day the organization exists (created)';
COMMENT ON COLUMN unionreg.org.valid_to IS 'first day it no longer exists (liquidated); NULL = exists';

CREATE INDEX org_level_idx ON unionreg.org (level);

CREATE TABLE unionreg.org_link (
	org_id		bigint NOT NULL REFERENCES unionreg.org,
	parent_id	bigint NOT NULL REFERENCES unionreg.org,
	valid_from	date NOT NULL,
	valid_to	date,
	PRIMARY KEY (org_id, valid_from),
	CONSTRAINT org_link_ordered CHECK (valid_to IS NULL OR valid_to > valid_from),
	CONSTRAINT org_link_not_self CHECK (org_id <> parent_id)
	-- Overlapping links of one organization are refused by the statement
	-- trigger below (serialized by the hierarchy lock), not by a GiST
	-- exclusion constraint: that index cost 3.5 s of a 150,000-row load and
	-- the trigger already holds every link of the organizations it checks.
);
COMMENT ON TABLE unionreg.org_link IS 'Parent links over time: org_id stands under parent_id during [valid_from, valid_to); two links of one organization never overlap';
COMMENT ON COLUMN unionreg.org_link.org_id IS 'the child organization';
COMMENT ON COLUMN unionreg.org_link.parent_id IS 'its parent during the period';
COMMENT ON COLUMN unionreg.org_link.valid_from IS 'first day of the link';
COMMENT ON COLUMN unionreg.org_link.valid_to IS 'first day the link no longer holds; NULL = holds';
CREATE INDEX org_link_parent_idx ON unionreg.org_link (parent_id, valid_from);

-- serializes hierarchy writers so that checks see each other's commits
CREATE FUNCTION unionreg.org_link_check() RETURNS trigger
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION unionreg.org_link_check() IS
	'statement trigger: validates every changed parent link (allowed levels, lifetimes, overlaps, cycles, subdivision nesting)';
CREATE FUNCTION unionreg.org_check() RETURNS trigger
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION unionreg.org_check() IS
	'statement trigger: validates changed organizations (single root, lifetime against own links, children and members)';

CREATE TRIGGER org_link_check_ins AFTER INSERT ON unionreg.org_link
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg.org_link_check();
CREATE TRIGGER org_link_check_upd AFTER UPDATE ON unionreg.org_link
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg.org_link_check();
CREATE TRIGGER org_check_ins AFTER INSERT ON unionreg.org
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg.org_check();
CREATE TRIGGER org_check_upd AFTER UPDATE ON unionreg.org
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg.org_check();
COMMENT ON SEQUENCE unionreg.org_id_seq IS 'internal ids of organizations';
