/*
 * rollup.h
 *	  The roll-up core (rollup.c), shared by unionreg._rollup() and the
 *	  build's organization pass (org_rows.c).
 */
#ifndef UNIONREG_ROLLUP_H
#define UNIONREG_ROLLUP_H

#include "postgres.h"

typedef struct IdIndex
{
	int64		id;
	int			idx;
} IdIndex;

/* ids sorted for rollup_lookup(); 23505 naming "caller" if one is listed twice */
extern IdIndex *rollup_sort_ids(const int64 *ids, int n, const char *caller);
/* the position of id, or -1 */
extern int	rollup_lookup(const IdIndex *sorted, int n, int64 id);

/*
 * acc holds TC_NCOUNTERS counters per organization, its own; each is added
 * into its parent's, leaves first (XX001 on a cycle).  Returns the order
 * used: every child before its parent.
 */
extern int *rollup_fold(int n, const int *parent_idx, int64 *acc, const int64 *ids);
/* the same in two steps: the order (XX001 on a cycle), which needs no counter, then the sums */
extern int *rollup_order(int n, const int *parent_idx, const int64 *ids);
extern void rollup_sum(int n, const int *order, const int *parent_idx, int64 *acc);
/* for each organization, the nearest flagged one at or above it, or -1 */
extern int *rollup_flagged(int n, const int *order, const int *parent_idx, const bool *flag);

#endif
