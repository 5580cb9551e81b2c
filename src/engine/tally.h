/*
 * tally.h
 *	  unionreg.tally: the vector of counters one organization has on one
 *	  reporting date.  Counters are addressed by position; their names are
 *	  the contract with the SQL catalog unionreg.counter.
 */
#ifndef UNIONREG_TALLY_H
#define UNIONREG_TALLY_H

#include "postgres.h"

typedef enum TallyCounter
{
	TC_MEMBERS = 0,				/* members on record on D */
	TC_WORKING,
	TC_WORKING_PEDAGOGICAL,
	TC_WORKING_YOUTH,
	TC_WORKING_PEDAGOGICAL_YOUTH,
	TC_STUDENTS,
	TC_STUDENTS_FULL_TIME,
	TC_PENSIONERS,
	TC_STATUS_UNKNOWN,
	TC_MEMBERS_ON_P,			/* members on the first day of the period */
	TC_ADMITTED,				/* joined in (P, D], not a transfer */
	TC_ADMITTED_ONLINE,
	TC_TRANSFERRED_IN,
	TC_LEFT,					/* left in (P, D], not a transfer */
	TC_LEFT_OWN_WISH,
	TC_TRANSFERRED_OUT,
	TC_CARDS_ISSUED,
	TC_VIRTUAL_CARDS,
	TC_NO_CARD,
	TC_CARDS_DELIVERED,			/* stuck in delivered_to_region */
	TC_CARDS_REFUSED,
	TC_CARDS_REFUSED_NO_VIRTUAL,
	TC_FACULTY,
	TC_RESEARCHERS,
	TC_CARDS_REQUESTED,			/* the card's state on D, for members on D */
	TC_CARDS_PRODUCED,
	TC_CARDS_MADE,				/* produced, delivered to the region or issued */
	TC_PROFCARDS,				/* registered in PROFCARDS on D */
	TC_PROFCARDS_VIRTUAL,		/* of them with a virtual card on D */
	TC_CARDS_REQUESTED_IN_PERIOD,	/* members on D whose card entered "requested" in (P, D] */
	TC_EMPLOYEES,				/* passport base figures */
	TC_STUDENTS_BASE,
	TC_SUBDIVISIONS,
	TC_PRIMARIES,
	TC_PRIMARIES_NO_MEMBER,
	TC_PRIMARIES_CREATED,
	TC_PRIMARIES_LIQUIDATED,
	TC_INCOMPLETE_REPORTS,
	TC_CHAIRMAN_IN_OFFICE,
	TC_CHAIRMAN_RELEASED,
	TC_PRIMARIES_SCHOOL,
	TC_PRIMARIES_PRESCHOOL,
	TC_PRIMARIES_SUPPLEMENTARY,
	TC_PRIMARIES_PROFESSIONAL,
	TC_PRIMARIES_HIGHER,
	TC_PRIMARIES_SCIENCE,
	TC_PRIMARIES_OTHER,
	TC_NCOUNTERS
} TallyCounter;

extern const char *const tally_counter_names[TC_NCOUNTERS];

/*
 * In memory (and as the datum a C function returns): a varlena with the
 * number of counters it holds (n >= 0), then the counters.  A tally with
 * fewer counters reads the missing ones as 0, so adding a counter needs no
 * rewrite of stored tallies.
 */
typedef struct Tally
{
	int32		vl_len_;
	int32		n;
	int64		c[FLEXIBLE_ARRAY_MEMBER];
} Tally;

/*
 * On disk (tally_to_datum): packed.  n is minus the number of
 * counters it covers (at most 64), a bitmap says which are not zero, and
 * those follow in order as zigzag varints: a snapshot row's 336 bytes of
 * counters, mostly zeros, take ~40.  Every reader gets the form above
 * through DatumGetTallyP.
 */
typedef struct TallyPacked
{
	int32		vl_len_;
	int32		n;				/* -(counters covered) */
	uint64		nonzero;		/* bit i: counter i is not zero */
	uint8		data[FLEXIBLE_ARRAY_MEMBER];
} TallyPacked;

#define TALLY_SIZE(n)		(offsetof(Tally, c) + sizeof(int64) * (n))
#define DatumGetTallyP(d)	tally_from_datum(d)
#define PG_GETARG_TALLY_P(x) DatumGetTallyP(PG_GETARG_DATUM(x))
#define PG_RETURN_TALLY(t)	return tally_to_datum(t)

/* a tally datum, detoasted and unpacked (possibly the datum itself: read only) */
extern Tally *tally_from_datum(Datum d);
/* the packed form of a tally, to be returned or stored */
extern Datum tally_to_datum(const Tally *t);
/* frees what tally_to_datum(t) made, once it is stored (it may be t itself, kept) */
static inline void
tally_datum_free(Datum d, const Tally *t)
{
	if (DatumGetPointer(d) != (Pointer) t)
		pfree(DatumGetPointer(d));
}
extern Tally *tally_new(void);
extern int	tally_counter_index(const char *name);
/* the index of a counter by name, or 22023 naming it */
extern int	tally_counter_or_error(const char *name);
/* counter i of a tally (0 past the counters it holds) */
extern int64 tally_value(const Tally *t, int i);
/* *acc += v for counter i, or 22003 naming the counter */
extern void tally_add_into(int64 *acc, int64 v, int i);

#endif
