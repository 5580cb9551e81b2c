/*
 * member_pass.c
 *	  unionreg._member_pass(as_of, orgs): the report engine's pass over
 *	  member data as of D, in C.
 *
 * It reads unionreg.member_fact (member_fact.h): one row per membership
 * period with its person's birth date, virtual card and status and card
 * histories, kept by triggers.  The whole union: that table in physical
 * order, one row at a time, memory O(organizations).  A few organizations
 * (report() on demand): their rows through the (org_id, end) index;
 * the facts are written in organization order, so an organization's rows
 * lie together.  Past a quarter of the union's periods the scan is cheaper
 * and is used instead, counting only theirs.  (Before member_fact the pass
 * read person, status_period, card, card_event and membership: 2.25 s for
 * the whole union of 4 million, ~7 us an index probe per period by key.)
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

#include "fact_tuple.h"
#include "id_map.h"
#include "member_count.h"
#include "member_pass.h"
#include "member_period.h"
#include "table_read.h"
#include "tally.h"

/*
 * Through the index while the organizations hold under about one period in
 * this many of the union: the facts of an organization lie together (they
 * are written in organization order), so an index read costs a few times a
 * row of the scan, not a random page per row.
 */
#define PROBE_SHARE 4
#define PROBE_MIN 20000

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
	/* the histories matter only to a member on D */
	if (m->joined <= d && d < m->left)
	{
		bytea	   *statuses = fact_history(s, 8);
		bytea	   *cards = fact_history(s, 9);

		fact_histories_on(m, statuses, cards, d);
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

static void
whole_union(Pass *pass)
{
	TableRead	s;
	TimestampTz t0 = GetCurrentTimestamp();

	/* the organizations' key range, unless the caller knows it (member_counts_all) */
	if (!pass->filtered && pass->orgs == NULL)
	{
		int64		min = 0,
					max = -1;
		bool		min_null,
					max_null;
		Datum		d;

		/* SPI allocates in its own context, gone at SPI_finish: the range only */
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "unionreg member pass: SPI_connect failed");
		if (SPI_execute("SELECT min(id), max(id) FROM unionreg.org", true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "unionreg member pass: cannot read the key range of unionreg.org");
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &min_null);
		if (!min_null)
			min = DatumGetInt64(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &max_null);
		if (!max_null)
			max = DatumGetInt64(d);
		SPI_finish();
		member_pass_all(pass, min, max, table_rows(pass, "org"));
	}

	if (pass->filtered)
	{
		table_read_open(&s, pass->nsp, "member_fact");
		member_fact_columns(&s);
		member_pass_count_rows(pass, &s);
		table_read_close(&s);
	}
	else
		member_scan_finish(member_scan_start(pass), pass);
	/* where the time goes, for the benchmark (SET client_min_messages = debug2) */
	elog(DEBUG2, "unionreg member pass: " INT64_FORMAT " periods read and counted in %ld ms", pass->periods,
		 TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
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

/*
 * The given organizations' facts through the index on (org_id, end), the
 * leader alone.  False, with the counts undone, when they have more than
 * "limit" periods (the same verdict the parallel read gives, member_keys.c).
 */
static bool
by_keys(Pass *pass, int64 limit)
{
	TableRead	s;
	int32		norgs = Min(id_map_slots(pass->orgs), pass->acc_cap);
	bool		within = true;

	table_read_open(&s, pass->nsp, "member_fact");
	member_fact_columns(&s);
	table_read_by_index(&s, pass->nsp, "member_fact_org_idx", 2);
	for (int32 org = 0; org < norgs && within; org++)
		if (pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] != 0)
		{
			member_pass_count_key(pass, &s, id_map_id(pass->orgs, org), org);
			within = pass->periods <= limit;
		}
	table_read_close(&s);
	if (!within)
		member_pass_undo(pass);
	return within;
}

void
member_pass_init(Pass *pass, DateADT as_of)
{
	memset(pass, 0, sizeof(*pass));
	member_dates_init(&pass->dates, as_of);
	pass->nsp = get_namespace_oid("unionreg", false);
}

/* the given organizations marked wanted in a map of their own; the by-key limit (-1: the default) */
static int64
pass_given_setup(Pass *pass, const Datum *ids, const bool *nulls, int n, int64 limit)
{
	int64		min = PG_INT64_MAX,
				max = PG_INT64_MIN;

	for (int i = 0; i < n; i++)
		if (!(nulls && nulls[i]))
		{
			min = Min(min, DatumGetInt64(ids[i]));
			max = Max(max, DatumGetInt64(ids[i]));
		}
	/* by default the scan past a quarter of the union's periods */
	if (limit < 0)
		limit = (int64) Max(PROBE_MIN, table_rows(pass, "member_fact") / PROBE_SHARE);
	pass->filtered = true;
	/* a subtree's organizations lie scattered over the key range */
	pass->orgs = id_map_create_for_keys(min, max, n);
	for (int i = 0; i < n; i++)
	{
		int32		org;

		if ((nulls && nulls[i]) || (org = id_map_add(pass->orgs, DatumGetInt64(ids[i]))) < 0)
			continue;
		id_map_grow((void **) &pass->acc, &pass->acc_cap, sizeof(int32) * ACC_SIZE, org);
		pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] = 1;
	}
	return limit;
}

