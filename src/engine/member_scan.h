/*
 * member_scan.h
 *	  The whole-union scan of member_fact, shared with parallel workers
 *	  (member_scan.c).
 */
#ifndef UNIONREG_MEMBER_SCAN_H
#define UNIONREG_MEMBER_SCAN_H

#include "member_pass.h"

/*
 * The whole-union scan of member_fact (member_scan.c), shared with parallel
 * workers when the table is large enough: started (the workers begin
 * reading at once) and finished (the leader reads what is left and adds
 * the workers' counters to its own) by the caller, who may do other work
 * in between.  The pass must be unfiltered, its key map set.
 */
typedef struct MemberScan MemberScan;

extern MemberScan *member_scan_start(Pass *pass);
extern void member_scan_finish(MemberScan *ms, Pass *pass);

#endif
