/*
 * org_pass.c
 *	  unionreg._org_rollup(cursor): the end of the build's organization pass.
 *	  It reads every organization live on D from an open cursor (id, parent,
 *	  is it a region, its own tally, the form it files, its chairman's tally,
 *	  its report's gaps), rolls the tallies up through the hierarchy in
 *	  memory (rollup.c) and returns the filers' rows, ready to be written.
 *
 * Before, the same rows went to unionreg._rollup() as four SQL arrays of
 * 150,000 elements (built by array_agg, ~0.8 s and several hundred MB) and
 * its result, every organization with a tally, was sorted and joined back
 * to the filers, their chairmen and their gaps (~0.7 s more).  Reading the
 * cursor in batches keeps one counter row per organization and nothing else.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "id_map.h"
#include "org_pass.h"
#include "rollup.h"
#include "tally.h"

#define FETCH_BATCH 10000

/*
 * Roll the organizations' tallies up (acc: TC_NCOUNTERS each, their own)
 * and put the filers' rows into the result: the consolidated tally plus the
 * filer's own chairman, completeness, gaps, region.
 */
static void
put_result(OrgRowSink *sink, Datum *values, bool *nulls)
{
	tuplestore_putvalues(sink->rsinfo->setResult, sink->rsinfo->setDesc, values, nulls);
}

void
org_rows_to_result(OrgRowSink *sink, ReturnSetInfo *rsinfo)
{
	memset(sink, 0, sizeof(*sink));
	sink->put = put_result;
	sink->rsinfo = rsinfo;
}

struct RollupPlan
{
	int64	   *ids;
	int		   *parent_idx;
	int		   *order;
	int		   *region_at;
};

RollupPlan *
org_rows_plan(const OrgRow *rows, int n)
{
	RollupPlan *plan = palloc0(sizeof(RollupPlan));
	bool	   *is_region;
	IdIndex    *sorted;

	if (n == 0)
		return plan;
	plan->ids = palloc(sizeof(int64) * n);
	is_region = palloc(sizeof(bool) * n);
	for (int i = 0; i < n; i++)
	{
		plan->ids[i] = rows[i].id;
		is_region[i] = rows[i].is_region;
	}
	sorted = rollup_sort_ids(plan->ids, n, "unionreg._org_rollup()");
	plan->parent_idx = palloc(sizeof(int) * n);
	for (int i = 0; i < n; i++)
		plan->parent_idx[i] = rows[i].has_parent ? rollup_lookup(sorted, n, rows[i].parent) : -1;
	plan->order = rollup_order(n, plan->parent_idx, plan->ids);
	plan->region_at = rollup_flagged(n, plan->order, plan->parent_idx, is_region);
	pfree(sorted);
	pfree(is_region);
	return plan;
}

void
org_rows_emit(OrgRow *rows, int n, int64 *acc, RollupPlan *plan, OrgRowSink *sink)
{
	int64	   *ids;
	int		   *region_at;
	Tally	   *t;
	MemoryContext rowcxt,
				caller;

	if (n == 0)
		return;
	if (plan == NULL)
		plan = org_rows_plan(rows, n);
	ids = plan->ids;
	region_at = plan->region_at;
	rollup_sum(n, plan->order, plan->parent_idx, acc);

	/* one tally, overwritten for each row and packed into it */
	t = tally_new();
	/* what a row needs only until it is put: the same memory for every row */
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "unionreg filer row", ALLOCSET_SMALL_SIZES);
	for (int i = 0; i < n; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		OrgRow	   *r = &rows[i];

		if (r->form == 0)
			continue;
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(t->c, acc + (Size) i * TC_NCOUNTERS, sizeof(int64) * TC_NCOUNTERS);
		/* the filer's own chairman: its report's, not rolled up */
		if (r->chairman_in_office)
			tally_add_into(&t->c[TC_CHAIRMAN_IN_OFFICE], 1, TC_CHAIRMAN_IN_OFFICE);
		if (r->chairman_released)
			tally_add_into(&t->c[TC_CHAIRMAN_RELEASED], 1, TC_CHAIRMAN_RELEASED);
		caller = MemoryContextSwitchTo(rowcxt);
		values[0] = Int64GetDatum(r->id);
		values[1] = r->form;
		values[2] = tally_to_datum(t);
		values[3] = BoolGetDatum(r->gaps == 0 && !r->lazy_gaps);
		values[4] = r->lazy_gaps ? sink->make_gaps(sink->gaps_arg, r) : r->gaps;
		nulls[4] = values[4] == 0;
		MemoryContextSwitchTo(caller);
		values[5] = region_at[i] >= 0 ? Int64GetDatum(ids[region_at[i]]) : (Datum) 0;
		nulls[5] = region_at[i] < 0;
		if (r->is_primary)
			sink->members += t->c[TC_MEMBERS];
		sink->put(sink, values, nulls);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
}

