#!/usr/bin/env bash
# Run a real PostgreSQL server from Debian's packages for development and tests: a private
# cluster in a state dir, on 127.0.0.1 only, at a port of its own. No Docker, and it never
# touches the system's clusters (/var/lib/postgresql). See docs/postgres-dev.md.
#
#   server.sh start      install Debian's `postgresql` if missing, initdb if needed, start,
#                        wait until ready, ensure role and database `lyceum` (idempotent)
#   server.sh stop       pg_ctl stop -m fast
#   server.sh status     running or not, pid, port, data dir; exit 3 if not running
#   server.sh wipe       stop (immediate) and delete the state dir
#   server.sh psql ARGS  psql against the server as `lyceum` (e.g. `psql -c 'select 1'`)
#   server.sh env        print the KEY=VALUE lines of `start` (no side effects)
#   server.sh url        print PG_URL's value alone; exit 3 if the server is not ready
#
# stdout carries only machine-readable lines (start, env, url):
#   PG_URL=postgres://lyceum:lyceum@127.0.0.1:55432/lyceum?sslmode=disable
#   PG_PORT=55432
# Progress and errors go to stderr; a failed start prints the tail of the server log.
#
# Environment (defaults in brackets):
#   PG_HOME_DIR       [<repo>/.cache/postgres] state dir: data/, run/ (socket), postgres.log.
#                     Run as root, the server runs as the `postgres` user; when that user
#                     cannot reach this path (say, a repo under a 0700 dir), the state lives
#                     in /var/tmp/lyceum-postgres-<hash of the path> and PG_HOME_DIR becomes
#                     a symlink to it.
#   PG_PORT           [55432] TCP port on 127.0.0.1
#   PG_BINDIR         [newest /usr/lib/postgresql/*/bin] server binaries
#   PG_START_TIMEOUT  [60] seconds to wait for the server to accept connections
#   PG_SHARED_BUFFERS [32MB]
set -euo pipefail
set +m

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

PG_HOME_DIR="$(realpath -ms "${PG_HOME_DIR:-$REPO_ROOT/.cache/postgres}")" # -s: keep our symlink
PG_PORT="${PG_PORT:-55432}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
PG_SHARED_BUFFERS="${PG_SHARED_BUFFERS:-32MB}"

DB_USER=lyceum
DB_PASSWORD=lyceum
DB_NAME=lyceum
HOST=127.0.0.1

