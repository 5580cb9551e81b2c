/*
 * control_check.c
 *	  unionreg._control_violations(tally, form): the control ratios of a
 *	  form that one organization's tally breaks, in C.
 *
 * A ratio is "left line <op> sum of right terms" (unionreg.control_ratio);
 * a term is a line code, -code to subtract, or #number.  A view that
 * evaluated every term of every ratio as a row and grouped them back makes
 * a million rows for one union-wide snapshot; here each form's ratios are
 * read from the catalog once per query (the function's fn_extra), their
 * lines' counters resolved to indexes, and each tally is checked with a few
 * additions.  The rule:
 *   left  = the left line's value (line_value.c)
 *   right = sum of the terms' values, NULL ones left out; NULL if all are
 *   a ratio is broken when both sides are known and the comparison fails;
 *   a ratio with no term is never broken.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "line_value.h"
#include "table_read.h"
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

/* a ratio's term: #number, -code or code (all leading '-' go, as ltrim(term, '-')) */
static void
term_of(Term *term, const char *t, const char *form, const FormLine *lines, int nlines)
{
	const FormLine *line;

	if (t[0] == '#')
	{
		/* as substr(term, 2)::numeric: 22P02 for what is not a number */
		term->constant = true;
		term->value = DirectFunctionCall3(numeric_in, CStringGetDatum(t + 1),
										  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		return;
	}
	term->negative = t[0] == '-';
	while (*t == '-')
		t++;
	/* no such line: no value */
	if ((line = form_line_find(lines, nlines, form, t)) != NULL)
	{
		term->has_line = true;
		term->line = line->f;
	}
}

/*
 * A form's ratios, read from unionreg.control_ratio and unionreg.form_line
 * as their owner reads them (small catalogs: no privilege is asked of the
 * caller, so no SECURITY DEFINER and its cost per call), into cxt.
 */
static FormRatios *
load_form(RatioCache *cache, MemoryContext cxt, const char *form)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	FormRatios *f = palloc0(sizeof(FormRatios));
	FormLine   *lines;
	int			nlines = form_lines_read(form, &lines);
	int			cap = 16;
	TableRead	s;

	f->form = pstrdup(form);
	f->ratios = palloc0(sizeof(Ratio) * cap);
	table_read_open(&s, get_namespace_oid("unionreg", false), "control_ratio");
	table_read_column(&s, 0, "form", TEXTOID);
	table_read_column(&s, 1, "rule", TEXTOID);
	table_read_column(&s, 2, "severity", TEXTOID);
	table_read_column(&s, 3, "op", TEXTOID);
	table_read_column(&s, 4, "left_line", TEXTOID);
	table_read_column(&s, 5, "right_terms", TEXTARRAYOID);
	while (table_read_next(&s))
	{
		const FormLine *left;
		Ratio	   *ratio;
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		/* the columns are NOT NULL; a left line that is not the form's never joins */
		if (TR_ISNULL(&s, 0) || strcmp(TextDatumGetCString(TR_VALUE(&s, 0)), form) != 0 ||
			TR_ISNULL(&s, 1) || TR_ISNULL(&s, 2) || TR_ISNULL(&s, 3) || TR_ISNULL(&s, 4) || TR_ISNULL(&s, 5) ||
			(left = form_line_find(lines, nlines, form, TextDatumGetCString(TR_VALUE(&s, 4)))) == NULL)
			continue;
		if (f->nratios == cap)
		{
			cap *= 2;
			f->ratios = repalloc(f->ratios, sizeof(Ratio) * cap);
		}
		ratio = &f->ratios[f->nratios++];
		memset(ratio, 0, sizeof(Ratio));
		ratio->rule = TextDatumGetCString(TR_VALUE(&s, 1));
		ratio->severity = TextDatumGetCString(TR_VALUE(&s, 2));
		ratio->op = op_of(TextDatumGetCString(TR_VALUE(&s, 3)));
		ratio->left = left->f;
		deconstruct_array(DatumGetArrayTypePCopy(TR_VALUE(&s, 5)), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		/* a NULL term adds nothing, but is a term: the ratio is checked */
		ratio->nterms = n;
		ratio->terms = palloc0(sizeof(Term) * Max(n, 1));
		for (int k = 0; k < n; k++)
			if (!nulls[k])
				term_of(&ratio->terms[k], TextDatumGetCString(elems[k]), form, lines, nlines);
	}
	table_read_close(&s);
	MemoryContextSwitchTo(old);
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
