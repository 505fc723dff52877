#!/usr/bin/env bash
# The browser tests: starts the real server (bin/lyceum) on a free port with a
# fresh data directory and the sample course, waits for /healthz, creates two
# analysts and simulated learner activity with the CLI and waits until the
# warehouse has loaded it, runs the tests in e2e/ (Node's test runner,
# playwright-core driving Debian's Chromium, headless), and always stops the
# server again. On failure it prints the end of the server's log. Exits with
# the tests' status.
#
# `make test-e2e` builds the binary and the sample videos and installs
# Chromium first (make build, make media, scripts/deps.sh test).
#
#   scripts/e2e.sh [node --test arguments...]   e.g. --test-name-pattern=phone
#
# Environment: CHROMIUM_PATH (default /usr/bin/chromium), E2E_SCREENSHOTS
# (default e2e/screenshots), LYCEUM_BIN (default bin/lyceum).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bin=${LYCEUM_BIN:-bin/lyceum}
sample=courses/sample
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export E2E_SCREENSHOTS=${E2E_SCREENSHOTS:-$root/e2e/screenshots}

say() { echo "e2e: $*" >&2; }
die() {
	say "$*"
	exit 1
}

[[ -x $bin ]] || die "$bin is missing: run 'make build' (or 'make test-e2e')"
[[ -x $CHROMIUM_PATH ]] || die "no Chromium at $CHROMIUM_PATH: run 'scripts/deps.sh test' (or 'make test-e2e')"
ls "$sample"/media/*.mp4 >/dev/null 2>&1 || die "the sample course has no videos: run 'make media'"
command -v node >/dev/null || die "node is missing"

# npm dependencies, from the lock file, when node_modules is missing or was
# installed from another lock file.
lockhash=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
stamp=e2e/node_modules/.lyceum-lock-sha256
if [[ ! -f $stamp || $(<"$stamp") != "$lockhash" ]]; then
	say "installing npm packages (npm ci)"
	(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
	echo "$lockhash" >"$stamp"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lyceum-e2e.XXXXXX")
server_pid=

stop_server() {
	[[ -n $server_pid ]] || return 0
	if kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null || true
	fi
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

cleanup() {
	local rc=$?
	stop_server
	if ((rc != 0)) && [[ -s $work/server.log ]]; then
		say "server log (last 60 lines of $work/server.log):"
		tail -n 60 "$work/server.log" >&2
		say "screenshots: $E2E_SCREENSHOTS"
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

healthy() {
	node -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(10000) })
			.then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
	' "$1"
}

# Start the server; a port taken between picking and binding gets another try.
for attempt in 1 2 3; do
	port=$(free_port)
	url=http://127.0.0.1:$port
	mkdir -p "$work/data$attempt"
	say "starting $bin on $url (data in $work/data$attempt)"
	"$bin" serve --addr "127.0.0.1:$port" --data "$work/data$attempt" --sample-course "$sample" >>"$work/server.log" 2>&1 &
	server_pid=$!
	deadline=$((SECONDS + 300))
	while ! healthy "$url/healthz"; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" 2>/dev/null || true
			server_pid=
			break
		fi
		if ((SECONDS > deadline)); then
			say "the server did not answer $url/healthz within 300 s"
			exit 1
		fi
		sleep 0.2
	done
	[[ -n $server_pid ]] && break
	grep -qi "address already in use" "$work/server.log" || {
		say "the server exited before it was ready"
		exit 1
	}
done
[[ -n $server_pid ]] || {
	say "could not start the server on a free port"
	exit 1
}
say "server ready at $url"
data=$work/data$attempt

# For the query page's test: two analysts, made with the CLI beside the
# running server, and some learner activity for them to query. `simulate`
# writes to the store (not the warehouse, which the server owns); the
# server's loader copies it into the warehouse, and the tests start once the
# warehouse has every simulated enrollment.
export E2E_ANALYST_PASSWORD_FILE=$work/analyst-password
export E2E_ANALYST1_EMAIL=ana.lyst@example.org
export E2E_ANALYST2_EMAIL=bo.analyst@example.org
(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$E2E_ANALYST_PASSWORD_FILE")
"$bin" user create --data "$data" --email "$E2E_ANALYST1_EMAIL" --name "Ana Lyst" --password-file "$E2E_ANALYST_PASSWORD_FILE" --role analyst >&2
"$bin" user create --data "$data" --email "$E2E_ANALYST2_EMAIL" --name "Bo Analyst" --password-file "$E2E_ANALYST_PASSWORD_FILE" --role analyst >&2
# An admin, who uses both apps (the phone test visits every page as them).
export E2E_ADMIN_EMAIL=ad.min@example.org
"$bin" user create --data "$data" --email "$E2E_ADMIN_EMAIL" --name "Ad Min" --password-file "$E2E_ANALYST_PASSWORD_FILE" --role admin >&2
# And an instructor who owns a course of their own (a copy of the sample,
# left unpublished so that the learner tests' catalog stays as it is): their
# queries must see that course and nothing else.
export E2E_INSTRUCTOR_EMAIL=ines.tructor@example.org E2E_INSTRUCTOR_COURSE="Statistics for Instructors"
"$bin" user create --data "$data" --email "$E2E_INSTRUCTOR_EMAIL" --name "Ines Tructor" --password-file "$E2E_ANALYST_PASSWORD_FILE" --role instructor >&2
rm -rf "$work/instructor-course" && cp -r courses/sample "$work/instructor-course"
sed -i "s/^id: .*/id: e2e-instructor-course/; s/^title: .*/title: $E2E_INSTRUCTOR_COURSE/" "$work/instructor-course/course.yaml"
"$bin" course import --data "$data" --owner "$E2E_INSTRUCTOR_EMAIL" "$work/instructor-course" >&2
simulated=$("$bin" simulate --data "$data" --learners 20 --days 3 --workers 4 2>>"$work/server.log")
say "simulated: $simulated"
enrollments=$(sed -n 's/.* \([0-9][0-9]*\) enrollments,.*/\1/p' <<<"$simulated")
[[ -n $enrollments ]] || die "could not read the number of enrollments from: $simulated"
node e2e/lib/wait-for-warehouse.mjs "$url" "$E2E_ANALYST2_EMAIL" "$E2E_ANALYST_PASSWORD_FILE" \
	"select count(*) from enrollments" "$enrollments" 90 >&2

export LYCEUM_URL=$url
mkdir -p "$E2E_SCREENSHOTS"
# Only this run's screenshots in the (git-ignored) default folder.
[[ $E2E_SCREENSHOTS != "$root/e2e/screenshots" ]] || rm -f "$E2E_SCREENSHOTS"/*.png
start=$SECONDS
set +e
(cd e2e && node --test --test-reporter=spec --test-concurrency=1 "$@" tests/)
status=$?
set -e
say "browser tests took $((SECONDS - start)) s, exit status $status"
exit "$status"
