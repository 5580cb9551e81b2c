/*
 * snapshot_write.c
 *	  The build's rows written straight into unionreg.snapshot_org, a batch
 *	  at a time, as COPY writes: table_multi_insert (one WAL record a page,
 *	  not a row) and then the rows' index entries.
 *
 * Why: through INSERT ... SELECT the rows went from the pass into a
 * tuplestore, out of it through the executor, and one heap_insert, one WAL
 * record and one trigger-queue entry each.  The table's one trigger (has_snapshot_ins, the key to snapshot
 * checked per statement) is what this file does itself before writing: the
 * snapshot is locked FOR KEY SHARE, as the key's check would lock it.  Any
 * other INSERT trigger (one a DBA added) must fire, so then nothing is
 * written here and build_snapshot() inserts through the executor.  The
 * writer refuses a table under row-level security for the caller, as COPY
 * FROM does; the owner's build_snapshot() is not.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "snapshot_write.h"

/* rows a batch: as COPY's multi-insert buffers */
#define BATCH 1000

typedef struct SnapshotSink
{
	OrgRowSink	base;
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slots[BATCH];
	int			n;				/* rows in the batch */
	int64		snapshot_id;
	CommandId	cid;
	int64		written;
} SnapshotSink;

/* snapshot_org's columns, in its order: the rows are formed as the table has them */
static const struct
{
	const char *name;
	Oid			type;			/* InvalidOid: tally, the extension's type */
}			columns[] =
{
	{"snapshot_id", INT8OID},
	{"org_id", INT8OID},
	{"form", TEXTOID},
	{"tally", InvalidOid},
	{"is_complete", BOOLOID},
	{"gaps", TEXTARRAYOID},
	{"region_id", INT8OID},
};

#define NCOLUMNS lengthof(columns)

static void
check_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			live = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
			elog(ERROR, "unionreg: unionreg.snapshot_org has a dropped column; the build writes the table as created");
		if (live >= (int) NCOLUMNS || strcmp(NameStr(a->attname), columns[live].name) != 0 ||
			(OidIsValid(columns[live].type) && a->atttypid != columns[live].type))
			elog(ERROR, "unionreg: unionreg.snapshot_org's column %d is not %s as the build writes it",
				 i + 1, live < (int) NCOLUMNS ? columns[live].name : "(none)");
		live++;
	}
	if (live != (int) NCOLUMNS)
		elog(ERROR, "unionreg: unionreg.snapshot_org has %d columns, not the %d the build writes",
			 live, (int) NCOLUMNS);
}

/* the snapshot exists, and stays until this transaction ends (as its key's check would lock it) */
static void
lock_snapshot(int64 snapshot_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(snapshot_id)};
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg snapshot writer: SPI_connect failed");
	rc = SPI_execute_with_args("SELECT 1 FROM unionreg.snapshot WHERE id = $1 FOR KEY SHARE",
							   1, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "unionreg snapshot writer: cannot read unionreg.snapshot");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("snapshot " INT64_FORMAT " does not exist", snapshot_id),
				 errhint("unionreg.build_snapshot() creates the snapshot and writes its rows.")));
	SPI_finish();
}

static void
flush(SnapshotSink *w)
{
	if (w->n == 0)
		return;
	table_multi_insert(w->rel, w->slots, w->n, w->cid, 0, NULL);
	for (int i = 0; i < w->n; i++)
	{
		/* no deferred or exclusion index here: nothing to recheck */
		list_free(ExecInsertIndexTuples(w->rri, w->slots[i], w->estate, false, false, NULL, NIL));
		ExecClearTuple(w->slots[i]);
	}
	ResetPerTupleExprContext(w->estate);
	/*
	 * The WAL writer starts writing and flushing the rows' WAL now, on a CPU
	 * the member scan's workers have left, rather than the commit writing
	 * and flushing ~20 MB at the end (as an asynchronous commit nudges it).
	 */
	XLogSetAsyncXactLSN(XactLastRecEnd);
	w->written += w->n;
	w->n = 0;
	CHECK_FOR_INTERRUPTS();
}

static void
put_row(OrgRowSink *sink, Datum *values, bool *nulls)
{
	SnapshotSink *w = (SnapshotSink *) sink;
	TupleTableSlot *slot = w->slots[w->n];

	ExecClearTuple(slot);
	slot->tts_values[0] = Int64GetDatum(w->snapshot_id);
	slot->tts_isnull[0] = false;
	memcpy(&slot->tts_values[1], values, sizeof(Datum) * (NCOLUMNS - 1));
	memcpy(&slot->tts_isnull[1], nulls, sizeof(bool) * (NCOLUMNS - 1));
	ExecStoreVirtualTuple(slot);
	/* a tuple of the slot's own: what values point to is the caller's again */
	ExecMaterializeSlot(slot);
	if (w->rel->rd_att->constr)
		ExecConstraints(w->rri, slot, w->estate);
	if (++w->n == BATCH)
		flush(w);
}

/*
 * Whether an INSERT into the table would fire a trigger other than its own
 * key check (has_snapshot_ins, which this file does itself): a trigger a
 * DBA added is honoured by writing through the executor instead.
 */
static bool
foreign_insert_triggers(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;

	if (td == NULL)
		return false;
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (TRIGGER_FOR_INSERT(t->tgtype) && t->tgenabled != TRIGGER_DISABLED &&
			strcmp(t->tgname, "has_snapshot_ins") != 0)
			return true;
	}
	return false;
}

OrgRowSink *
snapshot_sink_open(int64 snapshot_id)
{
	Oid			relid = get_relname_relid("snapshot_org", get_namespace_oid("unionreg", false));
	SnapshotSink *w;
	AclResult	acl;

	if (!OidIsValid(relid))
		elog(ERROR, "unionreg: table unionreg.snapshot_org is missing");
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_INSERT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, "snapshot_org");
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("unionreg.snapshot_org is under row-level security for role \"%s\": its rows are written by the extension's owner",
						GetUserNameFromId(GetUserId(), false)),
				 errhint("Build snapshots with unionreg.build_snapshot().")));
	lock_snapshot(snapshot_id);

	w = palloc0(sizeof(SnapshotSink));
	w->base.put = put_row;
	w->base.members = 0;
	w->snapshot_id = snapshot_id;
	w->rel = table_open(relid, RowExclusiveLock);
	if (foreign_insert_triggers(w->rel))
	{
		table_close(w->rel, RowExclusiveLock);
		pfree(w);
		return NULL;
	}
	check_columns(w->rel);
	w->estate = CreateExecutorState();
	w->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->rri, w->rel, 0, NULL, 0);
	ExecOpenIndices(w->rri, false);
	for (int i = 0; i < BATCH; i++)
		w->slots[i] = table_slot_create(w->rel, NULL);
	w->cid = GetCurrentCommandId(true);
	return &w->base;
}

int64
snapshot_sink_close(OrgRowSink *sink)
{
	SnapshotSink *w = (SnapshotSink *) sink;
	int64		written;

	flush(w);
	written = w->written;
	ExecCloseIndices(w->rri);
	for (int i = 0; i < BATCH; i++)
		ExecDropSingleTupleTableSlot(w->slots[i]);
	FreeExecutorState(w->estate);
	table_close(w->rel, NoLock);
	pfree(w);
	return written;
}
