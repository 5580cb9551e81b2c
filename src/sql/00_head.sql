-- unionreg--0.1.sql: trade union register (generated from src/sql)
\echo Use "CREATE EXTENSION unionreg" to load this file. \quit

COMMENT ON SCHEMA unionreg IS 'unionreg: the trade union''s unified register (organizations over time, members, statistical forms 1-SP..5-SP)';

-- Names in every view that lists people or organizations sort in Russian.
CREATE COLLATION unionreg.ru (provider = icu, locale = 'ru-RU');
COMMENT ON COLLATION unionreg.ru IS 'Russian ICU collation used to order names of people and organizations';
