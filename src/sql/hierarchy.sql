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
-- The writers' checks read the whole hierarchy and every period, whoever
-- writes: a chairman's view of the tree must not hide a cycle or an overlap.
CREATE FUNCTION unionreg.org_link_check() RETURNS trigger
	AS 'MODULE_PATHNAME' LANGUAGE C
	SECURITY DEFINER SET search_path = pg_catalog, unionreg, pg_temp;
COMMENT ON FUNCTION unionreg.org_link_check() IS
	'statement trigger: validates every changed parent link (allowed levels, lifetimes, overlaps, cycles, subdivision nesting)';
CREATE FUNCTION unionreg.org_check() RETURNS trigger
	AS 'MODULE_PATHNAME' LANGUAGE C
	SECURITY DEFINER SET search_path = pg_catalog, unionreg, pg_temp;
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

-- ---------------------------------------------------------------------
-- Hierarchy functions: the tree on a date, validation, moves, liquidation.
-- ---------------------------------------------------------------------

CREATE FUNCTION unionreg._org_at_unchecked(as_of date DEFAULT current_date)
RETURNS TABLE (ext_id text, parent_ext_id text, level text, kind text,
			   composition text, name text, depth integer)
	AS 'MODULE_PATHNAME', 'org_at' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION unionreg._org_at_unchecked(date) IS
	'internal: the body of unionreg.org_at, without the caller''s scope check';

