/*
 * hierarchy_trigger.c
 *	  Statement-level AFTER triggers that enforce the hierarchy's rules on
 *	  every write to unionreg.org and unionreg.org_link.
 *
 * A statement trigger sees the whole statement through its transition table,
 * so a bulk load is checked in one pass over an in-memory graph, while a
 * single-row move loads only the organizations it walks through.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "hierarchy_check.h"

/* statements touching more organizations than this load the whole graph */
#define HIER_BULK_THRESHOLD 200

typedef struct IdArray
{
	int			n;
	int			cap;
	int64	   *ids;
} IdArray;

/* Values of one int8 column of a transition table. */
static IdArray
transition_ids(TriggerData *td, Tuplestorestate *ts, const char *column)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			attno = SPI_fnumber(desc, column);
	TupleTableSlot *slot;
	IdArray		ids = {0, 0, NULL};

	if (ts == NULL || attno <= 0)
		return ids;
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, attno, &isnull);

		CHECK_FOR_INTERRUPTS();
		if (isnull)
			continue;
		if (ids.n >= ids.cap)
		{
			ids.cap = ids.cap ? ids.cap * 2 : 64;
			ids.ids = ids.ids ? repalloc(ids.ids, sizeof(int64) * ids.cap)
				: palloc(sizeof(int64) * ids.cap);
		}
		ids.ids[ids.n++] = DatumGetInt64(d);
	}
	ExecDropSingleTupleTableSlot(slot);
	return ids;
}

static void
check_trigger_context(FunctionCallInfo fcinfo, const char *fname)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() was not called by the trigger manager", fname)));
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be an AFTER ... FOR EACH STATEMENT trigger", fname)));
}

static void
checker_init(HierChecker *c, HierGraph *g)
{
	memset(c, 0, sizeof(*c));
	c->g = g;
	c->throw_errors = true;
	c->win_from = DATEVAL_NOBEGIN;
	c->win_to = DATEVAL_NOEND;
}

PG_FUNCTION_INFO_V1(org_link_check);

/* Validate the parent links of every organization the statement touched. */
Datum
org_link_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	IdArray		ids;
	HierGraph  *g;
	HierChecker c;

	check_trigger_context(fcinfo, "org_link_check");
	ids = transition_ids(td, td->tg_newtable, "org_id");
	if (ids.n == 0)
		return PointerGetDatum(NULL);

	hier_lock_hierarchy();
	SPI_connect();
	g = hier_graph_create(ids.n > HIER_BULK_THRESHOLD, true, false);
	checker_init(&c, g);
	for (int i = 0; i < ids.n; i++)
		hier_check_uplinks(&c, hier_node(g, ids.ids[i]));
	hier_graph_destroy(g);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* Live members of a primary or subdivision outside [from, to), if the member tables exist. */
static void
check_org_members(HierGraph *g, HierNode *n)
{
	Oid			argtypes[3] = {INT8OID, DATEOID, DATEOID};
	Datum		values[3];
	SPIPlanPtr	plan;
	int			rc;

	/* the member tables come with a later part of the script */
	if (!OidIsValid(get_relname_relid("membership", get_namespace_oid("unionreg", false))))
		return;
	plan = SPI_prepare("SELECT p.ext_id, m.joined_on, coalesce(m.left_on, 'infinity'::date) "
					   "FROM unionreg.membership m JOIN unionreg.person p ON p.id = m.person_id "
					   "WHERE (m.org_id = $1 OR m.subdivision_id = $1) "
					   "AND (m.joined_on < $2 OR coalesce(m.left_on, 'infinity'::date) > $3) "
					   "ORDER BY m.joined_on LIMIT 1", 3, argtypes);
	values[0] = Int64GetDatum(n->id);
	values[1] = DateADTGetDatum(n->from);
	values[2] = DateADTGetDatum(n->to);
	rc = SPI_execute_snapshot(plan, values, NULL, g->snapshot, InvalidSnapshot, false, false, 1);
	if (rc == SPI_OK_SELECT && SPI_processed == 1)
	{
		char	   *member = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *joined = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		char	   *left = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("cannot give %s the lifetime %s: member \"%s\" is on record there outside it",
						hier_org_text(g, n), hier_period_text(n->from, n->to), member),
				 errdetail("The membership holds [%s, %s).", joined,
						   strcmp(left, "infinity") == 0 ? "open" : left),
				 errhint("Transfer the members (unionreg.transfer_member) or record their leaving (unionreg.leave) first.")));
	}
	SPI_freeplan(plan);
}

PG_FUNCTION_INFO_V1(org_check);

/* Validate changed organizations: one root, own links, children, members. */
Datum
org_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	IdArray		ids;
	HierGraph  *g;
	HierChecker c;
	bool		is_update;
	int			central = -1;

	check_trigger_context(fcinfo, "org_check");
	is_update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	ids = transition_ids(td, td->tg_newtable, "id");
	if (ids.n == 0)
		return PointerGetDatum(NULL);

	hier_lock_hierarchy();
	SPI_connect();
	g = hier_graph_create(ids.n > HIER_BULK_THRESHOLD, true, false);
	checker_init(&c, g);
	central = hier_level_index(g, "central");

	for (int i = 0; i < ids.n; i++)
	{
		HierNode   *n = hier_node(g, ids.ids[i]);

		CHECK_FOR_INTERRUPTS();
		if (n->level == central)
		{
			Oid			argtypes[1] = {INT8OID};
			Datum		values[1] = {Int64GetDatum(n->id)};
			SPIPlanPtr	plan = SPI_prepare("SELECT ext_id FROM unionreg.org "
										   "WHERE level = 'central' AND id <> $1",
										   1, argtypes);
			int			rc = SPI_execute_snapshot(plan, values, NULL, g->snapshot,
												  InvalidSnapshot, false, false, 1);

			if (rc == SPI_OK_SELECT && SPI_processed > 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("cannot add central organization \"%s\": \"%s\" is already the root",
								n->ext_id,
								SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
						 errdetail("The union has exactly one central organization."),
						 errhint("Give the new organization a lower level, or correct the existing root.")));
			hier_load_up(g, n);
			if (n->nup > 0)
				ereport(ERROR,
						(errcode(ERRCODE_CHECK_VIOLATION),
						 errmsg("central organization \"%s\" cannot have a parent", n->ext_id),
						 errdetail("It has %d parent link(s).", n->nup),
						 errhint("Delete its links in unionreg.org_link, or give it a lower level.")));
		}
		if (is_update)
		{
			hier_check_uplinks(&c, n);
			hier_check_downlinks(&c, n);
			check_org_members(g, n);
		}
	}
	hier_graph_destroy(g);
	SPI_finish();
	return PointerGetDatum(NULL);
}
