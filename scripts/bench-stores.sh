#!/usr/bin/env bash
# The foundation's two benchmarks (course outline read, in-video answer
# write) on the embedded store, a 1-node and a 3-node Cassandra cluster, in
# one run, with a bare net/http handler as the baseline.
#
#   scripts/bench-stores.sh            64 connections, 10 s per target
#   C=32 D=20s scripts/bench-stores.sh
#
# The clusters are started from scratch in their own state dirs and wiped
# after. Lyceum, the load generator and Cassandra share this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
C=${C:-64}
D=${D:-10s}

scripts/sample-media.sh >/dev/null
go build -o bin/lyceum-bench ./cmd/lyceum-bench

echo "== embedded (SQLite)"
bin/lyceum-bench -c "$C" -d "$D" -label embedded

run_cluster() {
	local nodes=$1 hosts=$2 rf=$3
	export CASSANDRA_HOME_DIR="$PWD/.cache/cassandra-bench-$nodes"
	scripts/cassandra/cluster.sh wipe >/dev/null 2>&1 || true
	scripts/cassandra/cluster.sh start "$nodes" >/dev/null
	trap 'scripts/cassandra/cluster.sh wipe >/dev/null 2>&1' EXIT
	echo "== Cassandra, $nodes node(s), RF $rf, LOCAL_QUORUM"
	bin/lyceum-bench -c "$C" -d "$D" -no-bare -store cassandra -cassandra-hosts "$hosts" -cassandra-rf "$rf" -label "cassandra-${nodes}n"
	scripts/cassandra/cluster.sh wipe >/dev/null
	trap - EXIT
}
run_cluster 1 127.0.0.1 1
run_cluster 3 127.0.0.1,127.0.0.2,127.0.0.3 3
