/*
 * member_keys.c
 *	  The member facts of many given organizations (report() of a large
 *	  subtree: a region's ~10,000 primaries) read by key, shared with
 *	  parallel workers (member_count.h; the plumbing is count_workers.c).
 *
 * Why: reading a region's half-million periods key by key is most of its
 * report(), one index descent per primary and a heap fetch per period.
 * The organizations are handed out CHUNK at a time from a shared counter,
 * so the leader reads from the start and a worker joins when it is up
 * (a worker's start is not free) and takes what is left; each
 * organization is read by exactly one of them.  A worker counts one
 * organization at a time and sends its counters.  Past "limit" periods in
 * all (a shared count) everyone stops, and the caller counts with the
 * scan instead, as the by-key read alone does.
 */
#include "postgres.h"

#include "optimizer/optimizer.h"
#include "port/atomics.h"

#include "count_workers.h"
#include "member_keys.h"

/* organizations a claim */
#define CHUNK 32
/*
 * A chunk whose keys span fewer than this many ids a key is read as one
 * range of the index (the keys between that are not wanted cost their
 * index entries only); a sparser one key by key.
 */
#define RANGE_SPAN 8
/* from this many organizations up a worker is worth its start (doc/internals.md) */
#define KEYS_FIRST_WORKER 2000

typedef struct KeysShared
{
	Oid			nsp;
	DateADT		as_of;
	int64		limit;
	int32		n;
	pg_atomic_uint32 next;		/* the next organization to hand out */
	pg_atomic_uint64 periods;	/* counted by everyone */
	pg_atomic_uint32 over;		/* past the limit: stop */
	int64		ids[FLEXIBLE_ARRAY_MEMBER];
} KeysShared;

struct MemberKeys
{
	CountWorkers *workers;
};

PGDLLEXPORT void unionreg_member_keys_worker(dsm_segment *seg, shm_toc *toc);

/* a read of member_fact through its (org_id, end) index */
static void
open_by_key(TableRead *s, Oid nsp)
{
	table_read_open(s, nsp, "member_fact");
	member_fact_columns(s);
	table_read_by_index(s, nsp, "member_fact_org_idx", 2);
}

static int
id_cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* a worker's counts of one organization, sent to the leader */
static void
send_counts(int64 org_id, const int32 *acc, void *arg)
{
	count_sender_put((CountSender *) arg, org_id, acc);
}

/*
 * Claim chunks and count each organization of them into slot (when the
 * caller keeps one per organization: the leader) or into slot 0, sent
 * after each (a worker: cs set).
 */
static void
read_chunks(KeysShared *sh, Pass *pass, TableRead *s, CountSender *cs)
{
	for (;;)
	{
		uint32		first = pg_atomic_fetch_add_u32(&sh->next, CHUNK);
		uint32		end;

		if (first >= (uint32) sh->n || pg_atomic_read_u32(&sh->over))
			return;
		end = Min(first + CHUNK, (uint32) sh->n);

		/* keys close together (a region's primaries mostly are): one index descent for the chunk */
		if (s->raw && sh->ids[end - 1] - sh->ids[first] < RANGE_SPAN * (int64) (end - first))
		{
			int64		got = member_pass_count_range(pass, s, &sh->ids[first], (int) (end - first),
													  cs ? send_counts : NULL, cs);

			if (got > 0 && pg_atomic_add_fetch_u64(&sh->periods, (uint64) got) > (uint64) sh->limit)
			{
				pg_atomic_write_u32(&sh->over, 1);
				return;
			}
			continue;
		}
		for (uint32 i = first; i < end; i++)
		{
			int64		id = sh->ids[i];
			int32		slot = cs ? 0 : id_map_find(pass->orgs, id);
			int64		got;

			if (cs)
				memset(pass->acc, 0, sizeof(int32) * ACC_SIZE);
			got = member_pass_count_key(pass, s, id, slot);
			if (cs)
				count_sender_put(cs, id, pass->acc);
			if (got > 0 && pg_atomic_add_fetch_u64(&sh->periods, (uint64) got) > (uint64) sh->limit)
			{
				pg_atomic_write_u32(&sh->over, 1);
				return;
			}
		}
	}
}

MemberKeys *
member_keys_start(Pass *pass, int64 limit)
{
	int32		slots = Min(id_map_slots(pass->orgs), pass->acc_cap);
	int32		n = 0;
	int			nworkers;
	CountWorkers *cw;
	KeysShared *sh;
	MemberKeys *mk;

	for (int32 org = 0; org < slots; org++)
		n += pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] != 0;
	nworkers = count_workers_cap(n >= KEYS_FIRST_WORKER ? 1 : 0);
	cw = count_workers_begin("unionreg_member_keys_worker", nworkers,
							 add_size(offsetof(KeysShared, ids), mul_size(sizeof(int64), Max(n, 1))));
	if (cw == NULL)
		return NULL;
	sh = cw->shared;
	sh->nsp = pass->nsp;
	sh->as_of = pass->dates.d;
	sh->limit = limit;
	pg_atomic_init_u32(&sh->next, 0);
	pg_atomic_init_u64(&sh->periods, 0);
	pg_atomic_init_u32(&sh->over, 0);
	for (int32 org = 0; org < slots; org++)
		if (pass->acc[(Size) org * ACC_SIZE + ACC_WANTED] != 0)
			sh->ids[sh->n++] = id_map_id(pass->orgs, org);
	/* ascending, whatever the key map's order: a chunk's keys are then a range (read_chunks) */
	qsort(sh->ids, sh->n, sizeof(int64), id_cmp);
	count_workers_launch(cw, "by key");
	mk = palloc0(sizeof(MemberKeys));
	mk->workers = cw;
	return mk;
}

bool
member_keys_finish(MemberKeys *mk, Pass *pass)
{
	KeysShared *sh = mk->workers->shared;
	TableRead	s;
	bool		over;

	/* with parallel_leader_participation off, as in a Gather, the workers read it all */
	if (mk->workers->nqueues == 0 || parallel_leader_participation)
	{
		open_by_key(&s, pass->nsp);
		read_chunks(sh, pass, &s, NULL);
		table_read_close(&s);
	}
	/* everyone done (past the limit they stop at their next organization), then the verdict */
	count_workers_collect(mk->workers, pass);
	over = pg_atomic_read_u32(&sh->over) != 0;
	count_workers_done(mk->workers);
	pfree(mk);
	/* past the limit the counts are thrown away: the scan counts it all */
	if (over)
		member_pass_undo(pass);
	return !over;
}

void
unionreg_member_keys_worker(dsm_segment *seg, shm_toc *toc)
{
	KeysShared *sh = count_worker_shared(toc);
	Pass		pass;
	TableRead	s;
	CountSender *cs;

	count_worker_pass(&pass, sh->as_of);
	/* one organization's counters at a time */
	pass.acc = palloc0(sizeof(int32) * ACC_SIZE);
	pass.acc_cap = 1;
	cs = count_sender_open(seg, toc);
	open_by_key(&s, sh->nsp);
	read_chunks(sh, &pass, &s, cs);
	table_read_close(&s);
	count_sender_close(cs);
}
