#!/usr/bin/env bash
# Run a real Apache Cassandra (1 or 3 nodes on 127.0.0.1-3) from Maven Central's jars on
# the machine's JDK 17. No Docker, no tarball. See docs/cassandra-dev.md.
#
#   cluster.sh start 1|3        fetch if needed, start the nodes one at a time, wait until
#                               every node sees every other node UP and NORMAL (idempotent)
#   cluster.sh stop             stop all nodes (SIGTERM, SIGKILL after CASSANDRA_STOP_TIMEOUT)
#   cluster.sh node-start N     start node N again (keeps its data), wait until the cluster is up
#   cluster.sh node-stop N      graceful stop of node N
#   cluster.sh node-kill N      SIGKILL node N (failure tests)
#   cluster.sh status           pids, then `nodetool status` from a running node
#   cluster.sh wipe             SIGKILL every node and delete the state dir
#   cluster.sh env              print the KEY=VALUE lines `start` prints (no side effects)
#   cluster.sh fetch            only fetch the jars; prints the classpath file
#   cluster.sh nodetool N ARGS  run nodetool against node N (e.g. `nodetool 1 ring`)
#
# stdout carries only machine-readable KEY=VALUE lines (start, env); progress goes to stderr.
#
# Environment (defaults in brackets):
#   CASSANDRA_VERSION        [5.0.9] org.apache.cassandra:cassandra-all version
#   CASSANDRA_HOME_DIR       [<repo>/.cache/cassandra-cluster] state dir: conf, data, logs, pids
#   CASSANDRA_CACHE_DIR      [<repo>/.cache/cassandra] jars, by version
#   CASSANDRA_DC             [dc1] data center name (GossipingPropertyFileSnitch)
#   CASSANDRA_RACK           [rack1]
#   CASSANDRA_COMMITLOG_SYNC [periodic] periodic | batch | group (see docs/cassandra-dev.md)
#   CASSANDRA_AUTH           [none] none | password (PasswordAuthenticator, cassandra/cassandra)
#   CASSANDRA_CLUSTER_NAME   [lyceum-dev]
#   CASSANDRA_IP_PREFIX      [127.0.0.] node N listens on ${prefix}N
#   CASSANDRA_NATIVE_PORT    [9042] CQL port, the same on every node's address
#   CASSANDRA_STORAGE_PORT   [7000] inter-node port, the same on every node's address
#   CASSANDRA_JMX_PORT_BASE  [7199] node N's JMX (local only) is base + 100*(N-1)
#   CASSANDRA_HEAP_MIN/MAX   [256m/512m] per node
#   CASSANDRA_RING_DELAY_MS  [2000]
#   CASSANDRA_START_TIMEOUT  [600] seconds per node
#   CASSANDRA_STOP_TIMEOUT   [60] seconds before SIGKILL
#   CASSANDRA_JVM_EXTRA_OPTS [] appended to the JVM command line
#   CASSANDRA_JAVA           [JDK 17's java]
set -euo pipefail
set +m

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"
CASSANDRA_HOME_DIR="${CASSANDRA_HOME_DIR:-$REPO_ROOT/.cache/cassandra-cluster}"
CASSANDRA_CACHE_DIR="${CASSANDRA_CACHE_DIR:-$REPO_ROOT/.cache/cassandra}"
CASSANDRA_DC="${CASSANDRA_DC:-dc1}"
CASSANDRA_RACK="${CASSANDRA_RACK:-rack1}"
CASSANDRA_COMMITLOG_SYNC="${CASSANDRA_COMMITLOG_SYNC:-periodic}"
CASSANDRA_AUTH="${CASSANDRA_AUTH:-none}"
CASSANDRA_CLUSTER_NAME="${CASSANDRA_CLUSTER_NAME:-lyceum-dev}"
CASSANDRA_IP_PREFIX="${CASSANDRA_IP_PREFIX:-127.0.0.}"
CASSANDRA_NATIVE_PORT="${CASSANDRA_NATIVE_PORT:-9042}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_JMX_PORT_BASE="${CASSANDRA_JMX_PORT_BASE:-7199}"
CASSANDRA_HEAP_MIN="${CASSANDRA_HEAP_MIN:-256m}"
CASSANDRA_HEAP_MAX="${CASSANDRA_HEAP_MAX:-512m}"
CASSANDRA_RING_DELAY_MS="${CASSANDRA_RING_DELAY_MS:-2000}"
CASSANDRA_START_TIMEOUT="${CASSANDRA_START_TIMEOUT:-600}"
CASSANDRA_STOP_TIMEOUT="${CASSANDRA_STOP_TIMEOUT:-60}"
CASSANDRA_JVM_EXTRA_OPTS="${CASSANDRA_JVM_EXTRA_OPTS:-}"

