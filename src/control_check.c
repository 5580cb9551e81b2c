/*
 * control_check.c
 *	  unionreg._control_violations(tally, form): the control ratios of a
 *	  form that one organization's tally breaks, in C.
 *
 * A ratio is "left line <op> sum of right terms" (unionreg.control_ratio);
 * a term is a line code, -code to subtract, or #number.  0.2's view
 * evaluated every term of every ratio as a row and grouped them back
 * (1.2 million rows and 760,000 groups for one union-wide snapshot, 3.6 s).
 * Here each form's ratios are read from the catalog once per query (the
 * function's fn_extra), their lines' counters resolved to indexes, and
 * each tally is checked with a few additions.  The rule is the view's:
 *   left  = the left line's value (line_value.c)
 *   right = sum of the terms' values, NULL ones left out; NULL if all are
 *   a ratio is broken when both sides are known and the comparison fails;
 *   a ratio with no term is never broken.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "line_value.h"
#include "tally.h"

typedef enum RatioOp
{
	OP_LE, OP_EQ, OP_GE, OP_LT, OP_GT
} RatioOp;

typedef struct Term
{
	bool		constant;		/* #number: value */
	Datum		value;
	bool		has_line;		/* else a line code (NULL term or no such line: no value) */
	bool		negative;		/* -code */
	LineFormula line;
} Term;

typedef struct Ratio
{
	char	   *rule;
	char	   *severity;
	RatioOp		op;
	LineFormula left;
	int			nterms;
	Term	   *terms;
} Ratio;

typedef struct FormRatios
{
	char	   *form;
	int			nratios;
	Ratio	   *ratios;
	struct FormRatios *next;
} FormRatios;

typedef struct RatioCache
{
	Datum		hundred;
	FormRatios *forms;
} RatioCache;

static RatioOp
op_of(const char *op)
{
	static const char *const ops[] = {"<=", "=", ">=", "<", ">"};

	for (int i = 0; i < (int) lengthof(ops); i++)
		if (strcmp(ops[i], op) == 0)
			return (RatioOp) i;
	/* control_ratio's CHECK allows no other */
	elog(ERROR, "unionreg: control ratio operator \"%s\" is unknown", op);
	return OP_EQ;
}

static bool
text_col(HeapTuple tuple, TupleDesc desc, int col, char **value)
{
	*value = SPI_getvalue(tuple, desc, col);
	return *value != NULL;
}

/*
 * A form's ratios, one SPI row per term in the order written (allocated in
 * the cache's context; SPI's rows go at SPI_finish).
 */
