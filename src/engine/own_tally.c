/*
 * own_tally.c
 *	  unionreg._own_tally(): what one organization adds to its own and its
 *	  ancestors' tallies on D, built in one allocation rather than as small
 *	  tallies added one by one per organization.  The rule itself is in the
 *	  SQL function's comment (src/sql/report.sql); own_tally_apply() is it,
 *	  shared with the build's organization pass (org_pass.c).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "own_tally.h"
#include "tally.h"

int
own_tally_kind_counter(const char *kind)
{
	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a primary organization without a kind cannot be counted"),
				 errhint("Every primary has a kind (unionreg.org_kind); check the data with unionreg.validate_hierarchy().")));
	return tally_counter_or_error(psprintf("primaries_%s", kind));
}

void
own_tally_apply(int64 *c, const OwnFacts *f)
{
	if (f->is_primary)
	{
		tally_add_into(&c[TC_PRIMARIES], 1, TC_PRIMARIES);
		tally_add_into(&c[f->kind_counter], 1, f->kind_counter);
		if ((f->has_own_members ? f->own_members : c[TC_MEMBERS]) == 0)
			tally_add_into(&c[TC_PRIMARIES_NO_MEMBER], 1, TC_PRIMARIES_NO_MEMBER);
		if (f->has_valid_from && f->has_dates && f->valid_from > f->period_start && f->valid_from <= f->as_of)
			tally_add_into(&c[TC_PRIMARIES_CREATED], 1, TC_PRIMARIES_CREATED);
		if (f->has_employees)
			tally_add_into(&c[TC_EMPLOYEES], f->employees, TC_EMPLOYEES);
		if (f->has_students)
			tally_add_into(&c[TC_STUDENTS_BASE], f->students, TC_STUDENTS_BASE);
	}
	else if (f->is_subdivision)
		tally_add_into(&c[TC_SUBDIVISIONS], 1, TC_SUBDIVISIONS);

	if (f->incomplete)
		tally_add_into(&c[TC_INCOMPLETE_REPORTS], 1, TC_INCOMPLETE_REPORTS);
	if (f->liquidated != 0)
		tally_add_into(&c[TC_PRIMARIES_LIQUIDATED], f->liquidated, TC_PRIMARIES_LIQUIDATED);
}

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
	OwnFacts	f;

	memset(&f, 0, sizeof(f));
	if (!PG_ARGISNULL(3))
	{
		Tally	   *m = PG_GETARG_TALLY_P(3);

		for (int i = 0; i < TC_NCOUNTERS; i++)
			t->c[i] = tally_value(m, i);
	}
	f.is_primary = level != NULL && strcmp(level, "primary") == 0;
	f.is_subdivision = level != NULL && strcmp(level, "subdivision") == 0;
	if (f.is_primary)
		f.kind_counter = own_tally_kind_counter(PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)));
	f.has_valid_from = !PG_ARGISNULL(2);
	f.valid_from = f.has_valid_from ? PG_GETARG_DATEADT(2) : 0;
	f.has_employees = !PG_ARGISNULL(4);
	f.employees = f.has_employees ? PG_GETARG_INT32(4) : 0;
	f.has_students = !PG_ARGISNULL(5);
	f.students = f.has_students ? PG_GETARG_INT32(5) : 0;
	f.incomplete = !PG_ARGISNULL(6) && PG_GETARG_BOOL(6);
	f.liquidated = PG_ARGISNULL(7) ? 0 : PG_GETARG_INT64(7);
	f.has_dates = !PG_ARGISNULL(8) && !PG_ARGISNULL(9);
	f.as_of = f.has_dates ? PG_GETARG_DATEADT(8) : 0;
	f.period_start = f.has_dates ? PG_GETARG_DATEADT(9) : 0;
	/* headcounts and liquidations are counts: the callers never pass a negative one */
	if (f.employees < 0 || f.students < 0 || f.liquidated < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("negative count passed to unionreg._own_tally(): employees %d, students %d, liquidated " INT64_FORMAT,
						f.employees, f.students, f.liquidated)));
	own_tally_apply(t->c, &f);
	PG_RETURN_POINTER(t);
}