MAX_NODES=3
VERSION_DIR="$CASSANDRA_CACHE_DIR/$CASSANDRA_VERSION"
LIB_DIR="$VERSION_DIR/lib"
CLASSPATH_FILE="$VERSION_DIR/classpath.txt"
LOCK_FILE="${CASSANDRA_HOME_DIR%/}.lock"
CLUSTER_ENV="$CASSANDRA_HOME_DIR/cluster.env"

log() { printf '[cassandra %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { local t0=$1; local t1; t1=$(now_ms); printf '%d.%01d' $(((t1 - t0) / 1000)) $((((t1 - t0) % 1000) / 100)); }

node_ip() { echo "${CASSANDRA_IP_PREFIX}$1"; }
node_dir() { echo "$CASSANDRA_HOME_DIR/node$1"; }
node_jmx() { echo $((CASSANDRA_JMX_PORT_BASE + 100 * ($1 - 1))); }
pid_file() { echo "$(node_dir "$1")/cassandra.pid"; }

check_node_arg() {
  [[ "${1:-}" =~ ^[1-9]$ ]] && (("$1" <= MAX_NODES)) || die "node must be 1..$MAX_NODES, got '${1:-}'"
}

# ---------------------------------------------------------------- tools

apt_install() {
  command -v apt-get >/dev/null || die "need $* but apt-get is not available; install it by hand"
  [ "$(id -u)" = 0 ] || die "need $* (apt-get install -y $*) but not root"
  log "installing $* with apt-get"
  if [ -z "${_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

find_java() {
  if [ -n "${CASSANDRA_JAVA:-}" ]; then JAVA="$CASSANDRA_JAVA"; return; fi
  local c
  for c in /usr/lib/jvm/java-17-openjdk-*/bin/java "$(command -v java 2>/dev/null || true)"; do
    if [ -x "$c" ] && [ "$(java_major "$c")" = 17 ]; then JAVA="$c"; return; fi
  done
  apt_install openjdk-17-jdk-headless
  for c in /usr/lib/jvm/java-17-openjdk-*/bin/java; do
    if [ -x "$c" ]; then JAVA="$c"; return; fi
  done
  die "no JDK 17 found after installing openjdk-17-jdk-headless"
}

ensure_tools() {
  find_java
  if ! command -v mvn >/dev/null && [ ! -f "$CLASSPATH_FILE" ]; then apt_install maven; fi
  command -v flock >/dev/null || apt_install util-linux
}

# ---------------------------------------------------------------- fetch

# Resolves cassandra-all and its runtime dependencies from Maven Central into
# $LIB_DIR and writes the classpath (cassandra-all first) to $CLASSPATH_FILE.
fetch() {
  [ -f "$CLASSPATH_FILE" ] && return 0
  mkdir -p "$VERSION_DIR"
  exec 8>"$VERSION_DIR/.fetch.lock"
  flock 8
  if [ -f "$CLASSPATH_FILE" ]; then exec 8>&-; return 0; fi
  command -v mvn >/dev/null || apt_install maven
  local t0; t0=$(now_ms)
  log "fetching org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION and dependencies with Maven"
  sed "s/@CASSANDRA_VERSION@/$CASSANDRA_VERSION/" "$SCRIPT_DIR/pom.xml" >"$VERSION_DIR/pom.xml"
  rm -rf "$LIB_DIR.tmp"
  if ! mvn -B -q -f "$VERSION_DIR/pom.xml" ${CASSANDRA_MAVEN_OPTS:-} \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB_DIR.tmp" \
      >"$VERSION_DIR/fetch.log" 2>&1; then
    tail -n 40 "$VERSION_DIR/fetch.log" >&2
    die "maven could not fetch cassandra-all:$CASSANDRA_VERSION (log: $VERSION_DIR/fetch.log)"
  fi
  rm -rf "$LIB_DIR"
  mv "$LIB_DIR.tmp" "$LIB_DIR"
  local main="$LIB_DIR/cassandra-all-$CASSANDRA_VERSION.jar"
  [ -f "$main" ] || die "maven did not produce $main"
  { echo -n "$main"; find "$LIB_DIR" -name '*.jar' ! -name "cassandra-all-*" | sort | sed 's/^/:/' | tr -d '\n'; echo; } \
    >"$CLASSPATH_FILE.tmp"
  mv "$CLASSPATH_FILE.tmp" "$CLASSPATH_FILE"
  log "fetched $(ls "$LIB_DIR" | wc -l) jars ($(du -sh "$LIB_DIR" | cut -f1)) in $(secs_since "$t0")s"
  exec 8>&-
}

classpath() { cat "$CLASSPATH_FILE"; }

# ---------------------------------------------------------------- config

# Cluster-wide settings fixed at creation (a node's DC cannot change once it has data).
load_cluster_env() {
  CLUSTER_NODES=0
  if [ -f "$CLUSTER_ENV" ]; then
    # shellcheck disable=SC1090
    . "$CLUSTER_ENV"
    if [ "${CLUSTER_DC}" != "$CASSANDRA_DC" ] || [ "${CLUSTER_AUTH}" != "$CASSANDRA_AUTH" ] ||
       [ "${CLUSTER_IP_PREFIX}" != "$CASSANDRA_IP_PREFIX" ]; then
      die "state dir $CASSANDRA_HOME_DIR was created with DC=$CLUSTER_DC AUTH=$CLUSTER_AUTH IP_PREFIX=$CLUSTER_IP_PREFIX; run '$0 wipe' to change them"
    fi
  fi
}

save_cluster_env() {
  mkdir -p "$CASSANDRA_HOME_DIR"
  cat >"$CLUSTER_ENV" <<EOF
CLUSTER_NODES=$1
CLUSTER_DC=$CASSANDRA_DC
CLUSTER_AUTH=$CASSANDRA_AUTH
CLUSTER_IP_PREFIX=$CASSANDRA_IP_PREFIX
EOF
}

write_node_config() {
  local n=$1 dir; dir=$(node_dir "$n")
  mkdir -p "$dir/conf/triggers" "$dir/data" "$dir/logs"
  local ip; ip=$(node_ip "$n")
  local sync_lines
  case "$CASSANDRA_COMMITLOG_SYNC" in
    periodic) sync_lines=$'commitlog_sync: periodic\ncommitlog_sync_period: 10000ms' ;;
    batch) sync_lines=$'commitlog_sync: batch' ;;
    group) sync_lines=$'commitlog_sync: group\ncommitlog_sync_group_window: 15ms' ;;
    *) die "CASSANDRA_COMMITLOG_SYNC must be periodic, batch or group, got '$CASSANDRA_COMMITLOG_SYNC'" ;;
  esac
  local authn=AllowAllAuthenticator authz=AllowAllAuthorizer
  case "$CASSANDRA_AUTH" in
    none) ;;
    password) authn=PasswordAuthenticator authz=CassandraAuthorizer ;;
    *) die "CASSANDRA_AUTH must be none or password, got '$CASSANDRA_AUTH'" ;;
  esac
  cat >"$dir/conf/cassandra.yaml" <<EOF
