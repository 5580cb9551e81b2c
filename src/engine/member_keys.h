/*
 * member_keys.h
 *	  The given organizations' member facts read by key, shared with
 *	  parallel workers (member_keys.c).
 */
#ifndef UNIONREG_MEMBER_KEYS_H
#define UNIONREG_MEMBER_KEYS_H

#include "member_pass.h"

/*
 * The wanted organizations' facts by key, shared with parallel workers
 * when there are many of them (member_keys.c): started (the workers begin
 * at once) and finished (the leader takes its share); false, with the
 * counts undone, past "limit" periods, as the by-key read alone.  Start
 * gives NULL when the read is the leader's alone.
 */
typedef struct MemberKeys MemberKeys;

extern MemberKeys *member_keys_start(Pass *pass, int64 limit);
extern bool member_keys_finish(MemberKeys *mk, Pass *pass);

#endif
