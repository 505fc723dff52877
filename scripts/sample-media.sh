#!/usr/bin/env bash
# Generates the lecture videos of the sample course (courses/sample) from
# their captions: each media/<name>.vtt becomes media/<name>.mp4, a slide
# show in which every caption cue is one slide showing the cue's text, for
# exactly the cue's time. The header line of the .vtt ("WEBVTT - Title") is
# the slide title. Captions and slides therefore always agree, and the video
# lasts until the last cue ends.
#
# Nothing is drawn in the bottom quarter of the frame: a browser's control
# bar (and captions, when turned on) covers it. The course name and "n / N"
# sit at the top, above the title.
#
# Output: H.264 baseline + AAC (silent) in MP4 with +faststart, 640x360 at
# 15 fps, about 60 kbit/s; it plays in Chromium and on phones. The script is
# idempotent (a video newer than its captions is kept), deterministic
# (bit-exact flags, one encoder thread) and takes a few seconds.
# A video older than its captions or than this script is made again.
#
# Usage: scripts/sample-media.sh [bundle-dir]   (default courses/sample)
set -euo pipefail

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
bundle=${1:-courses/sample}
fonts=/usr/share/fonts/truetype/dejavu
regular=$fonts/DejaVuSans.ttf
bold=$fonts/DejaVuSans-Bold.ttf

# Install ffmpeg and the font from Debian's packages when missing.
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[[ -f $regular && -f $bold ]] || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
	if [[ $(id -u) != 0 ]]; then
		echo "sample-media: ${need[*]} missing; run as root to install, or: apt-get install ${need[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need[@]}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Slide design: 640x360, navy background, amber title and rule, white text.
bg=0x13294b
accent=0xffd166
muted=0xa8b3c7

made=0 kept=0
shopt -s nullglob
for vtt in "$bundle"/media/*.vtt; do
	out=${vtt%.vtt}.mp4
	if [[ -s $out && $out -nt $vtt && $out -nt $self ]]; then
		kept=$((kept + 1))
		continue
	fi
	dir=$work/$(basename "${vtt%.vtt}")
	mkdir -p "$dir"

	# The title: the text after "WEBVTT" on the first line, minus a dash.
	title=$(head -n1 "$vtt" | tr -d '\r' | sed -e 's/^\xEF\xBB\xBF//' -e 's/^WEBVTT[[:space:]]*-*[[:space:]]*//')
	printf '%s' "$title" >"$dir/title"

	# The cues: "n start end" lines in $dir/cues, and each cue's text,
	# joined into one line, in $dir/<n>.
	tr -d '\r' <"$vtt" | awk -v dir="$dir" '
		function secs(t,   a, n) {
			n = split(t, a, ":")
			return n == 3 ? a[1] * 3600 + a[2] * 60 + a[3] : a[1] * 60 + a[2]
		}
		/-->/ { n++; printf "%d %.3f %.3f\n", n, secs($1), secs($3) > (dir "/cues"); cue = 1; next }
		cue && NF == 0 { cue = 0; next }
		cue { printf "%s%s", (started[n]++ ? " " : ""), $0 > (dir "/" n) }
	'
	if [[ ! -s $dir/cues ]]; then
		echo "sample-media: $vtt has no cues" >&2
		exit 1
	fi
	total=$(wc -l <"$dir/cues")
	duration=$(tail -n1 "$dir/cues" | cut -d' ' -f3)

	# The course name and the slide number on a line at the top, then the
	# title and a rule; the cue's text below, starting at y=124. One
	# drawtext per cue, shown from its start to its end. The text is
	# wrapped at 34 characters, which fits 28 px DejaVu Sans in 576 px;
	# four lines end at y=278, above the bottom quarter.
	graph="[0:v]drawtext=fontfile=$regular:text='Data Literacy Basics':expansion=none:fontsize=16:fontcolor=$muted:x=32:y=18"
	graph+=",drawtext=fontfile=$bold:textfile=$dir/title:expansion=none:fontsize=26:fontcolor=$accent:x=32:y=46"
	graph+=",drawbox=x=32:y=88:w=576:h=2:color=$accent:t=fill"
	while read -r n start end; do
		wrapped=$(fold -s -w 34 "$dir/$n" | sed 's/[[:space:]]*$//')
		printf '%s' "$wrapped" >"$dir/$n.wrapped"
		printf '%d / %d' "$n" "$total" >"$dir/$n.page"
		when="enable='gte(t,$start)*lt(t,$end)'"
		graph+=",drawtext=fontfile=$regular:textfile=$dir/$n.wrapped:expansion=none:fontsize=28:line_spacing=14:fontcolor=white:x=32:y=124:$when"
		graph+=",drawtext=fontfile=$regular:textfile=$dir/$n.page:expansion=none:fontsize=16:fontcolor=$muted:x=w-tw-32:y=18:$when"
	done <"$dir/cues"
	graph+=",format=yuv420p[v]"
	printf '%s' "$graph" >"$dir/graph"

	tmp=$out.tmp.mp4
	ffmpeg -nostdin -hide_banner -loglevel error -y \
		-f lavfi -i "color=c=$bg:s=640x360:r=15:d=$duration" \
		-f lavfi -i "anullsrc=r=44100:cl=mono" \
		-filter_complex_script "$dir/graph" -map '[v]' -map 1:a -t "$duration" \
		-c:v libx264 -profile:v baseline -level 3.0 -preset medium -tune stillimage \
		-crf 28 -maxrate 300k -bufsize 600k -g 30 -threads 1 \
		-c:a aac -b:a 32k -ac 1 \
		-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
		-movflags +faststart "$tmp"
	mv "$tmp" "$out"
	made=$((made + 1))
	echo "sample-media: $out (${duration}s, $(wc -c <"$out") bytes)"
done
echo "sample-media: $made made, $kept already up to date"