# Generated by scripts/cassandra/cluster.sh for node $n; rewritten on every start.
# Anything not set here takes the default of Cassandra $CASSANDRA_VERSION's Config class.
cluster_name: '$CASSANDRA_CLUSTER_NAME'
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
num_tokens: 16
allocate_tokens_for_local_replication_factor: 3

seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$(node_ip 1):$CASSANDRA_STORAGE_PORT"
listen_address: $ip
rpc_address: $ip
storage_port: $CASSANDRA_STORAGE_PORT
native_transport_port: $CASSANDRA_NATIVE_PORT
start_native_transport: true
endpoint_snitch: GossipingPropertyFileSnitch
dynamic_snitch: true
# A starting node waits this long for connections to its peers before serving (default
# 10 s). When the whole cluster restarts one node at a time the peers are all down, so the
# first node would always wait the full time; cluster.sh waits for the peers itself.
block_for_peers_timeout_in_secs: 2

data_file_directories:
  - $dir/data/data
commitlog_directory: $dir/data/commitlog
saved_caches_directory: $dir/data/saved_caches
hints_directory: $dir/data/hints
cdc_raw_directory: $dir/data/cdc_raw

# Durability: see docs/cassandra-dev.md. legacy = memory-mapped segments for an
# uncompressed commit log: a mutation is in the kernel's page cache before it is
# acknowledged, so SIGKILL of the JVM loses nothing even with periodic sync.
$sync_lines
commitlog_disk_access_mode: legacy
commitlog_segment_size: 16MiB
commitlog_total_space: 256MiB
hinted_handoff_enabled: true
max_hint_window: 3h

