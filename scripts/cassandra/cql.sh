#!/usr/bin/env bash
# Run CQL against the local cluster (no Python cqlsh needed): prints rows tab-separated.
#
#   scripts/cassandra/cql.sh [-n NODE] [-c CONSISTENCY] "STATEMENT" ["STATEMENT"...]
#   scripts/cassandra/cql.sh [-n NODE] < file.cql     (statements end with ';' at line end)
#
#   -n NODE         connect to node NODE (1..3) first; default 1
#   -c CONSISTENCY  default LOCAL_QUORUM (ONE, QUORUM, ALL, ...)
# Credentials: CASSANDRA_USERNAME / CASSANDRA_PASSWORD, or cassandra/cassandra when the
# cluster was created with CASSANDRA_AUTH=password. Same environment as cluster.sh.
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"
CASSANDRA_CACHE_DIR="${CASSANDRA_CACHE_DIR:-$REPO_ROOT/.cache/cassandra}"
CASSANDRA_IP_PREFIX="${CASSANDRA_IP_PREFIX:-127.0.0.}"
CASSANDRA_NATIVE_PORT="${CASSANDRA_NATIVE_PORT:-9042}"
CASSANDRA_HOME_DIR="${CASSANDRA_HOME_DIR:-$REPO_ROOT/.cache/cassandra-cluster}"

node=1 cl=LOCAL_QUORUM
while getopts "n:c:" o; do
  case $o in
    n) node=$OPTARG ;;
    c) cl=$OPTARG ;;
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

user="${CASSANDRA_USERNAME:-}" pass="${CASSANDRA_PASSWORD:-}"
if [ -z "$user" ] && grep -qs '^CLUSTER_AUTH=password' "$CASSANDRA_HOME_DIR/cluster.env"; then
  user=cassandra pass=cassandra
fi

cp_file="$CASSANDRA_CACHE_DIR/$CASSANDRA_VERSION/classpath.txt"
[ -f "$cp_file" ] || "$SCRIPT_DIR/cluster.sh" fetch >/dev/null
java=${CASSANDRA_JAVA:-}
if [ -z "$java" ]; then
  for c in /usr/lib/jvm/java-17-openjdk-*/bin/java "$(command -v java)"; do [ -x "$c" ] && { java=$c; break; }; done
fi
classes="$CASSANDRA_CACHE_DIR/$CASSANDRA_VERSION/tools/cqlexec"
if [ ! -f "$classes/CqlExec.class" ] || [ "$SCRIPT_DIR/CqlExec.java" -nt "$classes/CqlExec.class" ]; then
  mkdir -p "$classes"
  "$(dirname "$(readlink -f "$java")")/javac" -nowarn -d "$classes" -cp "$(cat "$cp_file")" "$SCRIPT_DIR/CqlExec.java"
fi
exec "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
  -Dlogback.configurationFile="file://$SCRIPT_DIR/logback-tools.xml" \
  -cp "$(cat "$cp_file"):$classes" CqlExec \
  "${CASSANDRA_IP_PREFIX}$node" "$CASSANDRA_NATIVE_PORT" "$cl" "$user" "$pass" "$@"
