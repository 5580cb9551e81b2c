/*
 * hierarchy_graph.c
 *	  Loading organizations and links into the in-memory graph.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "hierarchy_graph.h"

/* Advisory lock key of the hierarchy: ('unionreg' as digits, 1). */
#define HIER_LOCK_KEY1	0x756e696f
#define HIER_LOCK_KEY2	1

#define ORG_COLUMNS \
	"SELECT id, ext_id, level, valid_from, coalesce(valid_to, 'infinity'::date), " \
	"name, kind, composition FROM unionreg.org"
/* the same columns, without the texts only org_at() shows */
#define ORG_COLUMNS_NO_NAMES \
	"SELECT id, ext_id, level, valid_from, coalesce(valid_to, 'infinity'::date), " \
	"NULL::text, NULL::text, NULL::text FROM unionreg.org"
#define LINK_COLUMNS \
	"SELECT org_id, parent_id, valid_from, coalesce(valid_to, 'infinity'::date) " \
	"FROM unionreg.org_link"

/*
 * Hierarchy writers run one at a time: a writer waits here until others
 * commit, then checks against the latest committed state, so two moves that
 * together close a cycle cannot both commit.
 */
void
hier_lock_hierarchy(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, HIER_LOCK_KEY1, HIER_LOCK_KEY2, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

int
hier_level_index(HierGraph *g, const char *code)
{
	for (int i = 0; i < g->nlevels; i++)
		if (strcmp(g->level_code[i], code) == 0)
			return i;
	return -1;
}

static int
hier_exec(HierGraph *g, SPIPlanPtr plan, Datum *values, const char *nulls)
{
	int			rc;

	if (g->snapshot)
		rc = SPI_execute_snapshot(plan, values, nulls, g->snapshot,
								  InvalidSnapshot, false, false, 0);
	else
		rc = SPI_execute_plan(plan, values, nulls, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "unionreg: hierarchy query failed: %s", SPI_result_code_string(rc));
	return (int) SPI_processed;
}

static char *
hier_text_col(HierGraph *g, HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	char	   *s;
	MemoryContext old;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(g->cxt);
	s = TextDatumGetCString(d);
	MemoryContextSwitchTo(old);
	return s;
}

/*
 * Organization ids come from an identity column, so they are dense: a plain
 * array indexed by id answers the lookups the walks make millions of times,
 * in front of the hash table (whose entries never move, so pointers to them
 * stay valid).  Ids beyond HIER_MAX_DIRECT_ID use the hash table alone.
 */
#define HIER_MAX_DIRECT_ID (4 * 1024 * 1024)

static HierNode *
hier_entry(HierGraph *g, int64 id)
{
	bool		found;
	HierNode   *n;

	if (id >= 0 && id < g->nbyid && g->byid[id] != NULL)
		return g->byid[id];
	n = (HierNode *) hash_search(g->nodes, &id, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) n) + sizeof(int64), 0, sizeof(HierNode) - sizeof(int64));
		n->level = -1;
	}
	if (id >= 0 && id < HIER_MAX_DIRECT_ID)
	{
		if (id >= g->nbyid)
		{
			int64		newsize = Max(Min(Max(g->nbyid * 2, 1024), HIER_MAX_DIRECT_ID), id + 1);

			if (g->byid == NULL)
				g->byid = MemoryContextAllocZero(g->cxt, newsize * sizeof(HierNode *));
			else
			{
				g->byid = repalloc(g->byid, newsize * sizeof(HierNode *));
				memset(g->byid + g->nbyid, 0, (newsize - g->nbyid) * sizeof(HierNode *));
			}
			g->nbyid = newsize;
		}
		g->byid[id] = n;
	}
	return n;
}

/* the index of a level code held in a text datum, without copying it out */
static int
hier_level_of_text(HierGraph *g, HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	text	   *t;
	int			len;

	if (isnull)
		return -1;
	t = DatumGetTextPP(d);
	len = VARSIZE_ANY_EXHDR(t);
	for (int i = 0; i < g->nlevels; i++)
		if (strlen(g->level_code[i]) == (size_t) len && memcmp(g->level_code[i], VARDATA_ANY(t), len) == 0)
			return i;
	return -1;
}

