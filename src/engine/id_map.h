/*
 * id_map.h
 *	  Dense slots for bigint keys: the C member pass keeps one small struct
 *	  per person, card and organization in a plain array indexed by slot.
 *	  Identity keys are mostly dense (slot = id - min, no hashing); a table
 *	  whose keys were burnt by years of upserts is hashed instead, so memory
 *	  follows the rows, not the largest key ever handed out.
 */
#ifndef UNIONREG_ID_MAP_H
#define UNIONREG_ID_MAP_H

#include "postgres.h"

typedef struct IdMap IdMap;

/* a map for keys in [min, max] of a table of about "rows" rows */
extern IdMap *id_map_create(int64 min, int64 max, double rows);
/* a hashed map for about "rows" keys of any range */
/* the same for a few given keys: dense only when they fill half their range */
extern IdMap *id_map_create_for_keys(int64 min, int64 max, double nkeys);
extern IdMap *id_map_create_hashed(double rows);
/* the slot of a key, or -1 */
extern int32 id_map_find(IdMap *map, int64 id);
/* the slot of a key, handed out if new (-1: outside a dense map's range) */
extern int32 id_map_add(IdMap *map, int64 id);
/* the key of a slot */
extern int64 id_map_id(IdMap *map, int32 slot);
/* slots handed out so far: every slot below it may be used */
extern int32 id_map_slots(IdMap *map);

/* *array (of *capacity elements of elem_size bytes) grown to hold slot n */
extern void id_map_grow(void **array, int32 *capacity, Size elem_size, int32 n);

#endif
