/*
 * org_pass.c
 *	  unionreg._org_pass(as_of [, root]): the organization side of a build
 *	  in C.  Every organization live on D with its parent on D, its own
 *	  tally (its members' counters and what it adds itself: own_tally.c),
 *	  the form it files, its chairman on D and its report's gaps, rolled up
 *	  (org_rows.c) into the filers' rows build_snapshot writes.
 *
 * The same rows as the SQL oracle (test/sql/org_tallies_oracle.sql, which
 * the tests compare them with), from one read of org, org_link, org_base
 * and org_chairman and the member pass, each table in physical order into
 * arrays by organization, rather than joins, sorts and an (organization,
 * field) pair per passport gap.
 * The catalogs that say which level files which form and which passport
 * fields are mandatory are read as they stand (SPI), so an edit shows in
 * the next build.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "big_alloc.h"
#include "id_map.h"
#include "member_counts.h"
#include "member_period.h"
#include "org_rows.h"
#include "own_tally.h"
#include "snapshot_write.h"
#include "table_read.h"
#include "tally.h"

/* the passport fields the rule knows (passport_field's codes), as bits */
static const char *const passport_fields[] = {
	"name", "short_name", "inn", "ogrn", "region_code", "address", "phone", "email",
	"base_figures", "chairman_name", "chairman_term", "chairman_email", "chairman_email_consent"
};
#define NFIELDS lengthof(passport_fields)
enum
{
	F_NAME, F_SHORT_NAME, F_INN, F_OGRN, F_REGION_CODE, F_ADDRESS, F_PHONE, F_EMAIL,
	F_BASE_FIGURES, F_CHAIRMAN_NAME, F_CHAIRMAN_TERM, F_CHAIRMAN_EMAIL, F_CHAIRMAN_EMAIL_CONSENT
};

/* the few distinct levels and kinds, interned; index 0 is "none" */
#define MAX_CODES 64

typedef struct Codes
{
	int			n;
	char	   *code[MAX_CODES];
} Codes;

typedef struct OrgInfo
{
	int64		id;
	int64		parent;
	int64		liquidated;		/* primaries liquidated under it in (P, D] */
	DateADT		valid_from;
	DateADT		base_as_of;		/* its latest base figures on or before D */
	int32		employees;
	int32		students;
	uint16		empty;			/* bit per passport field: empty */
	uint8		level;
	uint8		kind;
	bool		live;			/* a slot of a dense map may hold none */
	bool		in_scope;		/* in the subtree asked for (all, without one) */
	bool		has_parent;
	bool		has_employees;
	bool		has_students;
	bool		has_base;
	bool		chairman_in_office;
	bool		chairman_released;
} OrgInfo;

/*
 * Most incomplete filers' gaps are only "status unknown for N member(s)"
 * (~55,000 of 60,000 at union scale), with N small: those arrays are made
 * once per N.
 */
#define UNKNOWN_ONLY_KEPT 256

typedef struct Build
{
	MemberDates dates;
	Oid			nsp;
	Codes		levels;
	Codes		kinds;
	IdMap	   *orgs;			/* live on D */
	OrgInfo    *org;
	int32		org_cap;
	IdMap	   *gone;			/* primaries liquidated in (P, D] */
	DateADT    *gone_on;
	int32		gone_cap;
	uint16		required[MAX_CODES];	/* by level: the mandatory fields' bits */
	char	   *form[MAX_CODES][MAX_CODES];	/* by level and kind: the form filed */
	char	   *form_any[MAX_CODES];	/* by level, whatever the kind */
	Datum		form_text[MAX_CODES][MAX_CODES];
	uint8		primary;		/* the interned levels the pass tests for */
	uint8		subdivision;
	uint8		regional;
	int			kind_counter[MAX_CODES];	/* by kind: its primaries_<kind> counter, -1 until looked up */
	int32		slots;			/* of org[] in use */
	OrgInfo    *root;			/* of a subtree pass */
	MemberCounts mc;			/* the members' counters of the organizations in scope */
	MemberCountsJob *members;	/* or, the whole union, counted into the rows (pass_into) */
	const int32 *own;			/* then, by row: its own members and their unknown statuses */
	bool		gap_order_known;	/* gap_order() done */
	Datum		field_gap[NFIELDS];	/* by field: the text of its gap */
	/* by N: the gaps of a filer whose only gap is N members of unknown status, made once */
	Datum		unknown_only[UNKNOWN_ONLY_KEPT];
	int			gap_sorted[NFIELDS + 1];	/* the fields in gap order; NFIELDS: status unknown */
} Build;

static uint8
intern(Codes *codes, const char *s, int len)
{
	for (int i = 1; i < codes->n; i++)
		if ((int) strlen(codes->code[i]) == len && memcmp(codes->code[i], s, len) == 0)
			return (uint8) i;
	if (codes->n == 0)
		codes->n = 1;
	if (codes->n >= MAX_CODES)
		elog(ERROR, "unionreg organization pass: more than %d distinct levels or kinds", MAX_CODES - 1);
	codes->code[codes->n] = pnstrdup(s, len);
	return (uint8) codes->n++;
}

