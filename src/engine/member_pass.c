/*
 * member_pass.c
 *	  The member pass's counting: a fact row of unionreg.member_fact
 *	  (member_fact.h: one row per membership period with its person's birth
 *	  date, virtual card and status and card histories) decoded and counted
 *	  into its organization's counters as of D, read by a scan (the whole
 *	  union, or only the organizations given) or by key through the
 *	  (org_id, end) index.  What reads which way, alone or with parallel
 *	  workers, is member_counts.c's; this file calls none of the others.
 *
 * The counting rule is member_period.c, shared with unionreg.member_tally().
 * The tables are read as their owner would read them: no row security.
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

#include "fact_tuple.h"
#include "id_map.h"
#include "member_pass.h"
#include "member_period.h"
#include "table_read.h"
#include "tally.h"

/* ---- one fact row ------------------------------------------------------- */

void
member_fact_columns(TableRead *s)
{
	table_read_column(s, 0, "org_id", INT8OID);
	table_read_column(s, 1, "joined_on", DATEOID);
	table_read_column(s, 2, "left_on", DATEOID);
	table_read_column(s, 3, "left_reason", TEXTOID);
	table_read_column(s, 4, "admitted_online", BOOLOID);
	table_read_column(s, 5, "transfer_in", BOOLOID);
	table_read_column(s, 6, "birth_date", DATEOID);
	table_read_column(s, 7, "virtual_card_on", DATEOID);
	table_read_column(s, 8, "statuses", BYTEAOID);
	table_read_column(s, 9, "cards", BYTEAOID);
	table_read_column(s, 10, "profcards_on", DATEOID);
	/* the dates first: a period outside (P, D] (a fifth of them on a quarter date) needs nothing more */
	table_read_first(s, 2);
	/* the table as created: its rows read straight from the heap's tuples (fact_tuple.c) */
	s->raw = fact_tuple_layout(s->rel);
}

/* a history column, and whether it had to be copied out of line */
static bytea *
fact_history(TableRead *s, int i)
{
	return TR_ISNULL(s, i) ? NULL : DatumGetByteaPP(TR_VALUE(s, i));
}

static void
fact_history_free(TableRead *s, int i, bytea *b)
{
	if (b != NULL && (Pointer) b != DatumGetPointer(TR_VALUE(s, i)))
		pfree(b);
}

/* the period of the current row; false if it does not touch (P, D] */
static bool
fact_decode(Pass *pass, TableRead *s, MemberPeriod *m)
{
	DateADT		d = pass->dates.d;

	memset(m, 0, sizeof(*m));
	m->joined = TR_DATE(s, 1, 0);
	m->left = TR_DATE(s, 2, DATEVAL_NOEND);
	if (m->joined > d || m->left <= pass->dates.p)
		return false;
	table_read_rest(s);
	m->left_reason = table_read_code(s, 3, member_left_code);
	m->admitted_online = TR_TRUE(s, 4);
	m->transfer_in = TR_TRUE(s, 5);
	m->has_birth = !TR_ISNULL(s, 6);
	m->birth = TR_DATE(s, 6, 0);
	m->virtual_card_on = TR_DATE(s, 7, DATEVAL_NOEND);
	m->profcards_on = TR_DATE(s, 10, DATEVAL_NOEND);
	/* the histories matter only to a member on D */
	if (m->joined <= d && d < m->left)
	{
		bytea	   *statuses = fact_history(s, 8);
		bytea	   *cards = fact_history(s, 9);

		fact_histories_on(m, statuses, cards, pass->dates.p, d);
		fact_history_free(s, 8, statuses);
		fact_history_free(s, 9, cards);
	}
	return true;
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
	pass->periods++;
}

/* ---- the whole union ---------------------------------------------------- */


void
member_pass_all(Pass *pass, int64 min, int64 max, double rows)
{
	pass->key_min = min;
	pass->key_max = max;
	pass->key_rows = rows;
	pass->orgs = id_map_create(min, max, rows);
	id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE,
				Max(id_map_slots(pass->orgs) - 1, 0));
}

