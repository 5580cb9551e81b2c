/*
 * name_key.c
 *	  unionreg.name_key(text): a comparison key for people's names, so that
 *	  one person typed two ways gives one key.
 *
 * ICU does the Unicode work: NFKC with case folding (one normalizer,
 * "nfkc_cf", which also drops default-ignorable characters such as
 * zero-width spaces), white space and dash properties, and the script of
 * each letter.  What is ours: combining marks left over after NFKC (a
 * stress mark over a vowel, a doubled diaeresis) go, so that the key is
 * a fixed point (name_key(name_key(x)) = name_key(x)), ё folds to е, a run of spaces and hyphens
 * becomes one space, junk at either end of a word goes, and inside a word that has
 * Cyrillic letters the Latin letters that look like Cyrillic ones are
 * read as those, as is a word made only of such letters in a name that
 * has Cyrillic words.
 */
#include "postgres.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "icu_util.h"

/* Latin letters (after case folding) that are drawn like a Cyrillic one. */
static UChar32
cyrillic_lookalike(UChar32 c)
{
	switch (c)
	{
		case 'a': return 0x0430;	/* а */
		case 'b': return 0x0432;	/* в (capital B) */
		case 'c': return 0x0441;	/* с */
		case 'e': return 0x0435;	/* е */
		case 'h': return 0x043D;	/* н (capital H) */
		case 'k': return 0x043A;	/* к */
		case 'm': return 0x043C;	/* м (capital M) */
		case 'o': return 0x043E;	/* о */
		case 'p': return 0x0440;	/* р */
		case 't': return 0x0442;	/* т (capital T) */
		case 'x': return 0x0445;	/* х */
		case 'y': return 0x0443;	/* у */
		case 0x00EB: return 0x0435; /* ë, read as ё and folded to е */
		default: return c;
	}
}

static bool
is_separator(UChar32 c)
{
	return u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DASH) || c == '_';
}

/* Apply NFKC + case folding; the result may be longer than the input. */
static UChar *
nfkc_casefold(const UChar *u, int32_t ulen, int32_t *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&status);
	int32_t		cap = ulen * 2 + 16;
	UChar	   *out;
	int32_t		n;

	ur_icu_check(status, "loading the NFKC_Casefold normalizer", "name_key");
	out = palloc(cap * sizeof(UChar));
	n = unorm2_normalize(norm, u, ulen, out, cap, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
	{
		status = U_ZERO_ERROR;
		cap = n + 1;
		out = repalloc(out, cap * sizeof(UChar));
		n = unorm2_normalize(norm, u, ulen, out, cap, &status);
	}
	ur_icu_check(status, "normalization", "name_key");
	*outlen = n;
	return out;
}

/* The key of one name; NULL-free, may be empty when the input is all junk. */
static char *
name_key_cstring(const char *s, int len)
{
	int32_t		ulen;
	UChar	   *u = ur_utf8_to_uchar(s, len, &ulen, "name_key");
	int32_t		flen;
	UChar	   *f = nfkc_casefold(u, ulen, &flen);
	UChar32    *cp = palloc((flen + 1) * sizeof(UChar32));
	int			ncp = 0;
	bool		pending_sep = false;
	int			start;
	int			end;
	UChar	   *out;
	int32_t		olen = 0;

	/* code points, stray marks dropped, ё -> е, runs of separators -> one space */
	for (int32_t i = 0; i < flen;)
	{
		UChar32		c;
		int8_t		type;

		U16_NEXT(f, i, flen, c);
		type = u_charType(c);
		if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK)
			continue;
		if (is_separator(c))
		{
			pending_sep = true;
			continue;
		}
		if (c == 0x0451)
			c = 0x0435;
		if (pending_sep && ncp > 0)
			cp[ncp++] = ' ';
		pending_sep = false;
		cp[ncp++] = c;
	}

	/*
	 * Junk at either end of each word (quotes, dots, brackets): anything
	 * but a letter or a digit.  Words left empty disappear.
	 */
	{
		int			o = 0;

		for (int w = 0; w < ncp;)
		{
			int			we = w;
			int			ws;
			int			wend;

			while (we < ncp && cp[we] != ' ')
				we++;
			ws = w;
			wend = we;
			while (ws < wend && !u_isalnum(cp[ws]))
				ws++;
			while (wend > ws && !u_isalnum(cp[wend - 1]))
				wend--;
			if (wend > ws)
			{
				if (o > 0)
					cp[o++] = ' ';
				for (int k = ws; k < wend; k++)
					cp[o++] = cp[k];
			}
			w = we + 1;
		}
		ncp = o;
	}
	start = 0;
	end = ncp;

	/*
	 * Latin look-alikes inside words that have Cyrillic letters; and whole
	 * words of nothing but look-alikes (TOKAPEBA: the keyboard left on
	 * Latin) when another word of the name is Cyrillic.
	 */
	{
		bool		name_cyrillic = false;

		for (int k = start; k < end && !name_cyrillic; k++)
		{
			UErrorCode	status = U_ZERO_ERROR;

			name_cyrillic = uscript_getScript(cp[k], &status) == USCRIPT_CYRILLIC;
		}
		for (int w = start; w < end;)
		{
			int			we = w;
			bool		cyrillic = false;
			bool		all_lookalike = true;

			while (we < end && cp[we] != ' ')
			{
				UErrorCode	status = U_ZERO_ERROR;

				if (uscript_getScript(cp[we], &status) == USCRIPT_CYRILLIC)
					cyrillic = true;
				if (cyrillic_lookalike(cp[we]) == cp[we])
					all_lookalike = false;
				we++;
			}
			if (cyrillic || (name_cyrillic && all_lookalike))
				for (int k = w; k < we; k++)
					cp[k] = cyrillic_lookalike(cp[k]);
			w = we + 1;
		}
	}

	out = palloc((2 * (end - start) + 1) * sizeof(UChar));
	for (int k = start; k < end; k++)
	{
		UBool		err = false;

		U16_APPEND(out, olen, 2 * (end - start) + 1, cp[k], err);
		(void) err;
	}
	return ur_uchar_to_utf8(out, olen, "name_key");
}

PG_FUNCTION_INFO_V1(name_key);

Datum
name_key(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(name_key_cstring(VARDATA_ANY(in),
													  VARSIZE_ANY_EXHDR(in))));
}
