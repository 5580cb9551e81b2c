/*
 * icu_util.h
 *	  UTF-8 <-> UTF-16 conversion for the ICU-based text functions, with
 *	  errors reported the PostgreSQL way.  Buffers are palloc'd in the
 *	  current memory context.
 */
#ifndef UNIONREG_ICU_UTIL_H
#define UNIONREG_ICU_UTIL_H

#include "postgres.h"

#include <unicode/utypes.h>

/* Longest input the ICU functions accept, in bytes: names and addresses are short. */
#define UR_ICU_MAX_INPUT (64 * 1024)

extern UChar *ur_utf8_to_uchar(const char *s, int len, int32_t *ulen, const char *fname);
extern char *ur_uchar_to_utf8(const UChar *u, int32_t ulen, const char *fname);
extern void ur_icu_check(UErrorCode status, const char *what, const char *fname);

#endif
