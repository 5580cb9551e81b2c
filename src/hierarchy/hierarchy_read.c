/*
 * hierarchy_read.c
 *	  org_at(D): the tree as it stood on D; validate_hierarchy(D): every
 *	  problem in stored data on D, including data loaded with triggers off.
 *
 * Both load the hierarchy once into memory: O(organizations) time and
 * memory, no per-row recursive query.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

#include "hierarchy_check.h"

static inline bool
live_on(DateADT from, DateADT to, DateADT d)
{
	return from <= d && d < to;
}

/* The parent link of n holding on d, or NULL. */
static HierLink *
uplink_on(HierNode *n, DateADT d)
{
	for (int i = 0; i < n->nup; i++)
		if (live_on(n->up[i].from, n->up[i].to, d))
			return &n->up[i];
	return NULL;
}

typedef struct TreeItem
{
	HierNode   *node;
	int64		parent_id;		/* 0 = no live parent on D */
	int			first_child;	/* index into items of the first child, -1 */
	int			next_sibling;
	bool		emitted;
} TreeItem;

typedef struct SortCtx
{
	Oid			collid;
} SortCtx;

static int
tree_item_cmp(const void *a, const void *b, void *arg)
{
	const TreeItem *x = (const TreeItem *) a;
	const TreeItem *y = (const TreeItem *) b;
	SortCtx    *ctx = (SortCtx *) arg;
	const char *xn = x->node->name ? x->node->name : "";
	const char *yn = y->node->name ? y->node->name : "";
	int			r;

	r = varstr_cmp(xn, strlen(xn), yn, strlen(yn), ctx->collid);
	if (r != 0)
		return r;
	return strcmp(x->node->ext_id, y->node->ext_id);
}

static Oid
russian_collation(void)
{
	return get_collation_oid(list_make2(makeString("unionreg"), makeString("ru")), false);
}

typedef struct EmitCtx
{
	ReturnSetInfo *rsinfo;
	HierGraph  *g;
	TreeItem   *items;
	HTAB	   *index;			/* org id -> position in items */
} EmitCtx;

typedef struct IdPos
{
	int64		id;
	int			pos;
} IdPos;

static int
item_pos(EmitCtx *e, int64 id)
{
	IdPos	   *p = hash_search(e->index, &id, HASH_FIND, NULL);

	return p ? p->pos : -1;
}

static void
emit_row(EmitCtx *e, TreeItem *it, int depth)
{
	Datum		values[7];
	bool		nulls[7] = {false};
	HierNode   *n = it->node;
	HierGraph  *g = e->g;

	values[0] = CStringGetTextDatum(n->ext_id);
	if (it->parent_id != 0)
		values[1] = CStringGetTextDatum(hier_node(g, it->parent_id)->ext_id);
	else
		nulls[1] = true;
	values[2] = CStringGetTextDatum(n->level >= 0 ? g->level_code[n->level] : "?");
	if (n->kind)
		values[3] = CStringGetTextDatum(n->kind);
	else
		nulls[3] = true;
	if (n->composition)
		values[4] = CStringGetTextDatum(n->composition);
	else
		nulls[4] = true;
	values[5] = CStringGetTextDatum(n->name ? n->name : "");
	if (depth >= 0)
		values[6] = Int32GetDatum(depth);
	else
		nulls[6] = true;
	tuplestore_putvalues(e->rsinfo->setResult, e->rsinfo->setDesc, values, nulls);
}

