/*
 * org_rows.h
 *	  The end of the build's organization pass (org_rows.c): organizations
 *	  with their own tallies in, the filers' consolidated rows out.
 */
#ifndef UNIONREG_ORG_ROWS_H
#define UNIONREG_ORG_ROWS_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/execnodes.h"

#include "tally.h"

typedef struct OrgRow
{
	int64		id;
	int64		parent;
	bool		has_parent;
	bool		is_region;
	bool		is_primary;		/* its members count in the snapshot's total */
	Datum		form;			/* text; 0: files no form */
	Datum		gaps;			/* text[]; 0: complete, unless made as it is emitted: */
	bool		lazy_gaps;		/* incomplete, its gaps made by the sink's make_gaps */
	uint16		gap_fields;		/* for make_gaps: the mandatory passport fields empty (bits) */
	int32		gap_unknown;	/* and its members with status unknown */
	/* its own chairman on D, added to its report, not rolled up */
	bool		chairman_in_office;
	bool		chairman_released;
} OrgRow;

/*
 * Where the filers' rows go: a function's result (org_rows_to_result) or
 * snapshot_org itself (snapshot_write.c).  put() gets the six columns
 * (org_id, form, tally, is_complete, gaps, region_id); what they point to
 * is the caller's again when it returns.
 */
typedef struct OrgRowSink OrgRowSink;
struct OrgRowSink
{
	void		(*put) (OrgRowSink *sink, Datum *values, bool *nulls);
	ReturnSetInfo *rsinfo;		/* org_rows_to_result's */
	int64		members;		/* the primaries' members on D, summed over the rows put */
	/* the text[] of a row's lazy gaps, in a memory context reset after each row */
	Datum		(*make_gaps) (void *arg, const OrgRow *r);
	void	   *gaps_arg;
};

/* a sink into a set-returning function's tuplestore */
extern void org_rows_to_result(OrgRowSink *sink, ReturnSetInfo *rsinfo);
/*
 * The roll-up's order of rows (its ids, parents and regions set), worked
 * out before their counters are known: a build does it while parallel
 * workers still count members (XX001 for a cycle, 23505 for an id twice).
 */
typedef struct RollupPlan RollupPlan;

extern RollupPlan *org_rows_plan(const OrgRow *rows, int n);
/* roll acc (TC_NCOUNTERS per row, its own) up and put the filers' rows into the sink; plan NULL: made here */
extern void org_rows_emit(OrgRow *rows, int n, int64 *acc, RollupPlan *plan, OrgRowSink *sink);

#endif
