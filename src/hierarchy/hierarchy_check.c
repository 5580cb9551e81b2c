/*
 * hierarchy_check.c
 *	  Rules on parent links: allowed levels, lifetimes, overlaps, cycles and
 *	  the nesting limit of a level under itself.
 *
 * Every rule works on a period: a link's own [from, to) cut to the checker's
 * window.  The triggers use an unbounded window (the whole history);
 * validate_hierarchy(D) uses [D, D+1), which is exactly "on D".
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"

#include "hierarchy_check.h"

/* Throw (trigger) or collect (validation) one broken rule. */
static void
hier_report(HierChecker *c, HierNode *n, const char *problem, int sqlstate,
			const char *message, const char *detail, const char *hint)
{
	if (c->throw_errors)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg_internal("%s", message),
				 detail ? errdetail_internal("%s", detail) : 0,
				 hint ? errhint("%s", hint) : 0));
	else
	{
		HierProblem *p = palloc(sizeof(HierProblem));

		p->org_ext_id = n->exists ? pstrdup(n->ext_id) : psprintf("#" INT64_FORMAT, n->id);
		p->problem = problem;
		p->detail = detail ? psprintf("%s. %s", message, detail) : pstrdup(message);
		c->problems = lappend(c->problems, p);
	}
}

static char *
allowed_parents_text(HierGraph *g, int level)
{
	StringInfoData s;
	bool		first = true;

	initStringInfo(&s);
	for (int p = 0; p < g->nlevels; p++)
		if (g->allowed[level][p])
		{
			appendStringInfo(&s, "%s%s", first ? "" : ", ", g->level_code[p]);
			first = false;
		}
	if (first)
		appendStringInfoString(&s, "none (it is the root)");
	return s.data;
}

/*
 * Walk up from "from" during [pf, pt); true if "target" is reached, i.e. the
 * link would close a cycle.  *when receives the start of the first period in
 * which it happens.
 */
static bool
hier_reaches(HierChecker *c, HierNode *from, int64 target, DateADT pf, DateADT pt,
			 int depth, DateADT *when, bool *too_deep)
{
	HierGraph  *g = c->g;

	CHECK_FOR_INTERRUPTS();
	/* a real chain is a handful of levels; broken data gets a bounded walk */
	if (depth > HIER_MAX_DEPTH || ++c->walk_steps > HIER_MAX_WALK_STEPS)
	{
		*too_deep = true;
		return false;
	}
	hier_load_up(g, from);
	for (int i = 0; i < from->nup; i++)
	{
		HierLink	l = from->up[i];
		DateADT		f = Max(pf, l.from);
		DateADT		t = Min(pt, l.to);
		HierNode   *parent;

		if (f >= t)
			continue;
		if (l.parent_id == target)
		{
			*when = f;
			return true;
		}
		parent = hier_node(g, l.parent_id);
		if (parent->exists &&
			hier_reaches(c, parent, target, f, t, depth + 1, when, too_deep))
			return true;
	}
	return false;
}

/*
 * How many organizations of "level" stand in a chain ending at n, going up.
 * Counting stops at "cap": the caller only needs to know whether the limit
 * is passed, and a cycle in broken data must not make the walk explode.
 */
static int
chain_up(HierChecker *c, HierNode *n, int level, DateADT pf, DateADT pt, int cap)
{
	int			best = 0;

	CHECK_FOR_INTERRUPTS();
	if (!n->exists || n->level != level || cap <= 0)
		return 0;
	hier_load_up(c->g, n);
	for (int i = 0; i < n->nup; i++)
	{
		HierLink	l = n->up[i];
		DateADT		f = Max(pf, l.from);
		DateADT		t = Min(pt, l.to);
		int			k;

		if (f >= t)
			continue;
		k = chain_up(c, hier_node(c->g, l.parent_id), level, f, t, cap - 1);
		best = Max(best, k);
	}
	return best + 1;
}

/* How many organizations of "level" stand below n in a chain, up to "cap". */
static int
chain_down(HierChecker *c, HierNode *n, int level, DateADT pf, DateADT pt, int cap)
{
	int			best = 0;

	CHECK_FOR_INTERRUPTS();
	if (cap <= 0)
		return 0;
	hier_load_down(c->g, n);
	for (int i = 0; i < n->ndown; i++)
	{
		HierLink	l = n->down[i];
		DateADT		f = Max(pf, l.from);
		DateADT		t = Min(pt, l.to);
		HierNode   *child;

		if (f >= t)
			continue;
		child = hier_node(c->g, l.org_id);
		if (!child->exists || child->level != level)
			continue;
		best = Max(best, 1 + chain_down(c, child, level, f, t, cap - 1));
	}
	return best;
}

