/*
 * member_pass.c
 *	  unionreg._member_pass(as_of, orgs): the report engine's pass over
 *	  member data as of D, in C.
 *
 * The whole union: every member table is read once, in physical order;
 * what a membership needs from its person (birth date, virtual card, status
 * on D, card state on D) is gathered first into one 16-byte struct per
 * person, so the membership scan joins nothing.  The SQL formulation (four
 * joins, one C call per row with text arguments, a hash aggregate) spent
 * ~28 s of a 4-million-member build; this takes ~2.6 s and ~100 MB.
 *
 * A few organizations (report() on demand): their periods through the
 * membership index by organization, then each of their persons' facts
 * through the person's keys, no full scan.  When the organizations have
 * too many periods for that to pay (a large region), it falls back to the
 * whole-union scans, counting only theirs.
 *
 * The counting rule is member_period.c, shared with unionreg.member_tally().
 * The tables are read as their owner would read them: no row security.
 * Only the extension's own SECURITY DEFINER functions call this (EXECUTE is
 * revoked from PUBLIC); unionreg.member_tallies() uses SQL for anyone else.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "id_map.h"
#include "member_period.h"
#include "table_read.h"
#include "tally.h"

/*
 * The counters a membership period can touch (member_period_counters), and
 * after them the periods counted (an organization given but with none is
 * not returned).  int32: no organization has 2^31 membership periods.
 */
#define MEMBER_COUNTERS TC_EMPLOYEES
#define ACC_PERIODS MEMBER_COUNTERS
#define ACC_WANTED (MEMBER_COUNTERS + 1)	/* given, when only given ones count */
#define ACC_SIZE (MEMBER_COUNTERS + 2)

/* the key-driven path pays below about one period in this many of the union */
#define PROBE_SHARE 20
#define PROBE_MIN 20000

/* 16 bytes a person: 4 million persons are 64 MB */
typedef struct PersonFacts
{
	DateADT		birth;
	DateADT		virtual_card_on;
	int32		best_card;		/* card slot + 1 of the latest move on D; 0 none */
	uint8		card;			/* MP_CARD_* on D, once the cards are read */
	uint8		flags;			/* PF_* */
} PersonFacts;

/* status (2 bits), position (2 bits) and three booleans in one byte */
#define PF_STATUS(f)		((f) & 3)
#define PF_POSITION(f)		(((f) >> 2) & 3)
#define PF_PEDAGOGICAL		0x10
#define PF_FULL_TIME		0x20
#define PF_HAS_BIRTH		0x40

typedef struct CardFacts
{
	TimestampTz at;				/* latest move on or before D: recorded_at */
	DateADT		on;				/* ... its date */
	int32		person;			/* person slot + 1; 0 unknown */
	uint8		state;			/* MP_CARD_*, MP_CARD_NONE: no move on D */
} CardFacts;

/* a period waiting for its transfer flag (or, by key, for its person's facts) */
typedef struct Pending
{
	MemberPeriod m;
	int32		org;
	int32		person;
} Pending;

typedef struct Pass
{
	MemberDates dates;
	Oid			nsp;
	IdMap	   *persons;
	PersonFacts *person;
	int32		person_cap;
	IdMap	   *cards;
	CardFacts  *card;
	int32		card_cap;
	IdMap	   *orgs;
	int32	   *acc;			/* per org slot, ACC_SIZE counters each, in one array */
	int32		acc_cap;
	bool		filtered;		/* only the organizations given */
	Pending    *pending;
	int32		npending;
	int32		pending_cap;
	IdMap	   *transfers_out;	/* (person slot, day) of periods ended "transferred" in (P, D] */
} Pass;

/* ---- persons' facts: rows of person, status_period, card, card_event ---- */

static void
person_columns(TableRead *s)
{
	table_read_column(s, 0, "id", INT8OID);
	table_read_column(s, 1, "birth_date", DATEOID);
	table_read_column(s, 2, "virtual_card_on", DATEOID);
}

