/*
 * rollup.c
 *	  The roll-up of tallies through the hierarchy as it stood on D, in
 *	  memory: every organization's own tally summed into each ancestor's.
 *
 * The organization pass hands over the organizations live on D with their
 * parent on D and their own counters (what they add to themselves and their
 * ancestors).  A recursive closure makes O(organizations x depth) rows and
 * sums each ancestor's group; here children are folded into parents leaves first
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
