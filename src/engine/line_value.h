/*
 * line_value.h
 *	  A report line's value from a tally (line_value.c): its formula over
 *	  counters resolved once, then evaluated per tally.  For line_value()
 *	  and the control ratios (control_check.c).
 */
#ifndef UNIONREG_LINE_VALUE_H
#define UNIONREG_LINE_VALUE_H

#include "postgres.h"

#include "utils/array.h"

#include "tally.h"

typedef struct LineFormula
{
	bool		percent;		/* 100 * counter[0] / counter[1], else the sum of counter[] */
	int			n;
	int		   *counter;		/* counter indexes; for a percent, -1 where its name is missing */
} LineFormula;

/* the formula of a line ('percent' or a sum) over its counters' names; 22023 for an unknown name */
extern void line_formula_prepare(LineFormula *f, bool percent, ArrayType *counters);
/* the line's value for t (hundred: line_hundred(), for a percent); false when NULL */
extern bool line_formula_eval(const LineFormula *f, const Tally *t, Datum hundred, Datum *value);
/* the numeric 100.0 a percent is computed with */
extern Datum line_hundred(void);

/* a line of a form: its code and formula */
typedef struct FormLine
{
	char	   *form;
	char	   *code;
	LineFormula f;
} FormLine;

/* (in the current memory context) the lines of a form (NULL: of every form) from unionreg.form_line, in no order */
extern int	form_lines_read(const char *form, FormLine **lines);
/* the line of that form and code, or NULL */
extern const FormLine *form_line_find(const FormLine *lines, int n, const char *form, const char *code);

#endif