static void
hier_fill_org(HierGraph *g, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	HierNode   *n = hier_entry(g, id);

	n->loaded = true;
	n->exists = true;
	n->ext_id = hier_text_col(g, tup, desc, 2);
	n->level = hier_level_of_text(g, tup, desc, 3);
	n->from = DatumGetDateADT(SPI_getbinval(tup, desc, 4, &isnull));
	n->to = DatumGetDateADT(SPI_getbinval(tup, desc, 5, &isnull));
	n->name = hier_text_col(g, tup, desc, 6);
	n->kind = hier_text_col(g, tup, desc, 7);
	n->composition = hier_text_col(g, tup, desc, 8);
}

static void
hier_push_link(HierGraph *g, HierLink **arr, int *nitems, int *maxitems, const HierLink *l)
{
	if (*nitems >= *maxitems)
	{
		int			newmax = (*maxitems == 0) ? 2 : *maxitems * 2;

		if (*arr == NULL)
			*arr = MemoryContextAlloc(g->cxt, newmax * sizeof(HierLink));
		else
			*arr = repalloc(*arr, newmax * sizeof(HierLink));
		*maxitems = newmax;
	}
	(*arr)[(*nitems)++] = *l;
}

static void
hier_read_link(HeapTuple tup, TupleDesc desc, HierLink *l)
{
	bool		isnull;

	l->org_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	l->parent_id = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
	l->from = DatumGetDateADT(SPI_getbinval(tup, desc, 3, &isnull));
	l->to = DatumGetDateADT(SPI_getbinval(tup, desc, 4, &isnull));
}

