/*
 * member_scan.c
 *	  The whole-union scan of unionreg.member_fact, shared with parallel
 *	  workers (member_count.h).
 *
 * Why: at union scale the scan is ~0.4 s of a ~1 s build, and the build's
 * other reads (the organization tables) need nothing from it.  So the
 * workers start the moment the build knows the organizations' key range,
 * the leader reads the organization tables meanwhile, then takes its share
 * of the blocks still unread.  PostgreSQL's parallel table scan hands out
 * the blocks, so each row is counted once, whoever reads it.  Each worker
 * counts into counters of its own and, at the end, sends one record per
 * organization it saw through a shm_mq; the leader adds them to its own.
 * A worker's error is raised in the leader (WaitForParallelWorkersToFinish)
 * and ends the build: a count is never partial.  With no worker to be had
 * (max_worker_processes used up, max_parallel_workers = 0) the leader reads
 * every block itself.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "postmaster/bgworker_internals.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "member_count.h"

#define SCAN_MAGIC UINT64CONST(0x756E696F6E726567)	/* "unionreg" */
#define KEY_SHARED UINT64CONST(1)
#define KEY_SCAN UINT64CONST(2)
#define KEY_QUEUES UINT64CONST(3)
/* a worker's queue: its records pass through it, the leader reading as it goes */
#define QUEUE_SIZE ((Size) 1024 * 1024)
/* records a message */
#define BATCH 512

/* unionreg.member_pass_workers; -1: as the planner sizes a parallel scan */
static int	member_pass_workers = -1;

/* what every worker needs to count as the leader does */
typedef struct ScanShared
{
	Oid			relid;
	DateADT		as_of;
	int64		key_min;
	int64		key_max;
	double		key_rows;
} ScanShared;

/* what a worker sends for one organization: its counters, periods included */
typedef struct OrgCounts
{
	int64		id;
	int32		acc[ACC_SIZE];
} OrgCounts;

struct MemberScan
{
	Relation	rel;			/* member_fact, open until the end */
	ParallelContext *pcxt;		/* NULL: the leader alone, a plain scan */
	ParallelTableScanDesc pscan;
	shm_mq_handle **queues;		/* one per launched worker */
	int			nqueues;
};

PGDLLEXPORT void unionreg_member_scan_worker(dsm_segment *seg, shm_toc *toc);

void
member_scan_init(void)
{
	DefineCustomIntVariable("unionreg.member_pass_workers",
							"Parallel workers that share the report engine's whole-union scan of the member facts.",
							"-1 sizes them as the planner sizes a parallel scan of unionreg.member_fact, from 16 times "
							"min_parallel_table_scan_size up (a worker's start costs more than reading less): one, "
							"one more each time the table triples, at most max_parallel_workers_per_gather.  0 reads alone; a number asks for that many "
							"whatever the table's size (tests).  max_parallel_workers still caps what is launched.",
							&member_pass_workers,
							-1, -1, MAX_PARALLEL_WORKER_LIMIT,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}

/*
 * As compute_parallel_worker() for a heap of this size, but the first
 * worker from FIRST_WORKER_AT times min_parallel_table_scan_size up (128 MB
 * by default, ~1.3 million periods): a worker took 50-80 ms to start on the
 * development VM, longer than reading a smaller table alone (demo scale,
 * 318,507 periods: 50 ms alone, 90-120 ms with a worker).
 */
#define FIRST_WORKER_AT 16

static int
workers_for(Relation rel)
{
	BlockNumber pages;
	int			threshold;
	int			n;

	if (member_pass_workers >= 0)
		return member_pass_workers;
	pages = RelationGetNumberOfBlocks(rel);
	threshold = Max(min_parallel_table_scan_size, 1);
	threshold = threshold > INT_MAX / FIRST_WORKER_AT ? INT_MAX : threshold * FIRST_WORKER_AT;
	if (pages < (BlockNumber) threshold)
		return 0;
	n = 1;
	while (pages >= (BlockNumber) threshold * 3)
	{
		n++;
		threshold *= 3;
		if (threshold > INT_MAX / 3)
			break;
	}
	return Min(n, max_parallel_workers_per_gather);
}

MemberScan *
member_scan_start(Pass *pass)
{
	MemberScan *ms = palloc0(sizeof(MemberScan));
	Oid			relid = get_relname_relid("member_fact", pass->nsp);
	int			nworkers;
	ParallelContext *pcxt;
	ScanShared *shared;
	Size		pscan_size;
	char	   *queues;

	Assert(!pass->filtered);
	if (!OidIsValid(relid))
		elog(ERROR, "unionreg: table unionreg.member_fact is missing");
	ms->rel = table_open(relid, AccessShareLock);
	nworkers = workers_for(ms->rel);
	/* not from inside another parallel operation, nor in single-user mode */
	if (nworkers <= 0 || IsInParallelMode() || !IsUnderPostmaster)
		return ms;

	EnterParallelMode();
	pcxt = ms->pcxt = CreateParallelContext("$libdir/unionreg", "unionreg_member_scan_worker", nworkers);
	pscan_size = table_parallelscan_estimate(ms->rel, GetActiveSnapshot());
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(ScanShared));
	shm_toc_estimate_chunk(&pcxt->estimator, pscan_size);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(QUEUE_SIZE, nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	/* with no shared memory to be had it sets nworkers to 0: the leader reads every block */
	InitializeParallelDSM(pcxt);

	shared = shm_toc_allocate(pcxt->toc, sizeof(ScanShared));
	shared->relid = relid;
	shared->as_of = pass->dates.d;
	shared->key_min = pass->key_min;
	shared->key_max = pass->key_max;
	shared->key_rows = pass->key_rows;
	shm_toc_insert(pcxt->toc, KEY_SHARED, shared);
	ms->pscan = shm_toc_allocate(pcxt->toc, pscan_size);
	table_parallelscan_initialize(ms->rel, ms->pscan, GetActiveSnapshot());
	shm_toc_insert(pcxt->toc, KEY_SCAN, ms->pscan);
	queues = shm_toc_allocate(pcxt->toc, mul_size(QUEUE_SIZE, Max(pcxt->nworkers, 1)));
	for (int i = 0; i < pcxt->nworkers; i++)
		shm_mq_set_receiver(shm_mq_create(queues + (Size) i * QUEUE_SIZE, QUEUE_SIZE), MyProc);
	shm_toc_insert(pcxt->toc, KEY_QUEUES, queues);

	LaunchParallelWorkers(pcxt);
	elog(DEBUG1, "unionreg member pass: %d parallel workers launched of %d asked",
		 pcxt->nworkers_launched, nworkers);
	/* the launched ones are the first nworkers_launched; the rest never read */
	ms->nqueues = pcxt->nworkers_launched;
	ms->queues = palloc0(sizeof(shm_mq_handle *) * Max(ms->nqueues, 1));
	for (int i = 0; i < ms->nqueues; i++)
		ms->queues[i] = shm_mq_attach((shm_mq *) (queues + (Size) i * QUEUE_SIZE), pcxt->seg,
									  pcxt->worker[i].bgwhandle);
	return ms;
}

/* add what one worker counted to the leader's counters */
static void
receive_counts(shm_mq_handle *mqh, Pass *pass)
{
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result r = shm_mq_receive(mqh, &nbytes, &data, false);

		/* a worker detaches when it has sent everything, or when it fails (raised below) */
		if (r == SHM_MQ_DETACHED)
			return;
		if (r != SHM_MQ_SUCCESS || nbytes % sizeof(OrgCounts) != 0)
			elog(ERROR, "unionreg member pass: a worker's message of %zu bytes is not whole records", nbytes);
		for (Size off = 0; off < nbytes; off += sizeof(OrgCounts))
		{
			OrgCounts	rec;

			memcpy(&rec, (char *) data + off, sizeof(rec));
			member_pass_add(pass, rec.id, rec.acc);
		}
		CHECK_FOR_INTERRUPTS();
	}
}

