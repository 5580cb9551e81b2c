/*
 * own_tally.h
 *	  What one organization adds to its own and its ancestors' tallies on D
 *	  (own_tally.c), for the organization pass (org_pass.c).
 */
#ifndef UNIONREG_OWN_TALLY_H
#define UNIONREG_OWN_TALLY_H

#include "postgres.h"

#include "utils/date.h"

typedef struct OwnFacts
{
	bool		is_primary;
	bool		is_subdivision;
	int			kind_counter;	/* primaries_<kind>, for a primary */
	DateADT		valid_from;
	bool		has_employees;
	int32		employees;
	bool		has_students;
	int32		students;
	bool		incomplete;		/* a filer whose report is incomplete */
	bool		has_own_members;	/* own_members says whether a primary has a member of its own */
	int64		own_members;	/* (else c[members] does: the counters hold only its own members) */
	int64		liquidated;		/* primaries liquidated under it in (P, D] */
	DateADT		as_of;
	DateADT		period_start;
} OwnFacts;

/* the counter of primaries of a kind; 23502 for a primary with none */
extern int	own_tally_kind_counter(const char *kind);
/* add what the organization adds to c (its members' counters already in it) */
extern void own_tally_apply(int64 *c, const OwnFacts *f);

#endif
