-- ---------------------------------------------------------------------
-- 0.2: a snapshot's rows are written without a foreign-key check per row.
-- The checks on org_id, region_id and form cost 1.7 s of a build over
-- 150,000 organizations (each locks the referenced row FOR KEY SHARE, so
-- every organization's tuple was written again); writing the 74,392 rows
-- themselves takes 0.3 s.  build_snapshot takes those ids from the
-- organizations and forms it reads in the same statement, so the checks
-- could never fail there; what they guarded against is an organization or a
-- form deleted while a snapshot names it, and statement triggers on org and
-- form now refuse that, once per statement.  The snapshot key too: its
-- check per row was 0.49 s of the 0.70 s it took to write 74,392 rows; a
-- statement trigger checks the new rows' snapshots once and locks them as
-- the foreign key did, and deleting a snapshot deletes its rows.
-- ---------------------------------------------------------------------

ALTER TABLE unionreg.snapshot_org
	DROP CONSTRAINT snapshot_org_org_id_fkey,
	DROP CONSTRAINT snapshot_org_region_id_fkey,
	DROP CONSTRAINT snapshot_org_form_fkey,
	DROP CONSTRAINT snapshot_org_snapshot_id_fkey;

-- rows written: their snapshots exist, and stay until the writer commits
-- (FOR KEY SHARE, as the foreign key's check locked them)
CREATE FUNCTION unionreg._snapshot_org_has_snapshot() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
DECLARE
	v_missing bigint;
BEGIN
	PERFORM 1 FROM unionreg.snapshot s
	  WHERE s.id IN (SELECT DISTINCT n.snapshot_id FROM new_rows n)
	  ORDER BY s.id FOR KEY SHARE;
	SELECT n.snapshot_id INTO v_missing
	  FROM (SELECT DISTINCT n.snapshot_id FROM new_rows n) n
	 WHERE NOT EXISTS (SELECT 1 FROM unionreg.snapshot s WHERE s.id = n.snapshot_id)
	 ORDER BY 1 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'snapshot % does not exist: unionreg.snapshot_org cannot hold rows of it', v_missing
			USING ERRCODE = 'foreign_key_violation',
				  HINT = 'Snapshots are written by unionreg.build_snapshot(); their rows are not written by hand.';
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._snapshot_org_has_snapshot() IS
	'internal: statement trigger refusing (23503) snapshot_org rows of a snapshot that does not exist, and locking the snapshots written to (FOR KEY SHARE) as a foreign key would';
CREATE TRIGGER has_snapshot_ins AFTER INSERT ON unionreg.snapshot_org
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_org_has_snapshot();
CREATE TRIGGER has_snapshot_upd AFTER UPDATE ON unionreg.snapshot_org
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_org_has_snapshot();

-- a snapshot deleted (unionreg.delete_snapshot, prune_snapshots) takes its rows
-- with it; definer: as a foreign key's cascade, whatever the deleter may see
CREATE FUNCTION unionreg._snapshot_rows_go() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, unionreg, pg_temp
AS $$
BEGIN
	-- (when the same statement truncated snapshot_org too, it is empty and
	-- must not be truncated again: it is still open in that statement)
	IF TG_OP = 'TRUNCATE' THEN
		IF EXISTS (SELECT 1 FROM unionreg.snapshot_org) THEN
			TRUNCATE unionreg.snapshot_org;
		END IF;
	ELSE
		DELETE FROM unionreg.snapshot_org so WHERE so.snapshot_id IN (SELECT o.id FROM old_rows o);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION unionreg._snapshot_rows_go() IS
	'internal: statement trigger deleting the rows of deleted (or truncated) snapshots from unionreg.snapshot_org';
CREATE TRIGGER snapshot_rows_go AFTER DELETE ON unionreg.snapshot
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_rows_go();
CREATE TRIGGER snapshot_rows_go_truncate AFTER TRUNCATE ON unionreg.snapshot
	FOR EACH STATEMENT EXECUTE FUNCTION unionreg._snapshot_rows_go();

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
