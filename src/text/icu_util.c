/*
 * icu_util.c
 *	  UTF-8 <-> UTF-16 conversion shared by name_key() and email_ascii().
 */
#include "postgres.h"

#include <unicode/ustring.h>

#include "mb/pg_wchar.h"

#include "icu_util.h"

void
ur_icu_check(UErrorCode status, const char *what, const char *fname)
{
	if (U_FAILURE(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("%s: ICU %s failed: %s", fname, what, u_errorName(status))));
}

UChar *
ur_utf8_to_uchar(const char *s, int len, int32_t *ulen, const char *fname)
{
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *buf;
	int32_t		n;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s() needs a UTF8 database, this one is %s", fname,
						GetDatabaseEncodingName()),
				 errhint("Create the database with ENCODING 'UTF8'.")));
	if (len > UR_ICU_MAX_INPUT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s(): input of %d bytes is too long, at most %d are accepted",
						fname, len, UR_ICU_MAX_INPUT),
				 errhint("A name or an address is a few dozen characters; check the column you pass.")));
	/* UTF-16 never needs more code units than UTF-8 has bytes */
	buf = palloc((len + 1) * sizeof(UChar));
	u_strFromUTF8(buf, len + 1, &n, s, len, &status);
	ur_icu_check(status, "UTF-8 decoding", fname);
	*ulen = n;
	return buf;
}

char *
ur_uchar_to_utf8(const UChar *u, int32_t ulen, const char *fname)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32_t		cap = ulen * 3 + 1;
	char	   *buf = palloc(cap);
	int32_t		n;

	u_strToUTF8(buf, cap, &n, u, ulen, &status);
	ur_icu_check(status, "UTF-8 encoding", fname);
	buf[n] = '\0';
	return buf;
}
