-- ICU-based text functions: unionreg.name_key and unionreg.email_ascii
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS unionreg CASCADE;
CREATE EXTENSION unionreg CASCADE;
RESET client_min_messages;
SET search_path = unionreg, public;
\set SHOW_CONTEXT never

-- one person typed many ways gives one key
SELECT v AS typed, name_key(v) AS key, name_key(v) = name_key('Ёлкина Анна Петровна') AS same
  FROM (VALUES ('Ёлкина Анна Петровна'), ('елкина анна петровна'), ('ЕЛКИНА  АННА   ПЕТРОВНА'),
			   ('  Ёлкина Анна Петровна.'), ('«Ёлкина» Анна Петровна'), (normalize('Ёлкина Анна Петровна', NFD)),
			   ('Ёлкинa Анна Петровна'), ('EЛКИНА AННА ПЕТРОВНА'), ('Ёлкина' || chr(8203) || ' Анна Петровна'),
			   ('Ёлкина Анна Петровнa'), ('Елкина-Анна Петровна'), ('Ёлкина Анна Петровна-')) t(v);
-- and different people do not
SELECT name_key('Ёлкина Анна Петровна') = name_key('Ёлкина Анна Павловна') AS same_as_other_patronymic,
	   name_key('Иванова Мария') = name_key('Иванов Мария') AS same_as_other_surname;
-- every Latin look-alike letter, upper and lower case, inside a Cyrillic word
SELECT name_key('Ж' || l) = name_key('Ж' || c) AS folded, l AS latin
  FROM (VALUES ('a', 'а'), ('o', 'о'), ('e', 'е'), ('c', 'с'), ('p', 'р'), ('x', 'х'), ('y', 'у'),
			   ('K', 'К'), ('M', 'М'), ('T', 'Т'), ('H', 'Н'), ('B', 'В')) t(l, c);
-- Latin names stay Latin; full-width and compatibility forms fold (NFKC)
SELECT name_key('Smith John') AS latin, name_key('ＳＭＩＴＨ') AS fullwidth, name_key('ﬁlippova') AS ligature;
-- NULL in, NULL out; junk only gives an empty key
-- a stress mark, a doubled diaeresis: combining marks left after NFKC go, so the key is a fixed point
SELECT name_key('Ива' || U&'\0301' || 'нова') = name_key('Иванова') AS stress_mark_ignored,
	   name_key(U&'\0401\0308лкина') = name_key('Елкина') AS doubled_diaeresis,
	   name_key(name_key(U&'\0401\0308лкина')) = name_key(U&'\0401\0308лкина') AS fixed_point;
SELECT name_key(NULL) IS NULL AS null_in_null_out, name_key(' - . ') = '' AS junk_only;
-- immutable and parallel safe: usable in an index
SELECT provolatile, proparallel FROM pg_proc WHERE oid = 'unionreg.name_key(text)'::regprocedure;
CREATE TEMP TABLE names (n text);
CREATE INDEX ON names (unionreg.name_key(n));
-- a very long input fails cleanly
SELECT name_key(repeat('а', 70000));
\echo :LAST_ERROR_SQLSTATE

-- e-mail: the ASCII form, the domain through IDNA, the local part as written
SELECT email_ascii('info@школа.рф') AS idn, email_ascii('Ivan.Petrov@Mail.RU') AS ascii,
	   email_ascii('  user+tag@пример.испытание ') AS trimmed, email_ascii('a@xn--80atdl2c.xn--p1ai') AS already_ascii;
SELECT email_ascii(NULL) IS NULL AS null_in_null_out;
-- each bad address fails with 22P02 and says what is wrong
SELECT email_ascii('ivanov.mail.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('a@@b.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('иван@школа.рф');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan..petrov@mail.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@mail');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@-mail.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@ma_il.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan petrov@mail.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@' || repeat('a', 64) || '.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii(repeat('a', 65) || '@mail.ru');
\echo :LAST_ERROR_SQLSTATE
SELECT email_ascii('ivan@192.168.0.1');
\echo :LAST_ERROR_SQLSTATE
-- the non-throwing check, for views and loaders
SELECT v, email_problem(v) FROM (VALUES ('info@школа.рф'), ('bad@@x.ru'), (''), ('x@xn--zz.ru')) t(v);
-- IDNA 2008, what mail servers deliver to: the ideographic and fullwidth
-- full stops are the dots UTS #46 reads them as, whatever the label; a
-- symbol or an emoji is no letter of a domain; the middle dot only between
-- two l (Catalan), as CONTEXTO says
SELECT v, email_problem(v), CASE WHEN email_problem(v) IS NULL THEN email_ascii(v) END AS ascii
  FROM (VALUES (U&'a@\0448\043A\043E\043B\0430\3002\0440\0444'), (U&'a@mail\FF0Eru'), (U&'a@mail\FF61ru'),
			   (U&'a@mail.ru\3002'), (U&'a@\3002mail.ru'), ('a@💩.ru'), ('a@i❤.ws'), (U&'a@a\00B7b.ru'),
			   (U&'a@l\00B7l.cat'), ('a@ex-ample.com')) t(v);

-- a surname typed with the keyboard left on Latin (TOKAPEBA, MAKAPOB) gives
-- the key of its Cyrillic form when the rest of the name is Cyrillic; a name
-- all in Latin, or a Latin word with letters Cyrillic has not, stays as it is
SELECT v, name_key(v) FROM (VALUES ('TOKAPEBA Анна Петровна'), ('Токарева Анна Петровна'), ('MAKAPOB Иван'),
	('Мария-Тереза MAPTA'), ('TOKAPEBA ANNA'), ('Smith Иван'), ('Smith John')) t(v);
SELECT person_name_key('TOKAPEBA', 'Анна', 'Петровна') = person_name_key('Токарева', 'Анна', 'Петровна') AS same_person;
