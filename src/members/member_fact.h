/*
 * member_fact.h
 *	  unionreg.member_fact: one row per membership period carrying what the
 *	  member pass needs from the period's person (birth date, virtual card,
 *	  status history, card history), kept by triggers.  The pass then reads
 *	  one table, in physical order for the whole union or through its
 *	  (org_id, joined_on) index for a few organizations, instead of probing
 *	  five tables per period.
 *
 * The histories are bytea in network byte order (a dump restores them on
 * any machine): a status period is 12 bytes (valid_from, valid_to, flags),
 * a card move 8 bytes (on_date, state code), in the order the moves were
 * made, so the state on D is the last move on or before D.
 */
#ifndef UNIONREG_MEMBER_FACT_H
#define UNIONREG_MEMBER_FACT_H

#include "postgres.h"

#include "utils/date.h"

#define FACT_STATUS_BYTES 12
#define FACT_CARD_BYTES 8

/* the status flags of a status period: status (2 bits), position (2 bits), two booleans */
#define FACT_STATUS(f)		((f) & 3)
#define FACT_POSITION(f)	(((f) >> 2) & 3)
#define FACT_PEDAGOGICAL	0x10
#define FACT_FULL_TIME		0x20

/* the flags of the status period holding on D (0: none, status unknown) */
extern uint8 fact_status_on(const bytea *statuses, DateADT d);
/* the card state (MP_CARD_*) after the last move on or before D */
extern uint8 fact_card_on(const bytea *cards, DateADT d);
/* whether a card entered "requested" in (P, D] */
extern bool fact_card_requested_in(const bytea *cards, DateADT p, DateADT d);

#endif
