/*
 * own_tally.c
 *	  unionreg._own_tally(): what one organization adds to its own and its
 *	  ancestors' tallies on D, built in one allocation.  Written in SQL it
 *	  was sixteen small tallies added one by one per organization, ~0.6 s of
 *	  a build over 150,000 organizations.  The rule itself is in the SQL
 *	  function's comment (src/sql/0.2/40_report_path.sql).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "tally.h"

PG_FUNCTION_INFO_V1(own_tally);

/*
 * (level, kind, valid_from, members tally, employees, students, incomplete,
 *  liquidated, as_of, period_start); NULLs read as "none" (0, false, empty).
 */
Datum
own_tally(PG_FUNCTION_ARGS)
{
	Tally	   *t = tally_new();
	char	   *level = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (!PG_ARGISNULL(3))
	{
		Tally	   *m = PG_GETARG_TALLY_P(3);

		for (int i = 0; i < TC_NCOUNTERS; i++)
			t->c[i] = tally_value(m, i);
	}

	if (level != NULL && strcmp(level, "primary") == 0)
	{
		int			kind;

		if (PG_ARGISNULL(1))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a primary organization without a kind cannot be counted"),
					 errhint("Every primary has a kind (unionreg.org_kind); check the data with unionreg.validate_hierarchy().")));
		kind = tally_counter_or_error(psprintf("primaries_%s", text_to_cstring(PG_GETARG_TEXT_PP(1))));
		tally_add_into(&t->c[TC_PRIMARIES], 1, TC_PRIMARIES);
		tally_add_into(&t->c[kind], 1, kind);
		if (t->c[TC_MEMBERS] == 0)
			tally_add_into(&t->c[TC_PRIMARIES_NO_MEMBER], 1, TC_PRIMARIES_NO_MEMBER);
		if (!PG_ARGISNULL(2) && !PG_ARGISNULL(8) && !PG_ARGISNULL(9))
		{
			DateADT		from = PG_GETARG_DATEADT(2);

			if (from > PG_GETARG_DATEADT(9) && from <= PG_GETARG_DATEADT(8))
				tally_add_into(&t->c[TC_PRIMARIES_CREATED], 1, TC_PRIMARIES_CREATED);
		}
		if (!PG_ARGISNULL(4))
			tally_add_into(&t->c[TC_EMPLOYEES], PG_GETARG_INT32(4), TC_EMPLOYEES);
		if (!PG_ARGISNULL(5))
			tally_add_into(&t->c[TC_STUDENTS_BASE], PG_GETARG_INT32(5), TC_STUDENTS_BASE);
	}
	else if (level != NULL && strcmp(level, "subdivision") == 0)
		tally_add_into(&t->c[TC_SUBDIVISIONS], 1, TC_SUBDIVISIONS);

	if (!PG_ARGISNULL(6) && PG_GETARG_BOOL(6))
		tally_add_into(&t->c[TC_INCOMPLETE_REPORTS], 1, TC_INCOMPLETE_REPORTS);
	if (!PG_ARGISNULL(7))
		tally_add_into(&t->c[TC_PRIMARIES_LIQUIDATED], PG_GETARG_INT64(7), TC_PRIMARIES_LIQUIDATED);
	PG_RETURN_POINTER(t);
}