/* Depth-first, iteratively: a broken tree must not exhaust the C stack. */
static void
emit_subtree(EmitCtx *e, int start, int depth0)
{
	int		   *stack = palloc(sizeof(int) * 64);
	int		   *depths = palloc(sizeof(int) * 64);
	int			top = 0;
	int			cap = 64;

	stack[top] = start;
	depths[top++] = depth0;
	while (top > 0)
	{
		int			pos = stack[--top];
		int			depth = depths[top];
		TreeItem   *it = &e->items[pos];
		int			nchildren = 0;
		int			c;

		CHECK_FOR_INTERRUPTS();
		if (it->emitted)
			continue;
		it->emitted = true;
		emit_row(e, it, depth);

		/* push children in reverse so the first sorted child comes out first */
		for (c = it->first_child; c >= 0; c = e->items[c].next_sibling)
			nchildren++;
		if (top + nchildren >= cap)
		{
			cap = (top + nchildren) * 2;
			stack = repalloc(stack, sizeof(int) * cap);
			depths = repalloc(depths, sizeof(int) * cap);
		}
		top += nchildren;
		{
			int			k = top - 1;

			for (c = it->first_child; c >= 0; c = e->items[c].next_sibling)
			{
				stack[k] = c;
				depths[k] = depth >= 0 ? depth + 1 : -1;
				k--;
			}
		}
	}
	pfree(stack);
	pfree(depths);
}

PG_FUNCTION_INFO_V1(org_at);

/* The tree on D: parents before children, siblings by name in Russian. */
Datum
org_at(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HierGraph  *g;
	HASH_SEQ_STATUS seq;
	HierNode   *n;
	TreeItem   *items;
	int			nitems = 0;
	int			cap = 1024;
	SortCtx		sctx;
	EmitCtx		e;
	HASHCTL		ctl;
	int		   *last_child;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	g = hier_graph_create(true, false, true);

	items = palloc(sizeof(TreeItem) * cap);
	hash_seq_init(&seq, g->nodes);
	while ((n = hash_seq_search(&seq)) != NULL)
	{
		HierLink   *l;

		if (!n->exists || !live_on(n->from, n->to, d))
			continue;
		if (nitems >= cap)
		{
			cap *= 2;
			items = repalloc(items, sizeof(TreeItem) * cap);
		}
		l = uplink_on(n, d);
		items[nitems].node = n;
		items[nitems].parent_id = l ? l->parent_id : 0;
		items[nitems].first_child = -1;
		items[nitems].next_sibling = -1;
		items[nitems].emitted = false;
		nitems++;
	}

	sctx.collid = russian_collation();
	qsort_arg(items, nitems, sizeof(TreeItem), tree_item_cmp, &sctx);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(IdPos);
	ctl.hcxt = CurrentMemoryContext;
	e.index = hash_create("org_at index", Max(nitems, 16), &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < nitems; i++)
	{
		IdPos	   *p = hash_search(e.index, &items[i].node->id, HASH_ENTER, NULL);

		p->pos = i;
	}
	e.rsinfo = rsinfo;
	e.g = g;
	e.items = items;

	/* children lists in sorted order: append in the order of the sorted array */
	last_child = palloc(sizeof(int) * Max(nitems, 1));
	for (int i = 0; i < nitems; i++)
		last_child[i] = -1;
	for (int i = 0; i < nitems; i++)
	{
		int			pp = items[i].parent_id ? item_pos(&e, items[i].parent_id) : -1;

		if (pp < 0)
			continue;
		if (last_child[pp] < 0)
			items[pp].first_child = i;
		else
			items[last_child[pp]].next_sibling = i;
		last_child[pp] = i;
	}

	/* the root(s) first, then what hangs from nothing on D (orphans), then cycles */
	for (int i = 0; i < nitems; i++)
		if (items[i].node->level == hier_level_index(g, "central"))
			emit_subtree(&e, i, 0);
	for (int i = 0; i < nitems; i++)
		if (!items[i].emitted && item_pos(&e, items[i].parent_id) < 0)
			emit_subtree(&e, i, -1);
	for (int i = 0; i < nitems; i++)
		if (!items[i].emitted)
			emit_subtree(&e, i, -1);

	hier_graph_destroy(g);
	SPI_finish();
	return (Datum) 0;
}

static int
problem_cmp(const ListCell *a, const ListCell *b)
{
	HierProblem *x = lfirst(a);
	HierProblem *y = lfirst(b);
	int			r = strcmp(x->org_ext_id, y->org_ext_id);

	if (r != 0)
		return r;
	r = strcmp(x->problem, y->problem);
	if (r != 0)
		return r;
	return strcmp(x->detail, y->detail);
}

