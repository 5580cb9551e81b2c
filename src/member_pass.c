/*
 * member_pass.c
 *	  unionreg._member_pass(as_of, orgs): the report engine's pass over
 *	  member data as of D, in C.  Every member table is read once, in
 *	  physical order, with the caller's snapshot; what a membership needs
 *	  from its person (birth date, virtual card, status on D, card state on
 *	  D) is gathered first into one small struct per person, so the
 *	  membership scan joins nothing.  Memory: ~20 bytes per person, ~24 per
 *	  card, ~200 per organization with members; time: the five scans.
 *
 * The SQL formulation (four joins, one C call per row with text arguments,
 * a hash aggregate) spent ~28 s of a 4-million-member build; the scans
 * alone take about a second.  The counting rule is member_period.c, shared
 * with unionreg.member_tally().
 *
 * The tables are read as their owner would read them: no row security.
 * Only the extension's own SECURITY DEFINER functions call this (EXECUTE is
 * revoked from PUBLIC); unionreg.member_tallies() falls back to SQL for
 * anyone else.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "id_map.h"
#include "member_period.h"
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
	TimestampTz at;				/* latest event on or before D: recorded_at */
	DateADT		on;				/* ... its date */
	int32		person;			/* person slot + 1; 0 unknown */
	uint8		state;			/* MP_CARD_*, MP_CARD_NONE: no event on D */
} CardFacts;

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
} Pass;

/* ---- reading a table ---------------------------------------------------- */

typedef struct TableRead
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	natts;
} TableRead;

static Relation
open_table(Pass *pass, const char *name)
{
	Oid			relid = get_relname_relid(name, pass->nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "unionreg member pass: table unionreg.%s is missing", name);
	return table_open(relid, AccessShareLock);
}

/* the attribute number of a column, checked for its type */
static AttrNumber
column(TableRead *s, const char *name, Oid type)
{
	AttrNumber	a = get_attnum(RelationGetRelid(s->rel), name);

	if (a <= 0 || TupleDescAttr(RelationGetDescr(s->rel), a - 1)->atttypid != type)
		elog(ERROR, "unionreg member pass: unionreg.%s.%s is missing or of another type",
			 RelationGetRelationName(s->rel), name);
	s->natts = Max(s->natts, a);
	return a;
}

static void
scan_begin(TableRead *s, Pass *pass, const char *table)
{
	s->rel = open_table(pass, table);
	s->natts = 0;
	s->scan = NULL;
	s->slot = NULL;
}

static bool
scan_next(TableRead *s)
{
	if (s->scan == NULL)
	{
		s->scan = table_beginscan(s->rel, GetActiveSnapshot(), 0, NULL);
		s->slot = table_slot_create(s->rel, NULL);
	}
	CHECK_FOR_INTERRUPTS();
	if (!table_scan_getnextslot(s->scan, ForwardScanDirection, s->slot))
		return false;
	slot_getsomeattrs(s->slot, s->natts);
	return true;
}

static void
scan_end(TableRead *s)
{
	if (s->scan)
	{
		ExecDropSingleTupleTableSlot(s->slot);
		table_endscan(s->scan);
	}
	table_close(s->rel, AccessShareLock);
}

#define VALUE(s, a)		((s)->slot->tts_values[(a) - 1])
#define ISNULL(s, a)	((s)->slot->tts_isnull[(a) - 1])