static void
person_row(Pass *pass, TableRead *s)
{
	int32		i = id_map_add(pass->persons, TR_INT64(s, 0));
	PersonFacts *f;

	if (i < 0)
		return;					/* outside the key range read at the start: cannot be */
	id_map_grow((void **) &pass->person, &pass->person_cap, sizeof(PersonFacts), i);
	f = &pass->person[i];
	f->flags = (f->flags & ~PF_HAS_BIRTH) | (TR_ISNULL(s, 1) ? 0 : PF_HAS_BIRTH);
	f->birth = TR_DATE(s, 1, 0);
	f->virtual_card_on = TR_DATE(s, 2, DATEVAL_NOEND);
}

static void
status_columns(TableRead *s)
{
	table_read_column(s, 0, "person_id", INT8OID);
	table_read_column(s, 1, "status", TEXTOID);
	table_read_column(s, 2, "valid_from", DATEOID);
	table_read_column(s, 3, "valid_to", DATEOID);
	table_read_column(s, 4, "pedagogical", BOOLOID);
	table_read_column(s, 5, "position", TEXTOID);
	table_read_column(s, 6, "full_time", BOOLOID);
}

/* the status period holding on D */
static void
status_row(Pass *pass, TableRead *s)
{
	int32		i;
	PersonFacts *f;

	if (TR_DATE(s, 2, 0) > pass->dates.d || TR_DATE(s, 3, DATEVAL_NOEND) <= pass->dates.d)
		return;
	i = id_map_find(pass->persons, TR_INT64(s, 0));
	if (i < 0 || i >= pass->person_cap)
		return;
	f = &pass->person[i];
	f->flags = (f->flags & PF_HAS_BIRTH)
		| table_read_code(s, 1, member_status_code)
		| (table_read_code(s, 5, member_position_code) << 2)
		| (TR_TRUE(s, 4) ? PF_PEDAGOGICAL : 0)
		| (TR_TRUE(s, 6) ? PF_FULL_TIME : 0);
}

static void
card_columns(TableRead *s)
{
	table_read_column(s, 0, "id", INT8OID);
	table_read_column(s, 1, "person_id", INT8OID);
}

static void
card_row(Pass *pass, TableRead *s)
{
	int32		c = id_map_add(pass->cards, TR_INT64(s, 0));

	if (c < 0)
		return;
	id_map_grow((void **) &pass->card, &pass->card_cap, sizeof(CardFacts), c);
	pass->card[c].person = id_map_find(pass->persons, TR_INT64(s, 1)) + 1;
}

static void
event_columns(TableRead *s)
{
	table_read_column(s, 0, "card_id", INT8OID);
	table_read_column(s, 1, "on_date", DATEOID);
	table_read_column(s, 2, "to_state", TEXTOID);
	table_read_column(s, 3, "recorded_at", TIMESTAMPTZOID);
}

/* a card's latest move on or before D */
static void
event_row(Pass *pass, TableRead *s)
{
	DateADT		on = TR_DATE(s, 1, 0);
	TimestampTz at = DatumGetTimestampTz(TR_VALUE(s, 3));
	int32		c;
	CardFacts  *f;

	if (on > pass->dates.d)
		return;
	c = id_map_find(pass->cards, TR_INT64(s, 0));
	if (c < 0 || c >= pass->card_cap)
		return;
	f = &pass->card[c];
	/* a tie within one card: the later row (both written in one transaction) */
	if (f->state == MP_CARD_NONE || on > f->on || (on == f->on && at >= f->at))
	{
		f->on = on;
		f->at = at;
		f->state = table_read_code(s, 2, member_card_code);
	}
}

/* is card a's latest move later than card b's (date, then recorded_at, then the later card) */
static bool
card_later(Pass *pass, int32 a, int32 b)
{
	CardFacts  *x = &pass->card[a];
	CardFacts  *y = &pass->card[b];

	if (x->on != y->on)
		return x->on > y->on;
	if (x->at != y->at)
		return x->at > y->at;
	return id_map_id(pass->cards, a) > id_map_id(pass->cards, b);
}

