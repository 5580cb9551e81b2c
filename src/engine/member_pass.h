/*
 * member_pass.h
 *	  Inside the member pass (member_pass.c): the per-organization counters
 *	  a pass keeps and the loops that count member_fact's rows into them,
 *	  by scan or by key.  Used by member_counts.c (which read goes which way)
 *	  and by the parallel reads (member_scan.c, member_keys.c,
 *	  count_workers.c).
 */
#ifndef UNIONREG_MEMBER_PASS_H
#define UNIONREG_MEMBER_PASS_H

#include "postgres.h"

#include "utils/date.h"

#include "id_map.h"
#include "member_counts.h"
#include "member_period.h"
#include "table_read.h"

/*
 * The counters a membership period can touch (member_period_counters), and
 * after them the periods counted (an organization given but with none is
 * not returned).  int32: no organization has 2^31 membership periods.
 */
#define ACC_PERIODS MEMBER_COUNTERS
#define ACC_WANTED (MEMBER_COUNTERS + 1)	/* given, when only given ones count */
#define ACC_SIZE (MEMBER_COUNTERS + 2)

typedef struct Pass
{
	MemberDates dates;
	Oid			nsp;
	IdMap	   *orgs;
	int32	   *acc;			/* per org slot, ACC_SIZE counters each, in one array */
	int32		acc_cap;
	bool		filtered;		/* only the organizations given */
	int64		periods;		/* counted so far */
	/* the key map's arguments (member_pass_all), for parallel workers */
	int64		key_min;
	int64		key_max;
	double		key_rows;
	/* or, with dest set, straight into the organization pass's rows: */
	MemberRows	dest;
} Pass;

extern void member_pass_init(Pass *pass, DateADT as_of);
/* every organization of keys in [min, max], about "rows" of them: a counter row each */
extern void member_pass_all(Pass *pass, int64 min, int64 max, double rows);
/* remember the fact columns the pass reads, on a TableRead of member_fact */
extern void member_fact_columns(TableRead *s);
/* count every row the read returns */
extern void member_pass_count_rows(Pass *pass, TableRead *s);
/* add an organization's counters (ACC_SIZE of them, a worker's) to the pass's */
extern void member_pass_add(Pass *pass, int64 org_id, const int32 *counts);
/* count one organization's periods (that end after P) by key, into slot; the periods counted */
extern int64 member_pass_count_key(Pass *pass, TableRead *s, int64 id, int32 slot);
/*
 * The same for the n organizations of ids (ascending, close together) with
 * one index descent: into each one's slot, or with done, one at a time into
 * slot 0, done() called after each that has periods; the periods counted.
 * A read of the table as created (TableRead.raw).
 */
typedef void (*MemberOrgDone) (int64 org_id, const int32 *acc, void *arg);

extern int64 member_pass_count_range(Pass *pass, TableRead *s, const int64 *ids, int n,
									 MemberOrgDone done, void *arg);
/* the counts undone, the wanted marks kept */
extern void member_pass_undo(Pass *pass);



#endif