/* Check every parent link of n that falls in the checker's window. */
/* the names in messages, formatted only when a rule is broken */
#define CHILD_TXT hier_org_text(g, n)
#define PARENT_TXT hier_org_text(g, p)

void
hier_check_uplinks(HierChecker *c, HierNode *n)
{
	HierGraph  *g = c->g;

	if (!n->exists)
		return;
	hier_load_up(g, n);
	for (int i = 0; i < n->nup; i++)
	{
		HierLink	l = n->up[i];
		DateADT		f = Max(c->win_from, l.from);
		DateADT		t = Min(c->win_to, l.to);
		HierNode   *p;
		DateADT		when;
		bool		too_deep = false;

		if (f >= t)
			continue;
		CHECK_FOR_INTERRUPTS();

		p = hier_node(g, l.parent_id);

		if (!p->exists)
		{
			hier_report(c, n, "missing_parent", ERRCODE_FOREIGN_KEY_VIOLATION,
						psprintf("organization %s links to a parent that does not exist", CHILD_TXT),
						psprintf("The link holds %s and names organization id " INT64_FORMAT ".",
								 hier_period_text(l.from, l.to), l.parent_id),
						"Data was probably loaded with triggers disabled; link the organization to an existing parent with unionreg.move_org().");
			continue;
		}

		/* allowed parent level */
		if (n->level < 0 || p->level < 0 || !g->allowed[n->level][p->level])
			hier_report(c, n, "bad_parent_level", ERRCODE_CHECK_VIOLATION,
						psprintf("organization %s cannot stand under %s", CHILD_TXT, PARENT_TXT),
						psprintf("A %s organization may stand only under: %s.",
								 n->level >= 0 ? g->level_code[n->level] : "?",
								 n->level >= 0 ? allowed_parents_text(g, n->level) : "?"),
						psprintf("Choose a parent of an allowed level for \"%s\" (see unionreg.level_parent).",
								 n->ext_id));

		/* the link lies within the child's own lifetime */
		if (!period_contains(n->from, n->to, f, t))
			hier_report(c, n, "link_outside_lifetime", ERRCODE_CHECK_VIOLATION,
						psprintf("link of %s to %s holds outside the lifetime of %s",
								 CHILD_TXT, PARENT_TXT, CHILD_TXT),
						psprintf("The link holds %s; %s exists %s.",
								 hier_period_text(l.from, l.to), CHILD_TXT,
								 hier_period_text(n->from, n->to)),
						psprintf("End the link when \"%s\" ends (use unionreg.liquidate_org), or correct its lifetime.",
								 n->ext_id));

		/* and within the parent's lifetime */
		if (!period_contains(p->from, p->to, f, t))
			hier_report(c, n, "parent_not_live", ERRCODE_CHECK_VIOLATION,
						psprintf("link of %s to %s outlives its parent", CHILD_TXT, PARENT_TXT),
						psprintf("The link holds %s; %s exists %s.",
								 hier_period_text(l.from, l.to), PARENT_TXT,
								 hier_period_text(p->from, p->to)),
						psprintf("Move \"%s\" under a parent that is live for the whole period (unionreg.move_org), or correct the lifetime of \"%s\".",
								 n->ext_id, p->ext_id));

		/* no other link of the same child in the same days */
		for (int j = 0; j < n->nup; j++)
		{
			HierLink	o = n->up[j];

			if (j == i || !period_overlaps(f, t, o.from, o.to))
				continue;
			if (j < i && period_overlaps(c->win_from, c->win_to, o.from, o.to))
				continue;		/* the pair is reported once */
			hier_report(c, n, "overlapping_links", ERRCODE_EXCLUSION_VIOLATION,
						psprintf("organization %s would have two parents at once", CHILD_TXT),
						psprintf("Its link to %s holds %s and its link to %s holds %s.",
								 PARENT_TXT, hier_period_text(l.from, l.to),
								 hier_org_text(g, hier_node(g, o.parent_id)),
								 hier_period_text(o.from, o.to)),
						"Use unionreg.move_org() to change a parent: it ends the old link on the day the new one starts.");
		}

		/* no cycle, whatever the dates */
		c->walk_steps = 0;
		if (l.parent_id == n->id ||
			hier_reaches(c, p, n->id, f, t, 0, &when, &too_deep))
		{
			hier_report(c, n, "cycle", ERRCODE_CHECK_VIOLATION,
						c->throw_errors ?
						psprintf("placing %s under %s would create a cycle", CHILD_TXT, PARENT_TXT) :
						psprintf("%s stands under %s, which stands below it: a cycle", CHILD_TXT, PARENT_TXT),
						psprintf("%s stands below %s from %s.", PARENT_TXT, CHILD_TXT,
								 hier_date_text(l.parent_id == n->id ? f : when)),
						psprintf("Move \"%s\" out from under \"%s\" first, or choose another parent.",
								 p->ext_id, n->ext_id));
			continue;			/* nesting counts mean nothing in a cycle */
		}
		else if (too_deep)
			hier_report(c, n, "too_deep", ERRCODE_CHECK_VIOLATION,
						psprintf("the chain of parents above %s is deeper than %d levels",
								 CHILD_TXT, HIER_MAX_DEPTH),
						psprintf("The link to %s holds %s.", PARENT_TXT, hier_period_text(l.from, l.to)),
						"The data above this organization is broken; run unionreg.validate_hierarchy().");

		/* a level nested under itself, at most max_self_nesting deep */
		if (n->level >= 0 && p->level == n->level)
		{
			int			limit = g->max_self_nesting[n->level];
			int			above = chain_up(c, p, n->level, f, t, limit + 1);
			int			below = chain_down(c, n, n->level, f, t, limit + 1);

			if (above + 1 + below > limit)
				hier_report(c, n, "too_deeply_nested", ERRCODE_CHECK_VIOLATION,
							psprintf("placing %s under %s nests %d %s levels, at most %d are allowed",
									 CHILD_TXT, PARENT_TXT, above + 1 + below,
									 g->level_code[n->level], limit),
							psprintf("%d %s level(s) stand above it and %d below it during %s.",
									 above, g->level_code[n->level], below,
									 hier_period_text(f, t)),
							psprintf("Place \"%s\" directly under its primary organization.", n->ext_id));
		}
	}
}

