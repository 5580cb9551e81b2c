/*
 * unionreg.c
 *	  Module entry point: PG_MODULE_MAGIC, the per-subsystem init calls, and
 *	  the settings only SQL reads.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "count_workers.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Read by load_members() through current_setting(); defined here so that a
 * wrong value is refused when set, and pg_settings describes it.
 */
static int	load_batch_persons = 250000;

void
_PG_init(void)
{
	count_workers_init();
	DefineCustomIntVariable("unionreg.load_batch_persons",
							"Persons load_members() writes in one batch of statements.",
							"Each statement's after-trigger queue and transition tables grow with its batch, not with the file.  A batch that breaks a rule only the database sees is split down to one person.",
							&load_batch_persons,
							250000, 1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
}
