/*
 * idtypes.c
 *	  SQL types inn, ogrn, snils and card_number (I/O, binary I/O, checks).
 *
 * Each type is an int8 underneath (LIKE = int8), so comparison, btree and
 * hash support come from core's int8 functions declared in SQL.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "idcheck.h"

#define IDTYPE_BINARY_VERSION 1

/* Report why text is not a valid identifier of this kind, as a soft error where possible. */
static void
id_report(IdKind kind, const char *str, const IdParse *p, Node *escontext)
{
	const char *what = id_kind_name(kind);
	const char *shown = str;
	char		trimmed[72];

	(void) escontext;
	if (strlen(str) > 64)
	{
		/* never echo a huge input back into the log */
		snprintf(trimmed, sizeof(trimmed), "%.*s...", 40, str);
		shown = trimmed;
	}

	switch (p->problem)
	{
		case ID_EMPTY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s \"%s\": empty value", what, shown),
					 errdetail("%s has %s digits.", id_kind_article(kind), id_kind_lengths(kind)),
					 errhint("Use NULL for an unknown %s.", what)));
			break;
		case ID_TOO_LONG_INPUT:
		case ID_BAD_LENGTH:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s \"%s\": wrong length %d, expected %s digits",
							what, shown, p->ndigits, id_kind_lengths(kind)),
					 errdetail("The value has %d digits.", p->ndigits),
					 errhint("Check that no digit is missing or doubled.")));
			break;
		case ID_BAD_CHAR:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s \"%s\": non-digit \"%.*s\" at position %d",
							what, shown, p->bad_char_len, p->bad_char,
							p->bad_position),
					 errdetail("%s consists of digits%s.", id_kind_article(kind),
							   kind == ID_SNILS ? " with optional dashes and a space" :
							   kind == ID_CARD ? " with optional spaces" : " only"),
					 errhint("Remove the character or retype the number.")));
			break;
		case ID_BAD_CHECK:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s \"%s\": check digit is %0*d, expected %0*d",
							what, shown, p->check_width, p->check_found,
							p->check_width, p->check_expected),
					 p->check_width == 1 ?
					 errdetail("The last digit of %s is computed from the others.", id_kind_article(kind)) :
					 errdetail("The last two digits of %s are computed from the others.", id_kind_article(kind)),
					 errhint("A digit was probably mistyped; check the number against the source document.")));
			break;
		case ID_OK:
			break;
	}
}

static Datum
id_in(IdKind kind, FunctionCallInfo fcinfo)
{
	char	   *str = PG_GETARG_CSTRING(0);
	IdParse		p;

	id_parse(kind, str, strlen(str), &p);
	if (p.problem != ID_OK)
	{
		id_report(kind, str, &p, fcinfo->context);
		PG_RETURN_NULL();
	}
	PG_RETURN_INT64(p.value);
}

static Datum
id_out(IdKind kind, FunctionCallInfo fcinfo)
{
	int64		v = PG_GETARG_INT64(0);
	char		buf[32];

	if (id_format(kind, v, buf, sizeof(buf)) == 0)
		elog(ERROR, "corrupt %s value " INT64_FORMAT, id_kind_name(kind), v);
	PG_RETURN_CSTRING(pstrdup(buf));
}

/* Binary format: a version byte, then the int8 (ltree keeps a version byte too). */
static Datum
id_send(IdKind kind, FunctionCallInfo fcinfo)
{
	int64		v = PG_GETARG_INT64(0);
	StringInfoData buf;

	(void) kind;
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IDTYPE_BINARY_VERSION);
	pq_sendint64(&buf, v);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static Datum
id_recv(IdKind kind, FunctionCallInfo fcinfo)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int64		v;

	if (version != IDTYPE_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format version %d for %s",
						version, id_kind_name(kind)),
				 errhint("Send the value as text.")));
	v = pq_getmsgint64(buf);
	if (!id_value_is_valid(kind, v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s in binary input: " INT64_FORMAT,
						id_kind_name(kind), v),
				 errhint("Send the value as text.")));
	PG_RETURN_INT64(v);
}

/*
 * The loader's non-throwing check: NULL if the text is valid, else the
 * reason as it would appear in the error message.
 */
static Datum
id_problem(IdKind kind, FunctionCallInfo fcinfo)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *str = text_to_cstring(t);
	IdParse		p;
	const char *what = id_kind_name(kind);

	id_parse(kind, str, strlen(str), &p);
	switch (p.problem)
	{
		case ID_OK:
			PG_RETURN_NULL();
		case ID_EMPTY:
			PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s is empty", what)));
		case ID_TOO_LONG_INPUT:
		case ID_BAD_LENGTH:
			PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s has wrong length %d, expected %s digits",
													  what, p.ndigits, id_kind_lengths(kind))));
		case ID_BAD_CHAR:
			PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s has non-digit \"%.*s\" at position %d",
													  what, p.bad_char_len, p.bad_char, p.bad_position)));
		case ID_BAD_CHECK:
			PG_RETURN_TEXT_P(cstring_to_text(psprintf("%s check digit is %0*d, expected %0*d",
													  what, p.check_width, p.check_found,
													  p.check_width, p.check_expected)));
	}
	PG_RETURN_NULL();
}

#define ID_SQL_FUNCS(sqlname, KIND) \
	PG_FUNCTION_INFO_V1(sqlname##_in); \
	Datum sqlname##_in(PG_FUNCTION_ARGS) { return id_in(KIND, fcinfo); } \
	PG_FUNCTION_INFO_V1(sqlname##_out); \
	Datum sqlname##_out(PG_FUNCTION_ARGS) { return id_out(KIND, fcinfo); } \
	PG_FUNCTION_INFO_V1(sqlname##_send); \
	Datum sqlname##_send(PG_FUNCTION_ARGS) { return id_send(KIND, fcinfo); } \
	PG_FUNCTION_INFO_V1(sqlname##_recv); \
	Datum sqlname##_recv(PG_FUNCTION_ARGS) { return id_recv(KIND, fcinfo); } \
	PG_FUNCTION_INFO_V1(sqlname##_problem); \
	Datum sqlname##_problem(PG_FUNCTION_ARGS) { return id_problem(KIND, fcinfo); }

ID_SQL_FUNCS(inn, ID_INN)
ID_SQL_FUNCS(ogrn, ID_OGRN)
ID_SQL_FUNCS(snils, ID_SNILS)
ID_SQL_FUNCS(card_number, ID_CARD)
