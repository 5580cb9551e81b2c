/*
 * unionreg.c
 *	  Module entry point: PG_MODULE_MAGIC and the per-subsystem init calls.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Nothing to initialize yet: GUCs arrive with the scheduling subsystem. */
void
_PG_init(void)
{
}
