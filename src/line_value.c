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
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "line_value.h"
#include "tally.h"

PG_FUNCTION_INFO_V1(line_value);

void
line_formula_prepare(LineFormula *f, bool percent, ArrayType *counters)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(counters, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	f->percent = percent;
	if (percent)
	{
		/* counters[1] and counters[2] as SQL subscripts them: one dimension, its own lower bound */
		f->n = 2;
		f->counter = palloc(sizeof(int) * 2);
		for (int k = 0; k < 2; k++)
		{
			int			at = (ARR_NDIM(counters) == 1) ? k + 1 - ARR_LBOUND(counters)[0] : -1;

			f->counter[k] = -1;
			/* both are looked up (an unknown name is an error either way) */
			if (at >= 0 && at < n && !nulls[at])
				f->counter[k] = tally_counter_or_error(TextDatumGetCString(elems[at]));
		}
	}
	else
	{
		f->n = 0;
		f->counter = palloc(sizeof(int) * Max(n, 1));
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				f->counter[f->n++] = tally_counter_or_error(TextDatumGetCString(elems[i]));
	}
}

bool
line_formula_eval(const LineFormula *f, const Tally *t, Datum hundred, Datum *value)
{
	if (f->percent)
	{
		int64		part,
					whole;
		Datum		q;

		if (f->counter[0] < 0 || f->counter[1] < 0)
			return false;
		part = tally_value(t, f->counter[0]);
		whole = tally_value(t, f->counter[1]);
		if (whole == 0)
			return false;
		q = DirectFunctionCall2(numeric_div,
								DirectFunctionCall2(numeric_mul, hundred, NumericGetDatum(int64_to_numeric(part))),
								NumericGetDatum(int64_to_numeric(whole)));
		*value = DirectFunctionCall2(numeric_round, q, Int32GetDatum(2));
		return true;
	}
	else
	{
		int64		sum = 0;
		Datum		big = (Datum) 0;	/* the sum as numeric once it leaves int64 */

		if (f->n == 0)
			return false;
		for (int i = 0; i < f->n; i++)
		{
			int64		v = tally_value(t, f->counter[i]);

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
		*value = big != (Datum) 0 ? big : NumericGetDatum(int64_to_numeric(sum));
		return true;
	}
}

Datum
line_hundred(void)
{
	/* the numeric 100.0 of the rule (scale 1, as the SQL literal) */
	return DirectFunctionCall3(numeric_in, CStringGetDatum("100.0"), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* the numeric 100.0, made once per query */
static Datum
hundred(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		fcinfo->flinfo->fn_extra = DatumGetPointer(line_hundred());
		MemoryContextSwitchTo(old);
	}
	return PointerGetDatum(fcinfo->flinfo->fn_extra);
}

/* unionreg.line_value(t tally, formula text, counters text[]) -> numeric */
Datum
line_value(PG_FUNCTION_ARGS)
{
	LineFormula f;
	bool		percent = false;
	Datum		value;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(1))
	{
		text	   *formula = PG_GETARG_TEXT_PP(1);

		percent = VARSIZE_ANY_EXHDR(formula) == strlen("percent")
			&& memcmp(VARDATA_ANY(formula), "percent", strlen("percent")) == 0;
	}
	line_formula_prepare(&f, percent, PG_GETARG_ARRAYTYPE_P(2));
	if (!line_formula_eval(&f, PG_GETARG_TALLY_P(0), percent ? hundred(fcinfo) : (Datum) 0, &value))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}

/*
 * A line of a form by its code, its formula read from the catalog once per
 * call site and query (fn_extra), for the wide views: a column per line,
 * each its own call site.  (As max(value) FILTER over report_line, every
 * organization's row was made of one row per line grouped back: 1.4 s for
 * the 72,000 primaries of report_5sp.)
 */
typedef struct LineOf
{
	char	   *form;
	char	   *code;
	bool		exists;
	LineFormula f;
	Datum		hundred;
} LineOf;

static LineOf *
line_of_lookup(FunctionCallInfo fcinfo, const char *form, const char *code)
{
	LineOf	   *c = (LineOf *) fcinfo->flinfo->fn_extra;
	MemoryContext old;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];

	if (c != NULL && strcmp(c->form, form) == 0 && strcmp(c->code, code) == 0)
		return c;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg line_of: SPI_connect failed");
	args[0] = CStringGetTextDatum(form);
	args[1] = CStringGetTextDatum(code);
	if (SPI_execute_with_args("SELECT l.formula = 'percent', l.counters FROM unionreg.form_line l"
							  " WHERE l.form = $1 AND l.line_code = $2",
							  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "unionreg line_of: cannot read unionreg.form_line");
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (c == NULL)
	{
		c = palloc0(sizeof(LineOf));
		c->hundred = line_hundred();
		fcinfo->flinfo->fn_extra = c;
	}
	else
	{
		/* another line at the same call site: the last one's memory goes */
		pfree(c->form);
		pfree(c->code);
		if (c->exists)
			pfree(c->f.counter);
	}
	c->form = pstrdup(form);
	c->code = pstrdup(code);
	c->exists = SPI_processed == 1;
	if (c->exists)
	{
		bool		isnull;

		line_formula_prepare(&c->f,
							 DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
							 DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)));
	}
	MemoryContextSwitchTo(old);
	SPI_finish();
	return c;
}

PG_FUNCTION_INFO_V1(line_of);

/* unionreg._line_of(t tally, form text, line_code text) -> numeric; NULL for no such line */
Datum
line_of(PG_FUNCTION_ARGS)
{
	LineOf	   *c;
	Datum		value;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	c = line_of_lookup(fcinfo, TextDatumGetCString(PG_GETARG_DATUM(1)), TextDatumGetCString(PG_GETARG_DATUM(2)));
	if (!c->exists || !line_formula_eval(&c->f, PG_GETARG_TALLY_P(0), c->hundred, &value))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}
