/*
 * idcheck.h
 *	  Check-digit rules for Russian identifiers and card numbers.
 *
 * Pure C with no server dependencies, so the same code runs inside the
 * backend and in the stand-alone fuzz driver under test/fuzz.
 */
#ifndef UNIONREG_IDCHECK_H
#define UNIONREG_IDCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef enum IdKind
{
	ID_INN,						/* 10 or 12 digits */
	ID_OGRN,					/* 13 or 15 digits */
	ID_SNILS,					/* 11 digits, printed 112-233-445 95 */
	ID_CARD						/* 16 digits, Luhn */
} IdKind;

typedef enum IdProblem
{
	ID_OK = 0,
	ID_EMPTY,
	ID_TOO_LONG_INPUT,
	ID_BAD_CHAR,
	ID_BAD_LENGTH,
	ID_BAD_CHECK
} IdProblem;

/* Outcome of parsing one text value; positions are 1-based characters. */
typedef struct IdParse
{
	IdProblem	problem;
	int			ndigits;
	int			bad_position;	/* ID_BAD_CHAR: character position */
	int			bad_char_len;	/* ID_BAD_CHAR: bytes of the bad character */
	const char *bad_char;		/* ID_BAD_CHAR: points into the input */
	int			check_found;	/* ID_BAD_CHECK: digit(s) in the input */
	int			check_expected; /* ID_BAD_CHECK: what the rule computes */
	int			check_width;	/* 1 or 2 digits of check value */
	int64_t		value;			/* encoded value, see id_encode */
	char		digits[20];		/* NUL-terminated digits */
} IdParse;

extern const char *id_kind_name(IdKind kind);
extern const char *id_kind_lengths(IdKind kind);
extern const char *id_kind_article(IdKind kind);
extern void id_parse(IdKind kind, const char *str, size_t len, IdParse *out);
extern bool id_decode(IdKind kind, int64_t value, char *digits);
extern int	id_format(IdKind kind, int64_t value, char *buf, size_t buflen);
extern bool id_value_is_valid(IdKind kind, int64_t value);

#endif