static uint8
intern_column(Codes *codes, TableRead *s, int i)
{
	text	   *t;

	if (TR_ISNULL(s, i))
		return 0;
	t = DatumGetTextPP(TR_VALUE(s, i));
	return intern(codes, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static uint8
intern_spi(Codes *codes, HeapTuple tuple, TupleDesc desc, int col)
{
	char	   *v = SPI_getvalue(tuple, desc, col);

	return v == NULL ? 0 : intern(codes, v, strlen(v));
}

static int
field_bit(const char *name)
{
	for (int i = 0; i < (int) NFIELDS; i++)
		if (strcmp(passport_fields[i], name) == 0)
			return i;
	return -1;
}

/* NULL, or nothing but spaces (btrim(x) = '') */
static bool
blank(TableRead *s, int i)
{
	text	   *t;
	const char *p;
	int			len;

	if (TR_ISNULL(s, i))
		return true;
	t = DatumGetTextPP(TR_VALUE(s, i));
	p = VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	for (int k = 0; k < len; k++)
		if (p[k] != ' ')
			return false;
	return true;
}

/* (under SPI) the catalogs: mandatory fields by level, forms by level and kind */
static void
read_catalogs(Build *b)
{
	if (SPI_execute("SELECT level, field FROM unionreg.passport_requirement", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "unionreg organization pass: cannot read unionreg.passport_requirement");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		uint8		level = intern_spi(&b->levels, SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		char	   *field = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);
		int			bit = field ? field_bit(field) : -1;

		/* a field the rule does not know is never a gap */
		if (bit >= 0)
			b->required[level] |= (uint16) (1 << bit);
	}
	if (SPI_execute("SELECT level, kind, form FROM unionreg.form_assignment", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "unionreg organization pass: cannot read unionreg.form_assignment");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		uint8		level = intern_spi(&b->levels, tuple, desc, 1);
		uint8		kind = intern_spi(&b->kinds, tuple, desc, 2);
		char	   *form = SPI_getvalue(tuple, desc, 3);

		if (kind == 0)
			b->form_any[level] = form;
		else
			b->form[level][kind] = form;
	}
}

/* the form an organization files: its kind's, else its level's whatever the kind */
static Datum
form_of(Build *b, const OrgInfo *o)
{
	char	   *form = o->kind ? b->form[o->level][o->kind] : NULL;

	if (form == NULL)
		form = b->form_any[o->level];
	if (form == NULL)
		return (Datum) 0;
	if (b->form_text[o->level][o->kind] == 0)
		b->form_text[o->level][o->kind] = CStringGetTextDatum(form);
	return b->form_text[o->level][o->kind];
}

static bool
live(DateADT from, DateADT to, DateADT d)
{
	return from <= d && d < to;
}

/* the passport fields of an organization's row that are empty (bits) */
static uint16
empty_passport(TableRead *s)
{
	return (blank(s, 5) ? 1 << F_NAME : 0)
		| (blank(s, 6) ? 1 << F_SHORT_NAME : 0)
		| (TR_ISNULL(s, 7) ? 1 << F_INN : 0)
		| (TR_ISNULL(s, 8) ? 1 << F_OGRN : 0)
		| (TR_ISNULL(s, 9) ? 1 << F_REGION_CODE : 0)
		| (blank(s, 10) ? 1 << F_ADDRESS : 0)
		| (blank(s, 11) ? 1 << F_PHONE : 0)
		| (blank(s, 12) ? 1 << F_EMAIL : 0);
}

static void
org_columns(TableRead *s)
{
	table_read_column(s, 0, "id", INT8OID);
	table_read_column(s, 1, "level", TEXTOID);
	table_read_column(s, 2, "kind", TEXTOID);
	table_read_column(s, 3, "valid_from", DATEOID);
	table_read_column(s, 4, "valid_to", DATEOID);
	table_read_column(s, 5, "name", TEXTOID);
	table_read_column(s, 6, "short_name", TEXTOID);
	table_read_column_any(s, 7, "inn");
	table_read_column_any(s, 8, "ogrn");
	table_read_column_any(s, 9, "region_code");
	table_read_column(s, 10, "address", TEXTOID);
	table_read_column(s, 11, "phone", TEXTOID);
	table_read_column(s, 12, "email", TEXTOID);
}

/* the organization of the org row s holds, live on D, into its slot (NULL if its id is outside the map) */
static OrgInfo *
org_row(Build *b, TableRead *s, uint8 level, bool passports)
{
	int32		i = id_map_add(b->orgs, TR_INT64(s, 0));
	OrgInfo    *o;

	if (i < 0)
		return NULL;
	id_map_grow((void **) &b->org, &b->org_cap, sizeof(OrgInfo), i);
	o = &b->org[i];
	o->live = true;
	o->id = TR_INT64(s, 0);
	o->level = level;
	o->kind = intern_column(&b->kinds, s, 2);
	o->valid_from = TR_DATE(s, 3, 0);
	o->empty = (passports ? empty_passport(s) : 0)
	/* no base figures and no chairman until read */
		| 1 << F_BASE_FIGURES
		| 1 << F_CHAIRMAN_NAME | 1 << F_CHAIRMAN_TERM | 1 << F_CHAIRMAN_EMAIL | 1 << F_CHAIRMAN_EMAIL_CONSENT;
	return o;
}

/*
 * Every organization live on D, and the primaries liquidated in (P, D].
 * With passports false, their passport fields are left for
 * read_passports(), once the subtree is known: a region's report needs
 * those of 22,000 organizations, not 150,000 (the 13 columns' deform was
 * most of this read).
 */
static void
read_orgs(Build *b, bool passports)
{
	TableRead	s;

	table_read_open(&s, b->nsp, "org");
	org_columns(&s);
	if (!passports)
		table_read_first(&s, 4);
	while (table_read_next(&s))
	{
		DateADT		from = TR_DATE(&s, 3, 0);
		DateADT		to = TR_DATE(&s, 4, DATEVAL_NOEND);
		uint8		level = intern_column(&b->levels, &s, 1);
		int32		i;

		if (!live(from, to, b->dates.d))
		{
			/* a primary liquidated in (P, D]: counted under the parent its last link names */
			if (level == b->primary && !TR_ISNULL(&s, 4) && to > b->dates.p && to <= b->dates.d &&
				(i = id_map_add(b->gone, TR_INT64(&s, 0))) >= 0)
			{
				id_map_grow((void **) &b->gone_on, &b->gone_cap, sizeof(DateADT), i);
				b->gone_on[i] = to;
			}
			continue;
		}
		org_row(b, &s, level, passports);
	}
	table_read_close(&s);
}

static OrgInfo *
org_of(Build *b, int64 id)
{
	int32		i = id_map_find(b->orgs, id);

	return (i >= 0 && i < b->org_cap && b->org[i].live) ? &b->org[i] : NULL;
}

static void
read_links(Build *b)
{
	TableRead	s;

	table_read_open(&s, b->nsp, "org_link");
	table_read_column(&s, 0, "org_id", INT8OID);
	table_read_column(&s, 1, "parent_id", INT8OID);
	table_read_column(&s, 2, "valid_from", DATEOID);
	table_read_column(&s, 3, "valid_to", DATEOID);
	while (table_read_next(&s))
	{
		DateADT		to = TR_DATE(&s, 3, DATEVAL_NOEND);
		OrgInfo    *o;
		int32		g;

		if (live(TR_DATE(&s, 2, 0), to, b->dates.d))
		{
			if ((o = org_of(b, TR_INT64(&s, 0))) != NULL)
			{
				o->parent = TR_INT64(&s, 1);
				o->has_parent = true;
			}
		}
		else if (!TR_ISNULL(&s, 3) && (g = id_map_find(b->gone, TR_INT64(&s, 0))) >= 0 &&
				 g < b->gone_cap && b->gone_on[g] == to && (o = org_of(b, TR_INT64(&s, 1))) != NULL)
			o->liquidated++;
	}
	table_read_close(&s);
}

/*
 * The next row (of a read whose column 0 is an organization's key, set up
 * with table_read_first(s, 0)) of an organization in scope, its other
 * columns deformed; NULL at the end.  A row of one out of scope (a
 * subtree's report reads the whole table) costs its key only.
 */
static OrgInfo *
next_in_scope(Build *b, TableRead *s)
{
	while (table_read_next(s))
	{
		OrgInfo    *o = org_of(b, TR_INT64(s, 0));

		if (o != NULL && o->in_scope)
		{
			table_read_rest(s);
			return o;
		}
	}
	return NULL;
}

/* the passport fields of the organizations in scope (read_orgs left them) */
static void
read_passports(Build *b)
{
	TableRead	s;
	OrgInfo    *o;

	table_read_open(&s, b->nsp, "org");
	org_columns(&s);
	table_read_first(&s, 0);
	while ((o = next_in_scope(b, &s)) != NULL)
		o->empty |= empty_passport(&s);
	table_read_close(&s);
}

/* one row of org_base (columns as base_columns) for organization o */
static void
base_row(Build *b, OrgInfo *o, TableRead *s)
{
	DateADT		as_of = TR_DATE(s, 1, DATEVAL_NOEND);

	if (as_of > b->dates.d)
		return;
	if (!TR_ISNULL(s, 2) || !TR_ISNULL(s, 3))
		o->empty &= ~(1 << F_BASE_FIGURES);
	/* the latest on or before D gives the figures, even when they are empty */
	if (!o->has_base || as_of > o->base_as_of)
	{
		o->has_base = true;
		o->base_as_of = as_of;
		o->has_employees = !TR_ISNULL(s, 2);
		o->employees = o->has_employees ? DatumGetInt32(TR_VALUE(s, 2)) : 0;
		o->has_students = !TR_ISNULL(s, 3);
		o->students = o->has_students ? DatumGetInt32(TR_VALUE(s, 3)) : 0;
	}
}

static void
base_columns(TableRead *s)
{
	table_read_column(s, 0, "org_id", INT8OID);
	table_read_column(s, 1, "as_of", DATEOID);
	table_read_column(s, 2, "employees", INT4OID);
	table_read_column(s, 3, "students", INT4OID);
}

/* one row of org_chairman (columns as chairman_columns) for organization o */
static void
chairman_row(Build *b, OrgInfo *o, TableRead *s)
{
	o->empty &= ~(1 << F_CHAIRMAN_NAME | 1 << F_CHAIRMAN_TERM | 1 << F_CHAIRMAN_EMAIL | 1 << F_CHAIRMAN_EMAIL_CONSENT);
	o->empty |= (blank(s, 1) ? 1 << F_CHAIRMAN_NAME : 0)
		| (TR_ISNULL(s, 2) || TR_ISNULL(s, 3) ? 1 << F_CHAIRMAN_TERM : 0)
		| (blank(s, 5) ? 1 << F_CHAIRMAN_EMAIL : 0)
		| (TR_TRUE(s, 6) ? 0 : 1 << F_CHAIRMAN_EMAIL_CONSENT);
	o->chairman_in_office = !TR_ISNULL(s, 1) && !TR_ISNULL(s, 2) &&
		live(TR_DATE(s, 2, 0), TR_DATE(s, 3, DATEVAL_NOEND), b->dates.d);
	o->chairman_released = TR_TRUE(s, 4);
}

static void
chairman_columns(TableRead *s)
{
	table_read_column(s, 0, "org_id", INT8OID);
	table_read_column(s, 1, "name", TEXTOID);
	table_read_column(s, 2, "term_from", DATEOID);
	table_read_column(s, 3, "term_to", DATEOID);
	table_read_column(s, 4, "released", BOOLOID);
	table_read_column(s, 5, "email", TEXTOID);
	table_read_column(s, 6, "email_consent", BOOLOID);
}

/* the base figures of the organizations in scope, the whole table read */
static void
read_base(Build *b)
{
	TableRead	s;
	OrgInfo    *o;

	table_read_open(&s, b->nsp, "org_base");
	base_columns(&s);
	table_read_first(&s, 0);
	while ((o = next_in_scope(b, &s)) != NULL)
		base_row(b, o, &s);
	table_read_close(&s);
}

/* the chairmen of the organizations in scope, the whole table read */
static void
read_chairmen(Build *b)
{
	TableRead	s;
	OrgInfo    *o;

	table_read_open(&s, b->nsp, "org_chairman");
	chairman_columns(&s);
	table_read_first(&s, 0);
	while ((o = next_in_scope(b, &s)) != NULL)
		chairman_row(b, o, &s);
	table_read_close(&s);
}

static int
gap_cmp(const void *a, const void *b, void *arg)
{
	text	   *x = DatumGetTextPP(*(const Datum *) a);
	text	   *y = DatumGetTextPP(*(const Datum *) b);

	(void) arg;
	return varstr_cmp(VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(y),
					  DEFAULT_COLLATION_OID);
}

/*
 * The gap texts in the order array_agg(gap ORDER BY gap) gives, worked out
 * once a pass: the passport fields' texts, and where "status unknown for N
 * member(s)" falls among them (decided by its first letters, whatever N).
 * Sorting every filer's gaps with the collation was a third of the loop
 * over the organizations.
 */
static void
gap_order(Build *b)
{
	Datum		all[NFIELDS + 1];

	for (int f = 0; f < (int) NFIELDS; f++)
		all[f] = b->field_gap[f] = CStringGetTextDatum(psprintf("passport: %s", passport_fields[f]));
	all[NFIELDS] = CStringGetTextDatum("status unknown for 1 member(s)");
	qsort_arg(all, NFIELDS + 1, sizeof(Datum), gap_cmp, NULL);
	for (int i = 0; i <= (int) NFIELDS; i++)
	{
		b->gap_sorted[i] = (int) NFIELDS;
		for (int f = 0; f < (int) NFIELDS; f++)
			if (all[i] == b->field_gap[f])
				b->gap_sorted[i] = f;
	}
	b->gap_order_known = true;
}

/* whether a filer's report is incomplete: a mandatory passport field empty, or a member's status unknown */
static bool
incomplete(Build *b, const OrgInfo *o, int32 unknown)
{
	return (o->empty & b->required[o->level]) != 0 || unknown > 0;
}

/*
 * A filer's gaps (OrgRowSink.make_gaps), in the order array_agg(gap ORDER
 * BY gap) gives.  Made as the row is emitted, in memory reset after it:
 * kept for every filer until then, 74,392 of them took ~10 MB of memory
 * touched first (doc/internals.md, Memory).
 */
static Datum
make_gaps(void *arg, const OrgRow *r)
{
	Build	   *b = (Build *) arg;
	Datum		gap[NFIELDS + 1];
	int			n = 0;

	Assert(b->gap_order_known);
	if (r->gap_fields == 0 && r->gap_unknown > 0 && r->gap_unknown < UNKNOWN_ONLY_KEPT &&
		b->unknown_only[r->gap_unknown] != (Datum) 0)
		return b->unknown_only[r->gap_unknown];
	for (int i = 0; i <= (int) NFIELDS; i++)
	{
		int			f = b->gap_sorted[i];

		if (f == (int) NFIELDS)
		{
			if (r->gap_unknown > 0)
				gap[n++] = CStringGetTextDatum(psprintf("status unknown for %d member(s)", r->gap_unknown));
		}
		else if (r->gap_fields & (1 << f))
			gap[n++] = b->field_gap[f];
	}
	if (r->gap_fields == 0 && r->gap_unknown > 0 && r->gap_unknown < UNKNOWN_ONLY_KEPT)
	{
		/* kept with the pass, not in the row's memory */
		MemoryContext row = MemoryContextSwitchTo(GetMemoryChunkContext(b));

		b->unknown_only[r->gap_unknown] = PointerGetDatum(construct_array(gap, n, TEXTOID, -1, false, TYPALIGN_INT));
		MemoryContextSwitchTo(row);
		return b->unknown_only[r->gap_unknown];
	}
	return PointerGetDatum(construct_array(gap, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * The subtree of root as the links stand on D: in_scope set, and its
 * primaries' ids (int8 datums) into *primaries.  A cycle in data written
 * with triggers off is walked once, not forever.
 */
static int
mark_subtree(Build *b, int32 slots, OrgInfo *root, uint8 primary, Datum **primaries)
{
	int32	   *first_child = big_alloc0(sizeof(int32) * slots);
	int32	   *next_sibling = big_alloc0(sizeof(int32) * slots);
	int32	   *queue = big_alloc0(sizeof(int32) * slots);
	int			head = 0,
				tail = 0,
				nprimaries = 0;

	*primaries = big_alloc0(sizeof(Datum) * slots);
	for (int32 i = 0; i < slots; i++)
		first_child[i] = next_sibling[i] = -1;
	for (int32 i = 0; i < slots; i++)
	{
		OrgInfo    *o = &b->org[i];
		OrgInfo    *parent;

		if (o->live && o->has_parent && (parent = org_of(b, o->parent)) != NULL)
		{
			int32		p = (int32) (parent - b->org);

			next_sibling[i] = first_child[p];
			first_child[p] = i;
		}
	}
	root->in_scope = true;
	queue[tail++] = (int32) (root - b->org);
	while (head < tail)
	{
		int32		i = queue[head++];

		if (b->org[i].level == primary)
			(*primaries)[nprimaries++] = Int64GetDatum(b->org[i].id);
		for (int32 c = first_child[i]; c >= 0; c = next_sibling[c])
			if (!b->org[c].in_scope)
			{
				b->org[c].in_scope = true;
				queue[tail++] = c;
			}
	}
	return nprimaries;
}

/*
 * A subtree of up to this many organizations is read by key (every read
 * driven by its ids through the indexes); a larger one by reading each
 * organization table whole, which costs the same whatever the subtree
 * (doc/internals.md).  _subtree_pass's third argument overrides it, for
 * the tests of both reads.
 */
#define SUBTREE_BY_KEY_MAX 4000

typedef enum SubtreeRead
{
	SUBTREE_NOT_LIVE,			/* root is not live on D */
	SUBTREE_READ,
	SUBTREE_LARGE				/* over SUBTREE_BY_KEY_MAX: read it whole */
} SubtreeRead;

/* the org row of id, all its columns deformed; false if there is none */
static bool
fetch_org(TableRead *s, int64 id)
{
	table_read_key(s, id, 0);
	return table_read_next(s);
}

/*
 * Root's subtree on D read by key: org through its primary key, the links
 * by parent from root down, then the base figures and chairmen of the
 * subtree's organizations by theirs.  The same OrgInfo as the whole
 * tables' read, for the subtree's organizations only: in_scope, parent,
 * passport, liquidated primaries, base figures, chairman.  Its primaries'
 * ids (int8 datums) into *primaries.
 */
static SubtreeRead
read_subtree(Build *b, int64 root_id, int by_key_max, Datum **primaries, int *nprimaries)
{
	TableRead	orgs,
				links;
	int32		cap = 64,
				head = 0,
				tail = 0;
	int32	   *queue = palloc(sizeof(int32) * cap);
	SubtreeRead result = SUBTREE_READ;
	int			nprim = 0,
				prim_cap = 64;

	if (by_key_max <= 0)
		return SUBTREE_LARGE;
	table_read_open(&orgs, b->nsp, "org");
	org_columns(&orgs);
	table_read_by_index(&orgs, b->nsp, "org_pkey", 1);
	table_read_open(&links, b->nsp, "org_link");
	table_read_column(&links, 0, "org_id", INT8OID);
	table_read_column(&links, 1, "parent_id", INT8OID);
	table_read_column(&links, 2, "valid_from", DATEOID);
	table_read_column(&links, 3, "valid_to", DATEOID);
	table_read_by_index(&links, b->nsp, "org_link_parent_idx", 1);
	*primaries = palloc(sizeof(Datum) * prim_cap);

	if (!fetch_org(&orgs, root_id) ||
		!live(TR_DATE(&orgs, 3, 0), TR_DATE(&orgs, 4, DATEVAL_NOEND), b->dates.d))
		result = SUBTREE_NOT_LIVE;
	else
	{
		b->root = org_row(b, &orgs, intern_column(&b->levels, &orgs, 1), true);
		b->root->in_scope = true;
		queue[tail++] = (int32) (b->root - b->org);
	}
	while (result == SUBTREE_READ && head < tail)
	{
		int32		i = queue[head++];
		int64		id = b->org[i].id;
		int64		liquidated = 0;

		if (b->org[i].level == b->primary)
		{
			if (nprim == prim_cap)
				*primaries = repalloc(*primaries, sizeof(Datum) * (prim_cap *= 2));
			(*primaries)[nprim++] = Int64GetDatum(id);
		}
		table_read_key(&links, id, 0);
		while (table_read_next(&links))
		{
			int64		child = TR_INT64(&links, 0);
			DateADT		to = TR_DATE(&links, 3, DATEVAL_NOEND);
			OrgInfo    *c;

			if (live(TR_DATE(&links, 2, 0), to, b->dates.d))
			{
				/* a child live on D, not reached already (a cycle in data written with triggers off) */
				if (id_map_find(b->orgs, child) >= 0 || !fetch_org(&orgs, child) ||
					!live(TR_DATE(&orgs, 3, 0), TR_DATE(&orgs, 4, DATEVAL_NOEND), b->dates.d))
					continue;
				if (tail >= by_key_max)
				{
					result = SUBTREE_LARGE;
					break;
				}
				c = org_row(b, &orgs, intern_column(&b->levels, &orgs, 1), true);
				c->parent = id;
				c->has_parent = true;
				c->in_scope = true;
				if (tail == cap)
					queue = repalloc(queue, sizeof(int32) * (cap *= 2));
				queue[tail++] = (int32) (c - b->org);
			}
			/* a primary liquidated in (P, D] whose last link named this one */
			else if (!TR_ISNULL(&links, 3) && to > b->dates.p && to <= b->dates.d &&
					 fetch_org(&orgs, child) && !TR_ISNULL(&orgs, 4) &&
					 TR_DATE(&orgs, 4, 0) == to && intern_column(&b->levels, &orgs, 1) == b->primary)
				liquidated++;
		}
		/* b->org may have moved as it grew */
		b->org[i].liquidated += liquidated;
	}
	table_read_close(&links);
	table_read_close(&orgs);
	*nprimaries = nprim;
	if (result != SUBTREE_READ)
		return result;
	b->slots = Min(id_map_slots(b->orgs), b->org_cap);
	b->root = &b->org[queue[0]];
	return result;
}

/* the base figures and chairmen of the subtree read_subtree() found, by key */
static void
read_subtree_facts(Build *b)
{
	TableRead	base,
				chairman;

	table_read_open(&base, b->nsp, "org_base");
	base_columns(&base);
	table_read_by_index(&base, b->nsp, "org_base_pkey", 1);
	table_read_open(&chairman, b->nsp, "org_chairman");
	chairman_columns(&chairman);
	table_read_by_index(&chairman, b->nsp, "org_chairman_pkey", 1);
	for (int32 i = 0; i < b->slots; i++)
	{
		OrgInfo    *o = &b->org[i];

		if (!o->in_scope)
			continue;
		table_read_key(&base, o->id, 0);
		while (table_read_next(&base))
			base_row(b, o, &base);
		table_read_key(&chairman, o->id, 0);
		while (table_read_next(&chairman))
			chairman_row(b, o, &chairman);
	}
	table_read_close(&chairman);
	table_read_close(&base);
}

/*
 * Everything up to the organizations' own counters: the catalogs, org and
 * org_link, the scope (the whole union, or root's subtree on D when root is
 * given), its members, base figures and chairmen.  NULL if root is not live
 * on D.  Without members (the whole union's passports only), neither the
 * member facts nor the links are read.  A subtree of up to by_key_max
 * organizations is read by key.  Allocates in the current context.
 */
static Build *
build_read(DateADT as_of, const int64 *root_id, bool with_members, int by_key_max)
{
	MemoryContext work = CurrentMemoryContext;
	Build	   *b = palloc0(sizeof(Build));
	int64		min = 0,
				max = -1;
	double		norgs = 0;
	MemberCountsJob *members = NULL;
	MemberKeysJob *keys = NULL;

	member_dates_init(&b->dates, as_of);
	b->nsp = get_namespace_oid("unionreg", false);
	b->primary = intern(&b->levels, "primary", 7);
	b->subdivision = intern(&b->levels, "subdivision", 11);
	b->regional = intern(&b->levels, "regional", 8);
	for (int k = 0; k < MAX_CODES; k++)
		b->kind_counter[k] = -1;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "unionreg organization pass: SPI_connect failed");
	/* the planner's row estimate, not count(*): a scan of org for one figure costs more than it is worth */
	if (SPI_execute("SELECT min(id), max(id), (SELECT greatest(c.reltuples, 0)::float8 FROM pg_catalog.pg_class c"
					" WHERE c.oid = 'unionreg.org'::pg_catalog.regclass) FROM unionreg.org", true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			min = DatumGetInt64(d);
			max = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
			d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
			norgs = isnull ? 0 : DatumGetFloat8(d);
		}
	}
	read_catalogs(b);
	/* what SPI returned is gone at SPI_finish: the catalog strings, copied */
	for (int l = 0; l < MAX_CODES; l++)
	{
		if (b->form_any[l])
			b->form_any[l] = MemoryContextStrdup(work, b->form_any[l]);
		for (int k = 0; k < MAX_CODES; k++)
			if (b->form[l][k])
				b->form[l][k] = MemoryContextStrdup(work, b->form[l][k]);
	}
	for (int i = 1; i < b->levels.n; i++)
		b->levels.code[i] = MemoryContextStrdup(work, b->levels.code[i]);
	for (int i = 1; i < b->kinds.n; i++)
		b->kinds.code[i] = MemoryContextStrdup(work, b->kinds.code[i]);
	SPI_finish();

	if (root_id != NULL)
	{
		Datum	   *primaries;
		int			nprimaries;

		b->orgs = id_map_create_hashed(256);
		switch (read_subtree(b, *root_id, by_key_max, &primaries, &nprimaries))
		{
			case SUBTREE_NOT_LIVE:
				return NULL;
			case SUBTREE_READ:
				/* a large subtree's member workers, if any, read while its base figures and chairmen are */
				keys = member_counts_keys_start(b->dates.d, primaries, nprimaries);
				read_subtree_facts(b);
				b->mc = member_counts_keys_finish(keys);
				return b;
			case SUBTREE_LARGE:
				/* what was read by key is left in the work context; the whole tables instead */
				b->org = NULL;
				b->org_cap = 0;
				break;
		}
	}

	/*
	 * The whole union: the member facts' parallel workers begin reading
	 * now, while this backend reads the organization tables.
	 */
	if (root_id == NULL && with_members)
		members = member_counts_start(b->dates.d, min, max, norgs);
	b->orgs = id_map_create(min, max, norgs);
	/* a dense map's slots are known: one array of them, not grown by doubling (and copying) */
	if (id_map_slots(b->orgs) > 0)
		id_map_grow((void **) &b->org, &b->org_cap, sizeof(OrgInfo), id_map_slots(b->orgs) - 1);
	b->gone = id_map_create_hashed(1024);
	read_orgs(b, root_id == NULL);
	if (with_members)
		read_links(b);
	b->slots = Min(id_map_slots(b->orgs), b->org_cap);
	if (root_id == NULL)
	{
		for (int32 i = 0; i < b->slots; i++)
			b->org[i].in_scope = b->org[i].live;
	}
	else
	{
		Datum	   *primaries;
		int			nprimaries;

		b->root = org_of(b, *root_id);
		if (b->root == NULL)
			return NULL;
		nprimaries = mark_subtree(b, b->slots, b->root, b->primary, &primaries);
		/* a large subtree's workers, if any, begin reading while its passports, base figures and chairmen are read */
		keys = member_counts_keys_start(b->dates.d, primaries, nprimaries);
		read_passports(b);
	}
	read_base(b);
	read_chairmen(b);
	if (keys)
		b->mc = member_counts_keys_finish(keys);
	/* the whole union's members are counted into the rows by pass_into */
	b->members = members;
	return b;
}

/*
 * What organization o adds on D, its members' counters included, into c
 * (zeroed by the caller).  With gaps, a filer's row is marked incomplete
 * with what its gaps are made of (make_gaps makes them as it is emitted);
 * without, only whether it is complete is worked out.
 */
static void
own_counters(Build *b, OrgInfo *o, int32 row, bool files, int64 *c, OrgRow *gaps)
{
	const int32 *members = b->own ? NULL : member_counts_of(&b->mc, o->id);
	int32		unknown = 0;
	OwnFacts	f;

	memset(&f, 0, sizeof(f));
	if (members)
	{
		for (int k = 0; k < MEMBER_COUNTERS; k++)
			c[k] = members[k];
		unknown = members[TC_STATUS_UNKNOWN];
	}
	else if (b->own && row >= 0)
	{
		/* the members are in c already, a folded subdivision's too: its own, for what it adds itself */
		f.has_own_members = true;
		f.own_members = b->own[(Size) row * MEMBER_ROW_OWN + MEMBER_OWN_MEMBERS];
		unknown = b->own[(Size) row * MEMBER_ROW_OWN + MEMBER_OWN_UNKNOWN];
	}
	f.is_primary = o->level == b->primary;
	f.is_subdivision = o->level == b->subdivision;
	if (f.is_primary)
	{
		/* the kinds' counters, once (23502 for a primary without a kind) */
		if (b->kind_counter[o->kind] < 0)
			b->kind_counter[o->kind] = own_tally_kind_counter(o->kind ? b->kinds.code[o->kind] : NULL);
		f.kind_counter = b->kind_counter[o->kind];
	}
	f.valid_from = o->valid_from;
	f.has_employees = o->has_employees;
	f.employees = o->employees;
	f.has_students = o->has_students;
	f.students = o->students;
	f.liquidated = o->liquidated;
	f.as_of = b->dates.d;
	f.period_start = b->dates.p;
	if (files)
	{
		if (gaps)
		{
			f.incomplete = incomplete(b, o, unknown);
			if (f.incomplete)
			{
				gaps->lazy_gaps = true;
				gaps->gap_fields = o->empty & b->required[o->level];
				gaps->gap_unknown = unknown;
			}
		}
		else
			f.incomplete = incomplete(b, o, unknown);
	}
	own_tally_apply(c, &f);
}

/* a tally with only o's chairman on D, if it has one in office; NULL if not */
static Tally *
chairman_tally(const OrgInfo *o)
{
	Tally	   *t;

	if (!o->chairman_in_office)
		return NULL;
	t = tally_new();
	t->c[TC_CHAIRMAN_IN_OFFICE] = 1;
	t->c[TC_CHAIRMAN_RELEASED] = o->chairman_released ? 1 : 0;
	return t;
}

static DateADT
finite_date_arg(FunctionCallInfo fcinfo, const char *function)
{
	if (PG_ARGISNULL(0) || DATE_NOT_FINITE(PG_GETARG_DATEADT(0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a finite reporting date", function)));
	return PG_GETARG_DATEADT(0);
}

/*
 * A subdivision that files no form is a leaf of the roll-up as far as the
 * reports go: its counters end up in its primary's and nowhere else.  Such
 * organizations (~75,000 of 150,000) get no row and no 42 counters of their
 * own in the roll-up: what each adds goes straight into the organization
 * its chain of such subdivisions ends at.  The memory a build touches first
 * is what costs on a virtual machine (doc/internals.md, Memory).
 */
static bool
folded(Build *b, const OrgInfo *o)
{
	return o->level == b->subdivision && form_of(b, o) == 0;
}

/*
 * The organization o's counters go to: the first ancestor, o's parent on
 * up, that is not folded; NULL if the chain ends (an orphan) or goes round
 * (data written with triggers off) first.
 */
static OrgInfo *
fold_target(Build *b, OrgInfo *o)
{
	for (int32 steps = 0; steps <= b->slots; steps++)
	{
		o = o->has_parent ? org_of(b, o->parent) : NULL;
		if (o == NULL || !o->in_scope || !folded(b, o))
			return o != NULL && o->in_scope ? o : NULL;
	}
	return NULL;
}

/* the filers of the whole union, or of root's subtree on D, rolled up, into the sink */
static void
pass_into(DateADT as_of, const int64 *root_id, OrgRowSink *sink)
{
	MemoryContext work,
				caller;
	Build	   *b;
	OrgRow	   *rows;
	int64	   *acc;
	int32	   *row_of;
	int32		n;
	RollupPlan *plan;

	/* everything but what the sink keeps goes with this context */
	TimestampTz t0 = GetCurrentTimestamp(),
				t1,
				t2;

	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg organization pass", ALLOCSET_DEFAULT_SIZES);
	caller = MemoryContextSwitchTo(work);
	b = build_read(as_of, root_id, true, SUBTREE_BY_KEY_MAX);
	if (b != NULL)
	{
		t1 = GetCurrentTimestamp();
		/* a row and 42 counters for each organization in scope and not folded */
		row_of = big_alloc0(sizeof(int32) * Max(b->slots, 1));
		n = 0;
		for (int32 i = 0; i < b->slots; i++)
			row_of[i] = b->org[i].in_scope && !folded(b, &b->org[i]) ? n++ : -1;
		rows = big_alloc0(sizeof(OrgRow) * Max(n, 1));
		acc = big_alloc0(sizeof(int64) * TC_NCOUNTERS * Max(n, 1));
		/* the folded ones' rows: their targets' (-2 - row); where their counters go */
		for (int32 i = 0; i < b->slots; i++)
		{
			OrgInfo    *t;

			if (row_of[i] == -1 && b->org[i].in_scope && (t = fold_target(b, &b->org[i])) != NULL)
				row_of[i] = -2 - row_of[t - b->org];
		}
		/* each row's organization, parent, form and chairman: nothing of the members */
		for (int32 i = 0; i < b->slots; i++)
		{
			OrgInfo    *o = &b->org[i];
			OrgRow	   *r;

			if ((i & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
			if (row_of[i] < 0)
				continue;
			r = &rows[row_of[i]];
			r->id = o->id;
			r->is_region = o->level == b->regional;
			r->is_primary = o->level == b->primary;
			r->form = form_of(b, o);
			r->chairman_in_office = r->form && o->chairman_in_office;
			r->chairman_released = r->form && o->chairman_in_office && o->chairman_released;
			/* a parent folded away (a subdivision over a primary, in data that breaks the rules): its target */
			if (o->has_parent)
			{
				OrgInfo    *p = org_of(b, o->parent);

				if (p != NULL && p->in_scope && folded(b, p))
					p = fold_target(b, p);
				r->has_parent = p != NULL || org_of(b, o->parent) == NULL;
				r->parent = p != NULL ? p->id : o->parent;
			}
		}
		/*
		 * The roll-up's order and the gap texts' order need no counter: a
		 * build works them out while its parallel workers count members.
		 */
		plan = org_rows_plan(rows, n);
		gap_order(b);
		if (b->members)
		{
			/* the whole union: the members' counters straight into the rows */
			MemberRows	mr;
			int32	   *own = big_alloc0(sizeof(int32) * MEMBER_ROW_OWN * Max(n, 1));

			mr.orgs = b->orgs;
			mr.row_of = row_of;
			mr.nslots = b->slots;
			mr.acc = acc;
			mr.own = own;
			member_counts_into(b->members, &mr);
			b->own = own;
		}
		for (int32 i = 0; i < b->slots; i++)
		{
			OrgRow	   *r;

			if ((i & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
			if (row_of[i] < 0)
				continue;
			r = &rows[row_of[i]];
			own_counters(b, &b->org[i], row_of[i], r->form != 0, &acc[(Size) row_of[i] * TC_NCOUNTERS], r->form ? r : NULL);
		}
		/* the folded ones: what each adds, into its target's counters */
		for (int32 i = 0; i < b->slots; i++)
		{
			OrgInfo    *o = &b->org[i];
			int64		c[TC_NCOUNTERS];
			int64	   *into;

			if ((i & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
			if (row_of[i] >= -1)
				continue;
			memset(c, 0, sizeof(c));
			own_counters(b, o, -1, false, c, NULL);
			into = &acc[(Size) (-2 - row_of[i]) * TC_NCOUNTERS];
			for (int k = 0; k < TC_NCOUNTERS; k++)
				if (c[k] != 0)
					tally_add_into(&into[k], c[k], k);
		}
		/* the gap texts live as long as the pass (make_gaps runs in memory reset after each row) */
		sink->make_gaps = make_gaps;
		sink->gaps_arg = b;
		t2 = GetCurrentTimestamp();
		org_rows_emit(rows, n, acc, plan, sink);
		/* where the time goes, for the benchmark */
		elog(DEBUG2, "unionreg organization pass: reads and members %ld ms, own counters of %d rows %ld ms, "
			 "roll-up and emit %ld ms", TimestampDifferenceMilliseconds(t0, t1), n,
			 TimestampDifferenceMilliseconds(t1, t2), TimestampDifferenceMilliseconds(t2, GetCurrentTimestamp()));
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
}

PG_FUNCTION_INFO_V1(org_pass);

/*
 * unionreg._org_pass(as_of date, root bigint DEFAULT NULL)
 *	  RETURNS TABLE (org_id bigint, form text, tally unionreg.tally,
 *					 is_complete boolean, gaps text[], region_id bigint)
 * The filers of the whole union, or of root's subtree on D (none if root is
 * not live then), rolled up.
 */
Datum
org_pass(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DateADT		as_of = finite_date_arg(fcinfo, "unionreg._org_pass()");
	int64		root_id = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	OrgRowSink	sink;

	InitMaterializedSRF(fcinfo, 0);
	org_rows_to_result(&sink, rsinfo);
	pass_into(as_of, PG_ARGISNULL(1) ? NULL : &root_id, &sink);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(org_pass_write);

/*
 * unionreg._org_pass_write(as_of date, snapshot bigint,
 *							OUT organizations bigint, OUT members bigint)
 * The whole union's filers on D written straight into snapshot_org under
 * the given snapshot (snapshot_write.c), in batches: the rows written, and
 * the members on record (the primaries' consolidated members, summed as
 * they are written, not by a join of the rows back to org).  Both NULL,
 * nothing written, when the table has INSERT triggers of its own to fire
 * (snapshot_write.c): the caller inserts through the executor then.
 */
Datum
org_pass_write(PG_FUNCTION_ARGS)
{
	DateADT		as_of = finite_date_arg(fcinfo, "unionreg._org_pass_write()");
	OrgRowSink *sink;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unionreg._org_pass_write() needs a snapshot id, not NULL")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "unionreg._org_pass_write() must return a record");
	sink = snapshot_sink_open(PG_GETARG_INT64(1));
	if (sink == NULL)
	{
		/* triggers of the table's own to fire: nothing written, the caller inserts */
		nulls[0] = nulls[1] = true;
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
	}
	pass_into(as_of, NULL, sink);
	values[1] = Int64GetDatum(sink->members);
	values[0] = Int64GetDatum(snapshot_sink_close(sink));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

PG_FUNCTION_INFO_V1(subtree_pass);

/*
 * unionreg._subtree_pass(as_of date, root bigint, by_key_max integer DEFAULT NULL)
 *	  RETURNS unionreg.tally
 * Root's consolidated tally on D, its own chairman included: what
 * _org_pass(D, root) gives for root, for report() of a large subtree.  The
 * roll-up of a single root is a sum, so no row, no per-organization
 * counters and no gaps are kept (memory a call touches first costs page
 * faults, dear on a virtual machine).  NULL if root is not
 * live on D.
 */
Datum
subtree_pass(PG_FUNCTION_ARGS)
{
	DateADT		as_of = finite_date_arg(fcinfo, "unionreg._subtree_pass()");
	int64		root_id;
	MemoryContext work,
				caller;
	Build	   *b;
	Tally	   *sum;
	Tally	   *chairman;
	int64		c[TC_NCOUNTERS];

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	root_id = PG_GETARG_INT64(1);
	sum = tally_new();
	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg subtree pass", ALLOCSET_DEFAULT_SIZES);
	caller = MemoryContextSwitchTo(work);
	b = build_read(as_of, &root_id, true,
				   PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_INT32(2) : SUBTREE_BY_KEY_MAX);
	if (b == NULL)
	{
		MemoryContextSwitchTo(caller);
		MemoryContextDelete(work);
		PG_RETURN_NULL();
	}
	for (int32 i = 0; i < b->slots; i++)
	{
		OrgInfo    *o = &b->org[i];

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!o->in_scope)
			continue;
		memset(c, 0, sizeof(c));
		own_counters(b, o, -1, form_of(b, o) != 0, c, NULL);
		for (int k = 0; k < TC_NCOUNTERS; k++)
			if (c[k] != 0)
				tally_add_into(&sum->c[k], c[k], k);
	}
	/* the root's own chairman: its report's, not rolled up */
	if (form_of(b, b->root) && (chairman = chairman_tally(b->root)) != NULL)
		for (int k = 0; k < TC_NCOUNTERS; k++)
			tally_add_into(&sum->c[k], chairman->c[k], k);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	PG_RETURN_POINTER(sum);
}

PG_FUNCTION_INFO_V1(passport_gaps);

/*
 * unionreg._passport_gap_fields(as_of date) RETURNS TABLE (org_id bigint, field text)
 * The mandatory passport fields (unionreg.passport_requirement) empty on D,
 * one row per organization live on D and field: the rule that makes a
 * filer's report incomplete, for the lists that name the fields.
 */
Datum
passport_gaps(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DateADT		as_of = finite_date_arg(fcinfo, "unionreg._passport_gap_fields()");
	MemoryContext work,
				caller;
	Build	   *b;
	Datum		field[NFIELDS];

	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "unionreg passport gaps", ALLOCSET_DEFAULT_SIZES);
	caller = MemoryContextSwitchTo(work);
	b = build_read(as_of, NULL, false, 0);
	for (int f = 0; f < (int) NFIELDS; f++)
		field[f] = CStringGetTextDatum(passport_fields[f]);
	for (int32 i = 0; i < b->slots; i++)
	{
		OrgInfo    *o = &b->org[i];
		uint16		gaps;

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!o->in_scope || (gaps = o->empty & b->required[o->level]) == 0)
			continue;
		for (int f = 0; f < (int) NFIELDS; f++)
			if (gaps & (1 << f))
			{
				Datum		values[2] = {Int64GetDatum(o->id), field[f]};
				bool		nulls[2] = {false, false};

				tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			}
	}
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}