/* a chairman's tally: whether one is in office, and released (nothing else may be in it) */
static void
chairman_of(OrgRow *r, Datum d)
{
	Tally	   *t = DatumGetTallyP(d);

	for (int c = 0; c < t->n; c++)
	{
		if (t->c[c] == 0)
			continue;
		if ((c != TC_CHAIRMAN_IN_OFFICE && c != TC_CHAIRMAN_RELEASED) || t->c[c] != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unionreg._org_rollup(): the chairman's tally of organization " INT64_FORMAT
							" holds %s = " INT64_FORMAT, r->id, tally_counter_names[c], t->c[c]),
					 errdetail("A chairman's tally holds chairman_in_office = 1 and chairman_released = 0 or 1, nothing else."),
					 errhint("Make the cursor's chairman column with unionreg._chairman_tally(released).")));
		if (c == TC_CHAIRMAN_IN_OFFICE)
			r->chairman_in_office = true;
		else
			r->chairman_released = true;
	}
	if (r->chairman_released && !r->chairman_in_office)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unionreg._org_rollup(): organization " INT64_FORMAT " has a released chairman not in office", r->id),
				 errhint("Make the cursor's chairman column with unionreg._chairman_tally(released).")));
	if ((Pointer) t != DatumGetPointer(d))
		pfree(t);
}

PG_FUNCTION_INFO_V1(org_rollup);

/*
 * unionreg._org_rollup(cursor refcursor)
 *	  RETURNS TABLE (org_id bigint, form text, tally unionreg.tally,
 *					 is_complete boolean, gaps text[], region_id bigint)
 * The cursor's rows: (id bigint, parent_id bigint, is_region boolean,
 * own unionreg.tally, form text, chairman unionreg.tally, gaps text[]).
 */
Datum
org_rollup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name;
	MemoryContext outer;
	Portal		portal;
	OrgRow	   *rows = NULL;
	int32		cap = 0;
	int			n = 0;
	int64	   *acc = NULL;
	int32		acc_cap = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unionreg._org_rollup() needs an open cursor, not NULL")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, 0);
	outer = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg._org_rollup(): SPI_connect failed");
	portal = SPI_cursor_find(name);
	if (portal == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_CURSOR),
				 errmsg("cursor \"%s\" does not exist", name),
				 errhint("unionreg._org_rollup() reads a cursor the caller has opened in this transaction.")));
	for (;;)
	{
		MemoryContext spi;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		if (SPI_tuptable->tupdesc->natts != 7)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("unionreg._org_rollup(): the cursor returns %d columns, not 7",
							SPI_tuptable->tupdesc->natts)));
		/* what is kept outlives SPI's tuples */
		spi = MemoryContextSwitchTo(outer);
		for (uint64 k = 0; k < SPI_processed; k++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[k];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			OrgRow	   *r;
			bool		isnull;
			Datum		d;

			if (n == PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("unionreg._org_rollup(): too many organizations")));
			id_map_grow((void **) &rows, &cap, sizeof(OrgRow), n);
			id_map_grow((void **) &acc, &acc_cap, sizeof(int64) * TC_NCOUNTERS, n);
			r = &rows[n];
			d = SPI_getbinval(tuple, desc, 1, &isnull);
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("unionreg._org_rollup(): organization id %d is NULL", n + 1)));
			r->id = DatumGetInt64(d);
			d = SPI_getbinval(tuple, desc, 2, &isnull);
			r->has_parent = !isnull;
			r->parent = isnull ? 0 : DatumGetInt64(d);
			d = SPI_getbinval(tuple, desc, 3, &isnull);
			r->is_region = !isnull && DatumGetBool(d);
			d = SPI_getbinval(tuple, desc, 4, &isnull);
			if (!isnull)
			{
				Tally	   *t = DatumGetTallyP(d);

				memcpy(acc + (Size) n * TC_NCOUNTERS, t->c, sizeof(int64) * Min(t->n, TC_NCOUNTERS));
			}
			d = SPI_getbinval(tuple, desc, 5, &isnull);
			r->form = isnull ? (Datum) 0 : datumCopy(d, false, -1);
			d = SPI_getbinval(tuple, desc, 6, &isnull);
			if (!isnull && r->form != 0)
				chairman_of(r, d);
			d = SPI_getbinval(tuple, desc, 7, &isnull);
			r->gaps = (isnull || r->form == 0) ? (Datum) 0 : datumCopy(d, false, -1);
			n++;
		}
		MemoryContextSwitchTo(spi);
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
	if (n == 0)
		return (Datum) 0;

	{
		OrgRowSink	sink;

		org_rows_to_result(&sink, rsinfo);
		org_rows_emit(rows, n, acc, NULL, &sink);
	}
	return (Datum) 0;
}
