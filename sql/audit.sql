-- The audit trail: every change to persons, memberships, statuses, cards and
-- the hierarchy, with who, when, what and through which function; append-only.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
SET datestyle = 'ISO, YMD';
\set SHOW_CONTEXT never

SELECT create_org('C', NULL, 'central', 'Профсоюз', '1990-01-01');
SELECT create_org('R1', 'C', 'regional', 'Регион 1', '1991-01-01');
SELECT create_org('T1', 'R1', 'territorial', 'Территориальная 1', '1995-01-01');
SELECT create_org('T2', 'R1', 'territorial', 'Территориальная 2', '1995-01-01');
SELECT create_org('P1', 'T1', 'primary', 'Школа № 1', '2000-01-01', 'school', 'workers');
SELECT create_org('P2', 'T1', 'primary', 'Детский сад № 2', '2000-01-01', 'preschool', 'workers');
SELECT admit_member('M1', 'P1', '2015-09-01', 'Иванова', 'Анна', 'Петровна', '1980-03-15', 'f', '112-233-445 95') > 0 AS admitted;
SELECT transfer_member('M1', 'P2', '2020-09-01');
SELECT request_card('M1', '2200000000000012', '2021-01-10');
SELECT move_card('2200000000000012', 'produced', '2021-02-01');
SELECT move_org('P2', 'T2', '2022-01-01');
SELECT leave('M1', '2023-06-01', 'own_wish');
-- a statement outside the API is audited too
UPDATE person SET phone = '+7 900 000-00-00' WHERE ext_id = 'M1';

-- who, what, through which function; organizations by ext_id
SELECT table_name, operation, via, ext_id, session_user_name = session_user AS by_me
  FROM audit_trail ORDER BY id;
-- what changed: the transfer closed one period and opened the next
SELECT operation, old_row ->> 'left_on' AS old_left_on, new_row ->> 'left_on' AS new_left_on,
	   new_row ->> 'left_reason' AS reason
  FROM audit_log WHERE table_name = 'membership' ORDER BY id;
-- the card's moves, old and new state
SELECT operation, old_row ->> 'state' AS was, new_row ->> 'state' AS became, via
  FROM audit_log WHERE table_name = 'card' ORDER BY id;
-- the move of P2: the old link ended, a new one began
SELECT operation, old_row ->> 'valid_to' AS old_to, new_row ->> 'valid_from' AS new_from, new_row ->> 'valid_to' AS new_to
  FROM audit_log WHERE table_name = 'org_link' AND via = 'unionreg.move_org' ORDER BY id;
-- an UPDATE that changes nothing leaves no entry
SELECT count(*) AS before FROM audit_log \gset
UPDATE person SET phone = phone WHERE ext_id = 'M1';
SELECT count(*) - :before AS new_entries FROM audit_log;
-- a delete keeps the old row
INSERT INTO person_consent (person_id, channel, on_date, given) SELECT id, 'sms', '2021-01-01', true FROM person WHERE ext_id = 'M1';
DELETE FROM person_consent;
SELECT operation, old_row ->> 'channel' AS channel, new_row IS NULL AS no_new_row
  FROM audit_log WHERE table_name = 'person_consent' ORDER BY id;

-- append-only, even for its owner
UPDATE audit_log SET via = 'forged' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
DELETE FROM audit_log WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
TRUNCATE audit_log;
\echo :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE
SELECT count(*) = :before + 2 AS all_kept FROM audit_log;