/* each person's card state on D: the latest move on or before D of any of their cards */
static void
fold_cards(Pass *pass)
{
	int32		n = Min(id_map_slots(pass->cards), pass->card_cap);

	for (int32 c = 0; c < n; c++)
	{
		CardFacts  *f = &pass->card[c];
		PersonFacts *p;

		if (f->state == MP_CARD_NONE || f->person <= 0 || f->person > pass->person_cap)
			continue;
		p = &pass->person[f->person - 1];
		if (p->best_card == 0 || card_later(pass, c, p->best_card - 1))
		{
			p->best_card = c + 1;
			p->card = f->state;
		}
	}
}

/* ---- memberships ------------------------------------------------------- */

static void
membership_columns(TableRead *s)
{
	table_read_column(s, 0, "person_id", INT8OID);
	table_read_column(s, 1, "org_id", INT8OID);
	table_read_column(s, 2, "joined_on", DATEOID);
	table_read_column(s, 3, "left_on", DATEOID);
	table_read_column(s, 4, "left_reason", TEXTOID);
	table_read_column(s, 5, "admitted_online", BOOLOID);
}

/* a period's own fields; false if it does not touch (P, D] */
static bool
membership_decode(Pass *pass, TableRead *s, MemberPeriod *m)
{
	memset(m, 0, sizeof(*m));
	m->joined = TR_DATE(s, 2, 0);
	m->left = TR_DATE(s, 3, DATEVAL_NOEND);
	if (m->joined > pass->dates.d || m->left <= pass->dates.p)
		return false;
	m->left_reason = table_read_code(s, 4, member_left_code);
	m->admitted_online = TR_TRUE(s, 5);
	return true;
}

static void
note_transfer_out(Pass *pass, const MemberPeriod *m, int32 person)
{
	if (m->left_reason == MP_LEFT_TRANSFERRED && m->left > pass->dates.p && m->left <= pass->dates.d && person >= 0)
		(void) id_map_add(pass->transfers_out, ((int64) person << 32) | (uint32) m->left);
}

/* the person's facts into the period */
static void
with_person(Pass *pass, MemberPeriod *m, int32 person)
{
	PersonFacts *f = (person >= 0 && person < pass->person_cap) ? &pass->person[person] : NULL;

	if (f == NULL)
	{
		m->virtual_card_on = DATEVAL_NOEND;
		return;
	}
	m->has_birth = (f->flags & PF_HAS_BIRTH) != 0;
	m->birth = f->birth;
	m->virtual_card_on = f->virtual_card_on;
	m->status = PF_STATUS(f->flags);
	m->position = PF_POSITION(f->flags);
	m->pedagogical = (f->flags & PF_PEDAGOGICAL) != 0;
	m->full_time = (f->flags & PF_FULL_TIME) != 0;
	m->card = f->card;
}

static void
count_period(Pass *pass, int32 org, const MemberPeriod *m)
{
	uint32		bits = member_period_counters(m, &pass->dates);
	int32	   *acc = &pass->acc[(Size) org * ACC_SIZE];

	while (bits)
	{
		acc[pg_rightmost_one_pos32(bits)]++;
		bits &= bits - 1;
	}
	acc[ACC_PERIODS]++;
}

static void
add_pending(Pass *pass, const MemberPeriod *m, int32 org, int32 person)
{
	id_map_grow((void **) &pass->pending, &pass->pending_cap, sizeof(Pending), pass->npending);
	pass->pending[pass->npending].m = *m;
	pass->pending[pass->npending].org = org;
	pass->pending[pass->npending].person = person;
	pass->npending++;
}

/*
 * The waiting periods, counted: a period starting in (P, D] is a transfer
 * in when the same person's period ending that day ended "transferred".
 */
