/*
 * member_fact.c
 *	  The encoded histories of unionreg.member_fact (member_fact.h), and the
 *	  switch that lets a loader refresh the facts once at its end instead
 *	  of once per statement.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"

#include "member_fact.h"
#include "member_period.h"

static int32
get_int32(const char *p)
{
	uint32		v;

	memcpy(&v, p, sizeof(v));	/* a short varlena's payload is not aligned */
	return (int32) pg_ntoh32(v);
}

static void
put_int32(char *p, int32 v)
{
	uint32		n = pg_hton32((uint32) v);

	memcpy(p, &n, sizeof(n));
}

static uint8
text_code(FunctionCallInfo fcinfo, int arg, uint8 (*code) (const char *, int))
{
	text	   *t;

	if (PG_ARGISNULL(arg))
		return 0;
	t = PG_GETARG_TEXT_PP(arg);
	return code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

uint8
fact_status_on(const bytea *statuses, DateADT d)
{
	const char *p = VARDATA_ANY(statuses);
	int			n = VARSIZE_ANY_EXHDR(statuses) / FACT_STATUS_BYTES;

	for (int i = 0; i < n; i++, p += FACT_STATUS_BYTES)
		if (get_int32(p) <= d && d < get_int32(p + 4))
			return (uint8) get_int32(p + 8);
	return 0;
}

uint8
fact_card_on(const bytea *cards, DateADT d)
{
	const char *p = VARDATA_ANY(cards);
	int			n = VARSIZE_ANY_EXHDR(cards) / FACT_CARD_BYTES;
	uint8		state = MP_CARD_NONE;

	/* in move order: the last move on or before D wins */
	for (int i = 0; i < n; i++, p += FACT_CARD_BYTES)
		if (get_int32(p) <= d)
			state = (uint8) get_int32(p + 4);
	return state;
}

bool
fact_card_requested_in(const bytea *cards, DateADT p, DateADT d)
{
	const char *c = VARDATA_ANY(cards);
	int			n = VARSIZE_ANY_EXHDR(cards) / FACT_CARD_BYTES;

	for (int i = 0; i < n; i++, c += FACT_CARD_BYTES)
		if (get_int32(c + 4) == MP_CARD_REQUESTED && get_int32(c) > p && get_int32(c) <= d)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(fact_status);

/*
 * unionreg._fact_status(valid_from date, valid_to date, status text,
 *		position text, pedagogical boolean, full_time boolean) RETURNS bytea
 * One status period, encoded; NULL valid_to: open.
 */
Datum
fact_status(PG_FUNCTION_ARGS)
{
	bytea	   *b = palloc(VARHDRSZ + FACT_STATUS_BYTES);
	uint8		flags;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	flags = text_code(fcinfo, 2, member_status_code)
		| (text_code(fcinfo, 3, member_position_code) << 2)
		| (!PG_ARGISNULL(4) && PG_GETARG_BOOL(4) ? FACT_PEDAGOGICAL : 0)
		| (!PG_ARGISNULL(5) && PG_GETARG_BOOL(5) ? FACT_FULL_TIME : 0);
	SET_VARSIZE(b, VARHDRSZ + FACT_STATUS_BYTES);
	put_int32(VARDATA(b), PG_GETARG_DATEADT(0));
	put_int32(VARDATA(b) + 4, PG_ARGISNULL(1) ? DATEVAL_NOEND : PG_GETARG_DATEADT(1));
	put_int32(VARDATA(b) + 8, flags);
	PG_RETURN_BYTEA_P(b);
}

PG_FUNCTION_INFO_V1(fact_card);

/* unionreg._fact_card(on_date date, to_state text) RETURNS bytea: one card move, encoded */
Datum
fact_card(PG_FUNCTION_ARGS)
{
	bytea	   *b;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	b = palloc(VARHDRSZ + FACT_CARD_BYTES);
	SET_VARSIZE(b, VARHDRSZ + FACT_CARD_BYTES);
	put_int32(VARDATA(b), PG_GETARG_DATEADT(0));
	put_int32(VARDATA(b) + 4, text_code(fcinfo, 1, member_card_code));
	PG_RETURN_BYTEA_P(b);
}

/* ---- deferring the refresh ----------------------------------------------- */

/*
 * The nesting level of the (sub)transaction that deferred the refresh, 0
 * when not deferred.  Reset when that (sub)transaction ends: a loader that
 * fails inside a caller's savepoint leaves no deferral behind.
 */
static int	deferred_level = 0;
static bool callbacks_registered = false;

static void
facts_xact_callback(XactEvent event, void *arg)
{
	(void) event;
	(void) arg;
	deferred_level = 0;
}

static void
facts_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	(void) mySubid;
	(void) parentSubid;
	(void) arg;
	if (event == SUBXACT_EVENT_ABORT_SUB && deferred_level >= GetCurrentTransactionNestLevel())
		deferred_level = 0;
}

PG_FUNCTION_INFO_V1(member_facts_defer);

/*
 * unionreg._member_facts_defer(boolean) RETURNS void: true, and the fact
 * triggers stand aside until false or the end of the (sub)transaction;
 * the caller then refreshes the persons it wrote.  The owner's loaders only.
 */
Datum
member_facts_defer(PG_FUNCTION_ARGS)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(facts_xact_callback, NULL);
		RegisterSubXactCallback(facts_subxact_callback, NULL);
		callbacks_registered = true;
	}
	deferred_level = (!PG_ARGISNULL(0) && PG_GETARG_BOOL(0)) ? GetCurrentTransactionNestLevel() : 0;
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(member_facts_deferred);

/* unionreg._member_facts_deferred() RETURNS boolean */
Datum
member_facts_deferred(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_BOOL(deferred_level > 0);
}