[[ $PG_PORT =~ ^[0-9]+$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) || { echo "PG_PORT must be a TCP port, not '$PG_PORT'" >&2; exit 2; }

# libpq reads PGHOST, PGUSER, PGOPTIONS, ... from the environment; the caller's must not
# leak into our admin connections (our own variables are PG_*, with an underscore).
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^PG[A-Z]' || true)

log() { printf '[postgres %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { local t1; t1=$(now_ms); printf '%d.%01d' $(((t1 - $1) / 1000)) $((((t1 - $1) % 1000) / 100)); }

IS_ROOT=0
[[ $(id -u) == 0 ]] && IS_ROOT=1

# --- where the state lives ------------------------------------------------------------

# The user the server runs as: PostgreSQL refuses to run as root.
RUN_AS="$(id -un)"
((IS_ROOT)) && RUN_AS=postgres

# as_pg CMD...: run CMD as $RUN_AS, from / (a cwd like /root is unreadable for postgres),
# without the lock's fd (a postmaster inheriting it would hold the lock forever).
as_pg() {
	if [[ $RUN_AS == "$(id -un)" ]]; then
		(cd / && exec "$@") 9>&-
	elif command -v runuser >/dev/null; then
		(cd / && exec runuser -u "$RUN_AS" -- "$@") 9>&-
	else
		(cd / && exec setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups -- "$@") 9>&-
	fi
}

# can_reach DIR: can $RUN_AS traverse every directory down to DIR (which must exist)?
can_reach() {
	((IS_ROOT)) || return 0
	getent passwd "$RUN_AS" >/dev/null || return 0 # no postgres user yet: decided after install
	as_pg test -x "$1" 2>/dev/null
}

STATE_DIR=""
FALLBACK_DIR="/var/tmp/lyceum-postgres-$(printf '%s' "$PG_HOME_DIR" | sha256sum | cut -c1-12)"

# resolve_state [create]: set STATE_DIR (and DATA_DIR, RUN_DIR, LOG_FILE); with `create`,
# make the state dir, in FALLBACK_DIR if $RUN_AS cannot reach PG_HOME_DIR's parent.
resolve_state() {
	local create=${1:-} parent
	parent=$(dirname "$PG_HOME_DIR")
	if [[ -L $PG_HOME_DIR ]]; then
		STATE_DIR="$(realpath -m "$PG_HOME_DIR")"
	elif [[ -e $PG_HOME_DIR ]]; then
		[[ -d $PG_HOME_DIR ]] || die "PG_HOME_DIR=$PG_HOME_DIR is not a directory"
		STATE_DIR="$PG_HOME_DIR"
		if [[ -n $create ]] && ! can_reach "$PG_HOME_DIR"; then
			[[ -z $(ls -A "$PG_HOME_DIR") ]] ||
				die "$RUN_AS cannot reach $PG_HOME_DIR (check the modes of its parents) and it is not empty"
			rmdir "$PG_HOME_DIR"
			resolve_state create
			return
		fi
	elif [[ -z $create ]]; then
		STATE_DIR="$PG_HOME_DIR" # nothing there, so nothing runs
	else
		mkdir -p "$parent"
		if can_reach "$parent"; then
			STATE_DIR="$PG_HOME_DIR"
		else
			STATE_DIR="$FALLBACK_DIR"
			log "$RUN_AS cannot reach $parent: the state goes to $STATE_DIR, and $PG_HOME_DIR links to it"
			mkdir -p "$STATE_DIR"
			ln -sfn "$STATE_DIR" "$PG_HOME_DIR"
		fi
	fi
	if [[ -n $create ]]; then
		mkdir -p "$STATE_DIR"
		if ((IS_ROOT)); then chown "$RUN_AS:" "$STATE_DIR"; fi
		chmod 0700 "$STATE_DIR"
	fi
	DATA_DIR="$STATE_DIR/data"
	RUN_DIR="$STATE_DIR/run"
	LOG_FILE="$STATE_DIR/postgres.log"
	# A unix socket path must fit in 107 bytes.
	if ((${#RUN_DIR} + 16 > 107)); then
		RUN_DIR="/var/tmp/lyceum-postgres-run-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"
	fi
}

# --- binaries -------------------------------------------------------------------------

find_bindir() {
	if [[ -n ${PG_BINDIR:-} ]]; then
		[[ -x $PG_BINDIR/initdb ]] || die "PG_BINDIR=$PG_BINDIR has no initdb"
		echo "$PG_BINDIR"
		return
	fi
	# A cluster's own major version first, then the newest installed.
	if [[ -n ${DATA_DIR:-} && -r $DATA_DIR/PG_VERSION ]]; then
		local v
		v=$(<"$DATA_DIR/PG_VERSION")
		[[ -x /usr/lib/postgresql/$v/bin/initdb ]] && { echo "/usr/lib/postgresql/$v/bin"; return; }
	fi
	local initdb
	initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1)
	[[ -n $initdb ]] && dirname "$initdb"
}

ensure_installed() {
	BINDIR=$(find_bindir || true)
	[[ -n $BINDIR ]] && return
	if ((!IS_ROOT)); then
		die "no PostgreSQL server installed (no /usr/lib/postgresql/*/bin/initdb); install it with: sudo apt-get install -y postgresql"
	fi
	local t0
	t0=$(now_ms)
	log "installing Debian's postgresql package (server binaries)"
	# Debian's package creates and starts a system cluster `main` on port 5432 on first
	# install; we don't need it, so on a machine that has never had the server, say no.
	if ! dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed" &&
		[[ ! -e /etc/postgresql-common/createcluster.d/lyceum-no-main-cluster.conf ]]; then
		mkdir -p /etc/postgresql-common/createcluster.d
		printf '# written by lyceum scripts/postgres/server.sh: no system cluster on install\ncreate_main_cluster = false\n' \
			>/etc/postgresql-common/createcluster.d/lyceum-no-main-cluster.conf
	fi
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
	"${apt[@]}" update -qq >&2 || die "apt-get update failed"
	"${apt[@]}" install -y -qq --no-install-recommends postgresql >&2 || die "apt-get install postgresql failed"
	BINDIR=$(find_bindir || true)
	[[ -n $BINDIR ]] || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
	log "installed $("$BINDIR/postgres" --version) in $(secs_since "$t0") s"
}

# --- server state ---------------------------------------------------------------------

# zombie_postmaster: is postmaster.pid's process killed but not yet reaped? (In a container
# whose PID 1 reaps slowly, a SIGKILLed postmaster lingers as a zombie, and both pg_ctl and
# postgres take it for a live server.)
zombie_postmaster() {
	local pid
	pid=$(head -n1 "$DATA_DIR/postmaster.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ && -r /proc/$pid/stat ]] || return 1
	[[ $(sed -E 's/^.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) == Z ]]
}

# running: is the postmaster of DATA_DIR alive? (pg_ctl status: 0 running, 3 not, 4 no dir)
running() {
	[[ -f $DATA_DIR/postmaster.pid ]] || return 1
	zombie_postmaster && return 1
	local bindir=${BINDIR:-$(find_bindir || true)}
	[[ -n $bindir ]] || return 1
	as_pg "$bindir/pg_ctl" status -D "$DATA_DIR" >/dev/null 2>&1
}

# The port the running server listens on (line 4 of postmaster.pid), else PG_PORT.
actual_port() {
	local p=""
	[[ -r $DATA_DIR/postmaster.pid ]] && p=$(sed -n 4p "$DATA_DIR/postmaster.pid" 2>/dev/null || true)
	[[ $p =~ ^[0-9]+$ ]] && echo "$p" || echo "$PG_PORT"
}

pg_url() { echo "postgres://$DB_USER:$DB_PASSWORD@$HOST:$1/$DB_NAME?sslmode=disable"; }

print_env() {
	local port=$1
	echo "PG_URL=$(pg_url "$port")"
	echo "PG_PORT=$port"
}

tail_log() {
	local f
	for f in "$@"; do
		[[ -s $f ]] || continue
		log "last lines of $f:"
		tail -n 30 "$f" | sed 's/^/    /' >&2
	done
}

port_taken() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

lock() {
	local lockfile="${PG_HOME_DIR%/}.lock"
	mkdir -p "$(dirname "$lockfile")"
	exec 9>"$lockfile"
	if ! flock -n 9; then
		log "waiting for another server.sh on $PG_HOME_DIR ($lockfile)"
		flock 9
	fi
}

admin_psql() {
	as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN_DIR" -p "$1" -U postgres -d postgres "${@:2}"
}

# --- commands -------------------------------------------------------------------------

init_cluster() {
	local t0
	t0=$(now_ms)
	if [[ -d $DATA_DIR ]]; then
		log "removing the unfinished cluster in $DATA_DIR (no PG_VERSION)"
		rm -rf "$DATA_DIR"
	fi
	local locale=(--no-locale)
	locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=(--locale=C.UTF-8)
	log "initdb $DATA_DIR ($("$BINDIR/postgres" --version | sed 's/^postgres (PostgreSQL) //'), as $RUN_AS)"
	as_pg "$BINDIR/initdb" -D "$DATA_DIR" -U postgres --encoding=UTF8 "${locale[@]}" \
		--auth-local=trust --auth-host=scram-sha-256 >"$STATE_DIR/initdb.log" 2>&1 ||
		{ tail_log "$STATE_DIR/initdb.log"; rm -rf "$DATA_DIR"; die "initdb failed"; }
	# Only 127.0.0.1 over TCP, with a password; the socket (in a 0700 dir) for admin work.
	cat >"$DATA_DIR/pg_hba.conf" <<-'EOF'
		# written by scripts/postgres/server.sh
		# TYPE  DATABASE  USER  ADDRESS       METHOD
		local   all       all                 trust
		host    all       all   127.0.0.1/32  scram-sha-256
	EOF
	printf "\n# scripts/postgres/server.sh rewrites lyceum.conf on every start\ninclude 'lyceum.conf'\n" >>"$DATA_DIR/postgresql.conf"
	if ((IS_ROOT)); then chown "$RUN_AS:" "$DATA_DIR/pg_hba.conf"; fi
	log "initdb done in $(secs_since "$t0") s"
}

write_conf() {
	cat >"$DATA_DIR/lyceum.conf" <<-EOF
		# written by scripts/postgres/server.sh on every start; edit the script, not this file
		listen_addresses = '$HOST'
		port = $PG_PORT
		unix_socket_directories = '$RUN_DIR'
		shared_buffers = $PG_SHARED_BUFFERS
		max_connections = 100
		password_encryption = scram-sha-256
		timezone = 'UTC'
		log_timezone = 'UTC'
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF
	if ((IS_ROOT)); then chown "$RUN_AS:" "$DATA_DIR/lyceum.conf"; fi
	return 0
}

ensure_role_and_db() {
	admin_psql "$1" <<-EOF || die "could not create role and database $DB_NAME"
		SELECT format('CREATE ROLE %I', '$DB_USER')
		 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \\gexec
		ALTER ROLE $DB_USER WITH LOGIN SUPERUSER PASSWORD '$DB_PASSWORD';
		SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
		 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \\gexec
	EOF
}

wait_ready() {
	local port=$1 deadline=$((SECONDS + PG_START_TIMEOUT))
	until "$BINDIR/pg_isready" -q -h "$HOST" -p "$port" -d postgres -t 2; do
		((SECONDS < deadline)) || { tail_log "$LOG_FILE"; die "server not ready on $HOST:$port after ${PG_START_TIMEOUT}s"; }
		sleep 0.2
	done
}

cmd_start() {
	lock
	ensure_installed
	resolve_state create
	BINDIR=$(find_bindir) # the cluster's own version, if it has one
	local t0 port
	t0=$(now_ms)

	if [[ -f $DATA_DIR/PG_VERSION ]]; then
		local have want
		have=$(<"$DATA_DIR/PG_VERSION")
		want=$("$BINDIR/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')
		[[ $have == "$want" ]] || die "the cluster in $DATA_DIR is PostgreSQL $have, but only $want is installed; run '$0 wipe'"
	fi

	if running; then
		port=$(actual_port)
		[[ $port == "$PG_PORT" ]] || log "already running on port $port (not PG_PORT=$PG_PORT); stop it to change the port"
		log "already running (pid $(head -n1 "$DATA_DIR/postmaster.pid"), port $port)"
	else
		port=$PG_PORT
		if port_taken "$port"; then
			die "port $HOST:$port is in use by another program (another checkout's server?); set PG_PORT to a free port"
		fi
		[[ -f $DATA_DIR/PG_VERSION ]] || init_cluster
		write_conf
		mkdir -p "$RUN_DIR"
		if ((IS_ROOT)); then chown "$RUN_AS:" "$RUN_DIR"; fi
		chmod 0700 "$RUN_DIR"
		touch "$LOG_FILE"
		if ((IS_ROOT)); then chown "$RUN_AS:" "$LOG_FILE"; fi
		local waited=0
		while zombie_postmaster && ((waited++ < 100)); do sleep 0.1; done
		log "starting on $HOST:$port (data $DATA_DIR, log $LOG_FILE)"
		if ! as_pg "$BINDIR/pg_ctl" start -D "$DATA_DIR" -l "$LOG_FILE" -w -t "$PG_START_TIMEOUT" -s >&2; then
			tail_log "$LOG_FILE"
			die "pg_ctl start failed"
		fi
	fi
	wait_ready "$port"
	ensure_role_and_db "$port"
	log "ready on $HOST:$port in $(secs_since "$t0") s"
	print_env "$port"
}

cmd_stop() {
	lock
	resolve_state
	BINDIR=$(find_bindir || true)
	if ! running; then
		log "not running"
		return 0
	fi
	local t0
	t0=$(now_ms)
	as_pg "$BINDIR/pg_ctl" stop -D "$DATA_DIR" -m fast -w -t 60 -s >&2 || { tail_log "$LOG_FILE"; die "pg_ctl stop failed"; }
	log "stopped in $(secs_since "$t0") s"
}

cmd_status() {
	resolve_state
	BINDIR=$(find_bindir || true)
	if running; then
		local port
		port=$(actual_port)
		echo "running: pid $(head -n1 "$DATA_DIR/postmaster.pid"), $HOST:$port, $("$BINDIR/postgres" --version)"
		echo "data: $DATA_DIR (as $(stat -c %U "$DATA_DIR")), log: $LOG_FILE"
		if "$BINDIR/pg_isready" -q -h "$HOST" -p "$port" -t 2; then echo "accepting connections"; else echo "not accepting connections"; fi
	else
		echo "not running (state: $STATE_DIR$([[ -d $DATA_DIR ]] || echo ', no cluster'))"
		exit 3
	fi
}

cmd_wipe() {
	lock
	resolve_state
	BINDIR=$(find_bindir || true)
	if running; then
		as_pg "$BINDIR/pg_ctl" stop -D "$DATA_DIR" -m immediate -w -t 30 -s >&2 || true
		if running; then
			local pid
			pid=$(head -n1 "$DATA_DIR/postmaster.pid")
			log "killing postmaster $pid"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	local d
	for d in "$STATE_DIR" "$FALLBACK_DIR" "/var/tmp/lyceum-postgres-run-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"; do
		[[ -e $d ]] && rm -rf "$d"
	done
	[[ -L $PG_HOME_DIR ]] && rm -f "$PG_HOME_DIR"
	[[ -d $PG_HOME_DIR ]] && rm -rf "$PG_HOME_DIR"
	log "wiped $PG_HOME_DIR"
}

cmd_env() {
	resolve_state
	local port=$PG_PORT
	running && port=$(actual_port)
	print_env "$port"
}

cmd_url() {
	resolve_state
	BINDIR=$(find_bindir || true)
	running || { log "not running"; exit 3; }
	local port
	port=$(actual_port)
	"$BINDIR/pg_isready" -q -h "$HOST" -p "$port" -t 2 || { log "not accepting connections on $HOST:$port"; exit 3; }
	pg_url "$port"
}

cmd_psql() {
	resolve_state
	BINDIR=$(find_bindir || true)
	running || die "not running; start it with $0 start"
	local psql=psql
	[[ -n $BINDIR && -x $BINDIR/psql ]] && psql=$BINDIR/psql
	exec "$psql" "$(pg_url "$(actual_port)")" "$@"
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}
shift || true
case $cmd in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
wipe) cmd_wipe ;;
env) cmd_env ;;
url) cmd_url ;;
psql) cmd_psql "$@" ;;
*) usage ;;
esac