static void
count_pending(Pass *pass, bool facts_pending)
{
	for (int32 i = 0; i < pass->npending; i++)
	{
		Pending    *w = &pass->pending[i];

		if (facts_pending)
			with_person(pass, &w->m, w->person);
		w->m.transfer_in = w->m.joined > pass->dates.p &&
			id_map_find(pass->transfers_out, ((int64) w->person << 32) | (uint32) w->m.joined) >= 0;
		count_period(pass, w->org, &w->m);
	}
}

/* ---- the whole union ---------------------------------------------------- */

typedef struct KeyRange
{
	int64		min;
	int64		max;			/* < min: no rows */
	double		rows;
} KeyRange;

/* the planner's row estimate of a table */
static double
table_rows(Pass *pass, const char *table)
{
	TableRead	s;
	double		rows;

	table_read_open(&s, pass->nsp, table);
	rows = s.rel->rd_rel->reltuples;
	table_read_close(&s);
	return rows;
}

/* (under SPI) the key range of a table, through its primary key */
static KeyRange
key_range(Pass *pass, const char *table)
{
	KeyRange	r = {0, -1, table_rows(pass, table)};
	bool		min_null,
				max_null;
	Datum		min,
				max;

	if (SPI_execute(psprintf("SELECT min(id), max(id) FROM unionreg.%s", table), true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "unionreg member pass: cannot read the key range of unionreg.%s", table);
	min = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &min_null);
	max = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &max_null);
	if (!min_null && !max_null)
	{
		r.min = DatumGetInt64(min);
		r.max = DatumGetInt64(max);
	}
	return r;
}

/* read a whole table through a row function */
static void
read_whole(Pass *pass, const char *table, void (*columns) (TableRead *),
		   void (*row) (Pass *, TableRead *))
{
	TableRead	s;

	table_read_open(&s, pass->nsp, table);
	columns(&s);
	while (table_read_next(&s))
		row(pass, &s);
	table_read_close(&s);
}

static void
whole_union(Pass *pass)
{
	MemoryContext cards_cxt;
	MemoryContext outer;
	KeyRange	persons,
				cards,
				orgs = {0, -1, 0};
	TimestampTz t0 = GetCurrentTimestamp();
	TableRead	s;

	/* SPI allocates in its own context, gone at SPI_finish: ranges only */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg member pass: SPI_connect failed");
	persons = key_range(pass, "person");
	cards = key_range(pass, "card");
	if (!pass->filtered)
		orgs = key_range(pass, "org");
	SPI_finish();

	pass->persons = id_map_create(persons.min, persons.max, persons.rows);
	id_map_grow((void **) &pass->person, &pass->person_cap, sizeof(PersonFacts),
				Max(id_map_slots(pass->persons) - 1, 0));
	if (!pass->filtered)
	{
		pass->orgs = id_map_create(orgs.min, orgs.max, orgs.rows);
		id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE,
					Max(id_map_slots(pass->orgs) - 1, 0));
	}

	/* where the time goes, for the benchmark (SET client_min_messages = debug1) */
	read_whole(pass, "person", person_columns, person_row);
	elog(DEBUG1, "unionreg member pass: persons read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();
	read_whole(pass, "status_period", status_columns, status_row);
	elog(DEBUG1, "unionreg member pass: statuses read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();

	/* the cards' facts live only until they are folded into the persons */
	cards_cxt = AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass: cards", ALLOCSET_DEFAULT_SIZES);
	outer = MemoryContextSwitchTo(cards_cxt);
	pass->cards = id_map_create(cards.min, cards.max, cards.rows);
	id_map_grow((void **) &pass->card, &pass->card_cap, sizeof(CardFacts), Max(id_map_slots(pass->cards) - 1, 0));
	read_whole(pass, "card", card_columns, card_row);
	read_whole(pass, "card_event", event_columns, event_row);
	fold_cards(pass);
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cards_cxt);
	pass->card = NULL;
	pass->card_cap = 0;
	elog(DEBUG1, "unionreg member pass: cards and their moves read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();

	/* periods starting in (P, D] wait for every "transferred" ending to be known */
	table_read_open(&s, pass->nsp, "membership");
	membership_columns(&s);
	while (table_read_next(&s))
	{
		MemberPeriod m;
		int32		person,
					org;

		if (!membership_decode(pass, &s, &m))
			continue;
		person = id_map_find(pass->persons, TR_INT64(&s, 0));
		note_transfer_out(pass, &m, person);
		org = pass->filtered ? id_map_find(pass->orgs, TR_INT64(&s, 1)) : id_map_add(pass->orgs, TR_INT64(&s, 1));
		if (org < 0)
			continue;
		id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE, org);
		if (pass->filtered && pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] == 0)
			continue;
		with_person(pass, &m, person);
		if (m.joined > pass->dates.p && person >= 0)
			add_pending(pass, &m, org, person);
		else
			count_period(pass, org, &m);
	}
	table_read_close(&s);
	count_pending(pass, false);
	elog(DEBUG1, "unionreg member pass: memberships read and counted in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
}

