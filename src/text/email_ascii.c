/*
 * email_ascii.c
 *	  unionreg.email_ascii(text) and unionreg.email_problem(text): check an
 *	  e-mail address and give its ASCII form, the domain converted with ICU
 *	  IDNA (UTS #46, non-transitional), the local part checked as a
 *	  dot-atom (RFC 5322) and kept as written.
 *
 * UTS #46 maps more than a mail server delivers to: symbols and emoji
 * (a@💩.ru) pass its mapping but are not valid in IDNA 2008, which is what
 * registries and mail servers follow.  So the domain's code points are held
 * to IDNA 2008 as well: letters, marks and digits (and the CONTEXTJ and
 * CONTEXTO characters in the contexts ICU checks), nothing else.
 */
#include "postgres.h"

#include <unicode/uchar.h>
#include <unicode/uidna.h>
#include <unicode/utf8.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "icu_util.h"

#define EMAIL_MAX_LOCAL 64
#define EMAIL_MAX_DOMAIN 253
#define EMAIL_MAX_INPUT 1024

/*
 * The UTS #46 converter is immutable once opened and costs a table load, so
 * it is opened once per backend and kept; it holds no transaction state.
 */
static UIDNA *uts46 = NULL;

static UIDNA *
get_uts46(void)
{
	if (uts46 == NULL)
	{
		UErrorCode	status = U_ZERO_ERROR;

		uts46 = uidna_openUTS46(UIDNA_USE_STD3_RULES | UIDNA_CHECK_BIDI |
								UIDNA_CHECK_CONTEXTJ | UIDNA_CHECK_CONTEXTO | UIDNA_NONTRANSITIONAL_TO_ASCII |
								UIDNA_NONTRANSITIONAL_TO_UNICODE, &status);
		ur_icu_check(status, "opening the IDNA converter", "email_ascii");
	}
	return uts46;
}

static const char *
idna_error_text(uint32_t errors)
{
	if (errors & UIDNA_ERROR_EMPTY_LABEL)
		return "the domain has an empty label (two dots in a row, or a dot at an end)";
	if (errors & UIDNA_ERROR_LABEL_TOO_LONG)
		return "a domain label is longer than 63 characters";
	if (errors & UIDNA_ERROR_DOMAIN_NAME_TOO_LONG)
		return "the domain is longer than 253 characters";
	if (errors & (UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN))
		return "a domain label begins or ends with a hyphen";
	if (errors & UIDNA_ERROR_HYPHEN_3_4)
		return "a domain label has hyphens in its 3rd and 4th positions but is not a valid xn-- label";
	if (errors & UIDNA_ERROR_LEADING_COMBINING_MARK)
		return "a domain label begins with a combining mark";
	if (errors & UIDNA_ERROR_DISALLOWED)
		return "the domain has a character not allowed in domain names (only letters, digits and hyphens)";
	if (errors & (UIDNA_ERROR_PUNYCODE | UIDNA_ERROR_INVALID_ACE_LABEL))
		return "the domain has an invalid xn-- (punycode) label";
	if (errors & UIDNA_ERROR_BIDI)
		return "the domain mixes right-to-left and left-to-right text against the IDNA rules";
	if (errors & (UIDNA_ERROR_CONTEXTJ | UIDNA_ERROR_CONTEXTO_PUNCTUATION | UIDNA_ERROR_CONTEXTO_DIGITS))
		return "the domain has a joiner, punctuation or digits out of context";
	return "the domain is not a valid internationalized domain name";
}

/*
 * The first code point of the domain's Unicode form that IDNA 2008 does not
 * allow (its categories: letters, marks and digits are PVALID; symbols,
 * punctuation and emoji are DISALLOWED), or -1.  The hyphen and the
 * characters whose contexts ICU checks (CONTEXTJ, CONTEXTO) pass.
 */