/* a code from a text column (NULL: code 0) */
static uint8
text_code(TableRead *s, AttrNumber a, uint8 (*code) (const char *, int))
{
	text	   *t;

	if (ISNULL(s, a))
		return 0;
	t = DatumGetTextPP(VALUE(s, a));
	return code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/* ---- the key ranges, for the maps --------------------------------------- */

typedef struct KeyRange
{
	int64		min;
	int64		max;			/* < min: no rows */
	double		rows;
} KeyRange;

/* (under SPI) the key range of a table, through its primary key */
static KeyRange
key_range(Pass *pass, const char *table)
{
	char	   *sql = psprintf("SELECT min(id), max(id) FROM unionreg.%s", table);
	Relation	rel = open_table(pass, table);
	KeyRange	r = {0, -1, rel->rd_rel->reltuples};
	bool		min_null,
				max_null;
	Datum		min,
				max;

	table_close(rel, AccessShareLock);
	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
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

/* ---- the scans ---------------------------------------------------------- */

static void
read_persons(Pass *pass)
{
	TableRead		s;
	AttrNumber	a_id,
				a_birth,
				a_virtual;

	scan_begin(&s, pass, "person");
	a_id = column(&s, "id", INT8OID);
	a_birth = column(&s, "birth_date", DATEOID);
	a_virtual = column(&s, "virtual_card_on", DATEOID);
	id_map_grow((void **) &pass->person, &pass->person_cap, sizeof(PersonFacts),
				Max(id_map_slots(pass->persons) - 1, 0));
	while (scan_next(&s))
	{
		int32		i = id_map_add(pass->persons, DatumGetInt64(VALUE(&s, a_id)));
		PersonFacts *f;

		if (i < 0)
			continue;			/* a row the key range missed cannot be: skip */
		id_map_grow((void **) &pass->person, &pass->person_cap, sizeof(PersonFacts), i);
		f = &pass->person[i];
		f->flags = ISNULL(&s, a_birth) ? 0 : PF_HAS_BIRTH;
		f->birth = ISNULL(&s, a_birth) ? 0 : DatumGetDateADT(VALUE(&s, a_birth));
		f->virtual_card_on = ISNULL(&s, a_virtual) ? DATEVAL_NOEND : DatumGetDateADT(VALUE(&s, a_virtual));
	}
	scan_end(&s);
}

/* the status period holding on D of each person */
static void
read_statuses(Pass *pass)
{
	TableRead		s;
	AttrNumber	a_person,
				a_status,
				a_from,
				a_to,
				a_ped,
				a_pos,
				a_full;

	scan_begin(&s, pass, "status_period");
	a_person = column(&s, "person_id", INT8OID);
	a_status = column(&s, "status", TEXTOID);
	a_from = column(&s, "valid_from", DATEOID);
	a_to = column(&s, "valid_to", DATEOID);
	a_ped = column(&s, "pedagogical", BOOLOID);
	a_pos = column(&s, "position", TEXTOID);
	a_full = column(&s, "full_time", BOOLOID);
	while (scan_next(&s))
	{
		int32		i;
		PersonFacts *f;

		if (DatumGetDateADT(VALUE(&s, a_from)) > pass->dates.d ||
			(!ISNULL(&s, a_to) && DatumGetDateADT(VALUE(&s, a_to)) <= pass->dates.d))
			continue;
		i = id_map_find(pass->persons, DatumGetInt64(VALUE(&s, a_person)));
		if (i < 0 || i >= pass->person_cap)
			continue;
		f = &pass->person[i];
		f->flags = (f->flags & PF_HAS_BIRTH)
			| text_code(&s, a_status, member_status_code)
			| (text_code(&s, a_pos, member_position_code) << 2)
			| ((!ISNULL(&s, a_ped) && DatumGetBool(VALUE(&s, a_ped))) ? PF_PEDAGOGICAL : 0)
			| ((!ISNULL(&s, a_full) && DatumGetBool(VALUE(&s, a_full))) ? PF_FULL_TIME : 0);
	}
	scan_end(&s);
}

/* is card a's latest event later than card b's (date, then recorded_at, then the later card) */
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

/*
 * Each person's card state on D: the latest move on or before D of any of
 * their cards.  The cards' facts live only until they are folded into the
 * persons.
 */
static void
read_cards(Pass *pass)
{
	MemoryContext cards_cxt = AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass: cards",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContext outer = MemoryContextSwitchTo(cards_cxt);
	TableRead		s;
	AttrNumber	a_id,
				a_person,
				a_card,
				a_on,
				a_to,
				a_at;
	int32		n;

	scan_begin(&s, pass, "card");
	a_id = column(&s, "id", INT8OID);
	a_person = column(&s, "person_id", INT8OID);
	id_map_grow((void **) &pass->card, &pass->card_cap, sizeof(CardFacts),
				Max(id_map_slots(pass->cards) - 1, 0));
	while (scan_next(&s))
	{
		int32		c = id_map_add(pass->cards, DatumGetInt64(VALUE(&s, a_id)));

		if (c < 0)
			continue;
		id_map_grow((void **) &pass->card, &pass->card_cap, sizeof(CardFacts), c);
		pass->card[c].person = id_map_find(pass->persons, DatumGetInt64(VALUE(&s, a_person))) + 1;
	}
	scan_end(&s);

	scan_begin(&s, pass, "card_event");
	a_card = column(&s, "card_id", INT8OID);
	a_on = column(&s, "on_date", DATEOID);
	a_to = column(&s, "to_state", TEXTOID);
	a_at = column(&s, "recorded_at", TIMESTAMPTZOID);
	while (scan_next(&s))
	{
		DateADT		on = DatumGetDateADT(VALUE(&s, a_on));
		TimestampTz at = DatumGetTimestampTz(VALUE(&s, a_at));
		int32		c;
		CardFacts  *f;

		if (on > pass->dates.d)
			continue;
		c = id_map_find(pass->cards, DatumGetInt64(VALUE(&s, a_card)));
		if (c < 0 || c >= pass->card_cap)
			continue;
		f = &pass->card[c];
		/* a tie within one card: the later row (they were written in one transaction) */
		if (f->state == MP_CARD_NONE || on > f->on || (on == f->on && at >= f->at))
		{
			f->on = on;
			f->at = at;
			f->state = text_code(&s, a_to, member_card_code);
		}
	}
	scan_end(&s);

	n = Min(id_map_slots(pass->cards), pass->card_cap);
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
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cards_cxt);
	pass->card = NULL;
	pass->card_cap = 0;
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

/*
 * The periods touching (P, D], counted into their organization.  A period
 * starting in (P, D] is a transfer in when the same person's period ending
 * that day ended "transferred": those wait for the end of the scan, when
 * every such ending is known.
 */
static void
read_memberships(Pass *pass)
{
	TableRead		s;
	AttrNumber	a_person,
				a_org,
				a_joined,
				a_left,
				a_reason,
				a_online;
	Pending    *pending = NULL;
	int32		npending = 0,
				pending_cap = 0;
	IdMap	   *transfers_out = id_map_create_hashed(64 * 1024);

	scan_begin(&s, pass, "membership");
	a_person = column(&s, "person_id", INT8OID);
	a_org = column(&s, "org_id", INT8OID);
	a_joined = column(&s, "joined_on", DATEOID);
	a_left = column(&s, "left_on", DATEOID);
	a_reason = column(&s, "left_reason", TEXTOID);
	a_online = column(&s, "admitted_online", BOOLOID);
	while (scan_next(&s))
	{
		MemberPeriod m;
		int32		person,
					org;
		PersonFacts *f;

		m.joined = DatumGetDateADT(VALUE(&s, a_joined));
		m.left = ISNULL(&s, a_left) ? DATEVAL_NOEND : DatumGetDateADT(VALUE(&s, a_left));
		if (m.joined > pass->dates.d || m.left <= pass->dates.p)
			continue;
		m.left_reason = text_code(&s, a_reason, member_left_code);
		person = id_map_find(pass->persons, DatumGetInt64(VALUE(&s, a_person)));
		if (m.left_reason == MP_LEFT_TRANSFERRED && m.left <= pass->dates.d && person >= 0)
			(void) id_map_add(transfers_out, ((int64) person << 32) | (uint32) m.left);

		org = pass->filtered ? id_map_find(pass->orgs, DatumGetInt64(VALUE(&s, a_org)))
			: id_map_add(pass->orgs, DatumGetInt64(VALUE(&s, a_org)));
		if (org < 0)
			continue;
		id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE, org);
		if (pass->filtered && pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] == 0)
			continue;

		m.admitted_online = DatumGetBool(VALUE(&s, a_online));
		m.transfer_in = false;
		f = (person >= 0 && person < pass->person_cap) ? &pass->person[person] : NULL;
		m.has_birth = f && (f->flags & PF_HAS_BIRTH);
		m.birth = f ? f->birth : 0;
		m.virtual_card_on = f ? f->virtual_card_on : DATEVAL_NOEND;
		m.status = f ? PF_STATUS(f->flags) : MP_STATUS_UNKNOWN;
		m.position = f ? PF_POSITION(f->flags) : MP_POSITION_OTHER;
		m.pedagogical = f && (f->flags & PF_PEDAGOGICAL);
		m.full_time = f && (f->flags & PF_FULL_TIME);
		m.card = f ? f->card : MP_CARD_NONE;

		if (m.joined > pass->dates.p && person >= 0)
		{
			id_map_grow((void **) &pending, &pending_cap, sizeof(Pending), npending);
			pending[npending].m = m;
			pending[npending].org = org;
			pending[npending].person = person;
			npending++;
		}
		else
			count_period(pass, org, &m);
	}
	scan_end(&s);

	for (int32 i = 0; i < npending; i++)
	{
		Pending    *w = &pending[i];

		w->m.transfer_in = id_map_find(transfers_out, ((int64) w->person << 32) | (uint32) w->m.joined) >= 0;
		count_period(pass, w->org, &w->m);
	}
}

