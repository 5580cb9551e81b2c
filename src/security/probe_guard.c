/*
 * probe_guard.c
 *	  Refusals about records the session's login cannot read, counted for the
 *	  session.  A duplicate check that answers "yes" or "no" about a masked
 *	  or hidden person can be asked again and again to recover what the mask
 *	  hides (a birth date by trying dates, a SNILS by trying numbers); each
 *	  such refusal is logged and counted here, and past a limit the session's
 *	  login gets no more answers.  The count lives in the backend, so a
 *	  rolled-back attempt still counts, and nothing a login can SET resets it.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

static Oid	counted_user = InvalidOid;
static int32 hidden_refusals = 0;

PG_FUNCTION_INFO_V1(hidden_refusal_count);

/*
 * unionreg._hidden_refusals(add boolean) RETURNS integer: the session
 * login's count of such refusals, after adding one when add is true.  A new
 * session user (SET SESSION AUTHORIZATION, a superuser's) starts at zero.
 */
Datum
hidden_refusal_count(PG_FUNCTION_ARGS)
{
	Oid			user = GetSessionUserId();

	if (user != counted_user)
	{
		counted_user = user;
		hidden_refusals = 0;
	}
	if (!PG_ARGISNULL(0) && PG_GETARG_BOOL(0) && hidden_refusals < PG_INT32_MAX)
		hidden_refusals++;
	PG_RETURN_INT32(hidden_refusals);
}
