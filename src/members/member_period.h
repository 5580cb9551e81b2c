/*
 * member_period.h
 *	  What one membership period contributes to its organization's counters
 *	  as of a reporting date D, by DOMAIN.md's time rules.  One definition
 *	  for the SQL function unionreg.member_tally() and the C member pass
 *	  (member_pass.c), so the two can never count differently.
 */
#ifndef UNIONREG_MEMBER_PERIOD_H
#define UNIONREG_MEMBER_PERIOD_H

#include "postgres.h"

#include "utils/date.h"

/* status on D */
#define MP_STATUS_UNKNOWN	0
#define MP_STATUS_WORKING	1
#define MP_STATUS_STUDENT	2
#define MP_STATUS_PENSIONER 3

/* position group of a working member */
#define MP_POSITION_OTHER	0
#define MP_POSITION_FACULTY 1
#define MP_POSITION_RESEARCHER 2

/* card state on D, as far as the forms tell them apart */
#define MP_CARD_NONE		0
#define MP_CARD_OTHER		1
#define MP_CARD_ISSUED		2
#define MP_CARD_DELIVERED	3
#define MP_CARD_REFUSED		4
#define MP_CARD_REQUESTED	5
#define MP_CARD_PRODUCED	6

/* leaving reason, as far as the forms tell them apart */
#define MP_LEFT_OTHER		0
#define MP_LEFT_TRANSFERRED 1
#define MP_LEFT_OWN_WISH	2

typedef struct MemberPeriod
{
	DateADT		joined;
	DateADT		left;			/* DATEVAL_NOEND while a member */
	DateADT		birth;			/* valid when has_birth */
	DateADT		virtual_card_on;	/* DATEVAL_NOEND: none */
	DateADT		profcards_on;	/* registered in PROFCARDS; DATEVAL_NOEND: not */
	uint8		left_reason;	/* MP_LEFT_* */
	uint8		status;			/* MP_STATUS_* */
	uint8		position;		/* MP_POSITION_* */
	uint8		card;			/* MP_CARD_* */
	bool		card_requested_in_period;	/* a card of the person entered "requested" in (P, D] */
	bool		transfer_in;	/* follows a period ended "transferred" */
	bool		admitted_online;
	bool		pedagogical;
	bool		full_time;
	bool		has_birth;
} MemberPeriod;

/* the reporting date D and what follows from it, computed once per pass */
typedef struct MemberDates
{
	DateADT		d;
	DateADT		p;				/* the last 1 January before D (for D = 1 January, a year before) */
	DateADT		youth_from;		/* born on or after it: under 35 on D */
} MemberDates;

extern void member_dates_init(MemberDates *dates, DateADT d);

/*
 * What the period contributes on D with the period (P, D]: every counter it
 * touches goes up by one, so the answer is a bit mask, bit i for counter i
 * (TallyCounter; the member counters all lie below 32).
 */
extern uint32 member_period_counters(const MemberPeriod *m, const MemberDates *dates);

/* codes of the catalog values the forms tell apart */
extern uint8 member_status_code(const char *s, int len);
extern uint8 member_position_code(const char *s, int len);
extern uint8 member_card_code(const char *s, int len);
extern uint8 member_left_code(const char *s, int len);

#endif
