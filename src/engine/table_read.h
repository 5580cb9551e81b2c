/*
 * table_read.h
 *	  Reading one of the extension's tables row by row from C, with the
 *	  active snapshot: the whole table in physical order, or the rows of
 *	  given keys through one of its btree indexes.  For the member pass.
 */
#ifndef UNIONREG_TABLE_READ_H
#define UNIONREG_TABLE_READ_H

#include "postgres.h"

#include "access/genam.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "utils/date.h"
#include "utils/relcache.h"

#define TABLE_READ_MAX_COLUMNS 16

typedef struct TableRead
{
	Relation	rel;
	TupleTableSlot *slot;
	AttrNumber	natts;			/* deform up to this column */
	AttrNumber	natts_first;	/* 0, or deform only up to this one at first (table_read_rest) */
	AttrNumber	col[TABLE_READ_MAX_COLUMNS];	/* the columns the caller asked for */
	TableScanDesc scan;			/* the whole table */
	Relation	index;			/* or by key */
	IndexScanDesc iscan;
	ScanKeyData keys[2];
	int			nkeys;
	IndexScanDesc rscan;		/* table_read_range's, begun at its first call */
	ScanKeyData rkeys[3];
	IndexScanDesc cur;			/* the one table_read_key_tuples reads: the last key or range set */
	bool		raw;			/* the caller reads its rows with table_read_next_tuple */
	MemoryContext cxt;			/* where it was opened: what it allocates lives there */
	ItemPointerData *tids;		/* table_read_key_tuples: a key's rows, gathered */
	int			ntids_cap;
} TableRead;

/* unionreg.<table>, to be read whole or, after table_read_by_index(), by key */
extern void table_read_open(TableRead *s, Oid nsp, const char *table);
/* the same, by the table's oid */
extern void table_read_open_relid(TableRead *s, Oid relid);
/* read the whole table as one participant of a parallel scan (its share of the blocks) */
extern void table_read_parallel(TableRead *s, ParallelTableScanDesc pscan);
/* remember column "name" (checked for its type) as col[i] */
extern void table_read_column(TableRead *s, int i, const char *name, Oid type);
/* remember column "name" as col[i], of whatever type (only its nullness is read) */
extern void table_read_column_any(TableRead *s, int i, const char *name);
/* read through unionreg.<index>: its first column an int8 key, then optionally a date (or an expression of type date) */
extern void table_read_by_index(TableRead *s, Oid nsp, const char *index, int nkeys);
/* the rows whose key is "key" (and whose date, with two keys, is > after) */
extern void table_read_key(TableRead *s, int64 key, DateADT after);
/*
 * The rows whose key lies in [lo, hi] and whose date is > after, in the
 * index's order (by key, then date), for table_read_key_tuples: one index
 * descent for a run of keys close together (an index with two keys only).
 */
extern void table_read_range(TableRead *s, int64 lo, int64 hi, DateADT after);
extern bool table_read_next(TableRead *s);
/*
 * The next row of a whole-table read of a heap as the heap's own tuple
 * (valid until the next call; nothing deformed, no slot); NULL at the end.
 * For a table whose layout the caller knows (fact_tuple.c); by key, see
 * table_read_key_tuples.
 */
extern HeapTuple table_read_next_tuple(TableRead *s);
/*
 * Every row of the current key (table_read_key) or range (table_read_range)
 * as the heap's own tuple,
 * handed to each() with the page share-locked: the key's row pointers are
 * gathered from the index first, then each heap page is pinned and locked
 * once for all of its rows (not once a row, as a fetch through a slot).
 * each() must not read other relations (a value stored out of line is
 * read from a copy, the lock released).
 */
extern void table_read_key_tuples(TableRead *s, void (*each) (HeapTuple tuple, void *arg), void *arg);
/* table_read_next deforms only columns 0 .. i at first: the rest when table_read_rest is called */
extern void table_read_first(TableRead *s, int i);
static inline void
table_read_rest(TableRead *s)
{
	if (s->natts_first)
		slot_getsomeattrs(s->slot, s->natts);
}
extern void table_read_close(TableRead *s);

#define TR_VALUE(s, i)		((s)->slot->tts_values[(s)->col[i] - 1])
#define TR_ISNULL(s, i)		((s)->slot->tts_isnull[(s)->col[i] - 1])
#define TR_INT64(s, i)		DatumGetInt64(TR_VALUE(s, i))
#define TR_DATE(s, i, if_null) (TR_ISNULL(s, i) ? (if_null) : DatumGetDateADT(TR_VALUE(s, i)))
#define TR_TRUE(s, i)		(!TR_ISNULL(s, i) && DatumGetBool(TR_VALUE(s, i)))

/* a code from a text column (NULL: code 0) */
extern uint8 table_read_code(TableRead *s, int i, uint8 (*code) (const char *, int));

#endif
