/*
 * big_alloc.c
 *	  Large zeroed arrays mapped on their own, on transparent huge pages
 *	  where the kernel offers them (madvise mode).
 *
 * A build touches ~80 MB of fresh counters per call.  palloc'd, that memory
 * comes from malloc, which maps blocks this big anew on every call and gives
 * them back at free: each 4 kB page is faulted in and zeroed by the kernel,
 * then zeroed again by palloc0.  On a virtual machine a fault costs 13-16 us
 * (~3.5 ms a MB: 40% of a build's organization pass).  Here the mapping is
 * 2 MB aligned and advised MADV_HUGEPAGE, so a fault brings 2 MB, and is
 * not cleared twice (a fresh mapping reads as zeros).  The mapping is
 * unmapped by a reset callback of the memory context current at the call,
 * so it goes with that context, on error too.
 */
#include "postgres.h"

#include <sys/mman.h>

#include "utils/guc.h"
#include "utils/memutils.h"

#include "big_alloc.h"

#define HUGE_PAGE ((Size) 2 * 1024 * 1024)

/*
 * unionreg.map_arrays_from (kB): below it, palloc0 (a mapping of its own is
 * not worth two system calls).  Tests set it to 0 to run small unions
 * through the mappings.
 */
static int	map_arrays_from_kb = 4096;

typedef struct Mapping
{
	MemoryContextCallback cb;
	void	   *base;
	Size		len;
} Mapping;

static void
unmap(void *arg)
{
	Mapping    *m = (Mapping *) arg;

	if (m->base != NULL && munmap(m->base, m->len) != 0)
		elog(WARNING, "unionreg: munmap of %zu bytes failed: %m", m->len);
	m->base = NULL;
}

void
big_alloc_init(void)
{
	DefineCustomIntVariable("unionreg.map_arrays_from",
							"Arrays of the report engine from this size up are mapped on their own, on huge pages where the kernel offers them.",
							"Below it they come from palloc.  0 maps every one (for tests).",
							&map_arrays_from_kb,
							4096, 0, PG_INT32_MAX / 1024,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
}

bool
big_alloc_is_mapped(Size size)
{
	return size >= (Size) map_arrays_from_kb * 1024;
}

void *
big_alloc0(Size size)
{
	Mapping    *m;
	char	   *p;
	uintptr_t	aligned;

	if (!big_alloc_is_mapped(size))
		return MemoryContextAllocExtended(CurrentMemoryContext, size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	/* the callback's record first: if it cannot be had, nothing is mapped yet */
	m = MemoryContextAllocZero(CurrentMemoryContext, sizeof(Mapping));
	m->len = size + HUGE_PAGE;
	p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("unionreg: mapping %zu bytes failed: %m.", m->len)));
	m->base = p;
	m->cb.func = unmap;
	m->cb.arg = m;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &m->cb);
	aligned = TYPEALIGN(HUGE_PAGE, (uintptr_t) p);
#ifdef MADV_HUGEPAGE
	/* advice only: where transparent huge pages are off, 4 kB pages as before */
	(void) madvise((void *) aligned, (uintptr_t) p + m->len - aligned, MADV_HUGEPAGE);
#endif
	return (void *) aligned;
}
