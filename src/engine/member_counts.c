/*
 * member_counts.c
 *	  unionreg._member_pass(as_of, orgs) and the organization pass's member
 *	  counters: which way the member facts are read.  The whole union: the
 *	  table in physical order, shared with parallel workers when it is large
 *	  (member_scan.c), memory O(organizations).  A few organizations
 *	  (report() on demand): their rows through the (org_id, end) index, by
 *	  the leader or shared with workers (member_keys.c); the facts are
 *	  written in organization order, so an organization's rows lie together.
 *	  Past a quarter of the union's periods the scan is cheaper and is used
 *	  instead, counting only theirs.
 *
 * Only the extension's own SECURITY DEFINER functions call _member_pass
 * (EXECUTE is revoked from PUBLIC): it reads without row security.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "id_map.h"
#include "member_counts.h"
#include "member_keys.h"
#include "member_pass.h"
#include "member_scan.h"
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
