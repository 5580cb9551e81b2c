-- Identifier types with check digits: inn, ogrn, snils, card_number
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;

-- opclass sanity: every operator class of ours validates
SELECT opcname FROM pg_opclass
 WHERE opcnamespace = 'unionreg'::regnamespace AND NOT amvalidate(oid);
SELECT count(*) AS opclasses FROM pg_opclass WHERE opcnamespace = 'unionreg'::regnamespace;

-- real published numbers: Sberbank's INN and OGRN, a person's INN, an OGRNIP
SELECT '7707083893'::inn, '500100732259'::inn, '1027700132195'::ogrn, '304500116000157'::ogrn;
-- SNILS in both accepted spellings, printed dashed
SELECT '11223344595'::snils, '112-233-445 95'::snils, ' 112-233-445 95 '::snils;
-- SNILS up to 001-001-998 carries no check number
SELECT '00100199800'::snils;
-- sum over 101 is taken mod 101
SELECT '87654321947'::snils;
-- card numbers with a Luhn check digit, with or without spaces
SELECT '4111111111111111'::card_number, '2200 7000 0000 0009'::card_number;
-- leading zeros survive
SELECT '0100000004'::inn;
SELECT '0000000000000000'::card_number;

-- near misses: one digit changed, one missing, one extra, a letter
SELECT '7707083894'::inn;
SELECT '500100732258'::inn;
SELECT '770708389'::inn;
SELECT '77070838931'::inn;
SELECT '77O7083893'::inn;
SELECT '7707083893x'::inn;
SELECT ''::inn;
SELECT '   '::inn;
SELECT '1027700132196'::ogrn;
SELECT '304500116000158'::ogrn;
SELECT '10277001321951'::ogrn;
SELECT '11223344596'::snils;
SELECT '112-233-445 9'::snils;
SELECT '112_233_445_95'::snils;
SELECT '-11223344595'::snils;
SELECT '4111111111111112'::card_number;
SELECT '411111111111111'::card_number;
SELECT '41111111111111111'::card_number;
SELECT 'карта 4111111111111111'::card_number;
-- a huge input is reported briefly, not echoed
SELECT length(repeat('1', 100000)::inn::text);

-- identifiers as people paste them from Word and Excel: no-break, thin and
-- ideographic spaces, en dashes and minus signs, fullwidth digits read as
-- the spaces, hyphens and digits they look like; a space inside an INN or
-- OGRN is a separator too; a leading minus (of any kind) is still refused,
-- and a dash inside an INN
SELECT v, v::inn AS inn FROM (VALUES ('7707 083893'), (U&'\00A07707083893\2009'), (U&'\FF17\FF17\FF10\FF17083893'),
	(U&'7707\202F083893'), (U&'7707\3000083893')) t(v);
SELECT v, v::snils AS snils FROM (VALUES (U&'112\2013233\2013445 95'), (U&'112\2212233\2212445\00A095'),
	(U&'112\2010233\2011445\200995'), (U&'\FF11\FF11\FF12-233-445 95')) t(v);
SELECT v, v::card_number AS card FROM (VALUES (U&'4111\00A01111\00A01111\00A01111'), (U&'4111\20131111\20131111\20131111')) t(v);
SELECT v, v::ogrn AS ogrn FROM (VALUES (U&'1027700132195\00A0'), ('1 027 700 132 195')) t(v);
SELECT v, snils_problem(v) FROM (VALUES (U&'\221211223344595'), (U&'\201311223344595'), ('-112-233-445 95')) t(v);
SELECT v, inn_problem(v) FROM (VALUES ('7707-083893'), (U&'7707\2013083893'), (U&'\22127707083893')) t(v);

-- the loader's non-throwing check says the same things
SELECT v, inn_problem(v) FROM (VALUES ('7707083893'), ('7707083894'), ('77070'), ('77O7083893')) t(v);
SELECT snils_problem('11223344596'), card_number_problem('4111111111111112'), ogrn_problem('1027700132196');
SELECT inn_problem(NULL) IS NULL AS null_in_null_out;

