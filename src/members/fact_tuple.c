/*
 * fact_tuple.c
 *	  One unionreg.member_fact row read straight from its heap tuple
 *	  (fact_tuple.h), for the whole-union scan.
 *
 * Why: the scan reads 4.24 million facts a build, and PostgreSQL's generic
 * deform (a slot's values and nulls arrays, filled column by column from
 * the tuple descriptor) was a fifth of its CPU, with the slot's buffer pin
 * taken and dropped for every row on top.  The table's layout is the
 * extension's own, so the walk over the twelve columns is written out
 * here, in the order and alignment the table was created with, stopping
 * at the dates when the period does not touch (P, D].  fact_tuple_layout()
 * checks the relation is that table (a heap, these columns, these types)
 * before a scan uses it; otherwise the scan reads through a slot as before.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type.h"
#include "utils/rel.h"

#include "fact_tuple.h"
#include "member_fact.h"

/* the columns as src/sql/member_fact.sql creates them, in order */
static const struct
{
	const char *name;
	Oid			type;
}			fact_columns[] = {
	{"membership_id", INT8OID},
	{"person_id", INT8OID},
	{"org_id", INT8OID},
	{"joined_on", DATEOID},
	{"left_on", DATEOID},
	{"birth_date", DATEOID},
	{"virtual_card_on", DATEOID},
	{"profcards_on", DATEOID},
	{"admitted_online", BOOLOID},
	{"transfer_in", BOOLOID},
	{"left_reason", TEXTOID},
	{"statuses", BYTEAOID},
	{"cards", BYTEAOID},
};

#define FACT_NATTS ((int) lengthof(fact_columns))

bool
fact_tuple_layout(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID || desc->natts < FACT_NATTS)
		return false;
	for (int i = 0; i < FACT_NATTS; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || a->atttypid != fact_columns[i].type ||
			strcmp(NameStr(a->attname), fact_columns[i].name) != 0)
			return false;
		/* the walk takes the first three at fixed places */
		if (i < 3 && !a->attnotnull)
			return false;
	}
	return true;
}

/*
 * The walk: a cursor over the tuple's data, the null bitmap beside it.
 * Every step is the one slot_deform_heap_tuple() takes for that column's
 * type: int8 aligned to 8, date to 4, bool unaligned, a varlena aligned to
 * 4 unless it has a one-byte header.
 */
typedef struct Walk
{
	const char *data;
	const bits8 *bits;			/* NULL: no null in the row */
	uint32		off;
} Walk;

static inline bool
walk_null(const Walk *w, int att)
{
	return w->bits != NULL && att_isnull(att, w->bits);
}

static inline int64
walk_int8(Walk *w)
{
	int64		v;

	w->off = TYPEALIGN(ALIGNOF_DOUBLE, w->off);
	memcpy(&v, w->data + w->off, sizeof(v));
	w->off += sizeof(int64);
	return v;
}

static inline DateADT
walk_date(Walk *w, int att, DateADT if_null)
{
	DateADT		v;

	if (walk_null(w, att))
		return if_null;
	w->off = INTALIGN(w->off);
	memcpy(&v, w->data + w->off, sizeof(v));
	w->off += sizeof(DateADT);
	return v;
}

static inline bool
walk_bool(Walk *w, int att)
{
	bool		v;

	if (walk_null(w, att))
		return false;
	v = *(w->data + w->off) != 0;
	w->off += 1;
	return v;
}

static inline Pointer
walk_varlena(Walk *w, int att)
{
	Pointer		v;

	if (walk_null(w, att))
		return NULL;
	/* a pad byte is 0, never a one-byte header */
	if (*(w->data + w->off) == 0)
		w->off = INTALIGN(w->off);
	v = (Pointer) (w->data + w->off);
	w->off += VARSIZE_ANY(v);
	return v;
}

static inline void
walk_start(Walk *w, HeapTuple tuple)
{
	HeapTupleHeader t = tuple->t_data;

	w->data = (const char *) t + t->t_hoff;
	w->bits = HeapTupleHasNulls(tuple) ? t->t_bits : NULL;
	w->off = 0;
}

/* a tuple older than the layout (fewer columns stored) reads through heap_getattr */
static inline bool
short_tuple(HeapTuple tuple)
{
	return HeapTupleHeaderGetNatts(tuple->t_data) < FACT_NATTS;
}

int64
fact_tuple_org(HeapTuple tuple)
{
	Walk		w;

	if (short_tuple(tuple))
		elog(ERROR, "unionreg: a unionreg.member_fact row has %d columns, fewer than the table's %d",
			 HeapTupleHeaderGetNatts(tuple->t_data), FACT_NATTS);
	walk_start(&w, tuple);
	/* membership_id, person_id: NOT NULL int8, before it */
	w.off = 2 * sizeof(int64);
	return walk_int8(&w);
}

/* a code from a text value (NULL: 0) */
static uint8
text_code(Pointer p, uint8 (*code) (const char *, int))
{
	text	   *t;
	uint8		c;

	if (p == NULL)
		return 0;
	t = DatumGetTextPP(PointerGetDatum(p));
	c = code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	if ((Pointer) t != p)
		pfree(t);
	return c;
}

bool
fact_tuple_decode(HeapTuple tuple, const MemberDates *dates, MemberPeriod *m)
{
	Walk		w;
	Pointer		statuses,
				cards;

	Assert(!short_tuple(tuple));
	memset(m, 0, sizeof(*m));
	walk_start(&w, tuple);
	/* membership_id, person_id, org_id: NOT NULL int8 */
	w.off = 3 * sizeof(int64);
	m->joined = walk_date(&w, 3, 0);
	m->left = walk_date(&w, 4, DATEVAL_NOEND);
	if (m->joined > dates->d || m->left <= dates->p)
		return false;
	m->birth = walk_date(&w, 5, 0);
	m->has_birth = !walk_null(&w, 5);
	m->virtual_card_on = walk_date(&w, 6, DATEVAL_NOEND);
	m->profcards_on = walk_date(&w, 7, DATEVAL_NOEND);
	m->admitted_online = walk_bool(&w, 8);
	m->transfer_in = walk_bool(&w, 9);
	m->left_reason = text_code(walk_varlena(&w, 10), member_left_code);
	statuses = walk_varlena(&w, 11);
	cards = walk_varlena(&w, 12);
	/* the histories matter only to a member on D */
	if (m->joined <= dates->d && dates->d < m->left)
	{
		bytea	   *s = statuses ? DatumGetByteaPP(PointerGetDatum(statuses)) : NULL;
		bytea	   *c = cards ? DatumGetByteaPP(PointerGetDatum(cards)) : NULL;

		fact_histories_on(m, s, c, dates->p, dates->d);
		if (s != NULL && (Pointer) s != statuses)
			pfree(s);
		if (c != NULL && (Pointer) c != cards)
			pfree(c);
	}
	return true;
}

void
fact_histories_on(MemberPeriod *m, const bytea *statuses, const bytea *cards, DateADT p, DateADT d)
{
	if (statuses)
	{
		uint8		f = fact_status_on(statuses, d);

		m->status = FACT_STATUS(f);
		m->position = FACT_POSITION(f);
		m->pedagogical = (f & FACT_PEDAGOGICAL) != 0;
		m->full_time = (f & FACT_FULL_TIME) != 0;
	}
	if (cards)
	{
		m->card = fact_card_on(cards, d);
		m->card_requested_in_period = fact_card_requested_in(cards, p, d);
	}
}