static void
add_problem(HierChecker *c, const char *ext_id, const char *problem, char *detail)
{
	HierProblem *p = palloc(sizeof(HierProblem));

	p->org_ext_id = pstrdup(ext_id ? ext_id : "");
	p->problem = problem;
	p->detail = detail;
	c->problems = lappend(c->problems, p);
}

PG_FUNCTION_INFO_V1(validate_hierarchy);

/* Every broken rule on D, one row per problem; an empty result means healthy. */
Datum
validate_hierarchy(PG_FUNCTION_ARGS)
{
	DateADT		d = PG_GETARG_DATEADT(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HierGraph  *g;
	HierChecker c;
	HASH_SEQ_STATUS seq;
	HierNode   *n;
	int			central;
	int			roots = 0;
	ListCell   *lc;

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("validate_hierarchy() needs a finite date"),
				 errhint("Pass a reporting date such as current_date.")));
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	g = hier_graph_create(true, false, false);
	memset(&c, 0, sizeof(c));
	c.g = g;
	c.throw_errors = false;
	c.win_from = d;
	c.win_to = d + 1;
	central = hier_level_index(g, "central");

	hash_seq_init(&seq, g->nodes);
	while ((n = hash_seq_search(&seq)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		if (!n->exists)
		{
			for (int i = 0; i < n->nup; i++)
				if (live_on(n->up[i].from, n->up[i].to, d))
					add_problem(&c, psprintf("#" INT64_FORMAT, n->id), "missing_org",
								psprintf("a parent link names organization id " INT64_FORMAT
										 ", which does not exist", n->id));
			continue;
		}
		hier_check_uplinks(&c, n);
		if (!live_on(n->from, n->to, d))
			continue;
		if (n->level == central)
		{
			roots++;
			if (uplink_on(n, d))
				add_problem(&c, n->ext_id, "central_has_parent",
							psprintf("central organization \"%s\" has a parent link on %s",
									 n->ext_id, hier_date_text(d)));
			continue;
		}
		if (uplink_on(n, d) == NULL)
			add_problem(&c, n->ext_id, "orphan",
						psprintf("organization \"%s\" (%s) exists on %s but has no parent link then",
								 n->ext_id, n->level >= 0 ? g->level_code[n->level] : "?",
								 hier_date_text(d)));
		else
		{
			/* does the chain of parents reach the root? */
			HierNode   *cur = n;
			int			depth = 0;

			while (cur->level != central && depth <= HIER_MAX_DEPTH)
			{
				HierLink   *l = uplink_on(cur, d);
				HierNode   *p;

				if (l == NULL)
				{
					if (cur != n)
						add_problem(&c, n->ext_id, "unreachable",
									psprintf("organization \"%s\" does not reach the root on %s: its ancestor \"%s\" has no parent then",
											 n->ext_id, hier_date_text(d), cur->ext_id));
					break;
				}
				p = hier_node(g, l->parent_id);
				if (!p->exists)
					break;		/* reported as missing_parent */
				if (!live_on(p->from, p->to, d))
				{
					/* the first step is reported as parent_not_live */
					if (cur != n)
						add_problem(&c, n->ext_id, "unreachable",
									psprintf("organization \"%s\" does not reach the root on %s: its ancestor \"%s\" does not exist then",
											 n->ext_id, hier_date_text(d), p->ext_id));
					break;
				}
				cur = p;
				depth++;
			}
		}
	}
	if (roots == 0)
		add_problem(&c, NULL, "no_root",
					psprintf("no central organization exists on %s", hier_date_text(d)));
	else if (roots > 1)
		add_problem(&c, NULL, "multiple_roots",
					psprintf("%d central organizations exist on %s", roots, hier_date_text(d)));

	list_sort(c.problems, problem_cmp);
	foreach(lc, c.problems)
	{
		HierProblem *p = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false};

		if (p->org_ext_id[0] == '\0')
			nulls[0] = true;
		else
			values[0] = CStringGetTextDatum(p->org_ext_id);
		values[1] = CStringGetTextDatum(p->problem);
		values[2] = CStringGetTextDatum(p->detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	hier_graph_destroy(g);
	SPI_finish();
	return (Datum) 0;
}
