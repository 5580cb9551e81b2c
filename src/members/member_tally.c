/*
 * member_tally.c
 *	  unionreg.member_tally(...): what one membership period contributes to
 *	  its organization's tally as of a reporting date D.  The rule lives in
 *	  member_period.c, shared with the C member pass (member_pass.c); this is
 *	  its SQL face, for tests and ad-hoc checks of one period.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "member_period.h"
#include "tally.h"

/* the code of a text argument, NULL being code 0 */
static uint8
arg_code(FunctionCallInfo fcinfo, int i, uint8 (*code) (const char *, int))
{
	text	   *t;

	if (PG_ARGISNULL(i))
		return 0;
	t = PG_GETARG_TEXT_PP(i);
	return code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static bool
arg_true(FunctionCallInfo fcinfo, int i)
{
	return !PG_ARGISNULL(i) && PG_GETARG_BOOL(i);
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
				p;
	MemberPeriod m;
	MemberDates dates;
	uint32		bits;
	Tally	   *t = tally_new();

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("member_tally() needs the reporting date, the period start and joined_on")));
	d = PG_GETARG_DATEADT(0);
	p = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(d) || DATE_NOT_FINITE(p) || p >= d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("member_tally(): the period start must be a finite date before the reporting date"),
				 errhint("For D = 1 January use P = D minus one year; otherwise the last 1 January before D.")));

	m.joined = PG_GETARG_DATEADT(2);
	m.left = PG_ARGISNULL(3) ? DATEVAL_NOEND : PG_GETARG_DATEADT(3);
	m.left_reason = arg_code(fcinfo, 4, member_left_code);
	m.transfer_in = arg_true(fcinfo, 5);
	m.admitted_online = arg_true(fcinfo, 6);
	m.status = arg_code(fcinfo, 7, member_status_code);
	m.pedagogical = arg_true(fcinfo, 8);
	m.position = arg_code(fcinfo, 9, member_position_code);
	m.full_time = arg_true(fcinfo, 10);
	m.has_birth = !PG_ARGISNULL(11);
	m.birth = m.has_birth ? PG_GETARG_DATEADT(11) : 0;
	m.card = PG_ARGISNULL(12) ? MP_CARD_NONE : arg_code(fcinfo, 12, member_card_code);
	m.virtual_card_on = PG_ARGISNULL(13) ? DATEVAL_NOEND : PG_GETARG_DATEADT(13);
	m.profcards_on = PG_NARGS() < 15 || PG_ARGISNULL(14) ? DATEVAL_NOEND : PG_GETARG_DATEADT(14);
	m.card_requested_in_period = PG_NARGS() >= 16 && arg_true(fcinfo, 15);

	/* P is the caller's: ad-hoc checks may ask for another period */
	member_dates_init(&dates, d);
	dates.p = p;
	bits = member_period_counters(&m, &dates);
	for (int i = 0; i < 32; i++)
		t->c[i] = (bits >> i) & 1;
	PG_RETURN_POINTER(t);
}
