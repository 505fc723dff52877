#!/usr/bin/env bash
# Installs what building, running and testing Lyceum needs beyond Go and
# Node.js, from Debian's packages, when it is missing. Idempotent; prints
# nothing when everything is there.
#
#   scripts/deps.sh run    ffmpeg and fonts (the sample course's videos)
#   scripts/deps.sh test   also Chromium (browser tests)
set -euo pipefail

want=(ffmpeg fonts-dejavu-core)
[[ ${1:-run} == test ]] && want+=(chromium)

missing=()
for pkg in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

if [[ $(id -u) != 0 ]]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
