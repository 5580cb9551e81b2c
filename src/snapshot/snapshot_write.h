/*
 * snapshot_write.h
 *	  The build's rows written straight into unionreg.snapshot_org
 *	  (snapshot_write.c).
 */
#ifndef UNIONREG_SNAPSHOT_WRITE_H
#define UNIONREG_SNAPSHOT_WRITE_H

#include "postgres.h"

#include "org_rows.h"

/*
 * A sink writing a snapshot's rows (the snapshot must exist: it is locked
 * FOR KEY SHARE); NULL if the table has INSERT triggers of its own besides
 * the key check, which only the executor fires.
 */
extern OrgRowSink *snapshot_sink_open(int64 snapshot_id);
/* the last batch written; the rows written in all */
extern int64 snapshot_sink_close(OrgRowSink *sink);

#endif
