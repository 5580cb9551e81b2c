/*
 * table_read.c
 *	  Reading one of the extension's tables row by row from C (table_read.h).
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/table.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "table_read.h"

void
table_read_open(TableRead *s, Oid nsp, const char *table)
{
	Oid			relid = get_relname_relid(table, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "unionreg: table unionreg.%s is missing", table);
	table_read_open_relid(s, relid);
}

void
table_read_open_relid(TableRead *s, Oid relid)
{
	memset(s, 0, sizeof(*s));
	s->cxt = CurrentMemoryContext;
	s->rel = table_open(relid, AccessShareLock);
	s->slot = table_slot_create(s->rel, NULL);
}

void
table_read_parallel(TableRead *s, ParallelTableScanDesc pscan)
{
	Assert(s->scan == NULL && s->iscan == NULL);
	s->scan = table_beginscan_parallel(s->rel, pscan);
}

void
table_read_column(TableRead *s, int i, const char *name, Oid type)
{
	table_read_column_any(s, i, name);
	if (TupleDescAttr(RelationGetDescr(s->rel), s->col[i] - 1)->atttypid != type)
		elog(ERROR, "unionreg: column unionreg.%s.%s is of another type",
			 RelationGetRelationName(s->rel), name);
}

void
table_read_column_any(TableRead *s, int i, const char *name)
{
	AttrNumber	a = get_attnum(RelationGetRelid(s->rel), name);

	Assert(i >= 0 && i < TABLE_READ_MAX_COLUMNS);
	if (a <= 0)
		elog(ERROR, "unionreg: column unionreg.%s.%s is missing", RelationGetRelationName(s->rel), name);
	s->col[i] = a;
	s->natts = Max(s->natts, a);
}

void
table_read_by_index(TableRead *s, Oid nsp, const char *index, int nkeys)
{
	Oid			relid = get_relname_relid(index, nsp);
	TupleDesc	desc;

	if (!OidIsValid(relid))
		elog(ERROR, "unionreg: index unionreg.%s is missing", index);
	s->index = index_open(relid, AccessShareLock);
	desc = RelationGetDescr(s->index);
	if (s->index->rd_index->indrelid != RelationGetRelid(s->rel) ||
		s->index->rd_rel->relam != BTREE_AM_OID || nkeys < 1 || nkeys > 2 ||
		s->index->rd_index->indnkeyatts < nkeys ||
		TupleDescAttr(desc, 0)->atttypid != INT8OID ||
		(nkeys == 2 && TupleDescAttr(desc, 1)->atttypid != DATEOID))
		elog(ERROR, "unionreg: index unionreg.%s is not the btree on (int8%s) of unionreg.%s it should be",
			 index, nkeys == 2 ? ", date" : "", RelationGetRelationName(s->rel));
	s->nkeys = nkeys;
	s->iscan = index_beginscan(s->rel, s->index, GetActiveSnapshot(), nkeys, 0);
}

void
table_read_key(TableRead *s, int64 key, DateADT after)
{
	ScanKeyInit(&s->keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key));
	if (s->nkeys == 2)
		ScanKeyInit(&s->keys[1], 2, BTGreaterStrategyNumber, F_DATE_GT, DateADTGetDatum(after));
	index_rescan(s->iscan, s->keys, s->nkeys, NULL, 0);
	s->cur = s->iscan;
}

void
table_read_range(TableRead *s, int64 lo, int64 hi, DateADT after)
{
	Assert(s->iscan != NULL && s->nkeys == 2);
	if (s->rscan == NULL)
		s->rscan = index_beginscan(s->rel, s->index, GetActiveSnapshot(), 3, 0);
	ScanKeyInit(&s->rkeys[0], 1, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(lo));
	ScanKeyInit(&s->rkeys[1], 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(hi));
	/* not a bound of the range: checked on each index entry, before any heap fetch */
	ScanKeyInit(&s->rkeys[2], 2, BTGreaterStrategyNumber, F_DATE_GT, DateADTGetDatum(after));
	index_rescan(s->rscan, s->rkeys, 3, NULL, 0);
	s->cur = s->rscan;
}

