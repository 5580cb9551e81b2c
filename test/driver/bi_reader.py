#!/usr/bin/env python3
"""What a BI tool does, through a real client driver (psycopg2, libpq):
connect as a login holding unionreg_reader, discover the views through
information_schema, read every one, and check the types it gets.

Connection: libpq's environment (PGHOST, PGPORT, ...) plus the arguments
--dbname --user --password.  Exit status 0 = every check passed."""
import argparse
import sys

import psycopg2
import psycopg2.errors

# PostgreSQL type oids a BI tool maps without a custom converter
PLAIN_TYPES = {25: "text", 23: "integer", 20: "bigint", 1700: "numeric", 1082: "date", 16: "boolean"}
EXPECTED_VIEWS = {
    "cards_by_region", "chairman_gaps_by_level", "control_violation", "coverage_by_region",
    "current_snapshot", "empty_primaries", "latest_snapshot", "members_by_status",
    "online_admissions_by_region", "org_coverage_by_region", "org_tree", "passport_gaps",
    "profcards_by_region", "report_1sp",
    "report_2sp", "report_3sp", "report_4sp", "report_5sp", "report_adoption",
    "report_completeness_by_level", "report_gaps", "report_line", "report_line_all",
}
# views that must have rows once a snapshot of a loaded union exists
MUST_HAVE_ROWS = EXPECTED_VIEWS - {"control_violation", "passport_gaps", "report_gaps", "chairman_gaps_by_level"}
PERSONAL = ["person", "membership", "person_consent", "card", "card_event", "application",
            "org_chairman", "contact_problems", "duplicate_persons", "stage_member", "load_reject"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbname", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    args = ap.parse_args()
    failures = []
    conn = psycopg2.connect(dbname=args.dbname, user=args.user, password=args.password,
                            application_name="bi_reader.py")
    conn.set_session(readonly=True, autocommit=True)
    cur = conn.cursor()

    # discovery, as BI tools do it: information_schema shows what the login may use
    cur.execute("""SELECT table_name FROM information_schema.tables
                    WHERE table_schema = 'unionreg' AND table_type = 'VIEW' ORDER BY 1""")
    views = {r[0] for r in cur.fetchall()}
    cur.execute("""SELECT table_name FROM information_schema.tables
                    WHERE table_schema = 'unionreg' AND table_type = 'BASE TABLE'""")
    tables = [r[0] for r in cur.fetchall()]
    if views != EXPECTED_VIEWS:
        failures.append("views discovered %s, expected %s: missing %s, extra %s" % (
            len(views), len(EXPECTED_VIEWS), sorted(EXPECTED_VIEWS - views), sorted(views - EXPECTED_VIEWS)))
    if tables:
        failures.append("the reader discovers tables: %s" % tables)

    # every column documented, every declared type plain
    cur.execute("""SELECT c.table_name, c.column_name, c.data_type,
                          col_description(format('unionreg.%I', c.table_name)::regclass, c.ordinal_position::integer)
                     FROM information_schema.columns c
                    WHERE c.table_schema = 'unionreg' ORDER BY 1, c.ordinal_position""")
    columns = cur.fetchall()
    for table, column, data_type, comment in columns:
        if data_type not in PLAIN_TYPES.values():
            failures.append("%s.%s is declared %s" % (table, column, data_type))
        if not comment:
            failures.append("%s.%s has no comment" % (table, column))

    # read every view; the wire types must be plain too
    total_rows = 0
    for view in sorted(views):
        cur.execute("SELECT * FROM unionreg.%s" % psycopg2.extensions.quote_ident(view, cur))
        rows = cur.fetchall()
        total_rows += len(rows)
        for col in cur.description:
            if col.type_code not in PLAIN_TYPES:
                failures.append("%s.%s arrives as type oid %s" % (view, col.name, col.type_code))
        if view in MUST_HAVE_ROWS and not rows:
            failures.append("%s has no row" % view)
        print("  %-30s %6d rows, %2d columns" % (view, len(rows), len(cur.description)))

    # a figure a dashboard would show: union-wide members equal the sum over regions
    cur.execute("""SELECT sum(members) FILTER (WHERE region_ext_id IS NOT NULL),
                          max(members) FILTER (WHERE region_ext_id IS NULL)
                     FROM unionreg.members_by_status""")
    regions, union = cur.fetchone()
    if regions != union:
        failures.append("members_by_status: regions sum to %s, the union says %s" % (regions, union))

    # no person data, by any road
    for rel in PERSONAL:
        try:
            cur.execute("SELECT * FROM unionreg.%s LIMIT 1" % rel)
            failures.append("the reader read unionreg.%s" % rel)
        except psycopg2.errors.InsufficientPrivilege:
            pass

    conn.close()
    print("bi_reader.py: %d views, %d columns, %d rows read" % (len(views), len(columns), total_rows))
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
