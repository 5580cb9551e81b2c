/*
 * idcheck.c
 *	  Parsing and check digits of INN, OGRN, SNILS and card numbers.
 *
 * Values are stored as int8 so that comparison and hashing reuse core's int8
 * support (as contrib/isn does).  Identifiers with two possible lengths keep
 * the length in the stored value: the long form is offset by a power of ten
 * above any short value, so text order within one length equals numeric
 * order and the length survives leading zeros.
 */
#include "idcheck.h"

#include <string.h>

#define INN_LONG_OFFSET		INT64_C(10000000000000)			/* 1e13 */
#define OGRN_LONG_OFFSET	INT64_C(10000000000000000)		/* 1e16 */
#define MAX_INPUT_BYTES		64

const char *
id_kind_name(IdKind kind)
{
	switch (kind)
	{
		case ID_INN:
			return "INN";
		case ID_OGRN:
			return "OGRN";
		case ID_SNILS:
			return "SNILS";
		case ID_CARD:
			return "card number";
	}
	return "identifier";
}

/* The name with its article, for sentences in errdetail. */
const char *
id_kind_article(IdKind kind)
{
	switch (kind)
	{
		case ID_INN:
			return "an INN";
		case ID_OGRN:
			return "an OGRN";
		case ID_SNILS:
			return "a SNILS";
		case ID_CARD:
			return "a card number";
	}
	return "an identifier";
}

const char *
id_kind_lengths(IdKind kind)
{
	switch (kind)
	{
		case ID_INN:
			return "10 or 12";
		case ID_OGRN:
			return "13 or 15";
		case ID_SNILS:
			return "11";
		case ID_CARD:
			return "16";
	}
	return "?";
}

/*
 * What one character of typed or pasted input is.  People paste identifiers
 * from Word and Excel: no-break and thin spaces, en dashes and minus signs,
 * fullwidth digits; they read as the space, the hyphen and the digits they
 * look like.
 */
typedef enum IdChar
{
	IDC_DIGIT,
	IDC_SPACE,
	IDC_DASH,
	IDC_OTHER
} IdChar;

#define ID_MIN(a, b) ((a) < (b) ? (a) : (b))

static IdChar
id_char(const unsigned char *c, int len, char *digit)
{
	if (len == 1)
	{
		if (c[0] >= '0' && c[0] <= '9')
		{
			*digit = (char) c[0];
			return IDC_DIGIT;
		}
		if (c[0] == ' ' || c[0] == '\t' || c[0] == '\n' || c[0] == '\r')
			return IDC_SPACE;
		if (c[0] == '-')
			return IDC_DASH;
		return IDC_OTHER;
	}
	/* U+00A0 no-break space */
	if (len == 2 && c[0] == 0xC2 && c[1] == 0xA0)
		return IDC_SPACE;
	if (len == 3 && c[0] == 0xE2 && c[1] == 0x80)
	{
		/* U+2002..U+200B spaces (en, em, figure, thin, hair, zero width), U+202F narrow no-break */
		if ((c[2] >= 0x82 && c[2] <= 0x8B) || c[2] == 0xAF)
			return IDC_SPACE;
		/* U+2010..U+2015 hyphen, no-break hyphen, figure dash, en dash, em dash, bar */
		if (c[2] >= 0x90 && c[2] <= 0x95)
			return IDC_DASH;
	}
	/* U+2212 minus sign */
	if (len == 3 && c[0] == 0xE2 && c[1] == 0x88 && c[2] == 0x92)
		return IDC_DASH;
	/* U+3000 ideographic space */
	if (len == 3 && c[0] == 0xE3 && c[1] == 0x80 && c[2] == 0x80)
		return IDC_SPACE;
	if (len == 3 && c[0] == 0xEF && c[1] == 0xBC)
	{
		/* U+FF10..U+FF19 fullwidth digits */
		if (c[2] >= 0x90 && c[2] <= 0x99)
		{
			*digit = (char) ('0' + (c[2] - 0x90));
			return IDC_DIGIT;
		}
		/* U+FF0D fullwidth hyphen-minus */
		if (c[2] == 0x8D)
			return IDC_DASH;
	}
	return IDC_OTHER;
}

/* Separators people type inside the digits: spaces in all, hyphens in SNILS and card numbers. */
static bool
id_separator_allowed(IdKind kind, IdChar c)
{
	if (c == IDC_SPACE)
		return true;
	if (c == IDC_DASH)
		return kind == ID_SNILS || kind == ID_CARD;
	return false;
}

