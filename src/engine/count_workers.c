/*
 * count_workers.c
 *	  Parallel workers that count member facts (count_workers.h).
 *
 * The leader makes a ParallelContext with the caller's shared area and one
 * shm_mq per worker.  A worker counts into counters of its own and sends
 * them back at the end, one record (organization id, its ACC_SIZE
 * counters) per organization, a batch a message; the leader adds them to
 * its own with member_pass_add().  A worker's error reaches the leader
 * through PostgreSQL's parallel error queue and ends the leader's
 * statement, so a count is never partial.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "postmaster/bgworker_internals.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include <unistd.h>

#include "count_workers.h"

#define KEY_SHARED UINT64CONST(1)
#define KEY_QUEUES UINT64CONST(2)
/* a worker's queue: its records pass through it a batch at a time */
#define QUEUE_SIZE ((Size) 1024 * 1024)
/* records a message */
#define BATCH 512

int			member_pass_workers = -1;

/* what a worker sends for one organization: its counters, periods included */
typedef struct OrgCounts
{
	int64		id;
	int32		acc[ACC_SIZE];
} OrgCounts;

void
count_workers_init(void)
{
	DefineCustomIntVariable("unionreg.member_pass_workers",
							"Parallel workers that share the report engine's reading of the member facts.",
							"-1 sizes them by the work (the whole-union scan as the planner sizes a parallel scan "
							"of unionreg.member_fact, from 16 times min_parallel_table_scan_size up; a large "
							"subtree's facts by key from 2,000 organizations up), at most "
							"max_parallel_workers_per_gather and one fewer than the CPUs (the leader reads too).  "
							"0 reads alone; a number asks for that many whatever the work (tests).  "
							"max_parallel_workers still caps what is launched.",
							&member_pass_workers,
							-1, -1, MAX_PARALLEL_WORKER_LIMIT,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}

int
count_workers_cap(int wanted)
{
	long		cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (member_pass_workers >= 0)
		return member_pass_workers;
	/* the leader reads its share too: more processes than CPUs only take turns */
	if (cpus > 0)
		wanted = Min(wanted, (int) Min(cpus - 1, INT_MAX));
	return Max(Min(wanted, max_parallel_workers_per_gather), 0);
}

CountWorkers *
count_workers_begin(const char *function, int nworkers, Size shared_size)
{
	CountWorkers *cw;
	ParallelContext *pcxt;
	char	   *queues;

	/* not from inside another parallel operation, nor in single-user mode */
	if (nworkers <= 0 || IsInParallelMode() || !IsUnderPostmaster)
		return NULL;
	cw = palloc0(sizeof(CountWorkers));
	cw->asked = nworkers;
	EnterParallelMode();
	pcxt = cw->pcxt = CreateParallelContext("$libdir/unionreg", function, nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(QUEUE_SIZE, nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 2);
	/* with no shared memory to be had it sets nworkers to 0: the leader does it all */
	InitializeParallelDSM(pcxt);
	cw->shared = shm_toc_allocate(pcxt->toc, shared_size);
	memset(cw->shared, 0, shared_size);
	shm_toc_insert(pcxt->toc, KEY_SHARED, cw->shared);
	queues = shm_toc_allocate(pcxt->toc, mul_size(QUEUE_SIZE, Max(pcxt->nworkers, 1)));
	for (int i = 0; i < pcxt->nworkers; i++)
		shm_mq_set_receiver(shm_mq_create(queues + (Size) i * QUEUE_SIZE, QUEUE_SIZE), MyProc);
	shm_toc_insert(pcxt->toc, KEY_QUEUES, queues);
	return cw;
}

void
count_workers_launch(CountWorkers *cw, const char *what)
{
	ParallelContext *pcxt = cw->pcxt;
	char	   *queues = shm_toc_lookup(pcxt->toc, KEY_QUEUES, false);

	LaunchParallelWorkers(pcxt);
	elog(DEBUG1, "unionreg member pass: %d parallel workers launched of %d asked (%s)",
		 pcxt->nworkers_launched, cw->asked, what);
	/* the launched ones are the first nworkers_launched; the rest never count */
	cw->nqueues = pcxt->nworkers_launched;
	cw->queues = palloc0(sizeof(shm_mq_handle *) * Max(cw->nqueues, 1));
	for (int i = 0; i < cw->nqueues; i++)
		cw->queues[i] = shm_mq_attach((shm_mq *) (queues + (Size) i * QUEUE_SIZE), pcxt->seg,
									  pcxt->worker[i].bgwhandle);
}

/* add what one worker counted to the pass's counters */
static void
receive_counts(shm_mq_handle *mqh, Pass *pass)
{
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		shm_mq_result r = shm_mq_receive(mqh, &nbytes, &data, false);

		/* a worker detaches when it has sent everything, or when it fails (raised after) */
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
count_workers_collect(CountWorkers *cw, Pass *pass)
{
	for (int i = 0; i < cw->nqueues; i++)
		receive_counts(cw->queues[i], pass);
	/* raises a worker's error, if one had any */
	WaitForParallelWorkersToFinish(cw->pcxt);
}

void
count_workers_done(CountWorkers *cw)
{
	DestroyParallelContext(cw->pcxt);
	ExitParallelMode();
	pfree(cw);
}

void *
count_worker_shared(shm_toc *toc)
{
	return shm_toc_lookup(toc, KEY_SHARED, false);
}

void
count_worker_pass(Pass *pass, DateADT as_of)
{
	MemoryContextSwitchTo(AllocSetContextCreate(CurrentMemoryContext, "unionreg member pass worker",
												ALLOCSET_DEFAULT_SIZES));
	member_pass_init(pass, as_of);
}

struct CountSender
{
	shm_mq_handle *mqh;
	OrgCounts  *batch;
	int			n;
	bool		gone;			/* the leader detached: it is ending with an error of its own */
};

CountSender *
count_sender_open(dsm_segment *seg, shm_toc *toc)
{
	char	   *queues = shm_toc_lookup(toc, KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (queues + (Size) ParallelWorkerNumber * QUEUE_SIZE);
	CountSender *cs = palloc0(sizeof(CountSender));

	shm_mq_set_sender(mq, MyProc);
	cs->mqh = shm_mq_attach(mq, seg, NULL);
	cs->batch = palloc(sizeof(OrgCounts) * BATCH);
	return cs;
}

static void
sender_flush(CountSender *cs)
{
	if (cs->n > 0 && !cs->gone &&
		shm_mq_send(cs->mqh, sizeof(OrgCounts) * cs->n, cs->batch, false, true) == SHM_MQ_DETACHED)
		cs->gone = true;
	cs->n = 0;
}

void
count_sender_put(CountSender *cs, int64 id, const int32 *acc)
{
	if (acc[ACC_PERIODS] <= 0)
		return;
	cs->batch[cs->n].id = id;
	memcpy(cs->batch[cs->n].acc, acc, sizeof(int32) * ACC_SIZE);
	if (++cs->n == BATCH)
		sender_flush(cs);
}

void
count_sender_close(CountSender *cs)
{
	sender_flush(cs);
	shm_mq_detach(cs->mqh);
	pfree(cs->batch);
	pfree(cs);
}
