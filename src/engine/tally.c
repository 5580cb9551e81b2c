/*
 * tally.c
 *	  SQL type unionreg.tally: I/O, +, the sum aggregate (parallel: combine,
 *	  serialize, deserialize) and accessors by counter name.
 *
 * A tally is small (a few dozen int8) and fixed in meaning: the report
 * engine keeps one per organization, adds them up the hierarchy, and
 * derives report lines from counters through the form catalog.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "tally.h"

#define TALLY_BINARY_VERSION 1
#define TALLY_MAX_COUNTERS 1024

const char *const tally_counter_names[TC_NCOUNTERS] = {
	"members", "working", "working_pedagogical", "working_youth", "working_pedagogical_youth",
	"students", "students_full_time", "pensioners", "status_unknown", "members_on_p",
	"admitted", "admitted_online", "transferred_in", "left", "left_own_wish", "transferred_out",
	"cards_issued", "virtual_cards", "no_card", "cards_delivered", "cards_refused",
	"cards_refused_no_virtual", "faculty", "researchers", "cards_requested", "cards_produced",
	"cards_made", "profcards", "profcards_virtual", "cards_requested_in_period", "employees", "students_base",
	"subdivisions", "primaries", "primaries_no_member", "primaries_created",
	"primaries_liquidated", "incomplete_reports", "chairman_in_office", "chairman_released",
	"primaries_school", "primaries_preschool", "primaries_supplementary",
	"primaries_professional", "primaries_higher", "primaries_science", "primaries_other"
};

Tally *
tally_new(void)
{
	Tally	   *t = palloc0(TALLY_SIZE(TC_NCOUNTERS));

	SET_VARSIZE(t, TALLY_SIZE(TC_NCOUNTERS));
	t->n = TC_NCOUNTERS;
	return t;
}

int
tally_counter_index(const char *name)
{
	for (int i = 0; i < TC_NCOUNTERS; i++)
		if (strcmp(tally_counter_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- the packed form ----------------------------------------------------- */

#define TALLY_PACKED_MAX 64
#define VARINT_MAX 10			/* bytes of a 64-bit zigzag varint */

Datum
tally_to_datum(const Tally *t)
{
	int			n = Min(t->n, TALLY_PACKED_MAX);
	TallyPacked *p;
	uint8	   *w;

	/* counters past what a bitmap covers: kept as they are */
	for (int i = n; i < t->n; i++)
		if (t->c[i] != 0)
			return PointerGetDatum(t);
	p = palloc(offsetof(TallyPacked, data) + (Size) VARINT_MAX * Max(n, 1));
	p->n = -n;
	p->nonzero = 0;
	w = p->data;
	for (int i = 0; i < n; i++)
	{
		uint64		z;

		if (t->c[i] == 0)
			continue;
		p->nonzero |= UINT64CONST(1) << i;
		z = ((uint64) t->c[i] << 1) ^ (uint64) (t->c[i] >> 63);
		while (z >= 0x80)
		{
			*w++ = (uint8) (z | 0x80);
			z >>= 7;
		}
		*w++ = (uint8) z;
	}
	SET_VARSIZE(p, w - (uint8 *) p);
	return PointerGetDatum(p);
}

static void
stored_corrupt(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid stored tally: %s", why),
			 errhint("The value was not written by unionreg; rebuild the snapshot that holds it.")));
}

static Tally *
unpack(const TallyPacked *p)
{
	int			n;
	const uint8 *r = p->data;
	const uint8 *end = (const uint8 *) p + VARSIZE(p);
	Tally	   *t;

	if (p->n < -TALLY_PACKED_MAX)
		stored_corrupt("it covers more counters than a bitmap holds");
	n = -p->n;
	if (n < TALLY_PACKED_MAX && (p->nonzero >> n) != 0)
		stored_corrupt("its bitmap is longer than its counters");
	t = palloc0(TALLY_SIZE(Max(n, TC_NCOUNTERS)));
	SET_VARSIZE(t, TALLY_SIZE(Max(n, TC_NCOUNTERS)));
	t->n = Max(n, TC_NCOUNTERS);
	for (int i = 0; i < n; i++)
	{
		uint64		z = 0;
		int			shift = 0;

		if ((p->nonzero & (UINT64CONST(1) << i)) == 0)
			continue;
		for (;;)
		{
			if (r >= end || shift > 63)
				stored_corrupt("a counter runs past its end");
			z |= (uint64) (*r & 0x7F) << shift;
			shift += 7;
			if ((*r++ & 0x80) == 0)
				break;
		}
		t->c[i] = (int64) (z >> 1) ^ -(int64) (z & 1);
	}
	if (r != end)
		stored_corrupt("bytes left after its counters");
	return t;
}