/* the row an organization's members count in, and whether as its own; false: none */
static inline bool
dest_row(const MemberRows *dest, int64 org_id, int32 *row, bool *own)
{
	int32		slot = id_map_find(dest->orgs, org_id);
	int32		r;

	if (slot < 0 || slot >= dest->nslots || (r = dest->row_of[slot]) == -1)
		return false;
	*own = r >= 0;
	*row = r >= 0 ? r : -2 - r;
	return true;
}

/* a period counted straight into its organization's row */
static void
count_period_into(Pass *pass, int32 row, bool own, const MemberPeriod *m)
{
	uint32		bits = member_period_counters(m, &pass->dates);
	int64	   *acc = &pass->dest.acc[(Size) row * TC_NCOUNTERS];

	if (own)
	{
		int32	   *o = &pass->dest.own[(Size) row * MEMBER_ROW_OWN];

		o[MEMBER_OWN_MEMBERS] += (bits >> TC_MEMBERS) & 1;
		o[MEMBER_OWN_UNKNOWN] += (bits >> TC_STATUS_UNKNOWN) & 1;
	}
	while (bits)
	{
		acc[pg_rightmost_one_pos32(bits)]++;
		bits &= bits - 1;
	}
	pass->periods++;
}

void
member_pass_add(Pass *pass, int64 org_id, const int32 *counts)
{
	int32		org;
	int32	   *acc;

	if (pass->dest.acc)
	{
		int32		row;
		bool		own;
		int64	   *into;

		if (!dest_row(&pass->dest, org_id, &row, &own))
			return;
		into = &pass->dest.acc[(Size) row * TC_NCOUNTERS];
		for (int k = 0; k < MEMBER_COUNTERS; k++)
			into[k] += counts[k];
		if (own)
		{
			pass->dest.own[(Size) row * MEMBER_ROW_OWN + MEMBER_OWN_MEMBERS] += counts[TC_MEMBERS];
			pass->dest.own[(Size) row * MEMBER_ROW_OWN + MEMBER_OWN_UNKNOWN] += counts[TC_STATUS_UNKNOWN];
		}
		pass->periods += counts[ACC_PERIODS];
		return;
	}
	/* the leader's own counters: the same map, so every key a worker saw has its slot */
	org = id_map_add(pass->orgs, org_id);
	if (org < 0)
		return;
	id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE, org);
	acc = &pass->acc[(Size) org * ACC_SIZE];
	for (int k = 0; k < ACC_SIZE; k++)
		acc[k] += counts[k];
	pass->periods += counts[ACC_PERIODS];
}

/* where a fact of an organization counts: a row of the organization pass's (dest) or a slot of the pass's own */
typedef struct FactTarget
{
	int32		at;				/* the row, or the slot */
	bool		own;			/* a row's own member (not a folded subdivision's) */
} FactTarget;

/* false: the organization's facts are not counted (not given, not in scope) */
static inline bool
fact_target(Pass *pass, int64 org_id, FactTarget *t)
{
	if (pass->dest.acc)
		return dest_row(&pass->dest, org_id, &t->at, &t->own);
	t->own = true;
	t->at = pass->filtered ? id_map_find(pass->orgs, org_id) : id_map_add(pass->orgs, org_id);
	if (t->at < 0)
		return false;
	id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE, t->at);
	return !pass->filtered || pass->acc[(Size) t->at * ACC_SIZE + ACC_WANTED] != 0;
}

static inline void
count_target(Pass *pass, const FactTarget *t, const MemberPeriod *m)
{
	if (pass->dest.acc)
		count_period_into(pass, t->at, t->own, m);
	else
		count_period(pass, t->at, m);
}

/* count every row the read returns (the whole union, or only the organizations given) */
void
member_pass_count_rows(Pass *pass, TableRead *s)
{
	MemberPeriod m;
	FactTarget	t;

	if (s->raw)
	{
		/* the table as created: its rows read straight from the heap's tuples */
		HeapTuple	tuple;

		while ((tuple = table_read_next_tuple(s)) != NULL)
			if (fact_target(pass, fact_tuple_org(tuple), &t) && fact_tuple_decode(tuple, &pass->dates, &m))
				count_target(pass, &t, &m);
		return;
	}
	while (table_read_next(s))
		if (fact_target(pass, TR_INT64(s, 0), &t) && fact_decode(pass, s, &m))
			count_target(pass, &t, &m);
}