static FormRatios *
load_form(RatioCache *cache, MemoryContext cxt, const char *form)
{
	static const char *const query =
		"SELECT cr.rule, cr.severity, cr.op, l.formula = 'percent', l.counters,"
		"       t.term, rl.formula = 'percent', rl.counters"
		"  FROM unionreg.control_ratio cr"
		"  JOIN unionreg.form_line l ON l.form = cr.form AND l.line_code = cr.left_line"
		" CROSS JOIN LATERAL unnest(cr.right_terms) WITH ORDINALITY t(term, k)"
		"  LEFT JOIN unionreg.form_line rl ON rl.form = cr.form AND rl.line_code = ltrim(t.term, '-')"
		" WHERE cr.form = $1"
		" ORDER BY cr.rule, t.k";
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	FormRatios *f;
	MemoryContext old;

	args[0] = CStringGetTextDatum(form);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg control ratios: SPI_connect failed");
	if (SPI_execute_with_args(query, 1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "unionreg control ratios: cannot read unionreg.control_ratio");

	old = MemoryContextSwitchTo(cxt);
	f = palloc0(sizeof(FormRatios));
	f->form = pstrdup(form);
	f->ratios = palloc0(sizeof(Ratio) * Max(SPI_processed, 1));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *rule = SPI_getvalue(tuple, desc, 1);
		Ratio	   *ratio = f->nratios > 0 ? &f->ratios[f->nratios - 1] : NULL;
		Term	   *term;
		char	   *t;
		bool		isnull;

		/* a new ratio at its first term */
		if (ratio == NULL || strcmp(ratio->rule, rule) != 0)
		{
			char	   *op;
			Datum		d;

			ratio = &f->ratios[f->nratios++];
			ratio->rule = rule;
			(void) text_col(tuple, desc, 2, &ratio->severity);
			(void) text_col(tuple, desc, 3, &op);
			ratio->op = op_of(op);
			d = SPI_getbinval(tuple, desc, 5, &isnull);
			line_formula_prepare(&ratio->left,
								 DatumGetBool(SPI_getbinval(tuple, desc, 4, &isnull)),
								 DatumGetArrayTypeP(d));
			/* at most one term per row of this ratio */
			ratio->terms = palloc0(sizeof(Term) * (SPI_processed - r));
		}
		term = &ratio->terms[ratio->nterms++];
		if (!text_col(tuple, desc, 6, &t))
			continue;			/* a NULL term adds nothing */
		if (t[0] == '#')
		{
			/* as substr(term, 2)::numeric: 22P02 for what is not a number */
			term->constant = true;
			term->value = DirectFunctionCall3(numeric_in, CStringGetDatum(t + 1),
											  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
			continue;
		}
		term->negative = t[0] == '-';
		{
			Datum		counters = SPI_getbinval(tuple, desc, 8, &isnull);

			if (isnull)
				continue;		/* no such line: no value */
			term->has_line = true;
			line_formula_prepare(&term->line,
								 DatumGetBool(SPI_getbinval(tuple, desc, 7, &isnull)),
								 DatumGetArrayTypeP(counters));
		}
	}
	MemoryContextSwitchTo(old);
	SPI_finish();
	f->next = cache->forms;
	cache->forms = f;
	return f;
}

static FormRatios *
ratios_of(FunctionCallInfo fcinfo, const char *form)
{
	RatioCache *cache = (RatioCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache = palloc0(sizeof(RatioCache));
		cache->hundred = line_hundred();
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
	}
	for (FormRatios *f = cache->forms; f != NULL; f = f->next)
		if (strcmp(f->form, form) == 0)
			return f;
	return load_form(cache, fcinfo->flinfo->fn_mcxt, form);
}

static Datum
cache_hundred(FunctionCallInfo fcinfo)
{
	return ((RatioCache *) fcinfo->flinfo->fn_extra)->hundred;
}

static bool
holds(RatioOp op, Datum left, Datum right)
{
	int			c = DatumGetInt32(DirectFunctionCall2(numeric_cmp, left, right));

	switch (op)
	{
		case OP_LE:
			return c <= 0;
		case OP_EQ:
			return c == 0;
		case OP_GE:
			return c >= 0;
		case OP_LT:
			return c < 0;
		case OP_GT:
			return c > 0;
	}
	return true;
}

PG_FUNCTION_INFO_V1(control_violations);

/*
 * unionreg._control_violations(t tally, form text)
 *	  RETURNS TABLE (rule text, severity text, left_value numeric, right_value numeric)
 */
Datum
control_violations(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FormRatios *f;
	Tally	   *t;
	char	   *form;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;
	form = text_to_cstring(PG_GETARG_TEXT_PP(1));
	f = ratios_of(fcinfo, form);
	t = PG_GETARG_TALLY_P(0);
	for (int i = 0; i < f->nratios; i++)
	{
		Ratio	   *ratio = &f->ratios[i];
		Datum		left,
					right = (Datum) 0,
					v;
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (ratio->nterms == 0 || !line_formula_eval(&ratio->left, t, cache_hundred(fcinfo), &left))
			continue;
		for (int k = 0; k < ratio->nterms; k++)
		{
			Term	   *term = &ratio->terms[k];

			if (term->constant)
				v = term->value;
			else if (!term->has_line || !line_formula_eval(&term->line, t, cache_hundred(fcinfo), &v))
				continue;
			else if (term->negative)
				v = DirectFunctionCall1(numeric_uminus, v);
			right = right == (Datum) 0 ? v : DirectFunctionCall2(numeric_add, right, v);
		}
		if (right == (Datum) 0 || holds(ratio->op, left, right))
			continue;
		values[0] = CStringGetTextDatum(ratio->rule);
		values[1] = CStringGetTextDatum(ratio->severity);
		values[2] = left;
		values[3] = right;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
