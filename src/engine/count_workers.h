/*
 * count_workers.h
 *	  Parallel workers that count member facts and send their counters back
 *	  to the leader (count_workers.c): the plumbing shared by the whole-union
 *	  scan (member_scan.c) and the by-key read of a large subtree
 *	  (member_keys.c).
 */
#ifndef UNIONREG_COUNT_WORKERS_H
#define UNIONREG_COUNT_WORKERS_H

#include "postgres.h"

#include "access/parallel.h"

#include "member_pass.h"

typedef struct CountWorkers
{
	ParallelContext *pcxt;
	void	   *shared;			/* the caller's shared area, zeroed */
	shm_mq_handle **queues;		/* one per launched worker */
	int			nqueues;
	int			asked;
} CountWorkers;

/* unionreg.member_pass_workers (-1: sized by the caller) and its definition (from _PG_init) */
extern int	member_pass_workers;
extern void count_workers_init(void);
/* the workers a caller that sizes them as "wanted" may have: the setting, and room left on the CPUs */
extern int	count_workers_cap(int wanted);

/*
 * In the leader: enter parallel mode and set up nworkers workers running
 * "function" (of this library) with a shared area of shared_size bytes;
 * the caller fills cw->shared, then launches.  NULL when no worker can be
 * had here (inside another parallel operation, single-user mode).
 */
extern CountWorkers *count_workers_begin(const char *function, int nworkers, Size shared_size);
extern void count_workers_launch(CountWorkers *cw, const char *what);
/*
 * Add what the workers counted into the pass and wait for them (raising a
 * worker's error); then, the shared area read, leave parallel mode.
 */
extern void count_workers_collect(CountWorkers *cw, Pass *pass);
extern void count_workers_done(CountWorkers *cw);

/* In a worker: the shared area, and its counters sent, one record per organization */
typedef struct CountSender CountSender;

extern void *count_worker_shared(shm_toc *toc);
/* a worker's pass on D, in a memory context of its own */
extern void count_worker_pass(Pass *pass, DateADT as_of);
extern CountSender *count_sender_open(dsm_segment *seg, shm_toc *toc);
/* an organization's counters (ACC_SIZE of them; none sent if it has no period) */
extern void count_sender_put(CountSender *cs, int64 id, const int32 *acc);
extern void count_sender_close(CountSender *cs);

#endif
