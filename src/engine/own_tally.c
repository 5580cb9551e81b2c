/*
 * own_tally.c
 *	  What one organization adds to its own and its ancestors' tallies on D
 *	  (doc/domain.md): a primary its members and itself (by kind, with no
 *	  member of its own, created in (P, D], its passport's base figures), a
 *	  subdivision one subdivision, a filer whether its report is
 *	  incomplete, a parent the primaries liquidated under it.  For the
 *	  organization pass (org_pass.c); test/sql/org_tallies_oracle.sql says
 *	  the same in SQL.
 */
#include "postgres.h"

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
		if (f->valid_from > f->period_start && f->valid_from <= f->as_of)
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
