/*
 * member_tally.c
 *	  unionreg.member_tally(...): what one membership period contributes to
 *	  its organization's tally as of a reporting date D, by DOMAIN.md's time
 *	  rules.  Summed per organization with sum(tally) it is the report
 *	  engine's one pass over member data (parallel, through sum's combine).
 *
 * Rules: on D means from <= D < to; the period is (P, D]; an event belongs
 * to it when P < its date <= D; youth is an age under 35 on D (the 35th
 * birthday itself is not youth; 29 February birthdays fall on 1 March in
 * other years); a period that follows one ended by "transferred" is a
 * transfer in, a period ended by "transferred" a transfer out.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "tally.h"

#define YOUTH_AGE 35

static bool
arg_is(FunctionCallInfo fcinfo, int i, const char *value)
{
	char	   *s;
	bool		r;

	if (PG_ARGISNULL(i))
		return false;
	s = text_to_cstring(PG_GETARG_TEXT_PP(i));
	r = strcmp(s, value) == 0;
	pfree(s);
	return r;
}

static bool
arg_true(FunctionCallInfo fcinfo, int i)
{
	return !PG_ARGISNULL(i) && PG_GETARG_BOOL(i);
}

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

/* date arguments: NULL "to" means open (infinity) */
static DateADT
arg_date(FunctionCallInfo fcinfo, int i, DateADT if_null)
{
	return PG_ARGISNULL(i) ? if_null : PG_GETARG_DATEADT(i);
}

PG_FUNCTION_INFO_V1(member_tally);

/*
 * Arguments, in order: as_of D, period start P, joined_on, left_on,
 * left_reason, transfer_in, admitted_online, status, pedagogical, position,
 * full_time, birth_date, card_state_on_d, virtual_card_on.
 */
Datum
member_tally(PG_FUNCTION_ARGS)
{
	DateADT		d,
				p,
				joined,
				left;
	Tally	   *t = tally_new();
	bool		on_d;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("member_tally() needs the reporting date, the period start and joined_on")));
	d = PG_GETARG_DATEADT(0);
	p = PG_GETARG_DATEADT(1);
	joined = PG_GETARG_DATEADT(2);
	left = arg_date(fcinfo, 3, DATEVAL_NOEND);
	if (DATE_NOT_FINITE(d) || DATE_NOT_FINITE(p) || p >= d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("member_tally(): the period start must be a finite date before the reporting date"),
				 errhint("For D = 1 January use P = D minus one year; otherwise the last 1 January before D.")));

	on_d = joined <= d && d < left;
	if (joined <= p && p < left)
		t->c[TC_MEMBERS_ON_P] = 1;

	/* flows over (P, D] */
	if (p < joined && joined <= d)
	{
		if (arg_true(fcinfo, 5))
			t->c[TC_TRANSFERRED_IN] = 1;
		else
		{
			t->c[TC_ADMITTED] = 1;
			if (arg_true(fcinfo, 6))
				t->c[TC_ADMITTED_ONLINE] = 1;
		}
	}
	if (p < left && left <= d)
	{
		if (arg_is(fcinfo, 4, "transferred"))
			t->c[TC_TRANSFERRED_OUT] = 1;
		else
		{
			t->c[TC_LEFT] = 1;
			if (arg_is(fcinfo, 4, "own_wish"))
				t->c[TC_LEFT_OWN_WISH] = 1;
		}
	}

	if (on_d)
	{
		bool		youth = false;
		bool		virtual_card = !PG_ARGISNULL(13) && PG_GETARG_DATEADT(13) <= d;
		bool		issued = arg_is(fcinfo, 12, "issued");

		if (!PG_ARGISNULL(11))
			youth = d < birthday(PG_GETARG_DATEADT(11), YOUTH_AGE);
		t->c[TC_MEMBERS] = 1;
		if (arg_is(fcinfo, 7, "working"))
		{
			bool		ped = arg_true(fcinfo, 8);

			t->c[TC_WORKING] = 1;
			t->c[TC_WORKING_PEDAGOGICAL] = ped;
			t->c[TC_WORKING_YOUTH] = youth;
			t->c[TC_WORKING_PEDAGOGICAL_YOUTH] = ped && youth;
			t->c[TC_FACULTY] = arg_is(fcinfo, 9, "faculty");
			t->c[TC_RESEARCHERS] = arg_is(fcinfo, 9, "researcher");
		}
		else if (arg_is(fcinfo, 7, "student"))
		{
			t->c[TC_STUDENTS] = 1;
			t->c[TC_STUDENTS_FULL_TIME] = arg_true(fcinfo, 10);
		}
		else if (arg_is(fcinfo, 7, "pensioner"))
			t->c[TC_PENSIONERS] = 1;
		else
			t->c[TC_STATUS_UNKNOWN] = 1;

		t->c[TC_CARDS_ISSUED] = issued;
		t->c[TC_VIRTUAL_CARDS] = virtual_card;
		t->c[TC_NO_CARD] = !issued && !virtual_card;
		t->c[TC_CARDS_DELIVERED] = arg_is(fcinfo, 12, "delivered_to_region");
		if (arg_is(fcinfo, 12, "refused"))
		{
			t->c[TC_CARDS_REFUSED] = 1;
			t->c[TC_CARDS_REFUSED_NO_VIRTUAL] = !virtual_card;
		}
	}
	PG_RETURN_POINTER(t);
}
