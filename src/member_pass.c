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

/* the counters a membership period can touch (member_period_add) */
#define MEMBER_COUNTERS TC_EMPLOYEES
/* ...and after them, the periods counted (an organization given but with none is not returned) */
#define ACC_SIZE (MEMBER_COUNTERS + 1)

typedef struct PersonFacts
{
	DateADT		birth;
	DateADT		virtual_card_on;
	int32		best_card;		/* card slot + 1 of the latest event on D; 0 none */
	uint8		status;
	uint8		position;
	bool		pedagogical;
	bool		full_time;
	bool		has_birth;
} PersonFacts;

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
	DateADT		d;
	DateADT		p;
	Oid			nsp;
	IdMap	   *persons;
	PersonFacts *person;
	int32		person_cap;
	IdMap	   *cards;
	CardFacts  *card;
	int32		card_cap;
	IdMap	   *orgs;
	int64	  **acc;			/* per org slot: counters, NULL = none yet */
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
		f->has_birth = !ISNULL(&s, a_birth);
		f->birth = f->has_birth ? DatumGetDateADT(VALUE(&s, a_birth)) : 0;
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

		if (DatumGetDateADT(VALUE(&s, a_from)) > pass->d ||
			(!ISNULL(&s, a_to) && DatumGetDateADT(VALUE(&s, a_to)) <= pass->d))
			continue;
		i = id_map_find(pass->persons, DatumGetInt64(VALUE(&s, a_person)));
		if (i < 0 || i >= pass->person_cap)
			continue;
		f = &pass->person[i];
		f->status = text_code(&s, a_status, member_status_code);
		f->position = text_code(&s, a_pos, member_position_code);
		f->pedagogical = !ISNULL(&s, a_ped) && DatumGetBool(VALUE(&s, a_ped));
		f->full_time = !ISNULL(&s, a_full) && DatumGetBool(VALUE(&s, a_full));
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

/* each person's card state on D: the latest move on or before D of any of their cards */
static void
read_cards(Pass *pass)
{
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

		if (on > pass->d)
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
			p->best_card = c + 1;
	}
}

static void
count(Pass *pass, int32 org, const MemberPeriod *m)
{
	if (pass->acc[org] == NULL)
		pass->acc[org] = palloc0(sizeof(int64) * ACC_SIZE);
	member_period_add(pass->acc[org], m, pass->d, pass->p);
	pass->acc[org][MEMBER_COUNTERS]++;
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
		if (m.joined > pass->d || m.left <= pass->p)
			continue;
		m.left_reason = text_code(&s, a_reason, member_left_code);
		person = id_map_find(pass->persons, DatumGetInt64(VALUE(&s, a_person)));
		if (m.left_reason == MP_LEFT_TRANSFERRED && m.left <= pass->d && person >= 0)
			(void) id_map_add(transfers_out, ((int64) person << 32) | (uint32) m.left);

		org = pass->filtered ? id_map_find(pass->orgs, DatumGetInt64(VALUE(&s, a_org)))
			: id_map_add(pass->orgs, DatumGetInt64(VALUE(&s, a_org)));
		if (org < 0)
			continue;
		id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int64 *), org);
		if (pass->filtered && pass->acc[org] == NULL)
			continue;

		m.admitted_online = DatumGetBool(VALUE(&s, a_online));
		m.transfer_in = false;
		f = (person >= 0 && person < pass->person_cap) ? &pass->person[person] : NULL;
		m.has_birth = f && f->has_birth;
		m.birth = f ? f->birth : 0;
		m.virtual_card_on = f ? f->virtual_card_on : DATEVAL_NOEND;
		m.status = f ? f->status : MP_STATUS_UNKNOWN;
		m.position = f ? f->position : MP_POSITION_OTHER;
		m.pedagogical = f && f->pedagogical;
		m.full_time = f && f->full_time;
		m.card = (f && f->best_card > 0) ? pass->card[f->best_card - 1].state : MP_CARD_NONE;

		if (m.joined > pass->p && person >= 0)
		{
			id_map_grow((void **) &pending, &pending_cap, sizeof(Pending), npending);
			pending[npending].m = m;
			pending[npending].org = org;
			pending[npending].person = person;
			npending++;
		}
		else
			count(pass, org, &m);
	}
	scan_end(&s);

	for (int32 i = 0; i < npending; i++)
	{
		Pending    *w = &pending[i];

		w->m.transfer_in = id_map_find(transfers_out, ((int64) w->person << 32) | (uint32) w->m.joined) >= 0;
		count(pass, w->org, &w->m);
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
	KeyRange	persons,
				cards,
				orgs = {0, -1, 0};

	if (PG_ARGISNULL(0) || DATE_NOT_FINITE(PG_GETARG_DATEADT(0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unionreg._member_pass() needs a finite reporting date")));
	InitMaterializedSRF(fcinfo, 0);

	memset(&pass, 0, sizeof(pass));
	pass.d = PG_GETARG_DATEADT(0);
	pass.p = member_period_start(pass.d);
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
		pass.orgs = id_map_create(orgs.min, orgs.max, orgs.rows);
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
			id_map_grow((void **) &pass.acc, &pass.acc_cap, sizeof(int64 *), org);
			if (pass.acc[org] == NULL)
				pass.acc[org] = palloc0(sizeof(int64) * ACC_SIZE);
		}
	}

	read_persons(&pass);
	read_statuses(&pass);
	read_cards(&pass);
	read_memberships(&pass);

	for (int32 org = 0; org < Min(id_map_slots(pass.orgs), pass.acc_cap); org++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		Tally	   *t;

		if (pass.acc[org] == NULL || pass.acc[org][MEMBER_COUNTERS] == 0)
			continue;
		t = tally_new();
		memcpy(t->c, pass.acc[org], sizeof(int64) * MEMBER_COUNTERS);
		values[0] = Int64GetDatum(id_map_id(pass.orgs, org));
		values[1] = PointerGetDatum(t);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(t);
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}
