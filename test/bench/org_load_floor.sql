-- The floor under load_orgs(): what any loader of these organizations must
-- do however it is written, measured on the rows a load has stored.
--     psql -d DB -f test/bench/org_load_floor.sql      (after load_orgs(); as a superuser)
-- Writes copies in public and rolls everything back.  Three parts, each
-- timed alone, none of them judging a row or checking a rule:
--   take   the staged rows read and removed (DELETE ... RETURNING, as the
--          loader does: rows staged meanwhile must stay for the next load)
--   write  the rows inserted into copies of org, org_link, org_base and
--          org_chairman with their indexes (no key, check or trigger)
--   audit  one audit_log entry per row of org, org_link and org_chairman,
--          with its row image, into a copy of audit_log (issue 6's trail;
--          _row_jsonb is the audit trigger's own C function)
-- and, for comparison, write again with the foreign keys the tables declare.
\set QUIET on
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT count(*) AS orgs FROM unionreg.org \gset
-- the staged file, rebuilt as text from what the load stored (committed, as
-- a \copy leaves it)
DROP TABLE IF EXISTS public.f_stage;
CREATE TABLE public.f_stage (LIKE unionreg.stage_org);
INSERT INTO public.f_stage
SELECT o.ext_id, p.ext_id, o.level, o.kind, o.composition, o.name, o.short_name, o.inn::text,
	   o.ogrn::text, o.region_code::text, o.valid_from::text, o.valid_to::text, b.as_of::text,
	   b.employees::text, b.students::text, c.name, c.term_from::text, c.term_to::text,
	   c.released::text, c.email, c.email_consent::text
  FROM unionreg.org o
  LEFT JOIN unionreg.org_link l ON l.org_id = o.id AND l.valid_to IS NOT DISTINCT FROM o.valid_to
  LEFT JOIN unionreg.org p ON p.id = l.parent_id
  LEFT JOIN LATERAL (SELECT * FROM unionreg.org_base b WHERE b.org_id = o.id
					  ORDER BY b.as_of DESC LIMIT 1) b ON true
  LEFT JOIN unionreg.org_chairman c ON c.org_id = o.id;
VACUUM ANALYZE public.f_stage;
CHECKPOINT;
BEGIN;
CREATE TABLE public.f_org (LIKE unionreg.org INCLUDING INDEXES);
CREATE TABLE public.f_link (LIKE unionreg.org_link INCLUDING INDEXES);
CREATE TABLE public.f_base (LIKE unionreg.org_base INCLUDING INDEXES);
CREATE TABLE public.f_chair (LIKE unionreg.org_chairman INCLUDING INDEXES);
CREATE TABLE public.f_audit (LIKE unionreg.audit_log INCLUDING ALL);
CREATE TABLE public.k_org (LIKE unionreg.org INCLUDING INDEXES);
ALTER TABLE public.k_org ADD FOREIGN KEY (level) REFERENCES unionreg.level (code),
	ADD FOREIGN KEY (kind) REFERENCES unionreg.org_kind (code),
	ADD FOREIGN KEY (composition) REFERENCES unionreg.composition (code);
CREATE TABLE public.k_link (LIKE unionreg.org_link INCLUDING INDEXES);
ALTER TABLE public.k_link ADD FOREIGN KEY (org_id) REFERENCES public.k_org (id),
	ADD FOREIGN KEY (parent_id) REFERENCES public.k_org (id);
CREATE TABLE public.k_base (LIKE unionreg.org_base INCLUDING INDEXES);
ALTER TABLE public.k_base ADD FOREIGN KEY (org_id) REFERENCES public.k_org (id);
CREATE TABLE public.k_chair (LIKE unionreg.org_chairman INCLUDING INDEXES);
ALTER TABLE public.k_chair ADD FOREIGN KEY (org_id) REFERENCES public.k_org (id);

SELECT clock_timestamp() AS t0 \gset
CREATE TEMP TABLE f_taken AS WITH d AS (DELETE FROM public.f_stage RETURNING *) SELECT * FROM d;
SELECT clock_timestamp() AS t1 \gset
INSERT INTO public.f_org SELECT * FROM unionreg.org;
INSERT INTO public.f_link SELECT * FROM unionreg.org_link;
INSERT INTO public.f_base SELECT * FROM unionreg.org_base;
INSERT INTO public.f_chair SELECT * FROM unionreg.org_chairman;
SELECT clock_timestamp() AS t2 \gset
INSERT INTO public.f_audit (table_name, operation, via, new_row)
SELECT 'org', 'INSERT', 'unionreg.load_orgs', unionreg._row_jsonb(r) FROM public.f_org r;
INSERT INTO public.f_audit (table_name, operation, via, new_row)
SELECT 'org_link', 'INSERT', 'unionreg.load_orgs', unionreg._row_jsonb(r) FROM public.f_link r;
INSERT INTO public.f_audit (table_name, operation, via, new_row)
SELECT 'org_chairman', 'INSERT', 'unionreg.load_orgs', unionreg._row_jsonb(r) FROM public.f_chair r;
SELECT clock_timestamp() AS t3 \gset
INSERT INTO public.k_org SELECT * FROM unionreg.org;
-- the keys' cached checks plan on fresh statistics, as load_orgs's do
ANALYZE public.k_org;
INSERT INTO public.k_link SELECT * FROM unionreg.org_link;
INSERT INTO public.k_base SELECT * FROM unionreg.org_base;
INSERT INTO public.k_chair SELECT * FROM unionreg.org_chairman;
SELECT clock_timestamp() AS t4 \gset
ROLLBACK;
DROP TABLE public.f_stage;

\set QUIET off
SELECT :orgs AS orgs,
	   round(extract(epoch FROM :'t1'::timestamptz - :'t0'::timestamptz)::numeric, 2) AS take_s,
	   round(extract(epoch FROM :'t2'::timestamptz - :'t1'::timestamptz)::numeric, 2) AS write_s,
	   round(extract(epoch FROM :'t3'::timestamptz - :'t2'::timestamptz)::numeric, 2) AS audit_s,
	   round(extract(epoch FROM :'t3'::timestamptz - :'t0'::timestamptz)::numeric, 2) AS floor_s,
	   round(:orgs / extract(epoch FROM :'t3'::timestamptz - :'t0'::timestamptz)) AS floor_orgs_per_s,
	   round(:orgs / extract(epoch FROM :'t3'::timestamptz - :'t1'::timestamptz)) AS without_take_orgs_per_s,
	   round(extract(epoch FROM :'t4'::timestamptz - :'t3'::timestamptz)::numeric, 2) AS write_with_keys_s;
