/*
 * org_pass.h
 *	  The end of the build's organization pass (org_pass.c): organizations
 *	  with their own tallies in, the filers' consolidated rows out.
 */
#ifndef UNIONREG_ORG_PASS_H
#define UNIONREG_ORG_PASS_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/execnodes.h"

#include "tally.h"

typedef struct OrgRow
{
	int64		id;
	int64		parent;
	bool		has_parent;
	bool		is_region;
	Datum		form;			/* text; 0: files no form */
	Datum		gaps;			/* text[]; 0: complete */
	Tally	   *chairman;		/* NULL: none */
} OrgRow;

/* roll acc (TC_NCOUNTERS per row, its own) up and put the filers' rows into rsinfo's tuplestore */
extern void org_rows_emit(OrgRow *rows, int n, int64 *acc, ReturnSetInfo *rsinfo);

#endif