/*
 * Links of children to n must lie in n's lifetime (liquidation with live
 * children is refused) and keep an allowed level pair if n's level changed.
 */
#undef CHILD_TXT
#undef PARENT_TXT

void
hier_check_downlinks(HierChecker *c, HierNode *n)
{
	HierGraph  *g = c->g;

	if (!n->exists)
		return;
	hier_load_down(g, n);
	for (int i = 0; i < n->ndown; i++)
	{
		HierLink	l = n->down[i];
		DateADT		f = Max(c->win_from, l.from);
		DateADT		t = Min(c->win_to, l.to);
		HierNode   *child;

		if (f >= t)
			continue;
		CHECK_FOR_INTERRUPTS();
		child = hier_node(g, l.org_id);
		if (!child->exists)
			continue;

		if (l.to > n->to)
			hier_report(c, child, "parent_not_live", ERRCODE_FOREIGN_KEY_VIOLATION,
						psprintf("cannot end %s on %s: child %s is live then",
								 hier_org_text(g, n), hier_date_text(n->to),
								 hier_org_text(g, child)),
						psprintf("%s stands under %s %s.", hier_org_text(g, child),
								 hier_org_text(g, n), hier_period_text(l.from, l.to)),
						psprintf("Move or liquidate the children first, e.g. SELECT unionreg.move_org('%s', '<new parent>', '%s').",
								 child->ext_id, hier_date_text(n->to)));
		else if (l.from < n->from)
			hier_report(c, child, "parent_not_live", ERRCODE_CHECK_VIOLATION,
						psprintf("cannot start %s on %s: child %s stands under it earlier",
								 hier_org_text(g, n), hier_date_text(n->from),
								 hier_org_text(g, child)),
						psprintf("%s stands under %s %s.", hier_org_text(g, child),
								 hier_org_text(g, n), hier_period_text(l.from, l.to)),
						"Keep the creation date on or before the first day of every child's link.");

		if (child->level >= 0 && n->level >= 0 && !g->allowed[child->level][n->level])
			hier_report(c, child, "bad_parent_level", ERRCODE_CHECK_VIOLATION,
						psprintf("organization %s cannot stand under %s",
								 hier_org_text(g, child), hier_org_text(g, n)),
						psprintf("A %s organization may stand only under: %s.",
								 g->level_code[child->level],
								 allowed_parents_text(g, child->level)),
						psprintf("Move the children of \"%s\" before changing its level.", n->ext_id));
	}
}