/* ---- a few organizations, by key ---------------------------------------- */

/* the rows of every key in a map, through an index, into a row function */
static void
read_by_keys(Pass *pass, const char *table, const char *index, int nkeys, DateADT upto, IdMap *keys,
			 void (*columns) (TableRead *), void (*row) (Pass *, TableRead *))
{
	TableRead	s;
	int32		n = id_map_slots(keys);

	/* no keys, no table to open (a primary's report reads few of them) */
	if (n == 0)
		return;
	table_read_open(&s, pass->nsp, table);
	columns(&s);
	table_read_by_index(&s, pass->nsp, index, nkeys);
	for (int32 i = 0; i < n; i++)
	{
		table_read_key(&s, id_map_id(keys, i), upto);
		while (table_read_next(&s))
			row(pass, &s);
	}
	table_read_close(&s);
}

/* a person's periods up to D: the one ended "transferred" in (P, D] is what a transfer in follows */
static void
transfer_row(Pass *pass, TableRead *s)
{
	MemberPeriod m;

	if (membership_decode(pass, s, &m))
		note_transfer_out(pass, &m, id_map_find(pass->persons, TR_INT64(s, 0)));
}

/*
 * The given organizations' periods through the membership index, then
 * their persons' facts through their keys.  False, having read nothing
 * else, when the organizations have more than "limit" periods.
 */
static bool
by_keys(Pass *pass, int64 limit)
{
	TableRead	s;
	int32		norgs = id_map_slots(pass->orgs);
	IdMap	   *movers;

	pass->persons = id_map_create_hashed(64);
	table_read_open(&s, pass->nsp, "membership");
	membership_columns(&s);
	table_read_by_index(&s, pass->nsp, "membership_org_idx", 2);
	for (int32 org = 0; org < norgs && pass->acc_cap > 0; org++)
	{
		if (org >= pass->acc_cap || pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] == 0)
			continue;
		table_read_key(&s, id_map_id(pass->orgs, org), pass->dates.d);
		while (table_read_next(&s))
		{
			MemberPeriod m;

			if (!membership_decode(pass, &s, &m))
				continue;
			if (pass->npending >= limit)
			{
				table_read_close(&s);
				return false;
			}
			add_pending(pass, &m, org, id_map_add(pass->persons, TR_INT64(&s, 0)));
		}
	}
	table_read_close(&s);

	read_by_keys(pass, "person", "person_pkey", 1, 0, pass->persons, person_columns, person_row);
	read_by_keys(pass, "status_period", "status_period_pkey", 2, pass->dates.d, pass->persons,
				 status_columns, status_row);
	pass->cards = id_map_create_hashed(64);
	read_by_keys(pass, "card", "card_person_idx", 1, 0, pass->persons, card_columns, card_row);
	read_by_keys(pass, "card_event", "card_event_card_idx", 2, pass->dates.d, pass->cards,
				 event_columns, event_row);
	fold_cards(pass);

	/* the earlier periods of those who joined in (P, D]: transfers in? */
	movers = id_map_create_hashed(64);
	for (int32 i = 0; i < pass->npending; i++)
		if (pass->pending[i].m.joined > pass->dates.p)
			(void) id_map_add(movers, id_map_id(pass->persons, pass->pending[i].person));
	read_by_keys(pass, "membership", "membership_person_id_joined_on_key", 2, pass->dates.d, movers,
				 membership_columns, transfer_row);

	count_pending(pass, true);
	return true;
}