PG_FUNCTION_INFO_V1(member_pass);

/*
 * unionreg._member_pass(as_of date, orgs bigint[] DEFAULT NULL)
 *	  RETURNS TABLE (org_id bigint, tally unionreg.tally)
 * One row per organization with a membership period touching (P, D]: of
 * every organization, or of the given ones.
 */
Datum
member_pass(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				caller = CurrentMemoryContext;
	Pass		pass;
	TimestampTz t0;
	KeyRange	persons,
				cards,
				orgs = {0, -1, 0};

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

	/* SPI allocates in its own context, gone at SPI_finish: ranges only */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg member pass: SPI_connect failed");
	persons = key_range(&pass, "person");
	cards = key_range(&pass, "card");
	if (PG_ARGISNULL(1))
		orgs = key_range(&pass, "org");
	SPI_finish();

	pass.persons = id_map_create(persons.min, persons.max, persons.rows);
	pass.cards = id_map_create(cards.min, cards.max, cards.rows);
	if (PG_ARGISNULL(1))
	{
		pass.orgs = id_map_create(orgs.min, orgs.max, orgs.rows);
		id_map_grow((void **) &pass.acc, &pass.acc_cap, sizeof(int32) * ACC_SIZE,
					Max(id_map_slots(pass.orgs) - 1, 0));
	}
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *ids;
		bool	   *nulls;
		int			n;
		int64		min = PG_INT64_MAX,
					max = PG_INT64_MIN;

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
		pass.orgs = id_map_create(min, max, n);
		for (int i = 0; i < n; i++)
		{
			int32		org;

			if (nulls[i] || (org = id_map_add(pass.orgs, DatumGetInt64(ids[i]))) < 0)
				continue;
			id_map_grow((void **) &pass.acc, &pass.acc_cap, sizeof(int32) * ACC_SIZE, org);
			pass.acc[(Size) org * ACC_SIZE + ACC_WANTED] = 1;
		}
	}

	/* where the time goes, for the benchmark (SET client_min_messages = debug1) */
	t0 = GetCurrentTimestamp();
	read_persons(&pass);
	elog(DEBUG1, "unionreg member pass: persons read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();
	read_statuses(&pass);
	elog(DEBUG1, "unionreg member pass: statuses read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();
	read_cards(&pass);
	elog(DEBUG1, "unionreg member pass: cards and their moves read in %ld ms", TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	t0 = GetCurrentTimestamp();
	read_memberships(&pass);
	elog(DEBUG1, "unionreg member pass: memberships read and counted in %ld ms, %zu kB of memory",
		 TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()), MemoryContextMemAllocated(work, true) / 1024);

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