authenticator: $authn
authorizer: $authz
role_manager: CassandraRoleManager

# Small footprint for 3 nodes on a 2-core dev machine.
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
memtable_flush_writers: 1
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
concurrent_materialized_view_writes: 4
concurrent_compactors: 1
compaction_throughput: 64MiB/s
key_cache_size: 8MiB
counter_cache_size: 2MiB
file_cache_size: 32MiB
networking_cache_size: 16MiB
index_summary_capacity: 8MiB
native_transport_max_threads: 32

# Development/test cluster: no snapshots on truncate/drop (they slow tests and fill disk).
auto_snapshot: false
snapshot_before_compaction: false

# Generous timeouts: 3 JVMs and the test suite share 2 cores.
read_request_timeout: 5000ms
range_request_timeout: 10000ms
write_request_timeout: 5000ms
counter_write_request_timeout: 5000ms
cas_contention_timeout: 5000ms
truncate_request_timeout: 60000ms
request_timeout: 10000ms
EOF
  cat >"$dir/conf/cassandra-rackdc.properties" <<EOF
dc=$CASSANDRA_DC
rack=$CASSANDRA_RACK
prefer_local=true
EOF
  cat >"$dir/conf/logback.xml" <<'EOF'
<configuration scan="false">
  <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>${cassandra.logdir}/system.log</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
      <fileNamePattern>${cassandra.logdir}/system.log.%i.zip</fileNamePattern>
      <minIndex>1</minIndex>
      <maxIndex>3</maxIndex>
    </rollingPolicy>
    <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
      <maxFileSize>20MB</maxFileSize>
    </triggeringPolicy>
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
    </encoder>
  </appender>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
      <level>WARN</level>
    </filter>
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
    </encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="SYSTEMLOG"/>
    <appender-ref ref="STDOUT"/>
  </root>
  <logger name="org.apache.cassandra" level="INFO"/>
</configuration>
EOF
}

# ---------------------------------------------------------------- processes