static UChar32
idna2008_disallowed(const char *u, int32_t len)
{
	for (int32_t i = 0; i < len;)
	{
		UChar32		c;

		U8_NEXT(u, i, len, c);
		if (c < 0)
			return 0xFFFD;
		if (c == '-' || c == '.' || c == 0x200C || c == 0x200D || c == 0x00B7 || c == 0x0375 ||
			c == 0x05F3 || c == 0x05F4 || c == 0x30FB)
			continue;
		switch (u_charType(c))
		{
			case U_LOWERCASE_LETTER:
			case U_OTHER_LETTER:
			case U_MODIFIER_LETTER:
			case U_NON_SPACING_MARK:
			case U_COMBINING_SPACING_MARK:
			case U_DECIMAL_DIGIT_NUMBER:
				continue;
			default:
				return c;
		}
	}
	return -1;
}

/*
 * The domain with the full stops UTS #46 reads as dots (ideographic U+3002,
 * fullwidth U+FF0E, halfwidth ideographic U+FF61) written as ".", so the
 * checks below see the labels the conversion will.
 */
static char *
domain_dots(const char *dom, int dlen, int *outlen)
{
	char	   *d = palloc(dlen + 1);
	int			n = 0;

	for (int i = 0; i < dlen; i++)
	{
		const unsigned char *c = (const unsigned char *) dom + i;

		if (i + 2 < dlen && ((c[0] == 0xE3 && c[1] == 0x80 && c[2] == 0x82) ||
							 (c[0] == 0xEF && c[1] == 0xBC && c[2] == 0x8E) ||
							 (c[0] == 0xEF && c[1] == 0xBD && c[2] == 0xA1)))
		{
			d[n++] = '.';
			i += 2;
		}
		else
			d[n++] = dom[i];
	}
	d[n] = '\0';
	*outlen = n;
	return d;
}

static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/*
 * What is wrong with the address, or NULL; *ascii gets the ASCII form when
 * it is valid.  Never throws on bad input.
 */
