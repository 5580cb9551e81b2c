/*
 * rollup.c
 *	  The roll-up of tallies through the hierarchy as it stood on D, in
 *	  memory: every organization's own tally summed into each ancestor's.
 *
 * The SQL side hands over the organizations live on D with their parent on
 * D and their own tally (what they add to themselves and their ancestors).
 * A recursive closure in SQL makes O(organizations x depth) rows and sums
 * each ancestor's group; here children are folded into parents leaves first
 * (Kahn's order), one addition per organization: O(organizations) time and
 * one counter row per organization of memory, whatever the member count.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "big_alloc.h"
#include "rollup.h"
#include "tally.h"

static void
array_elements(ArrayType *arr, Oid expected, const char *what, Datum **values, bool **nulls, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("unionreg._rollup(): %s must be a one-dimensional array", what)));
	if (OidIsValid(expected) && ARR_ELEMTYPE(arr) != expected)
		elog(ERROR, "unionreg._rollup(): %s has the wrong element type", what);
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, values, nulls, n);
}

static int
id_index_cmp(const void *a, const void *b)
{
	int64		x = ((const IdIndex *) a)->id;
	int64		y = ((const IdIndex *) b)->id;

	return (x > y) - (x < y);
}

IdIndex *
rollup_sort_ids(const int64 *ids, int n, const char *caller)
{
	IdIndex    *sorted = palloc(sizeof(IdIndex) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		sorted[i].id = ids[i];
		sorted[i].idx = i;
	}
	qsort(sorted, n, sizeof(IdIndex), id_index_cmp);
	for (int i = 1; i < n; i++)
		if (sorted[i].id == sorted[i - 1].id)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("%s: organization %lld is listed twice", caller, (long long) sorted[i].id),
					 errhint("An organization has one parent on a date; run unionreg.validate_hierarchy() for that date.")));
	return sorted;
}

int
rollup_lookup(const IdIndex *sorted, int n, int64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sorted[mid].id == id)
			return sorted[mid].idx;
		if (sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int *
rollup_order(int n, const int *parent_idx, const int64 *ids)
{
	int		   *pending = palloc0(sizeof(int) * Max(n, 1));
	int		   *order = palloc(sizeof(int) * Max(n, 1));
	int			head = 0,
				tail = 0;

	for (int i = 0; i < n; i++)
		if (parent_idx[i] >= 0)
			pending[parent_idx[i]]++;
	for (int i = 0; i < n; i++)
		if (pending[i] == 0)
			order[tail++] = i;
	while (head < tail)
	{
		int			p = parent_idx[order[head++]];

		if ((head & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (p >= 0 && --pending[p] == 0)
			order[tail++] = p;
	}
	if (tail < n)
	{
		/* what is left waits for a child that waits for it: a cycle */
		for (int i = 0; i < n; i++)
			if (pending[i] > 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("the hierarchy holds a cycle through organization %lld on this date",
								(long long) ids[i]),
						 errdetail("%d of %d organizations could not be rolled up.", n - tail, n),
						 errhint("The write triggers refuse cycles; data written with triggers off can hold one. Run unionreg.validate_hierarchy() for the date.")));
	}
	pfree(pending);
	return order;
}

