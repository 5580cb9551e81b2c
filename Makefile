# unionreg: PGXS build, plus the two commands of the README (make demo, make test)

EXTENSION  = unionreg
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = unionreg
OBJS = \
	src/unionreg.o \
	src/idcheck.o \
	src/idtypes.o \
	src/stage_parse.o \
	src/hierarchy_graph.o \
	src/hierarchy_check.o \
	src/hierarchy_trigger.o \
	src/hierarchy_report.o \
	src/icu_util.o \
	src/name_key.o \
	src/email_ascii.o \
	src/tally.o \
	src/member_tally.o \
	src/rollup.o \
	src/own_tally.o \
	src/member_period.o \
	src/member_pass.o \
	src/member_scan.o \
	src/count_workers.o \
	src/member_keys.o \
	src/member_fact.o \
	src/fact_tuple.o \
	src/id_map.o \
	src/big_alloc.o \
	src/table_read.o \
	src/org_pass.o \
	src/org_build.o \
	src/snapshot_write.o \
	src/row_jsonb.o \
	src/line_value.o \
	src/control_check.o

# Released versions are frozen.  0.1's install script is generated from the
# parts in src/sql (name order; the identifier-type boilerplate expanded once
# per type from a template) and must never change again: test/scripts/upgrade.sh
# checks it against src/sql/RELEASED.  Each later version is an update script
# generated from src/sql/<version>/*.sql; CREATE EXTENSION installs 0.1 and
# runs the updates (PostgreSQL >= 10 chains them), so a fresh install and an
# upgraded one run the same code.
SQL_PARTS  = $(sort $(wildcard src/sql/*.sql))
ID_TYPES   = inn ogrn snils card_number
UPDATES    = 0.1--0.2
DATA_built = $(EXTENSION)--0.1.sql $(foreach u,$(UPDATES),$(EXTENSION)--$(u).sql)

REGRESS      = identifiers hierarchy passport load_orgs name_email members cards applications load_members tally member_tally reports member_fact schedule audit security catalog
REGRESS_OPTS = --inputdir=. --load-extension=btree_gist
ISOLATION      = move_cycle card_issue build_vs_writes concurrent_builds concurrent_loads member_fact_writes
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation

SHLIB_LINK += -licui18n -licuuc -licudata
# server headers as system headers: -Wextra then speaks only of our own code
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
EXTRA_CLEAN = test/isolation/results test/isolation/regression.diffs test/isolation/regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--0.1.sql: $(SQL_PARTS) src/sql/idtype.sql.in
	@echo "-- generated from src/sql/*.sql by make; edit the parts, not this file" > $@
	@for part in $(SQL_PARTS); do \
		echo "" >> $@; echo "-- ---- $$part ----" >> $@; cat $$part >> $@; \
		case $$part in */10_*) \
			for t in $(ID_TYPES); do \
				echo "" >> $@; echo "-- ---- src/sql/idtype.sql.in: $$t ----" >> $@; \
				sed -e "s/@TYPE@/$$t/g" src/sql/idtype.sql.in >> $@; \
			done ;; \
		esac; \
	done

# an update script: the parts of src/sql/<to>/ in name order
UPDATE_PARTS = $(sort $(wildcard src/sql/$(1)/*.sql))
define update_script
	@echo "-- generated from src/sql/$(1)/*.sql by make; edit the parts, not this file" > $@
	@printf '%s\n' '\echo Use "ALTER EXTENSION unionreg UPDATE" to load this file. \quit' >> $@
	@for part in $(call UPDATE_PARTS,$(1)); do echo "" >> $@; echo "-- ---- $$part ----" >> $@; cat $$part >> $@; done
endef
$(EXTENSION)--0.1--0.2.sql: $(call UPDATE_PARTS,0.2)
	$(call update_script,0.2)

all: $(DATA_built)

# PGXS does not track headers: a changed struct must rebuild every user of it
$(OBJS): $(wildcard src/*.h)

# ---- the README's two commands -------------------------------------------

.PHONY: deps demo test build-strict

# Debian packages the build, the tests and the demo need; installs only what is missing.
DEB_PACKAGES = build-essential postgresql-15 postgresql-contrib postgresql-server-dev-15 \
	postgresql-15-cron libicu-dev python3 python3-psycopg2 postgresql-common

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
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