static void
hier_load_levels(HierGraph *g)
{
	int			n;

	if (SPI_execute("SELECT code, max_self_nesting FROM unionreg.level ORDER BY rank",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "unionreg: cannot read unionreg.level");
	n = (int) SPI_processed;
	if (n > HIER_MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("unionreg.level holds %d levels, at most %d are supported",
						n, HIER_MAX_LEVELS)));
	g->nlevels = n;
	for (int i = 0; i < n; i++)
	{
		bool		isnull;

		g->level_code[i] = hier_text_col(g, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		g->max_self_nesting[i] = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[i],
															 SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);

	if (SPI_execute("SELECT level, parent_level FROM unionreg.level_parent", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "unionreg: cannot read unionreg.level_parent");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *c = hier_text_col(g, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char	   *p = hier_text_col(g, SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		int			ci = hier_level_index(g, c);
		int			pi = hier_level_index(g, p);

		if (ci >= 0 && pi >= 0)
			g->allowed[ci][pi] = true;
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * A whole table through a cursor, a batch at a time: materializing 150,000
 * rows at once cost their memory fresh from the kernel on every call (page
 * faults were a fifth of validate_hierarchy); a batch's memory is reused.
 */
#define HIER_BATCH 8192

static void
hier_scan(HierGraph *g, const char *sql, void (*row) (HierGraph *, HeapTuple, TupleDesc))
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
	Portal		portal;

	if (plan == NULL)
		elog(ERROR, "unionreg: hierarchy query failed: %s", SPI_result_code_string(SPI_result));
	/*
	 * A writer's graph reads the snapshot it registered, as hier_exec does
	 * (the portal keeps it; an error unwinds the pushed one with the
	 * transaction).
	 */
	if (g->snapshot)
		PushActiveSnapshot(g->snapshot);
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	if (g->snapshot)
		PopActiveSnapshot();
	for (;;)
	{
		SPI_cursor_fetch(portal, true, HIER_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			CHECK_FOR_INTERRUPTS();
			row(g, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_cursor_close(portal);
	SPI_freeplan(plan);
}

static void
hier_fill_link(HierGraph *g, HeapTuple tup, TupleDesc desc)
{
	HierLink	l;
	HierNode   *c;
	HierNode   *p;

	hier_read_link(tup, desc, &l);
	c = hier_entry(g, l.org_id);
	p = hier_entry(g, l.parent_id);
	hier_push_link(g, &c->up, &c->nup, &c->maxup, &l);
	hier_push_link(g, &p->down, &p->ndown, &p->maxdown, &l);
}

static void
hier_load_all(HierGraph *g)
{
	hier_scan(g, g->with_names ? ORG_COLUMNS : ORG_COLUMNS_NO_NAMES, hier_fill_org);
	hier_scan(g, LINK_COLUMNS, hier_fill_link);
}

/*
 * Build a graph.  complete = load every organization and link now (bulk
 * statements, validation, org_at); otherwise nodes load on first use.
 * for_write = the caller holds the hierarchy lock and must check against
 * the latest committed state, even under REPEATABLE READ (as RI triggers do).
 */
HierGraph *
hier_graph_create(bool complete, bool for_write, bool with_names)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "unionreg hierarchy",
											  ALLOCSET_DEFAULT_SIZES);
	HierGraph  *g = MemoryContextAllocZero(cxt, sizeof(HierGraph));
	HASHCTL		ctl;

	g->cxt = cxt;
	g->with_names = with_names;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(HierNode);
	ctl.hcxt = cxt;
	g->nodes = hash_create("unionreg hierarchy nodes", complete ? 65536 : 64,
						   &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	/* writers see their own statement's rows and every commit before the lock */
	if (for_write)
	{
		CommandCounterIncrement();
		g->snapshot = RegisterSnapshot(GetLatestSnapshot());
	}

	hier_load_levels(g);
	if (complete)
	{
		hier_load_all(g);
		g->complete = true;
	}
	else
	{
		Oid			argtypes[1] = {INT8OID};
		MemoryContext old = MemoryContextSwitchTo(cxt);

		g->plan_org = SPI_prepare(with_names ? ORG_COLUMNS " WHERE id = $1" : ORG_COLUMNS_NO_NAMES " WHERE id = $1",
								  1, argtypes);
		g->plan_up = SPI_prepare(LINK_COLUMNS " WHERE org_id = $1", 1, argtypes);
		g->plan_down = SPI_prepare(LINK_COLUMNS " WHERE parent_id = $1", 1, argtypes);
		MemoryContextSwitchTo(old);
	}
	return g;
}

void
hier_graph_destroy(HierGraph *g)
{
	if (g->plan_org)
		SPI_freeplan(g->plan_org);
	if (g->plan_up)
		SPI_freeplan(g->plan_up);
	if (g->plan_down)
		SPI_freeplan(g->plan_down);
	if (g->snapshot)
		UnregisterSnapshot(g->snapshot);
	MemoryContextDelete(g->cxt);
}

/* The node of an organization, its row loaded; exists = false if no such row. */
HierNode *
hier_node(HierGraph *g, int64 id)
{
	HierNode   *n;

	n = hier_entry(g, id);
	if (n->loaded)
		return n;
	if (g->complete)
	{
		n->loaded = true;
		n->exists = false;
		n->up_loaded = n->down_loaded = true;
		return n;
	}
	{
		Datum		v[1] = {Int64GetDatum(id)};

		if (hier_exec(g, g->plan_org, v, NULL) == 1)
			hier_fill_org(g, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		else
		{
			n = hier_entry(g, id);
			n->loaded = true;
			n->exists = false;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	return hier_entry(g, id);
}

void
hier_load_up(HierGraph *g, HierNode *n)
{
	Datum		v[1];
	int			rows;
	int64		id = n->id;

	if (g->complete || n->up_loaded)
		return;
	v[0] = Int64GetDatum(id);
	rows = hier_exec(g, g->plan_up, v, NULL);
	for (int i = 0; i < rows; i++)
	{
		HierLink	l;

		hier_read_link(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, &l);
		hier_push_link(g, &n->up, &n->nup, &n->maxup, &l);
	}
	SPI_freetuptable(SPI_tuptable);
	n->up_loaded = true;
}

void
hier_load_down(HierGraph *g, HierNode *n)
{
	Datum		v[1];
	int			rows;

	if (g->complete || n->down_loaded)
		return;
	v[0] = Int64GetDatum(n->id);
	rows = hier_exec(g, g->plan_down, v, NULL);
	for (int i = 0; i < rows; i++)
	{
		HierLink	l;

		hier_read_link(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, &l);
		hier_push_link(g, &n->down, &n->ndown, &n->maxdown, &l);
	}
	SPI_freetuptable(SPI_tuptable);
	n->down_loaded = true;
}

char *
hier_date_text(DateADT d)
{
	int			y,
				m,
				day;

	/* ISO whatever the session's DateStyle: messages are read across sessions */
	if (DATE_IS_NOEND(d))
		return pstrdup("open");
	if (DATE_IS_NOBEGIN(d))
		return pstrdup("-infinity");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return psprintf("%04d-%02d-%02d", y, m, day);
}

char *
hier_period_text(DateADT from, DateADT to)
{
	return psprintf("[%s, %s)", hier_date_text(from), hier_date_text(to));
}

/* "EXT" (level) for messages */
char *
hier_org_text(HierGraph *g, HierNode *n)
{
	if (!n->exists)
		return psprintf("#" INT64_FORMAT " (missing)", n->id);
	return psprintf("\"%s\" (%s)", n->ext_id,
					n->level >= 0 ? g->level_code[n->level] : "unknown level");
}
