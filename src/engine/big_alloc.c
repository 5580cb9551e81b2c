/*
 * big_alloc.c
 *	  Large zeroed arrays: from the server's preallocated dynamic shared
 *	  memory where the DBA set it up, else mapped on their own, on
 *	  transparent huge pages where the kernel offers them (madvise mode),
 *	  and kept for the next call of the same backend.
 *
 * A build touches ~80 MB of fresh counters per call, report() of a region
 * ~10 MB.  palloc'd, that memory comes from malloc, which maps blocks this
 * big anew on every call and gives them back at free: each 4 kB page is
 * faulted in and zeroed by the kernel, then zeroed again by palloc0, and on
 * a virtual machine faults are a large share of a build's organization
 * pass (doc/internals.md).  Here a mapping is 2 MB aligned and advised
 * MADV_HUGEPAGE, so a fault brings 2 MB, and a fresh mapping is not cleared
 * twice (it reads as zeros).
 *
 * Even a huge page costs its first touch, far more than memory touched
 * before where the host takes back memory the guest freed.  A backend is new for each pg_cron job and
 * each parallel worker, so nothing it maps is warm.  What stays warm is the
 * server's own shared memory: with min_dynamic_shared_memory set, the
 * server keeps that much dynamic shared memory inside its main segment (on
 * huge pages with huge_pages = on), mapped in every backend from its start.
 * An array taken from there (dsm_create, then checked to lie in the main
 * segment) is not faulted in again; clearing it is a memset.  Setting
 * unionreg.arrays_in_shared_memory says when: auto (the default) with
 * huge_pages = on, where it pays; on whenever the region exists (the tests
 * use it); off never.  A full region makes dsm_create fall back to a
 * segment of its own, which is given back at once for a mapping.
 *
 * An array goes with the memory context current when it was made: a reset
 * callback gives it back, on error too (a shared one is detached: its
 * mapping is pinned, so the resource owner leaves it to the callback).
 * Given back, up to BIG_ALLOC_KEEP bytes of mappings are kept (not
 * unmapped) and handed out again, cleared, to the next call of this
 * backend: its pages are already there, and clearing them costs a tenth of
 * faulting them in.  That is what malloc does with the blocks it keeps;
 * the kept mappings are the only state here that outlives a call, and they
 * hold no data.
 */
#include "postgres.h"

#include <sys/mman.h>

#include "storage/dsm.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "big_alloc.h"

#define HUGE_PAGE ((Size) 2 * 1024 * 1024)

/* mappings kept between calls: at most this many, of at most this many bytes in all */
#define BIG_ALLOC_KEPT 8
#define BIG_ALLOC_KEEP ((Size) 128 * 1024 * 1024)

/*
 * unionreg.map_arrays_from (kB): below it, palloc0 (a mapping of its own is
 * not worth the system calls).  Tests set it to 0 to run small unions
 * through the mappings.
 */
static int	map_arrays_from_kb = 512;

/* unionreg.arrays_in_shared_memory */
typedef enum
{
	SHARED_ARRAYS_OFF,
	SHARED_ARRAYS_AUTO,
	SHARED_ARRAYS_ON
} SharedArrays;

static const struct config_enum_entry shared_arrays_options[] = {
	{"off", SHARED_ARRAYS_OFF, false},
	{"auto", SHARED_ARRAYS_AUTO, false},
	{"on", SHARED_ARRAYS_ON, false},
	{NULL, 0, false}
};

static int	shared_arrays = SHARED_ARRAYS_AUTO;

/* an array in the server's dynamic shared memory: detached with its context */
typedef struct SharedArray
{
	MemoryContextCallback cb;
	dsm_segment *seg;
} SharedArray;

typedef struct Mapping
{
	MemoryContextCallback cb;
	void	   *base;
	Size		len;
} Mapping;

/* given back and kept: base and length of each (no data in them) */
static struct
{
	void	   *base;
	Size		len;
}			kept[BIG_ALLOC_KEPT];
static int	nkept = 0;
static Size kept_bytes = 0;

static void
detach_shared(void *arg)
{
	SharedArray *a = (SharedArray *) arg;

	if (a->seg != NULL)
		dsm_detach(a->seg);
	a->seg = NULL;
}

/*
 * size zeroed bytes from the main segment's preallocated dynamic shared
 * memory, gone with the current memory context; NULL when there is none to
 * be had (or the setting says no)
 */
