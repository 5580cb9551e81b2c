/*
 * line_value.c: the value of a report line from a tally, in C.
 *
 * Every read of report_line, control_violation, the wide report views and
 * report() evaluates a line per organization: 1.7 million of them for one
 * union-wide snapshot.  As SQL (a CASE, a subquery over unnest(counters)
 * and a lookup by name per counter) that was ~4 µs a line, 7.7 s to sum one
 * snapshot's report_line.  The rule is unchanged (0.1's SQL, kept in
 * sql/reports.sql as the test's reference):
 *   'percent': round(100.0 * counters[1] / nullif(counters[2], 0), 2)
 *   otherwise: the sum of the counters named (NULL when none is).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "tally.h"

PG_FUNCTION_INFO_V1(line_value);

/* counter "name" of t, false when the name is NULL (as tally_get's STRICT NULL) */
static bool
counter_of(const Tally *t, Datum name, bool isnull, int64 *value)
{
	char	   *s;

	if (isnull)
		return false;
	s = TextDatumGetCString(name);
	*value = tally_value(t, tally_counter_or_error(s));
	pfree(s);
	return true;
}

/* counters[i] as SQL subscripts it: one dimension, its own lower bound */
static bool
subscript(ArrayType *counters, Datum *elems, bool *nulls, int n, int i, Datum *elem, bool *isnull)
{
	int			at;

	if (ARR_NDIM(counters) != 1)
		return false;
	at = i - ARR_LBOUND(counters)[0];
	if (at < 0 || at >= n)
		return false;
	*elem = elems[at];
	*isnull = nulls[at];
	return true;
}

/* the numeric 100.0 of the rule (scale 1, as the SQL literal), made once per query */
static Datum
hundred(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		fcinfo->flinfo->fn_extra = DatumGetPointer(DirectFunctionCall3(numeric_in, CStringGetDatum("100.0"),
																	   ObjectIdGetDatum(InvalidOid),
																	   Int32GetDatum(-1)));
		MemoryContextSwitchTo(old);
	}
	return PointerGetDatum(fcinfo->flinfo->fn_extra);
}

/* unionreg.line_value(t tally, formula text, counters text[]) -> numeric */
Datum
line_value(PG_FUNCTION_ARGS)
{
	Tally	   *t;
	ArrayType  *counters;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	bool		percent;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	t = PG_GETARG_TALLY_P(0);
	counters = PG_GETARG_ARRAYTYPE_P(2);
	if (PG_ARGISNULL(1))
		percent = false;
	else
	{
		text	   *formula = PG_GETARG_TEXT_PP(1);

		percent = VARSIZE_ANY_EXHDR(formula) == strlen("percent")
			&& memcmp(VARDATA_ANY(formula), "percent", strlen("percent")) == 0;
	}
	deconstruct_array(counters, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);

	if (percent)
	{
		Datum		e1 = (Datum) 0,
					e2 = (Datum) 0;
		bool		null1 = true,
					null2 = true;
		int64		part = 0,
					whole = 0;
		bool		has_part,
					has_whole;
		Datum		q;

		(void) subscript(counters, elems, nulls, n, 1, &e1, &null1);
		(void) subscript(counters, elems, nulls, n, 2, &e2, &null2);
		/* both are looked up (an unknown name is an error either way) */
		has_part = counter_of(t, e1, null1, &part);
		has_whole = counter_of(t, e2, null2, &whole);
		if (!has_part || !has_whole || whole == 0)
			PG_RETURN_NULL();
		q = DirectFunctionCall2(numeric_div,
								DirectFunctionCall2(numeric_mul, hundred(fcinfo),
													NumericGetDatum(int64_to_numeric(part))),
								NumericGetDatum(int64_to_numeric(whole)));
		PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, q, Int32GetDatum(2)));
	}
	else
	{
		int64		sum = 0;
		Datum		big = (Datum) 0;	/* the sum as numeric once it leaves int64 */
		bool		any = false;

		for (int i = 0; i < n; i++)
		{
			int64		v;

			if (!counter_of(t, elems[i], nulls[i], &v))
				continue;
			any = true;
			if (big == (Datum) 0)
			{
				int64		next;

				if (!pg_add_s64_overflow(sum, v, &next))
				{
					sum = next;
					continue;
				}
				big = NumericGetDatum(int64_to_numeric(sum));
			}
			big = DirectFunctionCall2(numeric_add, big, NumericGetDatum(int64_to_numeric(v)));
		}
		if (!any)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(big != (Datum) 0 ? big : NumericGetDatum(int64_to_numeric(sum)));
	}
}