/* the wanted organizations counted by key (shared with workers if started), or past "limit" with the scan */
static void
given_count(Pass *pass, MemberKeys *keys, int64 limit)
{
	/* too many for the keys: the scan, counting the same organizations */
	if (!(keys ? member_keys_finish(keys, pass) : by_keys(pass, limit)))
		whole_union(pass);
}

/* the given organizations' counters: by key, or past "limit" periods (-1: the default) with the scan */
static void
pass_given(Pass *pass, const Datum *ids, const bool *nulls, int n, int64 limit)
{
	limit = pass_given_setup(pass, ids, nulls, n, limit);
	given_count(pass, member_keys_start(pass, limit), limit);
}

static MemberCounts
counts_of(Pass *pass)
{
	MemberCounts mc;

	mc.orgs = pass->orgs;
	mc.acc = pass->acc;
	mc.nslots = Min(id_map_slots(pass->orgs), pass->acc_cap);
	return mc;
}

struct MemberKeysJob
{
	Pass		pass;
	int64		limit;
	MemberKeys *keys;			/* parallel workers reading keys too; NULL: alone */
};

MemberKeysJob *
member_counts_keys_start(DateADT as_of, const Datum *ids, int n)
{
	MemberKeysJob *job = palloc0(sizeof(MemberKeysJob));

	member_pass_init(&job->pass, as_of);
	job->limit = pass_given_setup(&job->pass, ids, NULL, n, -1);
	job->keys = member_keys_start(&job->pass, job->limit);
	return job;
}

MemberCounts
member_counts_keys_finish(MemberKeysJob *job)
{
	given_count(&job->pass, job->keys, job->limit);
	return counts_of(&job->pass);
}

struct MemberCountsJob
{
	Pass		pass;
	MemberScan *scan;
	TimestampTz started;
};

MemberCountsJob *
member_counts_start(DateADT as_of, int64 min, int64 max, double rows)
{
	MemberCountsJob *job = palloc0(sizeof(MemberCountsJob));

	job->started = GetCurrentTimestamp();
	member_pass_init(&job->pass, as_of);
	/* the workers' key map; the leader counts into the rows given at the end */
	job->pass.key_min = min;
	job->pass.key_max = max;
	job->pass.key_rows = rows;
	job->scan = member_scan_start(&job->pass);
	return job;
}

void
member_counts_into(MemberCountsJob *job, const MemberRows *rows)
{
	job->pass.dest = *rows;
	member_scan_finish(job->scan, &job->pass);
	elog(DEBUG2, "unionreg member pass: " INT64_FORMAT " periods counted, %ld ms after its start",
		 job->pass.periods, TimestampDifferenceMilliseconds(job->started, GetCurrentTimestamp()));
}

const int32 *
member_counts_of(const MemberCounts *mc, int64 org_id)
{
	int32		slot = id_map_find(mc->orgs, org_id);
	const int32 *acc;

	if (slot < 0 || slot >= mc->nslots)
		return NULL;
	acc = &mc->acc[(Size) slot * ACC_SIZE];
	return acc[ACC_PERIODS] > 0 ? acc : NULL;
}

PG_FUNCTION_INFO_V1(member_pass);

/*
 * unionreg._member_pass(as_of date, orgs bigint[] DEFAULT NULL, key_limit integer DEFAULT NULL)
 *	  RETURNS TABLE (org_id bigint, tally unionreg.tally)
 * One row per organization with a membership period touching (P, D]: of
 * every organization, or of the given ones.  Given organizations with more
 * than key_limit periods are counted with the scan (by default a quarter of
 * the union's periods; tests set it to see both ways give the same).
 */
Datum
member_pass(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				caller = CurrentMemoryContext;
	Pass		pass;
	Tally	   *t;

	if (PG_ARGISNULL(0) || DATE_NOT_FINITE(PG_GETARG_DATEADT(0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unionreg._member_pass() needs a finite reporting date")));
	InitMaterializedSRF(fcinfo, 0);

	member_pass_init(&pass, PG_GETARG_DATEADT(0));

	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);

	if (PG_ARGISNULL(1))
		whole_union(&pass);
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *ids;
		bool	   *nulls;
		int			n;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("unionreg._member_pass(): the organizations must be a one-dimensional array")));
		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ids, &nulls, &n);
		pass_given(&pass, ids, nulls, n, PG_ARGISNULL(2) ? -1 : Max(PG_GETARG_INT32(2), 0));
	}

	/* one tally, its member counters overwritten for each organization (the others stay 0) */
	t = tally_new();
	for (int32 org = 0; org < Min(id_map_slots(pass.orgs), pass.acc_cap); org++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		int32	   *acc = &pass.acc[(Size) org * ACC_SIZE];

		if (acc[ACC_PERIODS] == 0)
			continue;
		for (int i = 0; i < MEMBER_COUNTERS; i++)
			t->c[i] = acc[i];
		values[0] = Int64GetDatum(id_map_id(pass.orgs, org));
		values[1] = tally_to_datum(t);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		tally_datum_free(values[1], t);
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}
