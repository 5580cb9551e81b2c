/*
 * line_value.c: the value of a report line from a tally, in C.
 *
 * Every read of report_line, control_violation, the wide report views and
 * report() evaluates a line per organization, well over a million for one
 * union-wide snapshot: in C, not as a CASE and a subquery per line.  The
 * rule (sql/reports.sql holds a plain-SQL formulation it is tested against),
 * for the formulas unionreg.form_line allows:
 *   'percent': round(100.0 * counters[1] / nullif(counters[2], 0), 2)
 *   otherwise: the sum of the counters named (NULL when none is).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "line_value.h"
#include "table_read.h"
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
	/* the formulas unionreg.form_line allows, with their counters */
	{
		char	   *formula = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
		ArrayType  *counters = PG_GETARG_ARRAYTYPE_P(2);
		int			n = ArrayGetNItems(ARR_NDIM(counters), ARR_DIMS(counters));

		if (formula == NULL || (strcmp(formula, "counter") != 0 && strcmp(formula, "sum") != 0
								&& strcmp(formula, "percent") != 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown line formula \"%s\"", formula ? formula : "NULL"),
					 errhint("A line's formula is counter, sum or percent (unionreg.form_line).")));
		percent = strcmp(formula, "percent") == 0;
		if ((percent && n != 2) || (strcmp(formula, "counter") == 0 && n != 1) || n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("line formula \"%s\" cannot take %d counter(s)", formula, n),
					 errhint("counter takes one counter, sum one or more, percent two (part, whole).")));
	}
	line_formula_prepare(&f, percent, PG_GETARG_ARRAYTYPE_P(2));
	if (!line_formula_eval(&f, PG_GETARG_TALLY_P(0), percent ? hundred(fcinfo) : (Datum) 0, &value))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}

/*
 * The lines of a form, read from unionreg.form_line as its owner reads it
 * (a heap scan of a small catalog: no privilege is asked of the caller, so
 * the functions below need no SECURITY DEFINER and its cost per call).
 */
int
form_lines_read(const char *form, FormLine **lines)
{
	TableRead	s;
	int			n = 0,
				cap = 32;

	*lines = palloc(sizeof(FormLine) * cap);
	table_read_open(&s, get_namespace_oid("unionreg", false), "form_line");
	table_read_column(&s, 0, "form", TEXTOID);
	table_read_column(&s, 1, "line_code", TEXTOID);
	table_read_column(&s, 2, "formula", TEXTOID);
	table_read_column(&s, 3, "counters", TEXTARRAYOID);
	while (table_read_next(&s))
	{
		FormLine   *l;
		char	   *formula;
		char	   *line_form;

		if (TR_ISNULL(&s, 0) || TR_ISNULL(&s, 1) || TR_ISNULL(&s, 3))
			continue;
		line_form = TextDatumGetCString(TR_VALUE(&s, 0));
		if (form != NULL && strcmp(line_form, form) != 0)
			continue;
		if (n == cap)
		{
			cap *= 2;
			*lines = repalloc(*lines, sizeof(FormLine) * cap);
		}
		l = &(*lines)[n++];
		l->form = line_form;
		l->code = TextDatumGetCString(TR_VALUE(&s, 1));
		formula = TR_ISNULL(&s, 2) ? NULL : TextDatumGetCString(TR_VALUE(&s, 2));
		line_formula_prepare(&l->f, formula != NULL && strcmp(formula, "percent") == 0,
							 DatumGetArrayTypePCopy(TR_VALUE(&s, 3)));
	}
	table_read_close(&s);
	return n;
}

const FormLine *
form_line_find(const FormLine *lines, int n, const char *form, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(lines[i].code, code) == 0 && strcmp(lines[i].form, form) == 0)
			return &lines[i];
	return NULL;
}

/*
 * A line of a form by its code, its formula read from the catalog once per
 * call site and query (fn_extra), for the wide views: a column per line,
 * each its own call site, rather than a row per line grouped back into one
 * per organization.
 */
typedef struct LineOf
{
	FormLine   *lines;			/* every form's, read once per call site and query */
	int			nlines;
	const FormLine *last;		/* the line of the previous call (NULL: none such) */
	char	   *last_form;
	char	   *last_code;
	Datum		hundred;
} LineOf;

/*
 * The line of (form, code).  A call site mostly asks for one line, but a
 * qual run before the view's form filter asks it of every form's rows: so
 * every form's lines are held, not only the last one's.
 */
/* whether text t is the C string s */
static bool
text_is(const text *t, const char *s)
{
	size_t		len = VARSIZE_ANY_EXHDR(t);

	return strlen(s) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

static const FormLine *
line_of_lookup(FunctionCallInfo fcinfo, const text *form, const text *code)
{
	LineOf	   *c = (LineOf *) fcinfo->flinfo->fn_extra;
	MemoryContext old;

	if (c == NULL)
	{
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		c = palloc0(sizeof(LineOf));
		c->nlines = form_lines_read(NULL, &c->lines);
		c->hundred = line_hundred();
		c->last_form = pstrdup("");
		c->last_code = pstrdup("");
		fcinfo->flinfo->fn_extra = c;
		MemoryContextSwitchTo(old);
	}
	/* compared as they come, not copied, on every call */
	if (!text_is(form, c->last_form) || !text_is(code, c->last_code))
	{
		pfree(c->last_form);
		pfree(c->last_code);
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		c->last_form = text_to_cstring(form);
		c->last_code = text_to_cstring(code);
		MemoryContextSwitchTo(old);
		c->last = form_line_find(c->lines, c->nlines, c->last_form, c->last_code);
	}
	return c->last;
}

PG_FUNCTION_INFO_V1(line_of);

/* unionreg._line_of(t tally, form text, line_code text) -> numeric; NULL for no such line */
Datum
line_of(PG_FUNCTION_ARGS)
{
	const FormLine *line;
	Datum		value;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	line = line_of_lookup(fcinfo, PG_GETARG_TEXT_PP(1), PG_GETARG_TEXT_PP(2));
	if (line == NULL ||
		!line_formula_eval(&line->f, PG_GETARG_TALLY_P(0), ((LineOf *) fcinfo->flinfo->fn_extra)->hundred, &value))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}