Tally *
tally_from_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);

	if (VARSIZE_ANY(v) < offsetof(Tally, c))
		stored_corrupt("too short");
	if (((Tally *) v)->n >= 0)
	{
		/* the unpacked form: as many counters as it says */
		if (VARSIZE(v) < TALLY_SIZE(((Tally *) v)->n))
			stored_corrupt("shorter than its counters");
		return (Tally *) v;
	}
	if (VARSIZE(v) < offsetof(TallyPacked, data))
		stored_corrupt("too short");
	return unpack((TallyPacked *) v);
}

int64
tally_value(const Tally *t, int i)
{
	return i < t->n ? t->c[i] : 0;
}

void
tally_add_into(int64 *acc, int64 v, int i)
{
	if (unlikely(pg_add_s64_overflow(*acc, v, acc)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("tally counter \"%s\" is out of range",
						i < TC_NCOUNTERS ? tally_counter_names[i] : "?")));
}

int
tally_counter_or_error(const char *name)
{
	int			i = tally_counter_index(name);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tally counter \"%s\" does not exist", name),
				 errhint("SELECT * FROM unionreg.tally_counters() lists them.")));
	return i;
}

PG_FUNCTION_INFO_V1(tally_in);

/* '{members=3, working=2}': named counters, the others 0; '{}' is empty. */
Datum
tally_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	Tally	   *t = tally_new();

	while (isspace((unsigned char) *p))
		p++;
	if (*p != '{')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid tally \"%.60s\": it must begin with \"{\"", str),
				 errhint("Write it as {members=3, working=2}.")));
	p++;
	for (;;)
	{
		char		name[64];
		int			len = 0;
		int			i;
		int64		v;
		char	   *end;

		while (isspace((unsigned char) *p))
			p++;
		if (*p == '}')
		{
			p++;
			break;
		}
		while (isalnum((unsigned char) *p) || *p == '_')
		{
			if (len >= (int) sizeof(name) - 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid tally \"%.60s\": a counter name is too long", str)));
			name[len++] = *p++;
		}
		name[len] = '\0';
		if (len == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid tally \"%.60s\": a counter name is expected at position %d",
							str, (int) (p - str) + 1),
					 errhint("Write it as {members=3, working=2}.")));
		i = tally_counter_index(name);
		if (i < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid tally \"%.60s\": counter \"%s\" does not exist", str, name),
					 errhint("SELECT * FROM unionreg.tally_counters() lists them.")));
		while (isspace((unsigned char) *p))
			p++;
		if (*p != '=')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid tally \"%.60s\": \"=\" expected after \"%s\"", str, name)));
		p++;
		while (isspace((unsigned char) *p))
			p++;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno == ERANGE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid tally \"%.60s\": the value of \"%s\" is not a 64-bit integer", str, name)));
		p = end;
		t->c[i] = v;
		while (isspace((unsigned char) *p))
			p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid tally \"%.60s\": \",\" or \"}\" expected at position %d",
							str, (int) (p - str) + 1)));
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid tally \"%.60s\": junk after \"}\"", str)));
	PG_RETURN_TALLY(t);
}

PG_FUNCTION_INFO_V1(tally_out);

/* Non-zero counters by name, in counter order. */
Datum
tally_out(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	StringInfoData s;
	bool		first = true;

	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	for (int i = 0; i < TC_NCOUNTERS; i++)
	{
		int64		v = tally_value(t, i);

		if (v == 0)
			continue;
		appendStringInfo(&s, "%s%s=" INT64_FORMAT, first ? "" : ",", tally_counter_names[i], v);
		first = false;
	}
	appendStringInfoChar(&s, '}');
	PG_RETURN_CSTRING(s.data);
}

PG_FUNCTION_INFO_V1(tally_send);

Datum
tally_send(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, TALLY_BINARY_VERSION);
	pq_sendint32(&buf, TC_NCOUNTERS);
	for (int i = 0; i < TC_NCOUNTERS; i++)
		pq_sendint64(&buf, tally_value(t, i));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(tally_recv);

