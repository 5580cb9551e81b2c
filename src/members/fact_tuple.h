/*
 * fact_tuple.h
 *	  One unionreg.member_fact row read straight from its heap tuple, with
 *	  no slot and no generic deform (fact_tuple.c): for the whole-union scan.
 */
#ifndef UNIONREG_FACT_TUPLE_H
#define UNIONREG_FACT_TUPLE_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/relcache.h"

#include "member_period.h"

/* whether rel is member_fact as created: a heap with these columns, of these types, in this order */
extern bool fact_tuple_layout(Relation rel);
/* the row's org_id */
extern int64 fact_tuple_org(HeapTuple tuple);
/* the row's period, as fact_decode() reads it from a slot; false if it does not touch (P, D] */
extern bool fact_tuple_decode(HeapTuple tuple, const MemberDates *dates, MemberPeriod *m);
/* a member's status and card on D from its histories (either NULL: none), whichever way the row was read */
extern void fact_histories_on(MemberPeriod *m, const bytea *statuses, const bytea *cards, DateADT p, DateADT d);

#endif
