/*
 * member_period.c
 *	  The counting rule of one membership period as of D (member_period.h).
 *
 * Rules: on D means from <= D < to; the period is (P, D]; an event belongs
 * to it when P < its date <= D; youth is an age under 35 on D (the 35th
 * birthday itself is not youth; 29 February birthdays fall on 1 March in
 * other years); a period that follows one ended by "transferred" is a
 * transfer in, a period ended by "transferred" a transfer out.
 */
#include "postgres.h"

#include "utils/datetime.h"

#include "member_period.h"
#include "tally.h"

#define YOUTH_AGE 35

/* The day a person born on "birth" turns "years" old. */
static DateADT
birthday(DateADT birth, int years)
{
	int			y,
				m,
				d;

	j2date(birth + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !isleap(y))
	{
		m = 3;
		d = 1;
	}
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

void
member_dates_init(MemberDates *dates, DateADT d)
{
	int			y,
				m,
				day;
	DateADT		b;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	dates->d = d;
	dates->p = date2j(m == 1 && day == 1 ? y - 1 : y, 1, 1) - POSTGRES_EPOCH_JDATE;
	/*
	 * The 35th birthday only moves forward with the birth date, so youth is
	 * "born on or after" the first birth date whose 35th birthday is after
	 * D.  It lies within a day or two of D's date 35 years back; start a few
	 * days before (member_tally() runs this once per row).
	 */
	b = date2j(y - YOUTH_AGE, m, day) - POSTGRES_EPOCH_JDATE - 3;
	while (birthday(b, YOUTH_AGE) <= d)
		b++;
	dates->youth_from = b;
}

#define BIT(c)		((uint32) 1 << (c))
#define BIT_IF(c, cond)	((cond) ? BIT(c) : 0)

uint32
member_period_counters(const MemberPeriod *m, const MemberDates *dates)
{
	DateADT		d = dates->d;
	DateADT		p = dates->p;
	uint32		bits = 0;

	StaticAssertStmt(TC_CARDS_REQUESTED_IN_PERIOD < 32, "member counters must fit in 32 bits");
	if (m->joined <= p && p < m->left)
		bits |= BIT(TC_MEMBERS_ON_P);

	/* flows over (P, D] */
	if (p < m->joined && m->joined <= d)
	{
		if (m->transfer_in)
			bits |= BIT(TC_TRANSFERRED_IN);
		else
			bits |= BIT(TC_ADMITTED) | BIT_IF(TC_ADMITTED_ONLINE, m->admitted_online);
	}
	if (p < m->left && m->left <= d)
	{
		if (m->left_reason == MP_LEFT_TRANSFERRED)
			bits |= BIT(TC_TRANSFERRED_OUT);
		else
			bits |= BIT(TC_LEFT) | BIT_IF(TC_LEFT_OWN_WISH, m->left_reason == MP_LEFT_OWN_WISH);
	}

	if (m->joined <= d && d < m->left)
	{
		bool		youth = m->has_birth && m->birth >= dates->youth_from;
		bool		virtual_card = m->virtual_card_on <= d;
		bool		issued = m->card == MP_CARD_ISSUED;

		bits |= BIT(TC_MEMBERS);
		switch (m->status)
		{
			case MP_STATUS_WORKING:
				bits |= BIT(TC_WORKING)
					| BIT_IF(TC_WORKING_PEDAGOGICAL, m->pedagogical)
					| BIT_IF(TC_WORKING_YOUTH, youth)
					| BIT_IF(TC_WORKING_PEDAGOGICAL_YOUTH, m->pedagogical && youth)
					| BIT_IF(TC_FACULTY, m->position == MP_POSITION_FACULTY)
					| BIT_IF(TC_RESEARCHERS, m->position == MP_POSITION_RESEARCHER);
				break;
			case MP_STATUS_STUDENT:
				bits |= BIT(TC_STUDENTS) | BIT_IF(TC_STUDENTS_FULL_TIME, m->full_time);
				break;
			case MP_STATUS_PENSIONER:
				bits |= BIT(TC_PENSIONERS);
				break;
			default:
				bits |= BIT(TC_STATUS_UNKNOWN);
				break;
		}
		bits |= BIT_IF(TC_CARDS_ISSUED, issued)
			| BIT_IF(TC_VIRTUAL_CARDS, virtual_card)
			| BIT_IF(TC_NO_CARD, !issued && !virtual_card)
			| BIT_IF(TC_CARDS_DELIVERED, m->card == MP_CARD_DELIVERED)
			| BIT_IF(TC_CARDS_REQUESTED, m->card == MP_CARD_REQUESTED)
			| BIT_IF(TC_CARDS_PRODUCED, m->card == MP_CARD_PRODUCED)
			| BIT_IF(TC_CARDS_MADE, m->card == MP_CARD_PRODUCED || m->card == MP_CARD_DELIVERED || issued)
			| BIT_IF(TC_PROFCARDS, m->profcards_on <= d)
			| BIT_IF(TC_PROFCARDS_VIRTUAL, m->profcards_on <= d && virtual_card)
			| BIT_IF(TC_CARDS_REQUESTED_IN_PERIOD, m->card_requested_in_period);
		if (m->card == MP_CARD_REFUSED)
			bits |= BIT(TC_CARDS_REFUSED) | BIT_IF(TC_CARDS_REFUSED_NO_VIRTUAL, !virtual_card);
	}
	return bits;
}

static bool
is(const char *s, int len, const char *code)
{
	return len == (int) strlen(code) && memcmp(s, code, len) == 0;
}

uint8
member_status_code(const char *s, int len)
{
	if (is(s, len, "working"))
		return MP_STATUS_WORKING;
	if (is(s, len, "student"))
		return MP_STATUS_STUDENT;
	if (is(s, len, "pensioner"))
		return MP_STATUS_PENSIONER;
	return MP_STATUS_UNKNOWN;
}

uint8
member_position_code(const char *s, int len)
{
	if (is(s, len, "faculty"))
		return MP_POSITION_FACULTY;
	if (is(s, len, "researcher"))
		return MP_POSITION_RESEARCHER;
	return MP_POSITION_OTHER;
}

uint8
member_card_code(const char *s, int len)
{
	if (is(s, len, "issued"))
		return MP_CARD_ISSUED;
	if (is(s, len, "delivered_to_region"))
		return MP_CARD_DELIVERED;
	if (is(s, len, "refused"))
		return MP_CARD_REFUSED;
	if (is(s, len, "requested"))
		return MP_CARD_REQUESTED;
	if (is(s, len, "produced"))
		return MP_CARD_PRODUCED;
	return MP_CARD_OTHER;
}

uint8
member_left_code(const char *s, int len)
{
	if (is(s, len, "transferred"))
		return MP_LEFT_TRANSFERRED;
	if (is(s, len, "own_wish"))
		return MP_LEFT_OWN_WISH;
	return MP_LEFT_OTHER;
}
