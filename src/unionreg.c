/*
 * unionreg.c
 *	  Module entry point: PG_MODULE_MAGIC and the per-subsystem init calls.
 */
#include "postgres.h"

#include "fmgr.h"

#include "big_alloc.h"
#include "count_workers.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	big_alloc_init();
	count_workers_init();
}