void
member_scan_finish(MemberScan *ms, Pass *pass)
{
	TableRead	s;

	/*
	 * The leader's share: what the workers have not taken yet (all of it,
	 * alone).  With parallel_leader_participation off, as in a Gather, the
	 * leader only adds up what the workers counted, if any were launched.
	 */
	TimestampTz t0 = GetCurrentTimestamp();
	int64		own = 0;

	if (ms->pcxt == NULL || ms->nqueues == 0 || parallel_leader_participation)
	{
		table_read_open_relid(&s, RelationGetRelid(ms->rel));
		member_fact_columns(&s);
		if (ms->pcxt)
			table_read_parallel(&s, ms->pscan);
		member_pass_count_rows(pass, &s);
		table_read_close(&s);
		own = pass->periods;
	}
	if (ms->pcxt)
	{
		long		read_ms = TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp());

		for (int i = 0; i < ms->nqueues; i++)
			receive_counts(ms->queues[i], pass);
		/* where the time goes, for the benchmark */
		elog(DEBUG2, "unionreg member pass: the leader counted " INT64_FORMAT " periods in %ld ms, "
			 "the workers " INT64_FORMAT " (added up in %ld ms)", own, read_ms, pass->periods - own,
			 TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()) - read_ms);
		/* raises a worker's error, if one had any */
		WaitForParallelWorkersToFinish(ms->pcxt);
		DestroyParallelContext(ms->pcxt);
		ExitParallelMode();
	}
	table_close(ms->rel, AccessShareLock);
	pfree(ms);
}

/* a worker's counters, one record per organization it counted a period of */
static void
send_counts(shm_mq_handle *mqh, Pass *pass)
{
	OrgCounts  *batch = palloc(sizeof(OrgCounts) * BATCH);
	int32		slots = Min(id_map_slots(pass->orgs), pass->acc_cap);
	int			n = 0;

	for (int32 org = 0; org <= slots; org++)
	{
		const int32 *acc = org < slots ? &pass->acc[(Size) org * ACC_SIZE] : NULL;

		if (acc && acc[ACC_PERIODS] > 0)
		{
			batch[n].id = id_map_id(pass->orgs, org);
			memcpy(batch[n].acc, acc, sizeof(int32) * ACC_SIZE);
			n++;
		}
		if (n == BATCH || (acc == NULL && n > 0))
		{
			/* the leader gone: it is ending the build with an error of its own */
			if (shm_mq_send(mqh, sizeof(OrgCounts) * n, batch, false, true) == SHM_MQ_DETACHED)
				return;
			n = 0;
		}
	}
}

void
unionreg_member_scan_worker(dsm_segment *seg, shm_toc *toc)
{
	ScanShared *shared = shm_toc_lookup(toc, KEY_SHARED, false);
	ParallelTableScanDesc pscan = shm_toc_lookup(toc, KEY_SCAN, false);
	char	   *queues = shm_toc_lookup(toc, KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (queues + (Size) ParallelWorkerNumber * QUEUE_SIZE);
	shm_mq_handle *mqh;
	MemoryContext work;
	Pass		pass;
	TableRead	s;

	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass worker", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);
	member_pass_init(&pass, shared->as_of);
	member_pass_all(&pass, shared->key_min, shared->key_max, shared->key_rows);
	table_read_open_relid(&s, shared->relid);
	member_fact_columns(&s);
	table_read_parallel(&s, pscan);
	member_pass_count_rows(&pass, &s);
	table_read_close(&s);
	send_counts(mqh, &pass);
	shm_mq_detach(mqh);
}
