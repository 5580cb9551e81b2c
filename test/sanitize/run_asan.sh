#!/bin/bash
# The whole regression suite (pg_regress and isolation) against a server that
# runs our module built with AddressSanitizer and UndefinedBehaviorSanitizer.
# Not part of `make test` (it rebuilds the module); run as root:
#     test/sanitize/run_asan.sh
# Debian's server is not instrumented, so ASan is preloaded into it
# (LD_PRELOAD) and watches our code and ICU's malloc'd memory; leak checking
# is off because the server frees by memory context, not by free().
# Any sanitizer report fails the run.  The normal build is restored at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGBIN=$(pg_config --bindir)
TMP=$(mktemp -d /tmp/unionreg_asan.XXXXXX)
PORT=${ASAN_PORT:-5497}
LOG="$TMP/sanitizer"
chown postgres "$TMP"
cleanup() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$TMP/data" stop -m fast >/dev/null 2>&1 || true
	make -s clean >/dev/null
	make -s PG_CFLAGS="-Wall -Wextra -Werror" >/dev/null && make -s install >/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
make -s clean >/dev/null
make -s PG_CFLAGS="-Wall -Wextra -Werror $SAN" SHLIB_LINK_INTERNAL="-fsanitize=address,undefined" >/dev/null
make -s install >/dev/null
nm -D "$(pg_config --pkglibdir)/unionreg.so" | grep -q __asan_ || { echo "module is not instrumented"; exit 1; }

runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/data" -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$TMP/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$TMP'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'contrib_regression'
max_worker_processes = 16
CONF
LIBASAN=$(gcc -print-file-name=libasan.so)
runuser -u postgres -- env LD_PRELOAD="$LIBASAN" \
	ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$LOG:verify_asan_link_order=0" \
	UBSAN_OPTIONS="print_stacktrace=1:log_path=$LOG" \
	"$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w start >/dev/null

chmod -R a+rwX . 2>/dev/null || true
status=0
runuser -u postgres -- make -s installcheck PGHOST="$TMP" PGPORT=$PORT || status=1
if ls "$LOG".* >/dev/null 2>&1; then
	echo "== sanitizer reports:"
	cat "$LOG".*
	status=1
fi
[ $status = 0 ] && echo "run_asan: the regression suite ran clean under ASan + UBSan"
exit $status