Datum
tally_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int32		n;
	Tally	   *t = tally_new();

	if (version != TALLY_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tally: version %d, expected %d", version, TALLY_BINARY_VERSION)));
	n = pq_getmsgint(buf, 4);
	if (n < 0 || n > TALLY_MAX_COUNTERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tally: %d counters", n)));
	for (int i = 0; i < n; i++)
	{
		int64		v = pq_getmsgint64(buf);

		/* counters this version does not know are dropped, as they cannot be read */
		if (i < TC_NCOUNTERS)
			t->c[i] = v;
	}
	PG_RETURN_TALLY(t);
}

PG_FUNCTION_INFO_V1(tally_add);

Datum
tally_add(PG_FUNCTION_ARGS)
{
	Tally	   *a = PG_GETARG_TALLY_P(0);
	Tally	   *b = PG_GETARG_TALLY_P(1);
	Tally	   *r = tally_new();

	for (int i = 0; i < TC_NCOUNTERS; i++)
	{
		r->c[i] = tally_value(a, i);
		tally_add_into(&r->c[i], tally_value(b, i), i);
	}
	PG_RETURN_TALLY(r);
}

PG_FUNCTION_INFO_V1(tally_eq);

Datum
tally_eq(PG_FUNCTION_ARGS)
{
	Tally	   *a = PG_GETARG_TALLY_P(0);
	Tally	   *b = PG_GETARG_TALLY_P(1);

	for (int i = 0; i < TC_NCOUNTERS; i++)
		if (tally_value(a, i) != tally_value(b, i))
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(tally_get);

Datum
tally_get(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_INT64(tally_value(t, tally_counter_or_error(name)));
}

PG_FUNCTION_INFO_V1(tally_of);

/* A tally with one counter set: the building block of per-member tallies. */
Datum
tally_of(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Tally	   *t = tally_new();

	t->c[tally_counter_or_error(name)] = PG_GETARG_INT64(1);
	PG_RETURN_TALLY(t);
}

PG_FUNCTION_INFO_V1(tally_counters);

Datum
tally_counters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < TC_NCOUNTERS; i++)
	{
		Datum		values[2] = {Int32GetDatum(i + 1), CStringGetTextDatum(tally_counter_names[i])};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- sum(tally): the state is a plain int64 array in the aggregate context ---- */

typedef struct TallySumState
{
	int64		c[TC_NCOUNTERS];
	bool		any;
} TallySumState;

static TallySumState *
sum_state(FunctionCallInfo fcinfo, int argno)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "tally aggregate function called in non-aggregate context");
	if (PG_ARGISNULL(argno))
		return MemoryContextAllocZero(aggcxt, sizeof(TallySumState));
	return (TallySumState *) PG_GETARG_POINTER(argno);
}

PG_FUNCTION_INFO_V1(tally_sum_accum);

Datum
tally_sum_accum(PG_FUNCTION_ARGS)
{
	TallySumState *st = sum_state(fcinfo, 0);

	if (!PG_ARGISNULL(1))
	{
		Tally	   *t = PG_GETARG_TALLY_P(1);

		for (int i = 0; i < TC_NCOUNTERS; i++)
			tally_add_into(&st->c[i], tally_value(t, i), i);
		st->any = true;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(tally_sum_combine);

Datum
tally_sum_combine(PG_FUNCTION_ARGS)
{
	TallySumState *st = sum_state(fcinfo, 0);

	if (!PG_ARGISNULL(1))
	{
		TallySumState *other = (TallySumState *) PG_GETARG_POINTER(1);

		for (int i = 0; i < TC_NCOUNTERS; i++)
			tally_add_into(&st->c[i], other->c[i], i);
		st->any |= other->any;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(tally_sum_serialize);

Datum
tally_sum_serialize(PG_FUNCTION_ARGS)
{
	TallySumState *st = (TallySumState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "tally aggregate function called in non-aggregate context");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, st->any ? 1 : 0);
	for (int i = 0; i < TC_NCOUNTERS; i++)
		pq_sendint64(&buf, st->c[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(tally_sum_deserialize);

Datum
tally_sum_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	MemoryContext aggcxt;
	TallySumState *st;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "tally aggregate function called in non-aggregate context");
	st = MemoryContextAllocZero(aggcxt, sizeof(TallySumState));
	/* a read-only view of the bytea (PG 15 has no initReadOnlyStringInfo) */
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	st->any = pq_getmsgbyte(&buf) != 0;
	for (int i = 0; i < TC_NCOUNTERS; i++)
		st->c[i] = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(tally_sum_final);

/* The sum of no tally is NULL, as sum() of no number is. */
Datum
tally_sum_final(PG_FUNCTION_ARGS)
{
	TallySumState *st;
	Tally	   *t;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (TallySumState *) PG_GETARG_POINTER(0);
	if (!st->any)
		PG_RETURN_NULL();
	t = tally_new();
	memcpy(t->c, st->c, sizeof(int64) * TC_NCOUNTERS);
	PG_RETURN_TALLY(t);
}
