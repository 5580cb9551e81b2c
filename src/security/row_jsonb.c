/*
 * row_jsonb.c: a row as jsonb, exactly what to_jsonb(record) gives, for the
 * audit trail.
 *
 * to_jsonb() looks every column's type up again on every row (its category,
 * its output function, whether it has a cast to json), most of what the
 * audit of a bulk load costs.
 * Here the per-column facts are worked out once per query (cached in
 * fn_extra, keyed by the row type) and each value is converted directly.
 * Columns whose conversion is anything but a plain scalar (float, numeric,
 * json, arrays, composites, types with a cast to json) are handed to
 * to_jsonb() itself, so the result is the same whatever the table holds.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(row_jsonb);

typedef enum RowJsonbKind
{
	RJ_BOOL,					/* true / false */
	RJ_INT2,					/* a number */
	RJ_INT4,
	RJ_INT8,
	RJ_DATETIME,				/* date, timestamp, timestamptz: ISO 8601 string */
	RJ_STRING,					/* the type's output, as a string */
	RJ_GENERIC					/* anything else: to_jsonb() of the value */
} RowJsonbKind;

typedef struct RowJsonbColumn
{
	bool		dropped;
	RowJsonbKind kind;
	Oid			base_type;		/* RJ_DATETIME: which of the three */
	FmgrInfo	func;			/* RJ_STRING: output function; RJ_GENERIC: to_jsonb */
	char	   *name;
	int			name_len;
} RowJsonbColumn;

typedef struct RowJsonbCache
{
	Oid			row_type;
	int32		row_typmod;
	int			natts;
	TupleDesc	desc;			/* a copy: rows are deformed without a typcache lookup each */
	Datum	   *values;
	bool	   *nulls;
	int		   *key_order;		/* attribute indexes in jsonb key order */
	int			nkeys;
	RowJsonbColumn columns[FLEXIBLE_ARRAY_MEMBER];
} RowJsonbCache;

/* to_jsonb()'s own choice for a type (jsonb_categorize_type), narrowed to what we convert ourselves */
static void
column_kind(RowJsonbColumn *col, Oid type, MemoryContext mcxt)
{
	Oid			base = getBaseType(type);
	Oid			outfunc;
	bool		varlena;

	col->base_type = base;
	switch (base)
	{
		case BOOLOID:
			col->kind = RJ_BOOL;
			return;
		case INT2OID:
			col->kind = RJ_INT2;
			return;
		case INT4OID:
			col->kind = RJ_INT4;
			return;
		case INT8OID:
			col->kind = RJ_INT8;
			return;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			col->kind = RJ_DATETIME;
			return;
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
		case JSONOID:
		case JSONBOID:
			break;				/* generic */
		default:
			if (!OidIsValid(get_element_type(base)) && !type_is_rowtype(base))
			{
				bool		json_cast = false;

				/* a type of ours (or anyone's) may have a cast to json: to_jsonb uses it */
				if (base >= FirstNormalObjectId)
				{
					Oid			castfunc;

					json_cast = find_coercion_pathway(JSONOID, base, COERCION_EXPLICIT,
													  &castfunc) == COERCION_PATH_FUNC
						&& OidIsValid(castfunc);
				}
				if (!json_cast)
				{
					getTypeOutputInfo(base, &outfunc, &varlena);
					fmgr_info_cxt(outfunc, &col->func, mcxt);
					col->kind = RJ_STRING;
					return;
				}
			}
			break;
	}

	/* to_jsonb(anyelement) finds the argument's type through the call expression */
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);
		FuncExpr   *call = makeFuncExpr(F_TO_JSONB, JSONBOID,
										list_make1(makeNullConst(type, -1, InvalidOid)),
										InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);

		fmgr_info_cxt(F_TO_JSONB, &col->func, mcxt);
		fmgr_info_set_expr((Node *) call, &col->func);
		MemoryContextSwitchTo(old);
	}
	col->kind = RJ_GENERIC;
}

/*
 * jsonb keeps an object's keys sorted (shorter first, then bytewise) and
 * sorts them when the object is built; keys pushed already in that order
 * make the sort a single presorted check (it was a third of the time).
 */
static int
key_order_cmp(const void *a, const void *b, void *arg)
{
	const RowJsonbColumn *columns = (const RowJsonbColumn *) arg;
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;
	const RowJsonbColumn *ca = &columns[ia];
	const RowJsonbColumn *cb = &columns[ib];
	int			cmp;

	if (ca->name_len != cb->name_len)
		return ca->name_len < cb->name_len ? -1 : 1;
	cmp = memcmp(ca->name, cb->name, ca->name_len);
	if (cmp != 0)
		return cmp;
	/* a record may name two columns alike: pushed in column order, the last one wins, as in to_jsonb */
	return (ia > ib) - (ia < ib);
}

