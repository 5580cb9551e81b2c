/*
 * hierarchy_check.h
 *	  The hierarchy's rules, written once for two uses: the write triggers
 *	  throw on the first broken rule, validate_hierarchy() collects them all.
 */
#ifndef UNIONREG_HIERARCHY_CHECK_H
#define UNIONREG_HIERARCHY_CHECK_H

#include "hierarchy_graph.h"
#include "nodes/pg_list.h"

typedef struct HierProblem
{
	char	   *org_ext_id;
	const char *problem;		/* short code, e.g. "cycle" */
	char	   *detail;			/* the message, as a sentence */
} HierProblem;

typedef struct HierChecker
{
	HierGraph  *g;
	bool		throw_errors;
	List	   *problems;		/* of HierProblem *, when collecting */
	DateADT		win_from;		/* only look at links within this window */
	DateADT		win_to;
	int			walk_steps;		/* steps of the current walk up */
} HierChecker;

#define HIER_MAX_WALK_STEPS 10000

extern void hier_check_uplinks(HierChecker *c, HierNode *n);
extern void hier_check_downlinks(HierChecker *c, HierNode *n);

#endif
