/*
 * id_map.c
 *	  Dense slots for bigint keys (id_map.h).
 */
#include "postgres.h"

#include "big_alloc.h"
#include "id_map.h"

typedef struct IdSlot
{
	int64		id;
	int32		slot;
	char		status;
} IdSlot;

/* splitmix64's finalizer: identity keys are sequential, spread them */
static inline uint32
id_hash(int64 id)
{
	uint64		x = (uint64) id;

	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return (uint32) x;
}

#define SH_PREFIX idslot
#define SH_ELEMENT_TYPE IdSlot
#define SH_KEY_TYPE int64
#define SH_KEY id
#define SH_HASH_KEY(tb, key) id_hash(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* a dense map wastes at most this many unused slots per used one */
#define DENSE_SPARSENESS 2
/* ...or this many in all (small tables, unanalyzed tables) */
#define DENSE_ALWAYS_UPTO (4 * 1024 * 1024)

struct IdMap
{
	bool		dense;
	int64		min;
	int32		nslots;			/* dense: the whole range */
	idslot_hash *hash;			/* sparse: key -> slot */
	int64	   *ids;			/* sparse: slot -> key */
	int32		ids_capacity;
};

static IdMap *
create_map(int64 min, int64 max, double rows, double dense_upto)
{
	IdMap	   *map = palloc0(sizeof(IdMap));
	double		span = (max >= min) ? (double) max - (double) min + 1 : 0;

	map->min = min;
	if (span <= Max(DENSE_SPARSENESS * Max(rows, 0), dense_upto))
	{
		map->dense = true;
		map->nslots = (int32) span;
	}
	else
	{
		pfree(map);
		map = id_map_create_hashed(rows);
		map->min = min;
	}
	return map;
}

IdMap *
id_map_create(int64 min, int64 max, double rows)
{
	return create_map(min, max, rows, DENSE_ALWAYS_UPTO);
}

/*
 * A few given keys, created on every call (a subtree's organizations): a
 * dense array only when they fill the range, never a range-wide one to
 * clear for keys scattered over it.
 */
IdMap *
id_map_create_for_keys(int64 min, int64 max, double nkeys)
{
	return create_map(min, max, nkeys, 0);
}

IdMap *
id_map_create_hashed(double rows)
{
	IdMap	   *map = palloc0(sizeof(IdMap));

	map->hash = idslot_create(CurrentMemoryContext, (uint32) Min(Max(rows, 64), PG_INT32_MAX / 2), NULL);
	return map;
}

int32
id_map_find(IdMap *map, int64 id)
{
	IdSlot	   *e;

	if (map->dense)
		return (id >= map->min && id - map->min < map->nslots) ? (int32) (id - map->min) : -1;
	e = idslot_lookup(map->hash, id);
	return e ? e->slot : -1;
}

int32
id_map_add(IdMap *map, int64 id)
{
	IdSlot	   *e;
	bool		found;

	if (map->dense)
		return id_map_find(map, id);
	e = idslot_insert(map->hash, id, &found);
	if (!found)
	{
		if (map->nslots == PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("unionreg member pass: more than %d keys in one table", PG_INT32_MAX)));
		e->slot = map->nslots++;
		id_map_grow((void **) &map->ids, &map->ids_capacity, sizeof(int64), e->slot);
		map->ids[e->slot] = id;
	}
	return e->slot;
}

int64
id_map_id(IdMap *map, int32 slot)
{
	return map->dense ? map->min + slot : map->ids[slot];
}

int32
id_map_slots(IdMap *map)
{
	return map->nslots;
}

void
id_map_grow(void **array, int32 *capacity, Size elem_size, int32 n)
{
	int32		old = *capacity;
	int32		cap;
	void	   *grown;

	if (n < old)
		return;
	/* the first allocation is exact (a dense map's size is known), later ones double */
	cap = (old == 0) ? Max(n + 1, 64) : old;
	while (cap <= n)
		cap = (cap > PG_INT32_MAX / 2) ? PG_INT32_MAX : cap * 2;
	/* zeroed; a big one mapped on its own (big_alloc.c) */
	grown = big_alloc0(elem_size * cap);
	/* the old array goes with the memory context (it may be a mapping) */
	if (*array != NULL)
		memcpy(grown, *array, elem_size * old);
	*array = grown;
	*capacity = cap;
}
