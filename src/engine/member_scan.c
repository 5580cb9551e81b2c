/*
 * member_scan.c
 *	  The whole-union scan of unionreg.member_fact, shared with parallel
 *	  workers (member_count.h; the workers' plumbing is count_workers.c).
 *
 * Why: at union scale the scan is most of a build, and the build's other
 * reads (the organization tables) need nothing from it.  So the workers
 * start the moment the build knows the organizations' key range, the
 * leader reads the organization tables meanwhile, then takes its share of
 * the blocks still unread.  PostgreSQL's parallel table scan hands out the
 * blocks, so each row is counted once, whoever reads it.  With no worker
 * to be had (max_worker_processes used up, max_parallel_workers = 0) the
 * leader reads every block itself.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "storage/bufmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "count_workers.h"
#include "member_scan.h"

/* what every worker needs to count as the leader does; the parallel scan's state follows */
typedef struct ScanShared
{
	Oid			relid;
	DateADT		as_of;
	int64		key_min;
	int64		key_max;
	double		key_rows;
} ScanShared;

#define SCAN_DESC(shared) ((ParallelTableScanDesc) ((char *) (shared) + MAXALIGN(sizeof(ScanShared))))

struct MemberScan
{
	Relation	rel;			/* member_fact, open until the end */
	CountWorkers *workers;		/* NULL: the leader alone, a plain scan */
};

PGDLLEXPORT void unionreg_member_scan_worker(dsm_segment *seg, shm_toc *toc);

/*
 * As compute_parallel_worker() for a heap of this size, but the first
 * worker from FIRST_WORKER_AT times min_parallel_table_scan_size up (128 MB
 * by default, ~1.3 million periods): a worker's start costs more than it
 * saves on a smaller table (doc/internals.md).
 */
#define FIRST_WORKER_AT 16

static int
workers_for(Relation rel)
{
	BlockNumber pages = RelationGetNumberOfBlocks(rel);
	int			threshold = Max(min_parallel_table_scan_size, 1);
	int			n;

	threshold = threshold > INT_MAX / FIRST_WORKER_AT ? INT_MAX : threshold * FIRST_WORKER_AT;
	if (pages < (BlockNumber) threshold)
		return count_workers_cap(0);
	n = 1;
	while (pages >= (BlockNumber) threshold * 3)
	{
		n++;
		threshold *= 3;
		if (threshold > INT_MAX / 3)
			break;
	}
	return count_workers_cap(n);
}

MemberScan *
member_scan_start(Pass *pass)
{
	MemberScan *ms = palloc0(sizeof(MemberScan));
	Oid			relid = get_relname_relid("member_fact", pass->nsp);
	Size		pscan_size;
	ScanShared *shared;

	Assert(!pass->filtered);
	if (!OidIsValid(relid))
		elog(ERROR, "unionreg: table unionreg.member_fact is missing");
	ms->rel = table_open(relid, AccessShareLock);
	pscan_size = table_parallelscan_estimate(ms->rel, GetActiveSnapshot());
	ms->workers = count_workers_begin("unionreg_member_scan_worker", workers_for(ms->rel),
									  add_size(MAXALIGN(sizeof(ScanShared)), pscan_size));
	if (ms->workers == NULL)
		return ms;
	shared = ms->workers->shared;
	shared->relid = relid;
	shared->as_of = pass->dates.d;
	shared->key_min = pass->key_min;
	shared->key_max = pass->key_max;
	shared->key_rows = pass->key_rows;
	table_parallelscan_initialize(ms->rel, SCAN_DESC(shared), GetActiveSnapshot());
	count_workers_launch(ms->workers, "whole-union scan");
	return ms;
}

void
member_scan_finish(MemberScan *ms, Pass *pass)
{
	TableRead	s;
	TimestampTz t0 = GetCurrentTimestamp();
	int64		own = 0;

	/*
	 * The leader's share: what the workers have not taken yet (all of it,
	 * alone).  With parallel_leader_participation off, as in a Gather, the
	 * leader only adds up what the workers counted, if any were launched.
	 */
	if (ms->workers == NULL || ms->workers->nqueues == 0 || parallel_leader_participation)
	{
		table_read_open_relid(&s, RelationGetRelid(ms->rel));
		member_fact_columns(&s);
		if (ms->workers)
			table_read_parallel(&s, SCAN_DESC(ms->workers->shared));
		member_pass_count_rows(pass, &s);
		table_read_close(&s);
		own = pass->periods;
	}
	if (ms->workers)
	{
		long		read_ms = TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp());

		count_workers_collect(ms->workers, pass);
		count_workers_done(ms->workers);
		/* where the time goes, for the benchmark */
		elog(DEBUG2, "unionreg member pass: the leader counted " INT64_FORMAT " periods in %ld ms, "
			 "the workers " INT64_FORMAT " (added up in %ld ms)", own, read_ms, pass->periods - own,
			 TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()) - read_ms);
	}
	table_close(ms->rel, AccessShareLock);
	pfree(ms);
}

void
unionreg_member_scan_worker(dsm_segment *seg, shm_toc *toc)
{
	ScanShared *shared = count_worker_shared(toc);
	Pass		pass;
	TableRead	s;
	CountSender *cs;

	count_worker_pass(&pass, shared->as_of);
	member_pass_all(&pass, shared->key_min, shared->key_max, shared->key_rows);
	table_read_open_relid(&s, shared->relid);
	member_fact_columns(&s);
	table_read_parallel(&s, SCAN_DESC(shared));
	member_pass_count_rows(&pass, &s);
	table_read_close(&s);
	cs = count_sender_open(seg, toc);
	for (int32 org = 0; org < Min(id_map_slots(pass.orgs), pass.acc_cap); org++)
		count_sender_put(cs, id_map_id(pass.orgs, org), &pass.acc[(Size) org * ACC_SIZE]);
	count_sender_close(cs);
}
