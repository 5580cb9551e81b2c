/*
 * member_count.h
 *	  Inside the member pass: the per-organization counters a pass keeps
 *	  and the loop that counts a scan of unionreg.member_fact into them.
 *	  Shared by member_pass.c (the leader, and report() by key) and
 *	  member_scan.c (the parallel workers of a whole-union pass).
 */
#ifndef UNIONREG_MEMBER_COUNT_H
#define UNIONREG_MEMBER_COUNT_H

#include "postgres.h"

#include "utils/date.h"

#include "id_map.h"
#include "member_pass.h"
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

/*
 * The wanted organizations' facts by key, shared with parallel workers
 * when there are many of them (member_keys.c): started (the workers begin
 * at once) and finished (the leader takes its share); false, with the
 * counts undone, past "limit" periods, as the by-key read alone.  Start
 * gives NULL when the read is the leader's alone.
 */
typedef struct MemberKeys MemberKeys;

extern MemberKeys *member_keys_start(Pass *pass, int64 limit);
extern bool member_keys_finish(MemberKeys *mk, Pass *pass);

/*
 * The whole-union scan of member_fact (member_scan.c), shared with parallel
 * workers when the table is large enough: started (the workers begin
 * reading at once) and finished (the leader reads what is left and adds
 * the workers' counters to its own) by the caller, who may do other work
 * in between.  The pass must be unfiltered, its key map set.
 */
typedef struct MemberScan MemberScan;

extern MemberScan *member_scan_start(Pass *pass);
extern void member_scan_finish(MemberScan *ms, Pass *pass);

#endif
