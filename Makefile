# unionreg: PGXS build, plus the two commands of the README (make demo, make test)

EXTENSION  = unionreg
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = unionreg
OBJS = \
	src/unionreg.o \
	src/ids/idcheck.o \
	src/ids/idtypes.o \
	src/text/icu_util.o \
	src/text/name_key.o \
	src/text/email_ascii.o \
	src/text/stage_parse.o \
	src/hierarchy/hierarchy_check.o \
	src/hierarchy/hierarchy_graph.o \
	src/hierarchy/hierarchy_read.o \
	src/hierarchy/hierarchy_trigger.o \
	src/members/member_fact.o \
	src/members/member_period.o \
	src/members/member_tally.o \
	src/members/fact_tuple.o \
	src/engine/tally.o \
	src/engine/own_tally.o \
	src/engine/rollup.o \
	src/engine/line_value.o \
	src/engine/control_check.o \
	src/engine/member_pass.o \
	src/engine/member_counts.o \
	src/engine/member_scan.o \
	src/engine/member_keys.o \
	src/engine/count_workers.o \
	src/engine/org_pass.o \
	src/engine/org_rows.o \
	src/engine/id_map.o \
	src/engine/big_alloc.o \
	src/engine/table_read.o \
	src/snapshot/snapshot_write.o \
	src/security/row_jsonb.o \
	src/security/probe_guard.o

# The install script of the current version is generated from the concept
# files in src/sql, in this order (each object is defined once, in the file
# named for its concept; a file may use what the files before it define), the
# identifier-type boilerplate expanded once per type from a template.  A
# released version's script is frozen at its tag (src/sql/released/, added at the
# next release with the hand-written delta to it): CONTRIBUTING.md.
SQL_CONCEPTS = head types hierarchy passport members cards admission tally forms member_fact \
	staging \
	loading load_orgs load_members report snapshots analytics progress schedule audit dump security followup submission
SQL_PARTS  = $(foreach c,$(SQL_CONCEPTS),src/sql/$(c).sql)
ID_TYPES   = inn ogrn snils card_number
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
# frozen scripts of released versions and the deltas between them (upgrade paths)
DATA = $(wildcard src/sql/released/$(EXTENSION)--*.sql) $(wildcard src/sql/updates/$(EXTENSION)--*--*.sql)

REGRESS      = identifiers hierarchy passport load_orgs name_email members cards applications load_members load_history tally member_tally reports reports_analytics reports_engine followup submission member_fact schedule audit security security_attacks security_matrix catalog
REGRESS_OPTS = --inputdir=. --load-extension=btree_gist
ISOLATION      = move_cycle card_issue build_vs_writes concurrent_builds concurrent_loads member_fact_writes
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation

SHLIB_LINK += -licui18n -licuuc -licudata
# server headers as system headers: -Wextra then speaks only of our own code
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
# the C sources by subsystem (CONTRIBUTING.md); headers are included by name
SRC_DIRS = ids text hierarchy members engine snapshot security
PG_CPPFLAGS += $(foreach d,$(SRC_DIRS),-I$(srcdir)/src/$(d))
EXTRA_CLEAN = test/isolation/results test/isolation/regression.diffs test/isolation/regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) src/sql/idtype.sql.in $(EXTENSION).control Makefile
	@echo "-- $@: generated from src/sql/*.sql by make; edit those, not this file" > $@
	@printf '%s\n' '\echo Use "CREATE EXTENSION unionreg" to load this file. \quit' >> $@
	@for part in $(SQL_PARTS); do \
		case $$part in */types.sql) \
			for t in $(ID_TYPES); do \
				echo "" >> $@; echo "-- ---- src/sql/idtype.sql.in: $$t ----" >> $@; \
				sed -e "s/@TYPE@/$$t/g" src/sql/idtype.sql.in >> $@; \
			done ;; \
		esac; \
		echo "" >> $@; echo "-- ---- $$part ----" >> $@; cat $$part >> $@; \
	done

all: $(DATA_built)

# PGXS does not track headers: a changed struct must rebuild every user of it
$(OBJS): $(wildcard src/*/*.h)

# ---- the README's two commands -------------------------------------------

.PHONY: deps demo test build-strict reference

# doc/reference.md from the catalog of a throwaway cluster with the extension installed
reference: all
	$(MAKE) install
	test/scripts/reference.sh --write

# Debian packages the build, the tests and the demo need; installs only what is missing.
DEB_PACKAGES = build-essential postgresql-15 postgresql-contrib postgresql-server-dev-15 \
	postgresql-15-cron libicu-dev python3 python3-psycopg2 postgresql-common

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing (log: /tmp/unionreg_apt.log)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
			> /tmp/unionreg_apt.log 2>&1 || { cat /tmp/unionreg_apt.log; exit 1; }; \
	fi

build-strict: deps
	$(MAKE) PG_CFLAGS="-Wall -Wextra -Werror"
	$(MAKE) install

test: build-strict
	test/run_tests.sh

demo: deps
	$(MAKE)
	$(MAKE) install
	test/demo/demo.sh $(if $(KEEP),KEEP=$(KEEP),)
