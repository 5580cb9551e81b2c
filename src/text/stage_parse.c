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

/* what a staged date's text is */
typedef enum StageDate
{
	STAGE_DATE_OK,
	STAGE_DATE_NOT_A_DATE,		/* neither YYYY-MM-DD nor D.M.YYYY */
	STAGE_DATE_NOT_A_DAY,		/* the form of one, but no calendar day (31.02) */
	STAGE_DATE_OUT_OF_YEARS		/* a day outside 1900..2199 */
} StageDate;

/* digits s[b, e) as a number; false if any is not a digit or there are none */
static bool
digits(const char *s, int b, int e, int *v)
{
	*v = 0;
	if (b >= e)
		return false;
	for (int i = b; i < e; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * ISO YYYY-MM-DD, or D.M.YYYY and DD.MM.YYYY as Russian spreadsheets write
 * dates (day first: the order is unambiguous with four digits of year last).
 */
static StageDate
parse_stage_date(text *t, DateADT *out)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			b,
				e,
				y,
				m,
				d;

	trim_bounds(s, len, &b, &e);
	if (e - b == 10 && s[b + 4] == '-' && s[b + 7] == '-')
	{
		if (!digits(s, b, b + 4, &y) || !digits(s, b + 5, b + 7, &m) || !digits(s, b + 8, b + 10, &d))
			return STAGE_DATE_NOT_A_DATE;
	}
	else
	{
		int			dot1 = -1,
					dot2 = -1;

		for (int i = b; i < e; i++)
			if (s[i] == '.')
			{
				if (dot1 < 0)
					dot1 = i;
				else if (dot2 < 0)
					dot2 = i;
				else
					return STAGE_DATE_NOT_A_DATE;
			}
		if (dot2 < 0 || dot1 - b < 1 || dot1 - b > 2 || dot2 - dot1 - 1 < 1 || dot2 - dot1 - 1 > 2 || e - dot2 - 1 != 4 ||
			!digits(s, b, dot1, &d) || !digits(s, dot1 + 1, dot2, &m) || !digits(s, dot2 + 1, e, &y))
			return STAGE_DATE_NOT_A_DATE;
	}
	if (m < 1 || m > 12 || d < 1 || d > day_tab[isleap(y)][m - 1])
		return STAGE_DATE_NOT_A_DAY;
	if (y < 1900 || y > 2199)
		return STAGE_DATE_OUT_OF_YEARS;
	*out = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
	return STAGE_DATE_OK;
}

PG_FUNCTION_INFO_V1(stage_date);

/* A date (YYYY-MM-DD, DD.MM.YYYY or D.M.YYYY), a real calendar day of 1900..2199; else NULL. */
Datum
stage_date(PG_FUNCTION_ARGS)
{
	DateADT		d;

	if (parse_stage_date(PG_GETARG_TEXT_PP(0), &d) != STAGE_DATE_OK)
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(d);
}

PG_FUNCTION_INFO_V1(stage_date_problem);

/* Why a staged text is not a date stage_date() takes, as the end of a sentence; NULL if it is one. */
Datum
stage_date_problem(PG_FUNCTION_ARGS)
{
	DateADT		d;

	switch (parse_stage_date(PG_GETARG_TEXT_PP(0), &d))
	{
		case STAGE_DATE_OK:
			PG_RETURN_NULL();
		case STAGE_DATE_NOT_A_DATE:
			PG_RETURN_TEXT_P(cstring_to_text("is not a date: write YYYY-MM-DD or DD.MM.YYYY"));
		case STAGE_DATE_NOT_A_DAY:
			PG_RETURN_TEXT_P(cstring_to_text("is not a day of the calendar"));
		case STAGE_DATE_OUT_OF_YEARS:
			PG_RETURN_TEXT_P(cstring_to_text("is outside the register's years 1900-2199"));
	}
	PG_RETURN_NULL();
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