void
rollup_sum(int n, const int *order, const int *parent_idx, int64 *acc)
{
	for (int k = 0; k < n; k++)
	{
		int			v = order[k];
		int			p = parent_idx[v];

		if ((k & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (p < 0)
			continue;
		for (int c = 0; c < TC_NCOUNTERS; c++)
			tally_add_into(acc + (Size) p * TC_NCOUNTERS + c, acc[(Size) v * TC_NCOUNTERS + c], c);
	}
}

int *
rollup_fold(int n, const int *parent_idx, int64 *acc, const int64 *ids)
{
	int		   *order = rollup_order(n, parent_idx, ids);

	rollup_sum(n, order, parent_idx, acc);
	return order;
}

int *
rollup_flagged(int n, const int *order, const int *parent_idx, const bool *flag)
{
	int		   *flagged_at = palloc(sizeof(int) * Max(n, 1));

	for (int k = n - 1; k >= 0; k--)
	{
		int			v = order[k];
		int			p = parent_idx[v];

		flagged_at[v] = flag[v] ? v : (p >= 0 ? flagged_at[p] : -1);
	}
	return flagged_at;
}

PG_FUNCTION_INFO_V1(tally_rollup);

/*
 * unionreg._rollup(ids bigint[], parents bigint[], tallies tally[], flagged boolean[])
 *   RETURNS TABLE (org_id bigint, tally tally, flagged_ancestor bigint)
 *
 * For each organization: the sum of the own tallies of it and everything
 * below it, and the nearest organization at or above it that is flagged
 * (the region).  A parent outside the set makes its child a root.
 */
Datum
tally_rollup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ids,
			   *parents,
			   *tallies,
			   *flags;
	bool	   *ids_null,
			   *parents_null,
			   *tallies_null,
			   *flags_null;
	int			n,
				n_parents,
				n_tallies,
				n_flags;
	IdIndex    *sorted;
	int64	   *id64;
	bool	   *flag;
	int		   *parent_idx;
	int		   *order;
	int64	   *acc;
	int		   *flagged_at;
	Tally	   *t;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unionreg._rollup() needs four arrays, not NULL")));

	InitMaterializedSRF(fcinfo, 0);

	array_elements(PG_GETARG_ARRAYTYPE_P(0), INT8OID, "ids", &ids, &ids_null, &n);
	array_elements(PG_GETARG_ARRAYTYPE_P(1), INT8OID, "parents", &parents, &parents_null, &n_parents);
	array_elements(PG_GETARG_ARRAYTYPE_P(2), InvalidOid, "tallies", &tallies, &tallies_null, &n_tallies);
	array_elements(PG_GETARG_ARRAYTYPE_P(3), BOOLOID, "flagged", &flags, &flags_null, &n_flags);
	if (n_parents != n || n_tallies != n || n_flags != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unionreg._rollup(): the arrays differ in length (%d ids, %d parents, %d tallies, %d flags)",
						n, n_parents, n_tallies, n_flags)));
	if (n == 0)
		return (Datum) 0;

	id64 = palloc(sizeof(int64) * n);
	flag = palloc(sizeof(bool) * n);
	for (int i = 0; i < n; i++)
	{
		if (ids_null[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("unionreg._rollup(): organization id %d of %d is NULL", i + 1, n)));
		id64[i] = DatumGetInt64(ids[i]);
		flag[i] = !flags_null[i] && DatumGetBool(flags[i]);
	}
	sorted = rollup_sort_ids(id64, n, "unionreg._rollup()");
	parent_idx = palloc(sizeof(int) * n);
	for (int i = 0; i < n; i++)
		parent_idx[i] = parents_null[i] ? -1 : rollup_lookup(sorted, n, DatumGetInt64(parents[i]));

	/* one counter row per organization, starting from its own tally */
	acc = big_alloc0(sizeof(int64) * TC_NCOUNTERS * (Size) n);
	for (int i = 0; i < n; i++)
	{
		Tally	   *own;
		int			m;

		if (tallies_null[i])
			continue;
		own = DatumGetTallyP(tallies[i]);
		m = Min(own->n, TC_NCOUNTERS);
		memcpy(acc + (Size) i * TC_NCOUNTERS, own->c, sizeof(int64) * m);
	}

	order = rollup_fold(n, parent_idx, acc, id64);
	flagged_at = rollup_flagged(n, order, parent_idx, flag);

	/* one tally, overwritten for each row and packed into it */
	t = tally_new();
	for (int i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(t->c, acc + (Size) i * TC_NCOUNTERS, sizeof(int64) * TC_NCOUNTERS);
		values[0] = ids[i];
		values[1] = tally_to_datum(t);
		if (flagged_at[i] >= 0)
			values[2] = ids[flagged_at[i]];
		else
			nulls[2] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		tally_datum_free(values[1], t);
	}
	return (Datum) 0;
}
