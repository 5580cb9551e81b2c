/*
 * big_alloc.h
 *	  Zeroed arrays of many megabytes for one call of the report engine
 *	  (big_alloc.c): the organizations' counters of a build.
 */
#ifndef UNIONREG_BIG_ALLOC_H
#define UNIONREG_BIG_ALLOC_H

#include "postgres.h"

/* size zeroed bytes, freed with the current memory context */
extern void *big_alloc0(Size size);

#endif
