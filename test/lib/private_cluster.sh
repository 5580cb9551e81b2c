# Sourced by test scripts that need a PostgreSQL server of their own beside
# the one run_tests.sh made: initdb in a temp dir, loopback and a socket in
# that dir only, trust auth, stopped (by its own pid file) and removed at exit.
#   private_cluster_init NAME [postgresql.conf lines...]  -> sets <NAME>_PORT
#   pc NAME psql-args...                                  -> psql to it
PC_BIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$PC_BIN/initdb" ] || PC_BIN=/usr/lib/postgresql/15/bin
PC_TMP=$(mktemp -d /tmp/unionreg_pc.XXXXXX)
PC_NAMES=()
# as postgres; from / when postgres cannot read the current directory (a
# clone under /root), which would make every server program complain
as_pg() {
	if [ "$(id -u)" != 0 ]; then "$@"
	elif runuser -u postgres -- test -x "$PWD" 2>/dev/null; then runuser -u postgres -- "$@"
	else (cd / && runuser -u postgres -- "$@"); fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PC_TMP"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
private_cluster_cleanup() {
	local d
	for d in "${PC_NAMES[@]}"; do
		[ -f "$PC_TMP/$d/postmaster.pid" ] && as_pg "$PC_BIN/pg_ctl" -D "$PC_TMP/$d" -m immediate stop >/dev/null 2>&1 || true
	done
	rm -rf "$PC_TMP"
}
trap private_cluster_cleanup EXIT
private_cluster_init() {
	local name=$1; shift
	local port; port=$(free_port)
	as_pg "$PC_BIN/initdb" -D "$PC_TMP/$name" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$PC_TMP'"
		echo "fsync = off"
		local line; for line in "$@"; do echo "$line"; done
	} >> "$PC_TMP/$name/postgresql.conf"
	PC_NAMES+=("$name")
	printf -v "${name}_PORT" '%s' "$port"
}
private_cluster_start() {
	as_pg "$PC_BIN/pg_ctl" -D "$PC_TMP/$1" -l "$PC_TMP/$1.log" -w start >/dev/null
}
pc() {
	local name=$1; shift
	local portvar="${name}_PORT"
	as_pg psql -qX -v ON_ERROR_STOP=1 -h "$PC_TMP" -p "${!portvar}" -U postgres "$@"
}
