-- src/sql/types.sql: identifier types with check digits (model: contrib/isn).
-- The shared boilerplate of each type (input, output, send, receive, casts,
-- operators, btree and hash opclasses) is expanded from src/sql/idtype.sql.in
-- by make, once per type, right before this file; here is what each one is.
COMMENT ON TYPE unionreg.inn IS 'ИНН: taxpayer number, 10 digits (legal entity) or 12 (person), with check digits';
COMMENT ON TYPE unionreg.ogrn IS 'ОГРН: state registration number, 13 digits (legal entity) or 15 (ОГРНИП), with a check digit';
COMMENT ON TYPE unionreg.snils IS 'СНИЛС: personal insurance account, 11 digits with a two-digit check number; prints as 112-233-445 95';
COMMENT ON TYPE unionreg.card_number IS 'electronic union card number: 16 digits with a Luhn check digit';