bool
table_read_next(TableRead *s)
{
	CHECK_FOR_INTERRUPTS();
	if (s->iscan)
	{
		if (!index_getnext_slot(s->iscan, ForwardScanDirection, s->slot))
			return false;
	}
	else
	{
		if (s->scan == NULL)
			s->scan = table_beginscan(s->rel, GetActiveSnapshot(), 0, NULL);
		if (!table_scan_getnextslot(s->scan, ForwardScanDirection, s->slot))
			return false;
	}
	slot_getsomeattrs(s->slot, s->natts_first ? s->natts_first : s->natts);
	return true;
}

HeapTuple
table_read_next_tuple(TableRead *s)
{
	Assert(s->iscan == NULL && s->rel->rd_rel->relam == HEAP_TABLE_AM_OID);
	CHECK_FOR_INTERRUPTS();
	if (s->scan == NULL)
		s->scan = table_beginscan(s->rel, GetActiveSnapshot(), 0, NULL);
	return heap_getnext(s->scan, ForwardScanDirection);
}

void
table_read_key_tuples(TableRead *s, void (*each) (HeapTuple tuple, void *arg), void *arg)
{
	ItemPointer tid;
	int			ntids = 0;
	Buffer		buf = InvalidBuffer;
	Snapshot	snapshot = s->cur->xs_snapshot;

	Assert(s->cur != NULL && s->rel->rd_rel->relam == HEAP_TABLE_AM_OID);
	CHECK_FOR_INTERRUPTS();
	/* no heap page locked while the index is read */
	while ((tid = index_getnext_tid(s->cur, ForwardScanDirection)) != NULL)
	{
		if (ntids == s->ntids_cap)
		{
			s->ntids_cap = Max(64, s->ntids_cap * 2);
			s->tids = s->tids ? repalloc(s->tids, sizeof(ItemPointerData) * s->ntids_cap)
				: MemoryContextAlloc(s->cxt, sizeof(ItemPointerData) * s->ntids_cap);
		}
		s->tids[ntids++] = *tid;
	}
	/* an organization's rows lie together (the facts are written in its order): a page, then the next */
	for (int i = 0; i < ntids;)
	{
		BlockNumber blk = ItemPointerGetBlockNumber(&s->tids[i]);

		buf = ReleaseAndReadBuffer(buf, s->rel, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		for (; i < ntids && ItemPointerGetBlockNumber(&s->tids[i]) == blk; i++)
		{
			ItemPointerData t = s->tids[i];
			HeapTupleData tuple;
			bool		all_dead;

			if (!heap_hot_search_buffer(&t, s->rel, buf, snapshot, &tuple, &all_dead, true))
				continue;
			if (HeapTupleHasExternal(&tuple))
			{
				/* detoasting reads the toast relation: from a copy, the page unlocked */
				HeapTuple	copy = heap_copytuple(&tuple);

				LockBuffer(buf, BUFFER_LOCK_UNLOCK);
				each(copy, arg);
				heap_freetuple(copy);
				LockBuffer(buf, BUFFER_LOCK_SHARE);
			}
			else
				each(&tuple, arg);
		}
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}
	if (BufferIsValid(buf))
		ReleaseBuffer(buf);
}

void
table_read_first(TableRead *s, int i)
{
	s->natts_first = 0;
	for (int k = 0; k <= i; k++)
		s->natts_first = Max(s->natts_first, s->col[k]);
}

void
table_read_close(TableRead *s)
{
	if (s->iscan)
		index_endscan(s->iscan);
	if (s->rscan)
		index_endscan(s->rscan);
	if (s->index)
		index_close(s->index, AccessShareLock);
	if (s->scan)
		table_endscan(s->scan);
	if (s->tids)
		pfree(s->tids);
	ExecDropSingleTupleTableSlot(s->slot);
	table_close(s->rel, AccessShareLock);
}

uint8
table_read_code(TableRead *s, int i, uint8 (*code) (const char *, int))
{
	text	   *t;

	if (TR_ISNULL(s, i))
		return 0;
	t = DatumGetTextPP(TR_VALUE(s, i));
	return code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}