static int
utf8_char_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		return 2;
	if ((c & 0xF0) == 0xE0)
		return 3;
	if ((c & 0xF8) == 0xF0)
		return 4;
	return 1;
}

static int
weighted_mod(const char *d, const int *w, int n, int mod)
{
	int			sum = 0;

	for (int i = 0; i < n; i++)
		sum += (d[i] - '0') * w[i];
	return sum % mod;
}

/* Remainder of a decimal digit string divided by a small modulus. */
static int
decimal_mod(const char *d, int n, int mod)
{
	int			r = 0;

	for (int i = 0; i < n; i++)
		r = (r * 10 + (d[i] - '0')) % mod;
	return r;
}

static int
luhn_check_digit(const char *d, int n)
{
	int			sum = 0;

	/* d holds the payload without the check digit; double from the right */
	for (int i = n - 1, k = 0; i >= 0; i--, k++)
	{
		int			v = d[i] - '0';

		if (k % 2 == 0)
		{
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return (10 - sum % 10) % 10;
}

/*
 * Compute the expected check value; returns its width in digits.
 * *found receives the check value present in the input.
 */
static int
id_expected_check(IdKind kind, const char *d, int n, int *expected, int *found)
{
	static const int inn10[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
	static const int inn11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
	static const int inn12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
	static const int snils_w[] = {9, 8, 7, 6, 5, 4, 3, 2, 1};

	switch (kind)
	{
		case ID_INN:
			if (n == 10)
			{
				*expected = weighted_mod(d, inn10, 9, 11) % 10;
				*found = d[9] - '0';
				return 1;
			}
			else
			{
				int			c11 = weighted_mod(d, inn11, 10, 11) % 10;
				char		tmp[11];

				memcpy(tmp, d, 10);
				tmp[10] = (char) ('0' + c11);
				*expected = c11 * 10 + weighted_mod(tmp, inn12, 11, 11) % 10;
				*found = (d[10] - '0') * 10 + (d[11] - '0');
				return 2;
			}
		case ID_OGRN:
			if (n == 13)
				*expected = decimal_mod(d, 12, 11) % 10;
			else
				*expected = decimal_mod(d, 14, 13) % 10;
			*found = d[n - 1] - '0';
			return 1;
		case ID_SNILS:
			{
				int			sum = 0;

				*found = (d[9] - '0') * 10 + (d[10] - '0');
				/* numbers up to 001-001-998 were issued without a check */
				if (decimal_mod(d, 9, 1000000000) <= 1001998)
				{
					*expected = *found;
					return 2;
				}
				for (int i = 0; i < 9; i++)
					sum += (d[i] - '0') * snils_w[i];
				if (sum > 101)
					sum %= 101;
				if (sum == 100 || sum == 101)
					sum = 0;
				*expected = sum;
				*found = (d[9] - '0') * 10 + (d[10] - '0');
				return 2;
			}
		case ID_CARD:
			*expected = luhn_check_digit(d, 15);
			*found = d[15] - '0';
			return 1;
	}
	return 1;
}

static bool
id_length_ok(IdKind kind, int n)
{
	switch (kind)
	{
		case ID_INN:
			return n == 10 || n == 12;
		case ID_OGRN:
			return n == 13 || n == 15;
		case ID_SNILS:
			return n == 11;
		case ID_CARD:
			return n == 16;
	}
	return false;
}

static int64_t
id_encode(IdKind kind, const char *d, int n)
{
	int64_t		v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (d[i] - '0');
	if (kind == ID_INN && n == 12)
		v += INN_LONG_OFFSET;
	if (kind == ID_OGRN && n == 15)
		v += OGRN_LONG_OFFSET;
	return v;
}

/* Digits of a stored value; false if the value cannot have come from input. */
bool
id_decode(IdKind kind, int64_t value, char *digits)
{
	int			n;

	if (value < 0)
		return false;
	switch (kind)
	{
		case ID_INN:
			if (value >= INN_LONG_OFFSET)
			{
				value -= INN_LONG_OFFSET;
				n = 12;
			}
			else
				n = 10;
			break;
		case ID_OGRN:
			if (value >= OGRN_LONG_OFFSET)
			{
				value -= OGRN_LONG_OFFSET;
				n = 15;
			}
			else
				n = 13;
			break;
		case ID_SNILS:
			n = 11;
			break;
		case ID_CARD:
			n = 16;
			break;
		default:
			return false;
	}
	for (int i = n - 1; i >= 0; i--)
	{
		digits[i] = (char) ('0' + value % 10);
		value /= 10;
	}
	digits[n] = '\0';
	return value == 0;
}

/* Whether a stored value (e.g. from binary input) is a valid identifier. */
bool
id_value_is_valid(IdKind kind, int64_t value)
{
	char		digits[20];
	IdParse		p;

	if (!id_decode(kind, value, digits))
		return false;
	id_parse(kind, digits, strlen(digits), &p);
	return p.problem == ID_OK && p.value == value;
}

/* Canonical text of a stored value; returns bytes written (without NUL). */
int
id_format(IdKind kind, int64_t value, char *buf, size_t buflen)
{
	char		d[20];
	int			len;

	if (!id_decode(kind, value, d))
		d[0] = '\0';
	if (kind == ID_SNILS && strlen(d) == 11)
	{
		/* 112-233-445 95 */
		if (buflen < 15)
			return 0;
		memcpy(buf, d, 3);
		buf[3] = '-';
		memcpy(buf + 4, d + 3, 3);
		buf[7] = '-';
		memcpy(buf + 8, d + 6, 3);
		buf[11] = ' ';
		memcpy(buf + 12, d + 9, 2);
		buf[14] = '\0';
		return 14;
	}
	len = (int) strlen(d);
	if ((size_t) len + 1 > buflen)
		return 0;
	memcpy(buf, d, len + 1);
	return len;
}

void
id_parse(IdKind kind, const char *str, size_t len, IdParse *out)
{
	size_t		start = 0;
	size_t		end = len;
	int			n = 0;
	int			charpos = 0;
	char		digit;

	memset(out, 0, sizeof(*out));

	/*
	 * Surrounding white space (Unicode spaces too) is not part of the value:
	 * one pass finds the first character that is not a space and the end of
	 * the last one.
	 */
	{
		size_t		i = 0;
		bool		seen = false;

		end = 0;
		while (i < len)
		{
			int			clen = ID_MIN(utf8_char_len((unsigned char) str[i]), (int) (len - i));

			if (id_char((const unsigned char *) str + i, clen, &digit) != IDC_SPACE)
			{
				if (!seen)
					start = i;
				seen = true;
				end = i + clen;
			}
			else if (!seen)
				charpos++;
			i += clen;
		}
		if (!seen)
			start = end = len;
	}
	if (end - start > MAX_INPUT_BYTES)
	{
		/* far longer than any identifier, however it is spaced */
		for (size_t j = start; j < end; j++)
			if (str[j] >= '0' && str[j] <= '9')
				n++;
		out->ndigits = n;
		out->problem = ID_TOO_LONG_INPUT;
		return;
	}

	if (start == end)
	{
		out->problem = ID_EMPTY;
		return;
	}

	for (size_t i = start; i < end;)
	{
		int			clen = ID_MIN(utf8_char_len((unsigned char) str[i]), (int) (end - i));
		IdChar		c = id_char((const unsigned char *) str + i, clen, &digit);

		charpos++;
		if (c == IDC_DIGIT)
		{
			if (n >= 16)
			{
				/* more digits than any identifier: report the length */
				for (size_t j = i; j < end;)
				{
					int			l = ID_MIN(utf8_char_len((unsigned char) str[j]), (int) (end - j));

					if (id_char((const unsigned char *) str + j, l, &digit) == IDC_DIGIT)
						n++;
					j += l;
				}
				out->ndigits = n;
				out->problem = ID_BAD_LENGTH;
				return;
			}
			out->digits[n++] = digit;
			i += clen;
			continue;
		}
		/* a separator only after a digit: a leading minus is not a separator */
		if (id_separator_allowed(kind, c) && n > 0)
		{
			i += clen;
			continue;
		}
		out->problem = ID_BAD_CHAR;
		out->bad_position = charpos;
		out->bad_char = str + i;
		out->bad_char_len = clen;
		return;
	}
	out->digits[n] = '\0';
	out->ndigits = n;

	if (!id_length_ok(kind, n))
	{
		out->problem = ID_BAD_LENGTH;
		return;
	}

	out->check_width = id_expected_check(kind, out->digits, n,
										 &out->check_expected,
										 &out->check_found);
	if (out->check_expected != out->check_found)
	{
		out->problem = ID_BAD_CHECK;
		return;
	}
	out->value = id_encode(kind, out->digits, n);
	out->problem = ID_OK;
}