/* ---- a few organizations, by key ---------------------------------------- */

/* the counts undone (the wanted marks kept), before the scan counts them again */
void
member_pass_undo(Pass *pass)
{
	for (int32 o = 0; o < pass->acc_cap; o++)
	{
		int32	   *acc = &pass->acc[(Size) o * ACC_SIZE];
		int32		wanted = acc[ACC_WANTED];

		memset(acc, 0, sizeof(int32) * ACC_SIZE);
		acc[ACC_WANTED] = wanted;
	}
	pass->periods = 0;
}

typedef struct KeyCount
{
	Pass	   *pass;
	int32		slot;
} KeyCount;

/* a fact read by key, counted (the page locked: nothing here reads another relation) */
static void
count_key_tuple(HeapTuple tuple, void *arg)
{
	KeyCount   *kc = (KeyCount *) arg;
	MemberPeriod m;

	if (fact_tuple_decode(tuple, &kc->pass->dates, &m))
		count_period(kc->pass, kc->slot, &m);
}

int64
member_pass_count_key(Pass *pass, TableRead *s, int64 id, int32 slot)
{
	int64		before = pass->periods;

	/* the periods that end after P: those that touch (P, D], and a few that begin after D */
	table_read_key(s, id, pass->dates.p);
	if (s->raw)
	{
		KeyCount	kc = {pass, slot};

		table_read_key_tuples(s, count_key_tuple, &kc);
		return pass->periods - before;
	}
	while (table_read_next(s))
	{
		MemberPeriod m;

		if (fact_decode(pass, s, &m))
			count_period(pass, slot, &m);
	}
	return pass->periods - before;
}

/* a range of keys read at once: where each fact goes */
typedef struct RangeCount
{
	Pass	   *pass;
	const int64 *ids;			/* the wanted ones, ascending */
	int			n;
	int			at;				/* the first of ids not below the current fact's organization */
	MemberOrgDone done;			/* NULL: into each organization's slot */
	void	   *arg;
	int64		org;			/* with done: the organization being counted into slot 0 */
	bool		counting;
} RangeCount;

static void
range_org_done(RangeCount *rc)
{
	if (rc->counting)
		rc->done(rc->org, rc->pass->acc, rc->arg);
	rc->counting = false;
}

static void
count_range_tuple(HeapTuple tuple, void *arg)
{
	RangeCount *rc = (RangeCount *) arg;
	int64		org = fact_tuple_org(tuple);
	MemberPeriod m;
	int32		slot;

	/* the facts come by organization, ascending: a walk along the wanted ones */
	while (rc->at < rc->n && rc->ids[rc->at] < org)
		rc->at++;
	if (rc->at >= rc->n || rc->ids[rc->at] != org)
		return;
	if (rc->done)
	{
		if (!rc->counting || rc->org != org)
		{
			range_org_done(rc);
			memset(rc->pass->acc, 0, sizeof(int32) * ACC_SIZE);
			rc->org = org;
			rc->counting = true;
		}
		slot = 0;
	}
	else if ((slot = id_map_find(rc->pass->orgs, org)) < 0 || slot >= rc->pass->acc_cap)
		return;
	if (fact_tuple_decode(tuple, &rc->pass->dates, &m))
		count_period(rc->pass, slot, &m);
}

int64
member_pass_count_range(Pass *pass, TableRead *s, const int64 *ids, int n, MemberOrgDone done, void *arg)
{
	int64		before = pass->periods;
	RangeCount	rc = {pass, ids, n, 0, done, arg, 0, false};

	Assert(s->raw && n > 0);
	table_read_range(s, ids[0], ids[n - 1], pass->dates.p);
	table_read_key_tuples(s, count_range_tuple, &rc);
	if (done)
		range_org_done(&rc);
	return pass->periods - before;
}


void
member_pass_init(Pass *pass, DateADT as_of)
{
	memset(pass, 0, sizeof(*pass));
	member_dates_init(&pass->dates, as_of);
	pass->nsp = get_namespace_oid("unionreg", false);
}