static RowJsonbCache *
row_cache(FunctionCallInfo fcinfo, Oid row_type, int32 row_typmod)
{
	RowJsonbCache *cache = (RowJsonbCache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	TupleDesc	desc;

	if (cache != NULL && cache->row_type == row_type && cache->row_typmod == row_typmod)
		return cache;

	desc = lookup_rowtype_tupdesc(row_type, row_typmod);
	cache = MemoryContextAllocZero(mcxt, offsetof(RowJsonbCache, columns)
								   + desc->natts * sizeof(RowJsonbColumn));
	cache->row_type = row_type;
	cache->row_typmod = row_typmod;
	cache->natts = desc->natts;
	cache->values = MemoryContextAlloc(mcxt, Max(desc->natts, 1) * sizeof(Datum));
	cache->nulls = MemoryContextAlloc(mcxt, Max(desc->natts, 1) * sizeof(bool));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		RowJsonbColumn *col = &cache->columns[i];

		col->dropped = att->attisdropped;
		if (col->dropped)
			continue;
		col->name = MemoryContextStrdup(mcxt, NameStr(att->attname));
		col->name_len = strlen(col->name);
		column_kind(col, att->atttypid, mcxt);
	}
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		cache->desc = CreateTupleDescCopy(desc);
		MemoryContextSwitchTo(old);
	}
	ReleaseTupleDesc(desc);

	cache->key_order = MemoryContextAlloc(mcxt, Max(cache->natts, 1) * sizeof(int));
	for (int i = 0; i < cache->natts; i++)
		if (!cache->columns[i].dropped)
			cache->key_order[cache->nkeys++] = i;
	qsort_arg(cache->key_order, cache->nkeys, sizeof(int), key_order_cmp, cache->columns);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

static void
value_jsonb(RowJsonbColumn *col, Datum value, JsonbValue *out)
{
	switch (col->kind)
	{
		case RJ_BOOL:
			out->type = jbvBool;
			out->val.boolean = DatumGetBool(value);
			break;
		case RJ_INT2:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt16(value));
			break;
		case RJ_INT4:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt32(value));
			break;
		case RJ_INT8:
			out->type = jbvNumeric;
			out->val.numeric = int64_to_numeric(DatumGetInt64(value));
			break;
		case RJ_DATETIME:
			out->type = jbvString;
			out->val.string.val = JsonEncodeDateTime(NULL, value, col->base_type, NULL);
			out->val.string.len = strlen(out->val.string.val);
			break;
		case RJ_STRING:
			out->type = jbvString;
			out->val.string.val = OutputFunctionCall(&col->func, value);
			out->val.string.len = strlen(out->val.string.val);
			if (out->val.string.len > JENTRY_OFFLENMASK)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("column \"%s\" is too long for jsonb (%d bytes)",
								col->name, out->val.string.len),
						 errhint("Audited columns must stay under %d bytes.", JENTRY_OFFLENMASK)));
			break;
		case RJ_GENERIC:
			{
				Jsonb	   *j = DatumGetJsonbP(FunctionCall1(&col->func, value));

				out->type = jbvBinary;
				out->val.binary.data = &j->root;
				out->val.binary.len = VARSIZE(j) - VARHDRSZ;
			}
			break;
	}
}

/* unionreg._row_jsonb(record) -> jsonb, equal to to_jsonb(record) */
Datum
row_jsonb(PG_FUNCTION_ARGS)
{
	HeapTupleHeader td = PG_GETARG_HEAPTUPLEHEADER(0);
	RowJsonbCache *cache = row_cache(fcinfo, HeapTupleHeaderGetTypeId(td),
									 HeapTupleHeaderGetTypMod(td));
	HeapTupleData tuple;
	JsonbParseState *state = NULL;
	JsonbValue *result;

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;
	heap_deform_tuple(&tuple, cache->desc, cache->values, cache->nulls);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int k = 0; k < cache->nkeys; k++)
	{
		int			i = cache->key_order[k];
		RowJsonbColumn *col = &cache->columns[i];
		JsonbValue	key;
		JsonbValue	val;

		key.type = jbvString;
		key.val.string.val = col->name;
		key.val.string.len = col->name_len;
		pushJsonbValue(&state, WJB_KEY, &key);
		if (cache->nulls[i])
			val.type = jbvNull;
		else
			value_jsonb(col, cache->values[i], &val);
		pushJsonbValue(&state, WJB_VALUE, &val);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	PG_RETURN_POINTER(JsonbValueToJsonb(result));
}