PG_FUNCTION_INFO_V1(member_pass);

/*
 * unionreg._member_pass(as_of date, orgs bigint[] DEFAULT NULL, key_limit integer DEFAULT NULL)
 *	  RETURNS TABLE (org_id bigint, tally unionreg.tally)
 * One row per organization with a membership period touching (P, D]: of
 * every organization, or of the given ones.  Given organizations with more
 * than key_limit periods are counted with the scans (by default ~5% of the
 * union's periods; tests set it to see both ways give the same).
 */
Datum
member_pass(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				caller = CurrentMemoryContext;
	Pass		pass;

	if (PG_ARGISNULL(0) || DATE_NOT_FINITE(PG_GETARG_DATEADT(0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unionreg._member_pass() needs a finite reporting date")));
	InitMaterializedSRF(fcinfo, 0);

	memset(&pass, 0, sizeof(pass));
	member_dates_init(&pass.dates, PG_GETARG_DATEADT(0));
	pass.nsp = get_namespace_oid("unionreg", false);

	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);
	/* sized for the union's transfers of a year, or a few organizations' */
	pass.transfers_out = id_map_create_hashed(PG_ARGISNULL(1) ? 64 * 1024 : 64);

	if (PG_ARGISNULL(1))
		whole_union(&pass);
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *ids;
		bool	   *nulls;
		int			n;
		int64		min = PG_INT64_MAX,
					max = PG_INT64_MIN;
		double		periods = table_rows(&pass, "membership");

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("unionreg._member_pass(): the organizations must be a one-dimensional array")));
		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ids, &nulls, &n);
		for (int i = 0; i < n; i++)
			if (!nulls[i])
			{
				min = Min(min, DatumGetInt64(ids[i]));
				max = Max(max, DatumGetInt64(ids[i]));
			}
		pass.filtered = true;
		/* a subtree's organizations lie scattered over the key range */
		pass.orgs = id_map_create_for_keys(min, max, n);
		for (int i = 0; i < n; i++)
		{
			int32		org;

			if (nulls[i] || (org = id_map_add(pass.orgs, DatumGetInt64(ids[i]))) < 0)
				continue;
			id_map_grow((void **) &pass.acc, &pass.acc_cap, sizeof(int32) * ACC_SIZE, org);
			pass.acc[(Size) org * ACC_SIZE + ACC_WANTED] = 1;
		}

		if (!by_keys(&pass, PG_ARGISNULL(2) ? (int64) Max(PROBE_MIN, periods / PROBE_SHARE) : PG_GETARG_INT32(2)))
		{
			/* too many for the keys: start again with the scans, the same organizations */
			pass.npending = 0;
			pass.person = NULL;
			pass.person_cap = 0;
			pass.transfers_out = id_map_create_hashed(64 * 1024);
			whole_union(&pass);
		}
	}

	for (int32 org = 0; org < Min(id_map_slots(pass.orgs), pass.acc_cap); org++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		Tally	   *t;
		int32	   *acc = &pass.acc[(Size) org * ACC_SIZE];

		if (acc[ACC_PERIODS] == 0)
			continue;
		t = tally_new();
		for (int i = 0; i < MEMBER_COUNTERS; i++)
			t->c[i] = acc[i];
		values[0] = Int64GetDatum(id_map_id(pass.orgs, org));
		values[1] = PointerGetDatum(t);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(t);
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}
