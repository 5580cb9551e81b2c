/*
 * org_rows.c
 *	  The end of the build's organization pass: the organizations live on D
 *	  with their own counters in, rolled up through the hierarchy in memory
 *	  (rollup.c), and the filers' rows out (org_id, form, tally, is_complete,
 *	  gaps, region_id) into a sink: a function's result or snapshot_org
 *	  (snapshot_write.c).  One counter row per organization and nothing else.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "id_map.h"
#include "org_rows.h"
#include "rollup.h"
#include "tally.h"


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

