/*
 * stage_parse.c
 *	  Non-throwing parsers for staged text: NULL means "not a valid value".
 *
 * The loaders judge every staged row set-based before writing it; raising
 * an error per bad value would need a subtransaction per row.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

static void
trim_bounds(const char *s, int len, int *b, int *e)
{
	*b = 0;
	*e = len;
	while (*b < *e && (s[*b] == ' ' || s[*b] == '\t' || s[*b] == '\r' || s[*b] == '\n'))
		(*b)++;
	while (*e > *b && (s[*e - 1] == ' ' || s[*e - 1] == '\t' || s[*e - 1] == '\r' || s[*e - 1] == '\n'))
		(*e)--;
}

PG_FUNCTION_INFO_V1(stage_date);

/* ISO date YYYY-MM-DD, years 1900..2199, a real calendar day; else NULL. */
Datum
stage_date(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			b,
				e;
	int			y,
				m,
				d;

	trim_bounds(s, len, &b, &e);
	if (e - b != 10 || s[b + 4] != '-' || s[b + 7] != '-')
		PG_RETURN_NULL();
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[b + i] < '0' || s[b + i] > '9'))
			PG_RETURN_NULL();
	y = (s[b] - '0') * 1000 + (s[b + 1] - '0') * 100 + (s[b + 2] - '0') * 10 + (s[b + 3] - '0');
	m = (s[b + 5] - '0') * 10 + (s[b + 6] - '0');
	d = (s[b + 8] - '0') * 10 + (s[b + 9] - '0');
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		PG_RETURN_NULL();
	if (d > day_tab[isleap(y)][m - 1])
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(date2j(y, m, d) - POSTGRES_EPOCH_JDATE);
}

PG_FUNCTION_INFO_V1(stage_bool);

/* t/f/true/false/1/0/yes/no/да/нет in any case; else NULL. */
Datum
stage_bool(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *s = text_to_cstring(t);
	int			b,
				e;
	char	   *v;
	static const char *yes[] = {"t", "true", "1", "y", "yes", "да", "Да", "ДА", "д", "Д"};
	static const char *no[] = {"f", "false", "0", "n", "no", "нет", "Нет", "НЕТ", "н", "Н"};

	trim_bounds(s, strlen(s), &b, &e);
	s[e] = '\0';
	v = s + b;
	for (size_t i = 0; i < lengthof(yes); i++)
		if (pg_strcasecmp(v, yes[i]) == 0)
			PG_RETURN_BOOL(true);
	for (size_t i = 0; i < lengthof(no); i++)
		if (pg_strcasecmp(v, no[i]) == 0)
			PG_RETURN_BOOL(false);
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(stage_int);

/* A non-negative integer below 2^31 (headcounts, codes); else NULL. */
Datum
stage_int(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			b,
				e;
	int64		v = 0;

	trim_bounds(s, len, &b, &e);
	if (b == e || e - b > 10)
		PG_RETURN_NULL();
	for (int i = b; i < e; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			PG_RETURN_NULL();
		v = v * 10 + (s[i] - '0');
	}
	if (v > PG_INT32_MAX)
		PG_RETURN_NULL();
	PG_RETURN_INT32((int32) v);
}
