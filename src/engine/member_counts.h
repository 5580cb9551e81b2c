/*
 * member_counts.h
 *	  The member pass over the whole union (member_counts.c), for the build's
 *	  organization pass (org_pass.c): every organization's member counters
 *	  on D, without a tuplestore of tallies in between.
 */
#ifndef UNIONREG_MEMBER_COUNTS_H
#define UNIONREG_MEMBER_COUNTS_H

#include "postgres.h"

#include "utils/date.h"

#include "id_map.h"
#include "tally.h"

/* the counters a membership period can touch: TallyCounter 0 .. MEMBER_COUNTERS - 1 */
#define MEMBER_COUNTERS TC_EMPLOYEES

typedef struct MemberCounts
{
	IdMap	   *orgs;			/* organization id -> slot */
	int32	   *acc;			/* per slot, a fixed stride of counters, the first MEMBER_COUNTERS ours */
	int32		nslots;			/* slots with counters */
} MemberCounts;

/*
 * Where the whole union's member counters go (member_counts_into): straight
 * into the organization pass's rows, with no counters per organization in
 * between (15 MB of memory touched less at union scale).
 */
typedef struct MemberRows
{
	IdMap	   *orgs;			/* the organization pass's map: id -> slot */
	const int32 *row_of;		/* by slot: its row (>= 0), folded into row r (-2 - r), or none (-1) */
	int32		nslots;
	int64	   *acc;			/* by row, TC_NCOUNTERS each: the members' counters are added */
	int32	   *own;			/* by row, MEMBER_ROW_OWN each: of its own members (not folded ones') */
} MemberRows;

#define MEMBER_ROW_OWN 2
#define MEMBER_OWN_MEMBERS 0	/* members on D */
#define MEMBER_OWN_UNKNOWN 1	/* of them with status unknown */

/* the same started (parallel workers, if any, begin reading at once) and finished */
typedef struct MemberKeysJob MemberKeysJob;

extern MemberKeysJob *member_counts_keys_start(DateADT as_of, const Datum *ids, int n);
extern MemberCounts member_counts_keys_finish(MemberKeysJob *job);

/*
 * The same for every organization, their keys' range and number known to
 * the caller: started (parallel workers, if any, begin reading at once) and
 * finished into the rows, the caller free to read other tables in between.
 */
typedef struct MemberCountsJob MemberCountsJob;

extern MemberCountsJob *member_counts_start(DateADT as_of, int64 min, int64 max, double rows);
extern void member_counts_into(MemberCountsJob *job, const MemberRows *rows);
/* the counters of an organization, or NULL if it has no period touching (P, D] */
extern const int32 *member_counts_of(const MemberCounts *mc, int64 org_id);

#endif
