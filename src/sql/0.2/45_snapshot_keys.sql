-- ---------------------------------------------------------------------
-- 0.2: a snapshot's rows are written without a foreign-key check per row.
-- The checks on org_id, region_id and form cost 1.7 s of a build over
-- 150,000 organizations (each locks the referenced row FOR KEY SHARE, so
-- every organization's tuple was written again); writing the 74,392 rows
-- themselves takes 0.3 s.  build_snapshot takes those ids from the
-- organizations and forms it reads in the same statement, so the checks
-- could never fail there; what they guarded against is an organization or a
-- form deleted while a snapshot names it, and statement triggers on org and
-- form now refuse that, once per statement.  The snapshot key stays a
-- foreign key (deleting a snapshot deletes its rows).
-- ---------------------------------------------------------------------

ALTER TABLE unionreg.snapshot_org
	DROP CONSTRAINT snapshot_org_org_id_fkey,
	DROP CONSTRAINT snapshot_org_region_id_fkey,
	DROP CONSTRAINT snapshot_org_form_fkey;

-- organizations: their ids never change (identity), so deletion is the case
CREATE FUNCTION unionreg._keep_orgs_of_snapshots() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	SELECT o.ext_id, s.snapshot_id INTO r
	  FROM old_rows o JOIN unionreg.snapshot_org s ON s.org_id = o.id OR s.region_id = o.id
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'organization "%" cannot be deleted: snapshot % reports on it', r.ext_id, r.snapshot_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'An organization that ends is liquidated (unionreg.liquidate_org), not deleted; or delete the snapshots that name it first (unionreg.delete_snapshot).';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._keep_orgs_of_snapshots() IS
	'internal: statement trigger refusing (23503) to delete an organization a snapshot reports on';
CREATE TRIGGER keep_snapshots AFTER DELETE ON unionreg.org
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_orgs_of_snapshots();

-- forms: a code deleted, or changed, while snapshots hold it
CREATE FUNCTION unionreg._keep_forms_of_snapshots() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	r record;
BEGIN
	SELECT o.code, s.snapshot_id INTO r
	  FROM old_rows o JOIN unionreg.snapshot_org s ON s.form = o.code
	 WHERE TG_OP = 'DELETE' OR o.code NOT IN (SELECT n.code FROM unionreg.form n)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'form "%" cannot be removed: snapshot % holds reports on it', r.code, r.snapshot_id
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Change its labels instead, or delete the snapshots that hold it first (unionreg.delete_snapshot).';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._keep_forms_of_snapshots() IS
	'internal: statement trigger refusing (23503) to delete a form, or change its code, while a snapshot holds it';
CREATE TRIGGER keep_snapshots_del AFTER DELETE ON unionreg.form
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_forms_of_snapshots();
CREATE TRIGGER keep_snapshots_upd AFTER UPDATE ON unionreg.form
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._keep_forms_of_snapshots();