node_pid() { # prints the pid of node N if it is running (and is really that node)
  local f; f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  local pid; pid=$(cat "$f" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  local cmdline; cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  grep -qxF -- "-Dlyceum.cassandra.node=$(node_dir "$1")" <<<"$cmdline" || return 1
  echo "$pid"
}

is_running() { node_pid "$1" >/dev/null; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

node_log_tail() {
  local n=$1 dir; dir=$(node_dir "$n")
  log "---- last lines of node $n's system.log ($dir/logs/system.log) ----"
  tail -n "${2:-40}" "$dir/logs/system.log" >&2 2>/dev/null || true
  if [ -s "$dir/logs/stdout.log" ]; then
    log "---- last lines of node $n's stdout.log ----"
    tail -n 20 "$dir/logs/stdout.log" >&2 || true
  fi
}

jvm_server_opts() {
  grep -E '^-' "$SCRIPT_DIR/jvm-server.options"
}

launch_node() {
  local n=$1 dir ip jmx jamm
  dir=$(node_dir "$n"); ip=$(node_ip "$n"); jmx=$(node_jmx "$n")
  if port_open "$ip" "$CASSANDRA_NATIVE_PORT" || port_open "$ip" "$CASSANDRA_STORAGE_PORT"; then
    die "$ip:$CASSANDRA_NATIVE_PORT or :$CASSANDRA_STORAGE_PORT is already in use by a process that is not node $n of $CASSANDRA_HOME_DIR (another cluster? set CASSANDRA_IP_PREFIX)"
  fi
  if port_open 127.0.0.1 "$jmx"; then
    die "JMX port $jmx is already in use (another cluster? set CASSANDRA_JMX_PORT_BASE)"
  fi
  write_node_config "$n"
  jamm=$(ls "$LIB_DIR"/jamm-*.jar | head -1)
  local -a opts
  mapfile -t opts < <(jvm_server_opts)
  opts+=(
    "-Xms$CASSANDRA_HEAP_MIN" "-Xmx$CASSANDRA_HEAP_MAX"
    "-XX:HeapDumpPath=$dir/logs"
    "-Xlog:gc=info:file=$dir/logs/gc.log:time,uptime:filecount=3,filesize=5m"
    "-javaagent:$jamm"
    "-Dcassandra.jmx.local.port=$jmx"
    "-Dcassandra.config=file://$dir/conf/cassandra.yaml"
    "-Dcassandra-rackdc.properties=file://$dir/conf/cassandra-rackdc.properties"
    "-Dlogback.configurationFile=file://$dir/conf/logback.xml"
    "-Dcassandra.logdir=$dir/logs"
    "-Dcassandra.storagedir=$dir/data"
    "-Dcassandra-foreground=yes"
    "-Dcassandra.triggers_dir=$dir/conf/triggers"
    # Faster start for a local cluster: don't wait for gossip to settle, short ring delay
    # (nodes bootstrap one at a time and gossip over loopback in well under a second).
    "-Dcassandra.skip_wait_for_gossip_to_settle=0"
    "-Dcassandra.ring_delay_ms=$CASSANDRA_RING_DELAY_MS"
    "-Dcassandra.superuser_setup_delay_ms=1000"
    # On SIGTERM the node tells its peers it is shutting down, then waits this long
    # (default 2000 ms) for the news to spread; loopback gossip needs far less.
    "-Dcassandra.shutdown_announce_in_ms=500"
    "-Dlyceum.cassandra.node=$dir"
  )
  # shellcheck disable=SC2206
  [ -n "$CASSANDRA_JVM_EXTRA_OPTS" ] && opts+=($CASSANDRA_JVM_EXTRA_OPTS)
  # Remember where this start's log begins, to look only at lines written since.
  local off=0
  [ -f "$dir/logs/system.log" ] && off=$(stat -c %s "$dir/logs/system.log")
  echo "$off" >"$dir/logs/.start_offset"
  mark_peer_logs "$n"
  {
    echo "==== $(date -Is) starting node $n: $JAVA"
    printf '%s\n' "${opts[@]}"
  } >"$dir/logs/stdout.log"
  # setsid: the node outlives the shell (and the test binary) that started it.
  # Without job control a background child is not a group leader, so setsid execs
  # in place and $! is the JVM's pid.
  MALLOC_ARENA_MAX=4 setsid "$JAVA" "${opts[@]}" -cp "$(classpath)" \
    org.apache.cassandra.service.CassandraDaemon </dev/null >>"$dir/logs/stdout.log" 2>&1 8>&- 9>&- &
  echo $! >"$(pid_file "$n")"
}

# Peers' gossip lines about node P count only after this mark (set when P is started,
# stopped or killed), so an old "is now UP" from before a restart is not taken as news.
mark_peer_logs() {
  local p=$1 n f
  for n in $(seq 1 $MAX_NODES); do
    [ "$n" = "$p" ] && continue
    f="$(node_dir "$n")/logs/system.log"
    [ -f "$f" ] && stat -c %s "$f" >"$(node_dir "$n")/logs/.mark_$p"
  done
  return 0
}

# Lines of node N's system.log after its own last start and after the mark for peer P.
log_about() {
  local n=$1 p=${2:-} dir off mark=0
  dir=$(node_dir "$n")
  off=$(cat "$dir/logs/.start_offset" 2>/dev/null || echo 0)
  [ -n "$p" ] && mark=$(cat "$dir/logs/.mark_$p" 2>/dev/null || echo 0)
  ((mark > off)) && off=$mark
  tail -c +"$((off + 1))" "$dir/logs/system.log" 2>/dev/null || true
}

# Waits until node N accepts CQL (CassandraDaemon opens the native port only after the
# node has joined the ring, i.e. is NORMAL).
wait_node_cql() {
  local n=$1 ip t0 deadline
  ip=$(node_ip "$n"); t0=$(now_ms); deadline=$((SECONDS + CASSANDRA_START_TIMEOUT))
  while ! port_open "$ip" "$CASSANDRA_NATIVE_PORT"; do
    if ! is_running "$n"; then
      node_log_tail "$n"
      die "node $n exited during start-up"
    fi
    if ((SECONDS > deadline)); then
      node_log_tail "$n"
      die "node $n did not open $ip:$CASSANDRA_NATIVE_PORT within ${CASSANDRA_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "node $n is up ($ip:$CASSANDRA_NATIVE_PORT) after $(secs_since "$t0")s"
}

# Last gossip verdict (UP or DOWN) about peer P in node N's log, since the marks.
peer_state() {
  local n=$1 p=$2 pat last
  pat="/$(node_ip "$p" | sed 's/\./\\./g'):$CASSANDRA_STORAGE_PORT is now (UP|DOWN)"
  last=$(log_about "$n" "$p" | grep -oE "$pat" | tail -1) || true
  echo "${last##* }"
}
sees_up() { [ "$(peer_state "$1" "$2")" = UP ]; }

# Waits until every other running node has marked node P DOWN (gossip failure detection;
# after SIGKILL this takes the phi failure detector ~10-20 s).
wait_seen_down() {
  local p=$1 n t0 deadline
  t0=$(now_ms); deadline=$((SECONDS + CASSANDRA_START_TIMEOUT))
  for n in $(seq 1 $MAX_NODES); do
    [ "$n" = "$p" ] && continue
    is_running "$n" || continue
    until [ "$(peer_state "$n" "$p")" = DOWN ]; do
      ((SECONDS > deadline)) && die "node $n does not see node $p DOWN after ${CASSANDRA_START_TIMEOUT}s"
      is_running "$n" || break
      sleep 0.5
    done
  done
  log "the other nodes see node $p DOWN after $(secs_since "$t0")s"
}

# Waits until every running node sees every other running node UP (from the gossip lines
# in the logs: no JVM per poll), then confirms with one `nodetool status`.
wait_cluster_up() {
  local -a up=()
  local n p deadline ok
  for n in $(seq 1 $MAX_NODES); do is_running "$n" && up+=("$n"); done
  [ ${#up[@]} -gt 0 ] || die "no node is running"
  deadline=$((SECONDS + CASSANDRA_START_TIMEOUT))
  while :; do
    ok=1
    for n in "${up[@]}"; do
      is_running "$n" || { node_log_tail "$n"; die "node $n exited"; }
      for p in "${up[@]}"; do
        [ "$n" = "$p" ] && continue
        sees_up "$n" "$p" || { ok=0; break 2; }
      done
    done
    [ $ok = 1 ] && break
    ((SECONDS > deadline)) && die "nodes ${up[*]} do not all see each other UP after ${CASSANDRA_START_TIMEOUT}s"
    sleep 0.5
  done
  # Confirm UN (Up/Normal) for all running nodes, as seen by the first one. Each try is a
  # JVM start (~1 s of CPU), so only a few tries.
  local out count try
  for try in 1 2 3 4 5 6; do
    out=$(nodetool "${up[0]}" status 2>&1) || true
    count=$(grep -cE "^UN +${CASSANDRA_IP_PREFIX//./\\.}[0-9]+ " <<<"$out" || true)
    [ "$count" -ge ${#up[@]} ] && break
    [ $try = 6 ] && { echo "$out" >&2; die "nodetool status shows $count of ${#up[@]} nodes UN"; }
    sleep 2
  done
  echo "$out" >&2
}

start_one() { # starts node N if it is not running; returns 0 if it had to start it
  local n=$1
  if is_running "$n"; then
    log "node $n already running (pid $(node_pid "$n"))"
    return 1
  fi
  log "starting node $n on $(node_ip "$n") (jmx $(node_jmx "$n"), heap $CASSANDRA_HEAP_MIN..$CASSANDRA_HEAP_MAX, commitlog_sync $CASSANDRA_COMMITLOG_SYNC)"
  launch_node "$n"
  wait_node_cql "$n"
  return 0
}

stop_nodes() { # stop_nodes SIGNAL N...
  local sig=$1; shift
  local n pid deadline
  local -a pids=()
  for n in "$@"; do
    if pid=$(node_pid "$n"); then
      log "sending SIG$sig to node $n (pid $pid)"
      mark_peer_logs "$n"
      kill "-$sig" "$pid" 2>/dev/null || true
      pids+=("$n:$pid")
    fi
  done
  deadline=$((SECONDS + CASSANDRA_STOP_TIMEOUT))
  local t0; t0=$(now_ms)
  for np in "${pids[@]}"; do
    n=${np%%:*}; pid=${np#*:}
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS > deadline)); then
        log "node $n (pid $pid) still running after ${CASSANDRA_STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.2
    done
    rm -f "$(pid_file "$n")"
  done
  [ ${#pids[@]} -gt 0 ] && log "stopped node(s) ${pids[*]%%:*} in $(secs_since "$t0")s"
  return 0
}

print_env() {
  local n count=${1:-} cps=()
  [ -n "$count" ] || { load_cluster_env; count=$CLUSTER_NODES; }
  for n in $(seq 1 "$count"); do cps+=("$(node_ip "$n"):$CASSANDRA_NATIVE_PORT"); done
  local IFS=,
  echo "CASSANDRA_CONTACT_POINTS=${cps[*]}"
  echo "CASSANDRA_HOSTS=${cps[*]%:*}"
  echo "CASSANDRA_PORT=$CASSANDRA_NATIVE_PORT"
  echo "CASSANDRA_DC=$CASSANDRA_DC"
  echo "CASSANDRA_NODES=$count"
  if [ "$CASSANDRA_AUTH" = password ]; then
    echo "CASSANDRA_USERNAME=cassandra"
    echo "CASSANDRA_PASSWORD=cassandra"
  fi
}

# With CASSANDRA_AUTH=password: wait until the default superuser exists, and give
# system_auth the same replication as the application data (RF 3 in the DC on 3 nodes), so
# that logging in survives the loss of one node.
setup_auth() {
  local count=$1 deadline=$((SECONDS + 60)) rf marker
  until grep -qs "Created default superuser role" "$CASSANDRA_HOME_DIR"/node*/logs/system.log; do
    if ((SECONDS > deadline)); then log "WARNING: no node logged the creation of the default superuser"; break; fi
    sleep 0.5
  done
  rf=$count; ((rf > 3)) && rf=3
  marker="$CASSANDRA_HOME_DIR/.system_auth_rf$rf"
  [ -f "$marker" ] && return 0
  log "system_auth: NetworkTopologyStrategy $CASSANDRA_DC:$rf, then repair"
  CASSANDRA_HOME_DIR="$CASSANDRA_HOME_DIR" "$SCRIPT_DIR/cql.sh" -c QUORUM \
    "ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', '$CASSANDRA_DC': $rf}" >&2 ||
    die "could not alter system_auth"
  if ((rf > 1)); then
    nodetool 1 repair --full system_auth >&2 || die "repair of system_auth failed"
  fi
  touch "$marker"
}

# ---------------------------------------------------------------- nodetool

nodetool() { # nodetool N ARGS...
  local n=$1; shift
  local -a opts
  mapfile -t opts < <(grep -E '^-' "$SCRIPT_DIR/jvm-clients.options")
  "$JAVA" "${opts[@]}" \
    -Dlogback.configurationFile="file://$SCRIPT_DIR/logback-tools.xml" \
    -Dcassandra.storagedir="$CASSANDRA_HOME_DIR/tools" \
    -cp "$(classpath)" org.apache.cassandra.tools.NodeTool \
    -h 127.0.0.1 -p "$(node_jmx "$n")" "$@"
}

# ---------------------------------------------------------------- commands

with_lock() {
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  if ! flock -n 9; then
    log "waiting for another cluster.sh on $CASSANDRA_HOME_DIR to finish"
    flock 9
  fi
}

cmd_start() {
  local count=${1:-}
  [[ "$count" =~ ^[13]$ ]] || die "usage: $0 start 1|3"
  ensure_tools; with_lock; fetch; load_cluster_env
  if ((CLUSTER_NODES > count)); then
    die "state dir $CASSANDRA_HOME_DIR holds a $CLUSTER_NODES-node cluster; use 'start $CLUSTER_NODES' or 'wipe' first"
  fi
  local t0 n started=0; t0=$(now_ms)
  save_cluster_env "$count"
  # One node at a time: a new node bootstraps (takes its token ranges and streams) only
  # while no other node is joining.
  for n in $(seq 1 "$count"); do
    if start_one "$n"; then started=1; fi
  done
  wait_cluster_up
  [ "$CASSANDRA_AUTH" = password ] && setup_auth "$count"
  if [ $started = 1 ]; then
    log "cluster of $count node(s) up in $(secs_since "$t0")s"
  fi
  print_env "$count"
}

cmd_node_start() {
  check_node_arg "${1:-}"
  ensure_tools; with_lock; fetch; load_cluster_env
  (("$1" <= CLUSTER_NODES)) || die "node $1 is not part of the cluster in $CASSANDRA_HOME_DIR (it has $CLUSTER_NODES nodes)"
  local t0; t0=$(now_ms)
  start_one "$1" || true
  wait_cluster_up
  log "node $1 up and cluster healthy in $(secs_since "$t0")s"
}

cmd_stop() {
  ensure_tools; with_lock
  stop_nodes TERM $(seq 1 $MAX_NODES)
}

# node-stop / node-kill return once the other nodes have marked the node DOWN, so a test
# can go on knowing coordinators route around it (CASSANDRA_WAIT_DOWN=0: return at once).
cmd_node_stop() {
  check_node_arg "${1:-}"; ensure_tools; with_lock
  local was=; is_running "$1" && was=1
  stop_nodes TERM "$1"
  [ -n "$was" ] && [ "${CASSANDRA_WAIT_DOWN:-1}" = 1 ] && wait_seen_down "$1"
  return 0
}
cmd_node_kill() {
  check_node_arg "${1:-}"; ensure_tools; with_lock
  local was=; is_running "$1" && was=1
  stop_nodes KILL "$1"
  [ -n "$was" ] && [ "${CASSANDRA_WAIT_DOWN:-1}" = 1 ] && wait_seen_down "$1"
  return 0
}

cmd_status() {
  find_java
  local n pid any=
  load_cluster_env
  for n in $(seq 1 $MAX_NODES); do
    [ -d "$(node_dir "$n")" ] || continue
    if pid=$(node_pid "$n"); then
      local rss; rss=$(awk '/VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$pid/status")
      echo "node $n  $(node_ip "$n")  running  pid $pid  rss $rss  jmx $(node_jmx "$n")"
      [ -n "$any" ] || any=$n
    else
      echo "node $n  $(node_ip "$n")  stopped"
    fi
  done
  if [ -n "$any" ]; then
    [ -f "$CLASSPATH_FILE" ] || die "no classpath at $CLASSPATH_FILE"
    nodetool "$any" status
  else
    echo "no node running (state dir $CASSANDRA_HOME_DIR)"
    return 3
  fi
}

cmd_wipe() {
  ensure_tools; with_lock
  stop_nodes KILL $(seq 1 $MAX_NODES)
  rm -rf "$CASSANDRA_HOME_DIR"
  log "wiped $CASSANDRA_HOME_DIR"
}

main() {
  local cmd=${1:-}; shift || true
  case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    node-start) cmd_node_start "$@" ;;
    node-stop) cmd_node_stop "$@" ;;
    node-kill) cmd_node_kill "$@" ;;
    status) cmd_status ;;
    wipe) cmd_wipe ;;
    env) print_env ;;
    fetch) ensure_tools; fetch; echo "CASSANDRA_CLASSPATH_FILE=$CLASSPATH_FILE" ;;
    nodetool) check_node_arg "${1:-}"; find_java; [ -f "$CLASSPATH_FILE" ] || die "run '$0 fetch' first"; nodetool "$@" ;;
    classpath) [ -f "$CLASSPATH_FILE" ] || die "run '$0 fetch' first"; classpath ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