-- the tree and its problems, within the caller's subtree
CREATE FUNCTION unionreg.org_at(as_of date DEFAULT current_date)
RETURNS TABLE (ext_id text, parent_ext_id text, level text, kind text, composition text, name text, depth integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- an infinite date is the body's to refuse (22023)
	IF isfinite(as_of) THEN
		PERFORM unionreg._check_date(as_of, 'date');
	END IF;
	-- the tree holds no personal data: the reader (a BI tool drilling down
	-- from a region to its primaries) reads all of it; chairmen and officers
	-- their subtree
	IF unionreg._sees_all() OR pg_has_role(session_user, 'unionreg_reader', 'MEMBER') THEN
		RETURN QUERY SELECT * FROM unionreg._org_at_unchecked(as_of);
	ELSE
		RETURN QUERY SELECT t.* FROM unionreg._org_at_unchecked(as_of) t
		 WHERE t.ext_id IN (SELECT unionreg._visible_org_ext_ids());
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg.org_at(date) IS
	'The tree as it stood on a date, one row per live organization, parents before children, siblings by name in Russian collation (depth 0 = central); the whole tree for the administrator and the reader (it holds no personal data), the caller''s subtree for chairmen and officers';

CREATE FUNCTION unionreg._validate_hierarchy_unchecked(as_of date DEFAULT current_date)
RETURNS TABLE (org_ext_id text, problem text, detail text)
	AS 'MODULE_PATHNAME', 'validate_hierarchy' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION unionreg._validate_hierarchy_unchecked(date) IS
	'internal: the body of unionreg.validate_hierarchy, without the caller''s scope check';

-- An organization whose region code (код субъекта РФ) is not the one of
-- the regional organization above it on D: a typing slip the passport
-- carries into every regional list.  Only where both have a code (an
-- interregional organization, which spans subjects, has none).
-- The tree of today for a BI tool's drill-down: every live organization
-- with its parent and its region, no personal data (org_at() decides what
-- the login sees: the reader and the administrator all of it).
CREATE VIEW unionreg.org_tree AS
WITH RECURSIVE t AS (SELECT * FROM unionreg.org_at(current_date)),
r (ext_id, region_ext_id) AS (
	SELECT t.ext_id, CASE WHEN t.level = 'regional' THEN t.ext_id END
	  FROM t WHERE t.parent_ext_id IS NULL OR t.parent_ext_id NOT IN (SELECT x.ext_id FROM t x)
	UNION ALL
	SELECT c.ext_id, CASE WHEN c.level = 'regional' THEN c.ext_id ELSE r.region_ext_id END
	  FROM t c JOIN r ON c.parent_ext_id = r.ext_id)
SELECT t.ext_id, t.name, t.level, t.kind, t.composition, t.parent_ext_id, r.region_ext_id, t.depth
  FROM t JOIN r ON r.ext_id = t.ext_id;
COMMENT ON VIEW unionreg.org_tree IS
	'Today''s tree for drilling down: every live organization the login sees (all of them for the reader and the administrator) with its parent and its regional organization; no personal data';
COMMENT ON COLUMN unionreg.org_tree.ext_id IS 'organization';
COMMENT ON COLUMN unionreg.org_tree.name IS 'its name';
COMMENT ON COLUMN unionreg.org_tree.level IS 'its level';
COMMENT ON COLUMN unionreg.org_tree.kind IS 'kind of a primary';
COMMENT ON COLUMN unionreg.org_tree.composition IS 'composition of a primary';
COMMENT ON COLUMN unionreg.org_tree.parent_ext_id IS 'its parent today';
COMMENT ON COLUMN unionreg.org_tree.region_ext_id IS 'its regional organization today (NULL for the central one, and where the region lies above the subtree a chairman or officer sees)';
COMMENT ON COLUMN unionreg.org_tree.depth IS '0 = central';

CREATE FUNCTION unionreg._region_code_problems(as_of date)
RETURNS TABLE (org_ext_id text, problem text, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	WITH RECURSIVE down (id, region_id, steps) AS (
		SELECT r.id, r.id, 0 FROM unionreg.org r
		 WHERE r.level = 'regional' AND r.region_code IS NOT NULL AND unionreg._holds_on(r.valid_from, r.valid_to, as_of)
		UNION ALL
		SELECT l.org_id, d.region_id, d.steps + 1
		  FROM down d JOIN unionreg.org_link l ON l.parent_id = d.id
		 WHERE unionreg._holds_on(l.valid_from, l.valid_to, as_of) AND d.steps < 64)
	SELECT o.ext_id, 'region_code_mismatch',
		   format('organization "%s" (%s) has region code %s, but its regional organization "%s" has %s. Correct the region code in the passport (load_orgs)',
				  o.ext_id, o.level, lpad(o.region_code::text, 2, '0'), r.ext_id, lpad(r.region_code::text, 2, '0'))
	  FROM down d
	  JOIN unionreg.org o ON o.id = d.id
	  JOIN unionreg.org r ON r.id = d.region_id
	 WHERE d.steps > 0 AND o.region_code IS NOT NULL AND o.region_code <> r.region_code
	   AND unionreg._holds_on(o.valid_from, o.valid_to, as_of)
	 ORDER BY o.ext_id
$$;
COMMENT ON FUNCTION unionreg._region_code_problems(date) IS
	'internal: organizations live on D whose region code differs from their regional organization''s, as validate_hierarchy() rows';

CREATE FUNCTION unionreg.validate_hierarchy(as_of date DEFAULT current_date)
RETURNS TABLE (org_ext_id text, problem text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- an infinite date is the body's to refuse (22023)
	IF isfinite(as_of) THEN
		PERFORM unionreg._check_date(as_of, 'date');
	END IF;
	IF unionreg._sees_all() THEN
		RETURN QUERY SELECT * FROM unionreg._validate_hierarchy_unchecked(as_of)
		UNION ALL SELECT * FROM unionreg._region_code_problems(as_of);
	ELSE
		RETURN QUERY SELECT t.* FROM (SELECT * FROM unionreg._validate_hierarchy_unchecked(as_of)
									  UNION ALL SELECT * FROM unionreg._region_code_problems(as_of)) t
		 WHERE t.org_ext_id IN (SELECT unionreg._visible_org_ext_ids());
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg.validate_hierarchy(date) IS
	'Every broken hierarchy rule in the stored data on a date, one row per problem (org_ext_id, problem, detail); within the caller''s subtree';

-- Internal: the id of an organization by ext_id, or a clear error.
CREATE FUNCTION unionreg._org_id(p_ext_id text, p_role text DEFAULT 'organization')
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_ext_id IS NULL THEN
		RAISE EXCEPTION 'the % is NULL', p_role
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the ext_id of an existing organization.';
	END IF;
	SELECT o.id INTO v_id FROM unionreg.org o WHERE o.ext_id = p_ext_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% "%" does not exist', p_role, p_ext_id
			USING ERRCODE = 'no_data_found',
				  DETAIL = format('No row of unionreg.org has ext_id %L.', p_ext_id),
				  HINT = 'Check the ext_id, or load the organization first (unionreg.load_orgs).';
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._org_id(text, text) IS 'internal: id of an organization by ext_id, or an error naming it';

CREATE FUNCTION unionreg._create_org_unchecked(
	p_ext_id text, p_parent_ext_id text, p_level text, p_name text,
	p_valid_from date DEFAULT current_date,
	p_kind text DEFAULT NULL, p_composition text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_id bigint;
	v_parent bigint;
BEGIN
	IF p_level = 'primary' AND (p_kind IS NULL OR p_composition IS NULL) THEN
		RAISE EXCEPTION 'primary organization "%" needs a kind and a composition', p_ext_id
			USING ERRCODE = 'check_violation',
				  DETAIL = format('kind is %s, composition is %s.', coalesce(p_kind, 'empty'), coalesce(p_composition, 'empty')),
				  HINT = 'Pass p_kind (school, preschool, supplementary, professional, higher, science, other) and p_composition (workers, students, joint).';
	END IF;
	IF p_level <> 'central' THEN
		v_parent := unionreg._org_id(p_parent_ext_id, 'parent organization');
	END IF;
	INSERT INTO unionreg.org (ext_id, level, kind, composition, name, valid_from)
	VALUES (p_ext_id, p_level, p_kind, p_composition, p_name, p_valid_from)
	RETURNING id INTO v_id;
	IF v_parent IS NOT NULL THEN
		INSERT INTO unionreg.org_link (org_id, parent_id, valid_from)
		VALUES (v_id, v_parent, p_valid_from);
	END IF;
	RETURN v_id;
END
$$;
COMMENT ON FUNCTION unionreg._create_org_unchecked(text, text, text, text, date, text, text) IS
	'internal: the body of unionreg.create_org, without the caller''s scope check';

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
	PERFORM unionreg._check_date(p_valid_from, 'creation day');
	PERFORM unionreg._check_ext_id(p_ext_id, 'organization id');
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

CREATE FUNCTION unionreg._move_org_unchecked(p_org text, p_new_parent text, p_effective date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org);
	v_parent bigint := unionreg._org_id(p_new_parent, 'new parent');
	v_link record;
BEGIN
	IF p_effective IS NULL THEN
		RAISE EXCEPTION 'the effective date of moving "%" is NULL', p_org
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the first day the organization stands under its new parent.';
	END IF;
	-- one move at a time, so a move reads the links it changes as they are
	PERFORM pg_advisory_xact_lock(1970170223, 1);

	SELECT l.* INTO v_link FROM unionreg.org_link l
	 WHERE l.org_id = v_org AND l.valid_from <= p_effective
	   AND (l.valid_to IS NULL OR l.valid_to > p_effective)
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cannot move "%" on %: it has no parent link that day', p_org, p_effective
			USING ERRCODE = 'check_violation',
				  DETAIL = 'The organization is not live on that date, or it is the root.',
				  HINT = 'Pick a date within the organization''s lifetime.';
	END IF;
	IF v_link.parent_id = v_parent THEN
		RETURN;					-- already there: nothing to do
	END IF;
	IF v_link.valid_from = p_effective THEN
		UPDATE unionreg.org_link SET parent_id = v_parent
		 WHERE org_id = v_org AND valid_from = v_link.valid_from;
	ELSE
		UPDATE unionreg.org_link SET valid_to = p_effective
		 WHERE org_id = v_org AND valid_from = v_link.valid_from;
		INSERT INTO unionreg.org_link (org_id, parent_id, valid_from, valid_to)
		VALUES (v_org, v_parent, p_effective, v_link.valid_to);
	END IF;
END
$$;
COMMENT ON FUNCTION unionreg._move_org_unchecked(text, text, date) IS
	'internal: the body of unionreg.move_org, without the caller''s scope check';

CREATE FUNCTION unionreg.move_org(p_org text, p_new_parent text, p_effective date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_effective, 'effective day');
	PERFORM unionreg._require_org(p_org, 'move');
	PERFORM unionreg._require_org(p_new_parent, 'move an organization under', 'parent');
	PERFORM unionreg._move_org_unchecked(p_org, p_new_parent, p_effective);
END
$$;
COMMENT ON FUNCTION unionreg.move_org(text, text, date) IS
	'Move an organization with its whole subtree under a new parent from an effective date, checked as one operation; both must be in the caller''s subtree';

CREATE FUNCTION unionreg._liquidate_org_unchecked(p_org text, p_on date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org);
	v_from date;
BEGIN
	SELECT valid_from INTO v_from FROM unionreg.org WHERE id = v_org FOR UPDATE;
	IF p_on IS NULL OR p_on <= v_from THEN
		RAISE EXCEPTION 'cannot liquidate "%" on %: it was created on %', p_org, p_on, v_from
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The liquidation date is the first day it no longer exists and must come after its creation.';
	END IF;
	-- links that start on or after the date go, the one holding then ends then
	DELETE FROM unionreg.org_link WHERE org_id = v_org AND valid_from >= p_on;
	UPDATE unionreg.org_link SET valid_to = p_on
	 WHERE org_id = v_org AND (valid_to IS NULL OR valid_to > p_on);
	UPDATE unionreg.org SET valid_to = p_on WHERE id = v_org;
END
$$;
COMMENT ON FUNCTION unionreg._liquidate_org_unchecked(text, date) IS
	'internal: the body of unionreg.liquidate_org, without the caller''s scope check';

CREATE FUNCTION unionreg.liquidate_org(p_org text, p_on date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	PERFORM unionreg._check_date(p_on, 'liquidation day');
	PERFORM unionreg._require_org(p_org, 'liquidate');
	PERFORM unionreg._liquidate_org_unchecked(p_org, p_on);
END
$$;
COMMENT ON FUNCTION unionreg.liquidate_org(text, date) IS
	'Liquidate an organization on a date (refused while live children or members remain); it must be in the caller''s subtree';

-- ---------------------------------------------------------------------
-- Corrections of the stored history.  A load never rewrites history (a
-- reloaded export changes no link it does not move); when the stored dates
-- or a past parent are wrong, a correction says so explicitly, is checked
-- by the same triggers as every hierarchy write (no member, child or link
-- left outside a lifetime on any date, no cycle, allowed levels) and is
-- audited as coming through unionreg.correct_org.
-- ---------------------------------------------------------------------

-- The filers whose figures a change of organization p_org's history over
-- [p_lo, p_hi) touches in the built snapshots of those dates: p_org and
-- every ancestor it has on each such date as the links stand now.  Called
-- before and after a correction; the union of both is what changed.
CREATE FUNCTION unionreg._snapshot_filers_above(p_org bigint, p_lo date, p_hi date)
RETURNS TABLE (snapshot_id bigint, as_of date, org_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
	WITH RECURSIVE snaps AS (
		SELECT ls.id, ls.as_of FROM unionreg.latest_snapshot ls
		 WHERE ls.as_of >= p_lo AND (p_hi IS NULL OR ls.as_of < p_hi)),
	up (snapshot_id, as_of, org_id, steps) AS (
		SELECT s.id, s.as_of, p_org, 0 FROM snaps s
		UNION ALL
		SELECT u.snapshot_id, u.as_of, l.parent_id, u.steps + 1
		  FROM up u JOIN unionreg.org_link l ON l.org_id = u.org_id
		 WHERE unionreg._holds_on(l.valid_from, l.valid_to, u.as_of) AND u.steps < 64)
	SELECT up.snapshot_id, up.as_of, up.org_id FROM up
$$;
COMMENT ON FUNCTION unionreg._snapshot_filers_above(bigint, date, date) IS
	'internal: for each latest snapshot dated in [lo, hi), the organization and its ancestors on that date as the links stand now';

-- Before a correction: the filers above an organization in the built
-- snapshots of [lo, hi), kept for _reports_changed() to add to the same
-- after it.
CREATE FUNCTION unionreg._reports_before(p_org bigint, p_lo date, p_hi date) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	DROP TABLE IF EXISTS pg_temp._corr_before;
	CREATE TEMP TABLE _corr_before ON COMMIT DROP AS SELECT * FROM unionreg._snapshot_filers_above(p_org, p_lo, p_hi);
END
$$;
COMMENT ON FUNCTION unionreg._reports_before(bigint, date, date) IS
	'internal: before a correction, the filers above an organization in the built snapshots of [lo, hi), for _reports_changed()';

-- The built reports a correction changes: the organization's and its
-- ancestors', before and after, that file a form in those snapshots.
CREATE FUNCTION unionreg._reports_changed(p_org bigint, p_lo date, p_hi date)
RETURNS TABLE (as_of date, snapshot_id bigint, org_ext_id text, form text)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT DISTINCT s.as_of, s.snapshot_id, fo.ext_id, so.form
	  FROM (SELECT * FROM pg_temp._corr_before
			UNION SELECT * FROM unionreg._snapshot_filers_above(p_org, p_lo, p_hi)) s
	  JOIN unionreg.snapshot_org so ON so.snapshot_id = s.snapshot_id AND so.org_id = s.org_id
	  JOIN unionreg.org fo ON fo.id = s.org_id
	 ORDER BY 1, 3;
	DROP TABLE pg_temp._corr_before;
END
$$;
COMMENT ON FUNCTION unionreg._reports_changed(bigint, date, date) IS
	'internal: the built reports (date, organization, form) a correction changed, from _reports_before() and the same after it';

CREATE FUNCTION unionreg._correct_org_unchecked(p_org text, valid_from date, link_from date, parent text, moved_on date, valid_to date)
RETURNS TABLE (as_of date, snapshot_id bigint, org_ext_id text, form text)
LANGUAGE plpgsql
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_org bigint := unionreg._org_id(p_org);
	o record;
	l record;
	v_prev record;
	v_parent bigint;
	v_lo date;
	v_hi date;
BEGIN
	-- one hierarchy change at a time, so a correction reads the links it changes as they are
	PERFORM pg_advisory_xact_lock(1970170223, 1);
	SELECT * INTO o FROM unionreg.org x WHERE x.id = v_org FOR UPDATE;
	IF num_nonnulls(valid_from, link_from, valid_to) = 0 THEN
		RAISE EXCEPTION 'correct_org(%): nothing to correct', p_org
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give valid_from (the creation date), link_from with parent or moved_on (a stored link: its parent or the day it began), or valid_to (the liquidation date).';
	END IF;
	IF num_nonnulls(valid_from, link_from, valid_to) > 1 THEN
		RAISE EXCEPTION 'correct_org(%): one correction at a time', p_org
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Correct the creation date, a link and the liquidation date in separate calls (one transaction if they belong together).';
	END IF;
	IF link_from IS NULL AND num_nonnulls(parent, moved_on) > 0 THEN
		RAISE EXCEPTION 'correct_org(%): parent and moved_on correct the stored link that begins on link_from, which is not given', p_org
			USING ERRCODE = 'invalid_parameter_value', HINT = unionreg._org_history(v_org);
	END IF;

	IF valid_from IS NOT NULL THEN
		-- the creation date; the first link begins with it
		v_lo := least(valid_from, o.valid_from);
		v_hi := greatest(valid_from, o.valid_from);
		IF valid_from = o.valid_from THEN
			RETURN;
		END IF;
		IF o.valid_to IS NOT NULL AND valid_from >= o.valid_to THEN
			RAISE EXCEPTION 'cannot give "%" the creation date %: it was liquidated on %', p_org, valid_from, o.valid_to
				USING ERRCODE = 'invalid_parameter_value', HINT = unionreg._org_history(v_org);
		END IF;
		SELECT * INTO l FROM unionreg.org_link x WHERE x.org_id = v_org ORDER BY x.valid_from LIMIT 1;
		IF FOUND AND l.valid_to IS NOT NULL AND valid_from >= l.valid_to THEN
			RAISE EXCEPTION 'cannot give "%" the creation date %: its first link ends on % (a move), before it', p_org, valid_from, l.valid_to
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('Stored: %s.', unionreg._org_history(v_org)),
					  HINT = 'Correct the move first (correct_org with link_from and moved_on), then the creation date.';
		END IF;
		PERFORM unionreg._reports_before(v_org, v_lo, v_hi);
		-- a lifetime that grows changes before its link, one that shrinks after: the link stays within it
		IF valid_from < o.valid_from THEN
			UPDATE unionreg.org x SET valid_from = _correct_org_unchecked.valid_from WHERE x.id = v_org;
		END IF;
		UPDATE unionreg.org_link x SET valid_from = _correct_org_unchecked.valid_from
		 WHERE x.org_id = v_org AND x.valid_from = l.valid_from;
		IF valid_from > o.valid_from THEN
			UPDATE unionreg.org x SET valid_from = _correct_org_unchecked.valid_from WHERE x.id = v_org;
		END IF;

	ELSIF link_from IS NOT NULL THEN
		SELECT * INTO l FROM unionreg.org_link x WHERE x.org_id = v_org AND x.valid_from = link_from FOR UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'organization "%" has no stored link that begins on %', p_org, link_from
				USING ERRCODE = 'no_data_found', DETAIL = format('Stored: %s.', unionreg._org_history(v_org)),
					  HINT = 'Give the day a stored link begins (link_from).';
		END IF;
		IF num_nonnulls(parent, moved_on) = 0 THEN
			RAISE EXCEPTION 'correct_org(%): give parent or moved_on for the link that begins on %', p_org, link_from
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		v_lo := least(link_from, coalesce(moved_on, link_from));
		v_hi := CASE WHEN moved_on IS NOT NULL AND parent IS NULL THEN greatest(link_from, moved_on) ELSE l.valid_to END;
		PERFORM unionreg._reports_before(v_org, v_lo, v_hi);
		IF parent IS NOT NULL THEN
			v_parent := unionreg._org_id(parent, 'parent organization');
			UPDATE unionreg.org_link x SET parent_id = v_parent WHERE x.org_id = v_org AND x.valid_from = link_from;
		END IF;
		IF moved_on IS NOT NULL AND moved_on <> link_from THEN
			SELECT * INTO v_prev FROM unionreg.org_link x WHERE x.org_id = v_org AND x.valid_to = link_from FOR UPDATE;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'the link of "%" that begins on % is its first: it begins with the organization', p_org, link_from
					USING ERRCODE = 'invalid_parameter_value', HINT = 'Correct the creation date instead (valid_from).';
			END IF;
			IF moved_on <= v_prev.valid_from OR (l.valid_to IS NOT NULL AND moved_on >= l.valid_to) THEN
				RAISE EXCEPTION 'cannot move the move of "%" from % to %: it must fall between % and %', p_org, link_from, moved_on,
					v_prev.valid_from, coalesce(l.valid_to::text, 'open')
					USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Stored: %s.', unionreg._org_history(v_org));
			END IF;
			IF moved_on < link_from THEN
				UPDATE unionreg.org_link x SET valid_to = moved_on WHERE x.org_id = v_org AND x.valid_from = v_prev.valid_from;
				UPDATE unionreg.org_link x SET valid_from = moved_on WHERE x.org_id = v_org AND x.valid_from = link_from;
			ELSE
				UPDATE unionreg.org_link x SET valid_from = moved_on WHERE x.org_id = v_org AND x.valid_from = link_from;
				UPDATE unionreg.org_link x SET valid_to = moved_on WHERE x.org_id = v_org AND x.valid_from = v_prev.valid_from;
			END IF;
		END IF;

	ELSE
		-- the liquidation date of a liquidated organization; its last link ends with it
		IF o.valid_to IS NULL THEN
			RAISE EXCEPTION 'organization "%" is not liquidated: liquidate it with unionreg.liquidate_org()', p_org
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF valid_to <= o.valid_from THEN
			RAISE EXCEPTION 'cannot give "%" the liquidation date %: it was created on %', p_org, valid_to, o.valid_from
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF valid_to = o.valid_to THEN
			RETURN;
		END IF;
		v_lo := least(valid_to, o.valid_to);
		v_hi := greatest(valid_to, o.valid_to);
		SELECT * INTO l FROM unionreg.org_link x WHERE x.org_id = v_org ORDER BY x.valid_from DESC LIMIT 1;
		IF FOUND AND valid_to <= l.valid_from THEN
			RAISE EXCEPTION 'cannot give "%" the liquidation date %: its last link begins on %', p_org, valid_to, l.valid_from
				USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Stored: %s.', unionreg._org_history(v_org)),
					  HINT = 'Correct that move first (correct_org with link_from and moved_on).';
		END IF;
		PERFORM unionreg._reports_before(v_org, v_lo, v_hi);
		-- a lifetime that grows changes before its link, one that shrinks after
		IF valid_to > o.valid_to THEN
			UPDATE unionreg.org x SET valid_to = _correct_org_unchecked.valid_to WHERE x.id = v_org;
		END IF;
		UPDATE unionreg.org_link x SET valid_to = _correct_org_unchecked.valid_to
		 WHERE x.org_id = v_org AND x.valid_from = l.valid_from;
		IF valid_to < o.valid_to THEN
			UPDATE unionreg.org x SET valid_to = _correct_org_unchecked.valid_to WHERE x.id = v_org;
		END IF;
	END IF;

	RETURN QUERY SELECT * FROM unionreg._reports_changed(v_org, v_lo, v_hi);
END
$$;
COMMENT ON FUNCTION unionreg._correct_org_unchecked(text, date, date, text, date, date) IS
	'internal: the body of unionreg.correct_org, without the caller''s scope check';

CREATE FUNCTION unionreg.correct_org(p_org text, valid_from date DEFAULT NULL, link_from date DEFAULT NULL,
	parent text DEFAULT NULL, moved_on date DEFAULT NULL, valid_to date DEFAULT NULL)
RETURNS TABLE (as_of date, snapshot_id bigint, org_ext_id text, form text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_old_parent text;
BEGIN
	PERFORM unionreg._check_date(valid_from, 'creation day');
	PERFORM unionreg._check_date(link_from, 'day the link begins');
	PERFORM unionreg._check_date(moved_on, 'day of the move');
	PERFORM unionreg._check_date(valid_to, 'liquidation day');
	PERFORM unionreg._require_org(p_org, 'correct the history of');
	IF parent IS NOT NULL THEN
		PERFORM unionreg._require_org(parent, 'put an organization under', 'parent');
	END IF;
	-- the parent of the link the correction changes (the one beginning on
	-- link_from, the first for a creation date, the last for a liquidation
	-- date) is part of what is corrected: it must be the caller's too
	IF num_nonnulls(link_from, valid_from, valid_to) > 0 THEN
		SELECT p.ext_id INTO v_old_parent
		  FROM unionreg.org_link l JOIN unionreg.org p ON p.id = l.parent_id JOIN unionreg.org o ON o.id = l.org_id
		 WHERE o.ext_id = p_org AND (correct_org.link_from IS NULL OR l.valid_from = correct_org.link_from)
		 ORDER BY CASE WHEN correct_org.valid_to IS NOT NULL AND correct_org.link_from IS NULL THEN l.valid_from END DESC NULLS LAST,
				  l.valid_from
		 LIMIT 1;
		IF v_old_parent IS NOT NULL THEN
			PERFORM unionreg._require_org(v_old_parent, 'correct a link under', 'parent');
		END IF;
	END IF;
	RETURN QUERY SELECT * FROM unionreg._correct_org_unchecked(p_org, valid_from, link_from, parent, moved_on, valid_to);
END
$$;
COMMENT ON FUNCTION unionreg.correct_org(text, date, date, text, date, date) IS
	'Correct an organization''s stored history, one thing a call: its creation date (valid_from: the first link begins with it), a stored link (the one that begins on link_from: its parent, or moved_on, the day that move really happened), or the liquidation date of a liquidated organization (valid_to). Refused when a member, child or link would fall outside a lifetime on any date; audited. Returns the built reports (latest snapshot of each date) whose figures change: the organization''s and its ancestors'', before and after';

