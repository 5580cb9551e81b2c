/*
 * snapshot_write.h
 *	  The build's rows written straight into unionreg.snapshot_org
 *	  (snapshot_write.c).
 */
#ifndef UNIONREG_SNAPSHOT_WRITE_H
#define UNIONREG_SNAPSHOT_WRITE_H

#include "postgres.h"

#include "org_pass.h"

/* a sink writing a snapshot's rows (the snapshot must exist: it is locked FOR KEY SHARE) */
extern OrgRowSink *snapshot_sink_open(int64 snapshot_id);
/* the last batch written; the rows written in all */
extern int64 snapshot_sink_close(OrgRowSink *sink);

#endif
