/*
 * big_alloc.c
 *	  Large zeroed arrays for one call of the report engine (the
 *	  organizations' counters of a build, tens of megabytes at union scale),
 *	  in the current memory context.  They are plain huge allocations: taking
 *	  them from the server's dynamic shared memory or from mappings of their
 *	  own, kept between calls, bought less than a tenth of a build or of
 *	  report() when measured at union scale (doc/performance.md).
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "big_alloc.h"

void *
big_alloc0(Size size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, Max(size, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}