static void *
shared_alloc0(Size size)
{
	SharedArray *a;
	dsm_segment *seg;

	if (shared_arrays == SHARED_ARRAYS_OFF || min_dynamic_shared_memory <= 0 ||
		size > (Size) min_dynamic_shared_memory * 1024 * 1024)
		return NULL;
	if (shared_arrays == SHARED_ARRAYS_AUTO)
	{
		const char *huge = GetConfigOption("huge_pages", true, false);

		if (huge == NULL || strcmp(huge, "on") != 0)
			return NULL;
	}
	/* the callback's record first: if it cannot be had, nothing is created yet */
	a = MemoryContextAllocZero(CurrentMemoryContext, sizeof(SharedArray));
	seg = dsm_create(size, DSM_CREATE_NULL_IF_MAXSEGMENTS);
	if (seg == NULL || !ShmemAddrIsValid(dsm_segment_address(seg)))
	{
		/* out of segments, or a segment of its own (the region is full): not what pays */
		if (seg != NULL)
			dsm_detach(seg);
		pfree(a);
		return NULL;
	}
	dsm_pin_mapping(seg);
	a->seg = seg;
	a->cb.func = detach_shared;
	a->cb.arg = a;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &a->cb);
	memset(dsm_segment_address(seg), 0, size);
	return dsm_segment_address(seg);
}

static void
give_back(void *arg)
{
	Mapping    *m = (Mapping *) arg;

	if (m->base == NULL)
		return;
	if (nkept < BIG_ALLOC_KEPT && kept_bytes + m->len <= BIG_ALLOC_KEEP)
	{
		kept[nkept].base = m->base;
		kept[nkept].len = m->len;
		nkept++;
		kept_bytes += m->len;
	}
	else if (munmap(m->base, m->len) != 0)
		elog(WARNING, "unionreg: munmap of %zu bytes failed: %m", m->len);
	m->base = NULL;
}

/* a kept mapping of len bytes or a little more (not one far too big), taken out of the kept ones */
static void *
take_kept(Size len, Size *got)
{
	int			best = -1;

	for (int i = 0; i < nkept; i++)
		if (kept[i].len >= len && kept[i].len <= 2 * len &&
			(best < 0 || kept[i].len < kept[best].len))
			best = i;
	if (best < 0)
		return NULL;
	{
		void	   *base = kept[best].base;

		*got = kept[best].len;
		kept_bytes -= kept[best].len;
		kept[best] = kept[--nkept];
		return base;
	}
}

void
big_alloc_init(void)
{
	DefineCustomEnumVariable("unionreg.arrays_in_shared_memory",
							 "Whether the report engine's arrays come from the server's preallocated dynamic shared memory (min_dynamic_shared_memory).",
							 "auto: when huge_pages is on; on: whenever min_dynamic_shared_memory is set; off: never.  Memory the server keeps mapped is not faulted in again by every call.",
							 &shared_arrays,
							 SHARED_ARRAYS_AUTO,
							 shared_arrays_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("unionreg.map_arrays_from",
							"Arrays of the report engine from this size up are mapped on their own, on huge pages where the kernel offers them.",
							"Below it they come from palloc.  0 maps every one (for tests).",
							&map_arrays_from_kb,
							512, 0, PG_INT32_MAX / 1024,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
}

void *
big_alloc0(Size size)
{
	Mapping    *m;
	char	   *p;
	uintptr_t	aligned;
	Size		len;
	bool		reused;
	bool		huge;

	if (size < (Size) map_arrays_from_kb * 1024)
		return MemoryContextAllocExtended(CurrentMemoryContext, size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	if ((p = shared_alloc0(size)) != NULL)
		return p;
	/* the callback's record first: if it cannot be had, nothing is mapped yet */
	m = MemoryContextAllocZero(CurrentMemoryContext, sizeof(Mapping));
	/*
	 * Huge pages from 2 MB up only: below, a fault of a whole 2 MB page
	 * (and the compaction the kernel may do to find one) costs more than
	 * the 4 kB pages it saves.
	 */
	huge = size >= HUGE_PAGE;
	len = huge ? TYPEALIGN(HUGE_PAGE, size) + HUGE_PAGE : TYPEALIGN(BLCKSZ, size);
	p = take_kept(len, &len);
	reused = p != NULL;
	if (!reused)
	{
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("unionreg: mapping %zu bytes failed: %m.", len)));
	}
	m->base = p;
	m->len = len;
	m->cb.func = give_back;
	m->cb.arg = m;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &m->cb);
	aligned = huge ? TYPEALIGN(HUGE_PAGE, (uintptr_t) p) : (uintptr_t) p;
	if (reused)
		memset((void *) aligned, 0, size);
#ifdef MADV_HUGEPAGE
	/* advice only: where transparent huge pages are off, 4 kB pages as before */
	else if (huge)
		(void) madvise((void *) aligned, (uintptr_t) p + len - aligned, MADV_HUGEPAGE);
#endif
	return (void *) aligned;
}
