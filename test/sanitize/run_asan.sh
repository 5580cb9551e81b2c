#!/bin/bash
# The whole regression suite (pg_regress and isolation) against a server
# that runs under valgrind (memcheck), with our module built with
# UndefinedBehaviorSanitizer.  Not part of `make test` (it rebuilds the
# module and takes minutes); run as root:
#     test/sanitize/run_asan.sh
# Debian ships neither PostgreSQL's valgrind suppressions nor a server built
# for ASan (a preloaded libasan hangs Debian's postgres at start), so every
# valgrind error whose stack passes through unionreg.so (or ICU called from
# it) fails the run, and the server's own known reports are listed apart.
# Any UBSan report fails the run too.  The normal build is restored at the end.
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

SAN="-fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
make -s clean >/dev/null
make -s PG_CFLAGS="-Wall -Wextra -Werror $SAN" SHLIB_LINK_INTERNAL="-fsanitize=undefined" >/dev/null
make -s install >/dev/null
# (grep reads all of nm: with -q, nm would die of SIGPIPE and pipefail would say no)
nm -D "$(pg_config --pkglibdir)/unionreg.so" | grep __ubsan_ >/dev/null || { echo "module is not instrumented"; exit 1; }

runuser -u postgres -- "$PGBIN/initdb" -D "$TMP/data" -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$TMP/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$TMP'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'unionreg_cron'	# as in test/run_tests.sh: the regress database has no pg_cron
max_worker_processes = 16
CONF
runuser -u postgres -- env UBSAN_OPTIONS="print_stacktrace=1:log_path=$LOG" \
	valgrind --quiet --trace-children=yes --num-callers=30 --error-limit=no \
	--log-file="$TMP/valgrind.%p" \
	"$PGBIN/postgres" -D "$TMP/data" > "$TMP/server.log" 2>&1 &
for i in $(seq 1 180); do
	"$PGBIN/pg_isready" -q -h "$TMP" -p "$PORT" && break
	sleep 1
done
"$PGBIN/pg_isready" -h "$TMP" -p "$PORT" || { cat "$TMP/server.log"; exit 1; }

chmod -R a+rwX . 2>/dev/null || true
status=0
if ! runuser -u postgres -- make -s installcheck PGHOST="$TMP" PGPORT=$PORT; then
	status=1
	cat regression.diffs test/isolation/regression.diffs 2>/dev/null || true
fi
if ls "$LOG".* >/dev/null 2>&1; then
	echo "== UBSan reports:"
	cat "$LOG".*
	status=1
fi
# valgrind: one file per process; an error record is a block starting "==pid== <kind>"
ours=$(cat "$TMP"/valgrind.* 2>/dev/null | awk '/^==[0-9]+== [A-Z]/{if (blk ~ /unionreg\.so/) print blk; blk=$0 "\n"; next} {blk=blk $0 "\n"} END{if (blk ~ /unionreg\.so/) print blk}')
total=$(cat "$TMP"/valgrind.* 2>/dev/null | grep -cE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination)' || true)
echo "valgrind: $total error record(s) in all processes; those through unionreg.so follow (none is clean):"
if [ -n "$ours" ]; then
	printf '%b\n' "$ours"
	status=1
fi
[ $status = 0 ] && echo "run_asan: the regression suite ran clean under valgrind + UBSan"
exit $status