-- nobody but its owner reads it: not the writers, not the reader
CREATE ROLE audit_test_writer;
GRANT USAGE ON SCHEMA unionreg TO audit_test_writer;
GRANT SELECT, UPDATE ON person TO audit_test_writer;
SET ROLE audit_test_writer;
UPDATE person SET email = 'anna@example.org' WHERE ext_id = 'M1';
SELECT count(*) FROM audit_log;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM audit_trail;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO audit_log (table_name, operation, via, new_row) VALUES ('person', 'INSERT', 'forged', '{}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- the writer's change is on record under its login
SELECT session_user_name = session_user AS by_session_user, new_row ->> 'email' AS email, via
  FROM audit_log WHERE table_name = 'person' ORDER BY id DESC LIMIT 1;
SET ROLE unionreg_reader;
SELECT count(*) FROM audit_log;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- rows COPYed back by a restore (a superuser with session_replication_role
-- = replica: doc/operations.md) are not audited again; the dump has their
-- audit entries already
SELECT count(*) AS before FROM audit_log \gset
SET session_replication_role = replica;
COPY person (id, ext_id, surname, first_name, birth_date) FROM stdin;
900	RESTORED	Смирнова	Ольга	1970-01-01
\.
RESET session_replication_role;
SELECT count(*) - :before AS entries_for_restored_rows FROM audit_log;
-- what pg_dump writes at the top of a dump (row_security off) turns nothing
-- off: any login may set it
SET row_security = off;
COPY person (id, ext_id, surname, first_name, birth_date) FROM stdin;
902	NOT_A_RESTORE	Смирнова	Анна	1972-01-01
\.
RESET row_security;
SELECT count(*) - :before AS entries_with_row_security_off FROM audit_log;
-- an ordinary COPY is audited
COPY person (id, ext_id, surname, first_name, birth_date) FROM stdin;
901	COPIED	Смирнов	Олег	1971-01-01
\.
SELECT count(*) - :before AS entries_for_copied_rows FROM audit_log;

-- the row images are to_jsonb()'s exactly (src/security/row_jsonb.c converts the
-- plain scalars itself and hands every other type to to_jsonb)
SELECT o.id, unionreg._row_jsonb(o) = to_jsonb(o) AS same_as_to_jsonb FROM org o WHERE o.ext_id = 'P2';
SELECT count(*) AS rows_of_audited_tables, count(*) FILTER (WHERE same) AS same_text FROM (
	SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text AS same FROM org x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM org_link x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM person x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM membership x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM status_period x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM card x
	UNION ALL SELECT unionreg._row_jsonb(x)::text = to_jsonb(x)::text FROM audit_log x) s;
CREATE TEMP TABLE every_type (i2 int2, i4 int4, i8 int8, f8 float8, f4 float4, num numeric, txt text,
	d date, ts timestamp, tz timestamptz, b bool, jb jsonb, js json, arr text[], ints int4[],
	inn unionreg.inn, snils unionreg.snils, card unionreg.card_number, iv interval, nm name,
	vc varchar(5), ch char(3), t unionreg.tally, gone int, "Long key" text, "ё" text);
ALTER TABLE every_type DROP COLUMN gone;
INSERT INTO every_type VALUES
	(1, -2, 9223372036854775807, 'NaN', 'Infinity', 1.50, 'x"y\z', '2020-02-29', '2020-01-01 10:00',
	 '2020-01-01 10:00+03', true, '{"a": [1, 2]}', '{"b": 1}', '{a,NULL}', '{1,2}', '7707083893',
	 '112-233-445 95', '2200000000000012', '1 day', 'nm', 'ab', 'c', '{}', 'k', 'ё'),
	(NULL, NULL, -1, 1e300, -0.0, 'NaN', '', 'infinity', '-infinity', 'infinity', false, 'null', 'null',
	 '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(32767, 0, 0, -0.0, NULL, 0.000, 'ё', '0001-01-01 BC', '1999-12-31 23:59:59.999999', '2020-06-01', NULL,
	 '"s"', '"s"', NULL, NULL, NULL, NULL, NULL, '-3 hours', '', '', '', NULL, '', '');
SELECT count(*) AS typed_rows,
       count(*) FILTER (WHERE unionreg._row_jsonb(e) = to_jsonb(e)
                          AND unionreg._row_jsonb(e)::text = to_jsonb(e)::text) AS same
  FROM every_type e;
SET TimeZone = 'Asia/Vladivostok';
SELECT unionreg._row_jsonb(e) ->> 'tz' AS tz, to_jsonb(e) ->> 'tz' AS tz_to_jsonb FROM every_type e;
RESET TimeZone;
SELECT unionreg._row_jsonb(NULL::every_type) IS NULL AS null_in_null_out;
-- anonymous records, two columns named alike (the last wins), no column at all
SELECT unionreg._row_jsonb(x) AS row_jsonb, to_jsonb(x) AS to_jsonb
  FROM (SELECT 1 AS a, 2 AS a, 3 AS b, 4 AS a, ROW(5, 'x') AS r) x;
SELECT unionreg._row_jsonb(ROW(1, 'a', NULL::date)) = to_jsonb(ROW(1, 'a', NULL::date)) AS same,
	   unionreg._row_jsonb(x) AS no_columns FROM (SELECT) x;

DROP OWNED BY audit_test_writer;
DROP ROLE audit_test_writer;
