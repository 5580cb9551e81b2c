/*
 * hierarchy_graph.h
 *	  In-memory view of organizations and their parent links over time.
 *
 * One structure serves three callers: the write triggers (which load only
 * the organizations they walk through, lazily, unless a statement touched
 * many), validate_hierarchy() and org_at() (which load everything once).
 * Memory is O(organizations) and lives in one context dropped at the end.
 */
#ifndef UNIONREG_HIERARCHY_GRAPH_H
#define UNIONREG_HIERARCHY_GRAPH_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/snapshot.h"

#define HIER_MAX_LEVELS 16
#define HIER_MAX_DEPTH	64		/* deeper than any real union: a cycle or junk */

typedef struct HierLink
{
	int64		org_id;
	int64		parent_id;
	DateADT		from;
	DateADT		to;				/* DATEVAL_NOEND when open */
} HierLink;

typedef struct HierNode
{
	int64		id;				/* hash key */
	bool		loaded;
	bool		exists;
	int			level;			/* index into HierGraph.level_code */
	DateADT		from;
	DateADT		to;
	char	   *ext_id;
	char	   *name;
	char	   *kind;
	char	   *composition;
	bool		up_loaded;
	bool		down_loaded;
	int			nup;
	int			maxup;
	HierLink   *up;				/* links where org_id = id */
	int			ndown;
	int			maxdown;
	HierLink   *down;			/* links where parent_id = id */
} HierNode;

typedef struct HierGraph
{
	MemoryContext cxt;
	HTAB	   *nodes;
	HierNode  **byid;			/* direct index by (dense) id, in front of nodes */
	int64		nbyid;
	bool		complete;		/* everything loaded; never query again */
	bool		with_names;		/* name, kind, composition loaded (org_at) */
	Snapshot	snapshot;		/* writers: latest snapshot taken after the lock;
								 * readers: NULL, the query's own snapshot */
	int			nlevels;
	char	   *level_code[HIER_MAX_LEVELS];
	int			max_self_nesting[HIER_MAX_LEVELS];
	bool		allowed[HIER_MAX_LEVELS][HIER_MAX_LEVELS];	/* [child][parent] */
	SPIPlanPtr	plan_org;
	SPIPlanPtr	plan_up;
	SPIPlanPtr	plan_down;
} HierGraph;

/* Caller must be connected to SPI. */
extern HierGraph *hier_graph_create(bool complete, bool for_write, bool with_names);
extern void hier_graph_destroy(HierGraph *g);
extern HierNode *hier_node(HierGraph *g, int64 id);
extern void hier_load_up(HierGraph *g, HierNode *n);
extern void hier_load_down(HierGraph *g, HierNode *n);
extern int	hier_level_index(HierGraph *g, const char *code);
extern void hier_lock_hierarchy(void);

/* period helpers, half-open [from, to) */
static inline bool
period_overlaps(DateADT af, DateADT at, DateADT bf, DateADT bt)
{
	return af < bt && bf < at;
}

static inline bool
period_contains(DateADT outer_f, DateADT outer_t, DateADT f, DateADT t)
{
	return outer_f <= f && t <= outer_t;
}

extern char *hier_date_text(DateADT d);
extern char *hier_period_text(DateADT from, DateADT to);
extern char *hier_org_text(HierGraph *g, HierNode *n);

#endif