static char *
email_check(const char *s, int len, char **ascii)
{
	const char *at = NULL;
	int			nat = 0;
	int			llen;
	const char *dom;
	int			dlen;
	UErrorCode	status = U_ZERO_ERROR;
	UIDNAInfo	info = UIDNA_INFO_INITIALIZER;
	char		dbuf[EMAIL_MAX_DOMAIN * 4 + 16];
	int32_t		dout;

	*ascii = NULL;
	/* surrounding white space is a typing slip, not part of the address */
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len == 0)
		return pstrdup("empty address");
	if (len > EMAIL_MAX_INPUT)
		return psprintf("%d bytes long, an address has at most 254", len);
	for (int i = 0; i < len; i++)
		if (s[i] == '@')
		{
			at = s + i;
			nat++;
		}
	if (nat == 0)
		return pstrdup("no \"@\": an address is local-part@domain");
	if (nat > 1)
		return psprintf("%d \"@\" signs, an address has exactly one", nat);

	llen = at - s;
	dom = at + 1;
	dlen = len - llen - 1;
	if (llen == 0)
		return pstrdup("the local part before \"@\" is empty");
	if (llen > EMAIL_MAX_LOCAL)
		return psprintf("the local part is %d bytes long, at most %d are allowed", llen, EMAIL_MAX_LOCAL);
	for (int i = 0; i < llen; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x80)
			return psprintf("the local part has the non-ASCII character \"%.*s\" at position %d: such an address has no ASCII form",
							pg_mblen(s + i), s + i, i + 1);
		if (c == '.')
		{
			if (i == 0 || i == llen - 1)
				return pstrdup("the local part begins or ends with a dot");
			if (s[i + 1] == '.')
				return pstrdup("the local part has two dots in a row");
			continue;
		}
		if (!is_atext(c))
			return psprintf("the local part has the character \"%c\" at position %d, which is not allowed there",
							c, i + 1);
	}

	dom = domain_dots(dom, dlen, &dlen);
	if (dlen == 0)
		return pstrdup("the domain after \"@\" is empty");
	if (dom[0] == '[')
		return pstrdup("an address literal such as [192.0.2.1] is not accepted; give a domain name");
	if (dom[dlen - 1] == '.')
		return pstrdup("the domain ends with a dot");
	if (memchr(dom, '.', dlen) == NULL)
		return psprintf("the domain \"%.*s\" has no dot: a top-level domain alone is not an address", dlen, dom);

	dout = uidna_nameToASCII_UTF8(get_uts46(), dom, dlen, dbuf, sizeof(dbuf) - 1, &info, &status);
	if (U_FAILURE(status))
	{
		if (status == U_BUFFER_OVERFLOW_ERROR)
			return pstrdup("the domain is longer than 253 characters");
		if (status == U_INVALID_CHAR_FOUND || status == U_ILLEGAL_ARGUMENT_ERROR)
			return pstrdup("the domain is not valid UTF-8 text");
		return psprintf("the domain could not be converted (ICU: %s)", u_errorName(status));
	}
	if (info.errors != 0)
		return pstrdup(idna_error_text(info.errors));
	dbuf[dout] = '\0';
	{
		char		ubuf[EMAIL_MAX_DOMAIN * 4 + 16];
		UIDNAInfo	uinfo = UIDNA_INFO_INITIALIZER;
		int32_t		ulen;
		UChar32		bad;

		status = U_ZERO_ERROR;
		ulen = uidna_nameToUnicodeUTF8(get_uts46(), dbuf, dout, ubuf, sizeof(ubuf) - 1, &uinfo, &status);
		if (U_FAILURE(status) || uinfo.errors != 0)
			return pstrdup("the domain is not a valid internationalized domain name");
		if ((bad = idna2008_disallowed(ubuf, ulen)) >= 0)
		{
			char		ch[U8_MAX_LENGTH + 1];
			int32_t		chl = 0;
			UBool		err = false;

			U8_APPEND(ch, chl, U8_MAX_LENGTH, bad, err);
			ch[err ? 0 : chl] = '\0';
			return psprintf("the domain has \"%s\" (U+%04X), a symbol or punctuation IDNA 2008 does not allow in domain names: mail servers do not deliver to it",
							ch, (unsigned) bad);
		}
	}
	if (dout > EMAIL_MAX_DOMAIN)
		return psprintf("the domain is %d characters long in ASCII, at most %d are allowed", dout, EMAIL_MAX_DOMAIN);
	if (llen + 1 + dout > 254)
		return psprintf("the address is %d characters long in ASCII, at most 254 are allowed", llen + 1 + dout);
	/* a top-level domain is never all digits: that would be an IP address */
	{
		const char *tld = strrchr(dbuf, '.') + 1;
		bool		digits = true;

		for (const char *p = tld; *p; p++)
			if (*p < '0' || *p > '9')
				digits = false;
		if (digits)
			return psprintf("the top-level domain \"%s\" is all digits: an IP address is not accepted", tld);
	}
	*ascii = psprintf("%.*s@%s", llen, s, dbuf);
	return NULL;
}

static char *
shown_value(text *in)
{
	int			len = VARSIZE_ANY_EXHDR(in);

	/* never echo a huge input back into the log */
	if (len > 80)
		return psprintf("%.*s...", pg_mbcliplen(VARDATA_ANY(in), len, 60), VARDATA_ANY(in));
	return text_to_cstring(in);
}

PG_FUNCTION_INFO_V1(email_ascii);

Datum
email_ascii(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	char	   *ascii;
	char	   *problem = email_check(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &ascii);

	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid e-mail address \"%s\": %s", shown_value(in), problem),
				 errhint("Write the address as local-part@domain, e.g. info@школа.рф; unionreg.email_problem() checks without an error.")));
	PG_RETURN_TEXT_P(cstring_to_text(ascii));
}

PG_FUNCTION_INFO_V1(email_problem);

Datum
email_problem(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	char	   *ascii;
	char	   *problem = email_check(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &ascii);

	if (problem == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(problem));
}
