#!/bin/bash
# Files as union offices export them, loaded with the \copy options the
# README shows: a members' spreadsheet saved by Excel (';', Windows-1251,
# its own column order, DD.MM.YYYY dates, Russian labels) and a UTF-8 ';'
# file; HEADER MATCH refuses a file whose header does not name the columns
# listed (the protection against surnames loaded as first names); without
# ENCODING the Windows-1251 file is refused, not loaded garbled.  Runs
# inside the cluster of test/run_tests.sh (PGHOST/PGPORT set by pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=unionreg_office_files
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
EXCEL_COLS="surname, first_name, patronymic, ext_id, org_ext_id, birth_date, gender, status, joined_on, card_number, card_status"
out=$(psql -qX -v ON_ERROR_STOP=1 -d "$DB" -At 2>&1 <<SQL
SET client_min_messages = warning;
CREATE EXTENSION unionreg CASCADE;
\copy unionreg.stage_org from 'test/data/orgs.csv' csv header
SELECT 'orgs rejected ' || rejected FROM unionreg.load_orgs();
-- the Excel file as it is, with the README's options
\copy unionreg.stage_member ($EXCEL_COLS) from 'test/data/members_excel.csv' with (format csv, delimiter ';', encoding 'WIN1251', header match)
SELECT 'excel ' || loaded || ' loaded, ' || rejected || ' rejected, ' || warnings || ' warnings' FROM unionreg.load_members();
SELECT 'excel person ' || p.ext_id || ' ' || p.surname || ' ' || p.first_name || ' ' || coalesce(p.birth_date::text, '-') || ' ' || p.gender
	   || ' ' || coalesce(s.status, 'unknown') || ' ' || m.joined_on || coalesce(' card ' || c.state, '')
  FROM unionreg.person p JOIN unionreg.membership m ON m.person_id = p.id
  LEFT JOIN unionreg.status_period s ON s.person_id = p.id LEFT JOIN unionreg.card c ON c.person_id = p.id
 WHERE p.ext_id LIKE 'X%' ORDER BY p.ext_id;
-- a UTF-8 ';' file whose header names the staging columns in its own order
\copy unionreg.stage_member (org_ext_id, ext_id, first_name, surname, birth_date, gender, status, position, joined_on) from 'test/data/members_semicolon.csv' with (format csv, delimiter ';', header match)
SELECT 'semicolon ' || loaded || ' loaded, ' || rejected || ' rejected' FROM unionreg.load_members();
SELECT 'semicolon person ' || p.ext_id || ' ' || p.surname || ' ' || s.position
  FROM unionreg.person p JOIN unionreg.status_period s ON s.person_id = p.id WHERE p.ext_id LIKE 'Y%' ORDER BY p.ext_id;
SQL
) || { echo "$out"; echo "FAILED: the office files do not load as the README says"; exit 1; }
want="orgs rejected 0
excel 4 loaded, 0 rejected, 0 warnings
excel person X0000001 Орлова Ирина 1985-03-12 f working 2025-02-01
excel person X0000002 Белов Сергей 1979-11-07 m working 2015-09-15 card issued
excel person X0000003 Ёлкина Дарья 2006-06-30 f student 2024-09-01
excel person X0000004 Кравец Нина 1955-01-02 f pensioner 2014-06-01
semicolon 2 loaded, 0 rejected
semicolon person Y0000001 Соколова teacher
semicolon person Y0000002 Волков other"
if [ "$out" != "$want" ]; then
	echo "FAILED: the office files loaded otherwise:"; diff <(echo "$want") <(echo "$out") || true; exit 1
fi
# the same columns listed in the staging table's order: HEADER MATCH refuses the file
err=$(psql -X -d "$DB" -c "\\copy unionreg.stage_member (ext_id, org_ext_id, surname, first_name, birth_date, gender, status, position, joined_on) from 'test/data/members_semicolon.csv' with (format csv, delimiter ';', header match)" 2>&1 || true)
case "$err" in
	*"column name mismatch in header line"*) ;;
	*) echo "$err"; echo "FAILED: HEADER MATCH did not refuse a header in another order"; exit 1 ;;
esac
# the Windows-1251 file read as UTF-8: refused, nothing staged
err=$(psql -X -d "$DB" -c "\\copy unionreg.stage_member ($EXCEL_COLS) from 'test/data/members_excel.csv' with (format csv, delimiter ';', header match)" 2>&1 || true)
case "$err" in
	*"invalid byte sequence for encoding"*) ;;
	*) echo "$err"; echo "FAILED: a Windows-1251 file read as UTF-8 was not refused"; exit 1 ;;
esac
staged=$(psql -X -At -d "$DB" -c "SELECT count(*) FROM unionreg.stage_member")
[ "$staged" = 0 ] || { echo "FAILED: $staged rows staged by refused copies"; exit 1; }
echo "office files: the Excel export (';', Windows-1251, own column order, DD.MM.YYYY, Russian labels) and a UTF-8 ';' file load; HEADER MATCH and the encoding refuse what would load wrong"