-- equality, ordering, hashing; short INNs sort before long ones
CREATE TABLE ids (i inn, o ogrn, s snils, c card_number);
INSERT INTO ids VALUES
	('7707083893', '1027700132195', '11223344595', '4111111111111111'),
	('500100732259', '304500116000157', '00100199800', '2200700000000009'),
	('0100000004', NULL, '87654321947', '0000000000000000');
SELECT i, o, s, c FROM ids ORDER BY i;
SELECT s FROM ids ORDER BY s DESC;
SELECT count(DISTINCT i), count(DISTINCT s) FROM ids;
SELECT i FROM ids WHERE i = '7707083893';
SELECT i FROM ids WHERE i < '500100732259' ORDER BY i;
SELECT i::text || '!' AS as_text, 'x' || s AS concat FROM ids ORDER BY i LIMIT 1;

-- indexes agree with a sequential scan
CREATE INDEX ids_i_btree ON ids (i);
CREATE INDEX ids_c_hash ON ids USING hash (c);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM ids WHERE i = '7707083893';
SELECT i FROM ids WHERE i = '7707083893';
EXPLAIN (COSTS OFF) SELECT * FROM ids WHERE c = '4111111111111111';
SELECT c FROM ids WHERE c = '4111111111111111';
SELECT i FROM ids WHERE i >= '0100000004' ORDER BY i;
RESET enable_seqscan;
-- hash join and merge join work on the types
SET enable_mergejoin = off; SET enable_nestloop = off;
SELECT count(*) FROM ids a JOIN ids b ON a.s = b.s;
RESET enable_mergejoin; RESET enable_nestloop;

-- binary round trip through COPY (version byte + int8)
COPY ids TO '/tmp/unionreg_ids.bin' WITH (FORMAT binary);
CREATE TABLE ids2 (LIKE ids);
COPY ids2 FROM '/tmp/unionreg_ids.bin' WITH (FORMAT binary);
SELECT (SELECT array_agg(s ORDER BY s) FROM ids) = (SELECT array_agg(s ORDER BY s) FROM ids2) AS same;
-- binary input with a wrong check digit, or without the version byte, is refused
-- (a bytea column's binary form is its raw bytes: craft the field with it)
CREATE TABLE raw (b bytea);
INSERT INTO raw VALUES (decode('01' || lpad(to_hex(11223344596), 16, '0'), 'hex'));
COPY raw TO '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
CREATE TABLE one_snils (s snils);
COPY one_snils FROM '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
COPY (SELECT 11223344595::bigint) TO '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
COPY one_snils FROM '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
TRUNCATE raw;
INSERT INTO raw VALUES (decode('01' || lpad(to_hex(11223344595), 16, '0'), 'hex'));
COPY raw TO '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
COPY one_snils FROM '/tmp/unionreg_raw.bin' WITH (FORMAT binary);
SELECT s FROM one_snils;
DROP TABLE raw, one_snils;
-- the files go with the test
COPY (SELECT 1 WHERE false) TO PROGRAM 'rm -f /tmp/unionreg_ids.bin /tmp/unionreg_raw.bin';
DROP TABLE ids, ids2;

-- the types' operators live in schema unionreg: a query finds them through
-- search_path (README: ALTER DATABASE ... SET search_path = "$user", public,
-- unionreg), or names them
SET search_path = public;
CREATE TEMP TABLE org_inn (inn unionreg.inn);
INSERT INTO org_inn VALUES ('7707083893');
SELECT count(*) FROM org_inn WHERE inn = '7707083893';
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS named FROM org_inn WHERE inn OPERATOR(unionreg.=) '7707083893';
SET search_path = "$user", public, unionreg;
SELECT count(*) AS through_search_path FROM org_inn WHERE inn = '7707083893';
DROP TABLE org_inn;
