#!/usr/bin/env bash
# Replay performance harness (issue 6): measures `sesctl replay` side by side
# with Debian's jq 1.6 running the same key-extraction query and with
# single-threaded `gzip -6` of the same bytes, on `sesctl generate` data, and
# prints throughput, peak RSS and the ratios the targets are stated in.
#
# Figures are ratios taken in one run on one machine: absolute seconds mean
# little across machines, the ratios much more.
#
# Needs: go, jq 1.6 (apt-get install jq), gzip, GNU time at /usr/bin/time
# (apt-get install time; the shell keyword `time` cannot report peak RSS).
# shellcheck disable=SC2016,SC2317 # sh -c scripts take $1; setup functions are called by name
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: scripts/bench/replay.sh [flags]

Builds sesctl, generates synthetic SES events and measures, on the same file:
  gzip -6                 gzip -6 -c FILE >/dev/null   (single-threaded)
  jq (default query)      jq -c QUERY FILE >/dev/null  (key extraction only)
  jq (plain paths)        the same for a query of plain paths only
  replay, 3 variants      sesctl replay, default yyyy/MM/dd prefix: default
                          settings with the default two-key query (the
                          targets) and, for reference, with a plain-path
                          query and with --buffering live (300 s objects)
then, once, replay under ~500 active partitions to check the memory bound.

flags:
  --events LIST       comma-separated event counts (default 100000,1000000)
  --repeat N          runs per measurement; the best time is kept and the
                      highest peak RSS of all runs (default 5 for inputs
                      of up to 200,000 events, 3 for larger ones)
  --identities N      sending identities for the many-partitions run; each
                      gives one partition per event type present (default 50)
  --no-many           skip the many-partitions run
  --many-events N     events for the many-partitions run (default: the
                      largest of --events)
  --sesctl PATH       measure this binary instead of building ./cmd/sesctl
  --out-dir DIR       where replay writes its objects (default: the work
                      directory); e.g. /dev/shm to leave the disk's
                      per-file costs out, as gzip and jq write to /dev/null
  --keep              keep the work directory (inputs, outputs, logs)
  --strict            exit 1 when a target fails
  -h, --help          this help

environment: TMPDIR chooses where the work directory goes (it needs about
3x the largest input: an input, and every run's objects, which are kept
until the harness exits so that no run pays for deleting an earlier one's).
EOF
}

die() { printf 'replay.sh: %s\n' "$*" >&2; exit 2; }

EVENTS_LIST=100000,1000000
REPEAT=
IDENTITIES=50
MANY=1
MANY_EVENTS=
KEEP=0
OUT_DIR=
STRICT=0
SESCTL=
while (($#)); do
	case $1 in
	--events) EVENTS_LIST=${2:?--events needs a value}; shift 2 ;;
	--events=*) EVENTS_LIST=${1#*=}; shift ;;
	--repeat) REPEAT=${2:?--repeat needs a value}; shift 2 ;;
	--repeat=*) REPEAT=${1#*=}; shift ;;
	--identities) IDENTITIES=${2:?--identities needs a value}; shift 2 ;;
	--identities=*) IDENTITIES=${1#*=}; shift ;;
	--many-events) MANY_EVENTS=${2:?--many-events needs a value}; shift 2 ;;
	--many-events=*) MANY_EVENTS=${1#*=}; shift ;;
	--no-many) MANY=0; shift ;;
	--sesctl) SESCTL=${2:?--sesctl needs a value}; shift 2 ;;
	--sesctl=*) SESCTL=${1#*=}; shift ;;
	--out-dir) OUT_DIR=${2:?--out-dir needs a value}; shift 2 ;;
	--out-dir=*) OUT_DIR=${1#*=}; shift ;;
	--keep) KEEP=1; shift ;;
	--strict) STRICT=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done
[[ $EVENTS_LIST =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--events wants comma-separated counts, got '$EVENTS_LIST'"
[[ -z $REPEAT || $REPEAT =~ ^[1-9][0-9]*$ ]] || die "--repeat wants a positive count, got '$REPEAT'"
REPEAT_GIVEN=$REPEAT
# repeats_for N: --repeat, or the default for an input of N events. Short
# runs are cheap to repeat and the most exposed to a shared machine's noise.
repeats_for() {
	if [[ -n $REPEAT_GIVEN ]]; then
		echo "$REPEAT_GIVEN"
	elif (($1 <= 200000)); then
		echo 5
	else
		echo 3
	fi
}
[[ $IDENTITIES =~ ^[1-9][0-9]*$ ]] || die "--identities wants a positive count, got '$IDENTITIES'"
[[ -z $MANY_EVENTS || $MANY_EVENTS =~ ^[1-9][0-9]*$ ]] || die "--many-events wants a positive count"
IFS=, read -r -a EVENTS <<<"$EVENTS_LIST"
if [[ -z $MANY_EVENTS ]]; then
	MANY_EVENTS=$(printf '%s\n' "${EVENTS[@]}" | sort -n | tail -1)
fi

# --- tools -------------------------------------------------------------------
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"; }
need go "install Go (see go.mod for the version)"
need jq "apt-get install jq (Debian bookworm ships jq 1.6, Firehose's engine)"
need gzip "apt-get install gzip"
need awk "apt-get install mawk"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found: apt-get install time (GNU time reports peak RSS)"
/usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null || die "/usr/bin/time is not GNU time: apt-get install time"
JQ_VERSION=$(jq --version)
[[ $JQ_VERSION == jq-1.6 ]] || printf 'warning: %s is not jq 1.6, the engine Firehose runs; ratios are against it anyway\n' "$JQ_VERSION" >&2

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sesctl-bench.XXXXXX")
if [[ -n $OUT_DIR ]]; then
	mkdir -p "$OUT_DIR" || die "--out-dir: cannot create $OUT_DIR"
	OUT_DIR=$(mktemp -d "$OUT_DIR/sesctl-bench-out.XXXXXX")
else
	OUT_DIR=$WORK
fi
cleanup() {
	if ((KEEP)); then
		printf 'work directory kept: %s (replay output: %s)\n' "$WORK" "$OUT_DIR" >&2
	else
		rm -rf "$WORK" "$OUT_DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# Other processes competing for the CPUs skew the ratios: say so.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }'; then
	log "warning: load average $LOAD_START before the run; other work will skew the figures"
fi

# --- what is measured ----------------------------------------------------------
# The default query (pipeline.DefaultQuery) and a query of plain paths only:
# both give the same two keys, the second is what a jq fast path can serve.
DEFAULT_QUERY='{sender_identity: (.mail.source | split("@") | .[-1] | rtrimstr(">") | ascii_downcase), event_type: .eventType}'
PLAIN_QUERY='{sender_identity: .mail.tags."ses:from-domain"[0], event_type: .eventType}'
PREFIX='events/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/'
# The many-partitions run: every record arrives at the same instant (a
# backfill replayed within one buffering interval), so no buffer expires and
# every (identity, event type) partition stays active until the end.
MANY_ARRIVAL=2026-01-01T00:00:00Z
declare -A QUERIES=([default]=$DEFAULT_QUERY [plain]=$PLAIN_QUERY)
# Replay variants: name|query|extra flags|targets|description. The targets
# (issue 6) are stated for the default two-key query and replay's default
# settings; the plain-path query is measured for reference (jq 1.6 runs it
# about 1.6x faster than the default query). Replay's default settings:
# backfill buffering, event arrival (history lands on its day), buffers
# closed at 128 MiB, at the end or when the 500-partition quota needs room. "live" buffering closes a
# partition's buffer after 300 s of event time, as live Firehose traffic at
# that rate would: many small objects, measured for reference only.
VARIANTS=(
	"default|default||yes|default settings, default query"
	"plain|plain||no|plain-path query (reference), default settings"
	"live|default|--buffering live|no|live buffering (reference), default query"
)

SESCTL_GIVEN=$SESCTL
if [[ -n $SESCTL ]]; then
	[[ -x $SESCTL ]] || die "--sesctl: $SESCTL is not an executable"
	SESCTL=$(cd "$(dirname "$SESCTL")" && pwd)/$(basename "$SESCTL")
else
	SESCTL=$WORK/sesctl
	log "building sesctl"
	(cd "$REPO" && go build -o "$SESCTL" ./cmd/sesctl) || die "go build ./cmd/sesctl failed"
fi
"$SESCTL" generate --help >/dev/null 2>&1 || die "this sesctl has no 'generate' command yet"
"$SESCTL" replay --help >/dev/null 2>&1 || die "this sesctl has no 'replay' command yet"

# measure LABEL SETUP -- CMD...: runs CMD $REPEAT times (SETUP, a function
# name, before each; an argument @OUT@ becomes $RUN_OUT, which SETUP may
# set), stdout to M_OUT, stderr to a log. Sets M_SECS (best wall
# seconds), M_CPU (user+system seconds of that run) and M_KB (highest peak
# RSS, KiB). Wall time comes from bash's EPOCHREALTIME (microseconds; GNU
# time's %e has only two decimals), CPU time and peak RSS from GNU time.
measure() {
	local label=$1 setup=$2
	shift 3
	local i t0 t1 secs kb usr sys logf=$WORK/${label//[^A-Za-z0-9]/_}.log
	M_SECS='' M_CPU='' M_KB=0 M_OUT=$logf.out
	for ((i = 1; i <= REPEAT; i++)); do
		"$setup"
		local args=() a
		for a in "$@"; do
			[[ $a == @OUT@ ]] && a=$RUN_OUT
			args+=("$a")
		done
		t0=$EPOCHREALTIME
		if ! /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.out" "${args[@]}" >"$logf.out" 2>"$logf"; then
			log "error: $label failed (run $i): $*"
			tail -20 "$logf" >&2
			exit 3
		fi
		t1=$EPOCHREALTIME
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		read -r _ kb usr sys <"$WORK/time.out"
		log "  $label run $i: ${secs}s wall, ${usr}s user, ${sys}s sys, peak RSS $((kb / 1024)) MiB"
		if [[ -z $M_SECS ]] || awk -v a="$secs" -v b="$M_SECS" 'BEGIN { exit !(a < b) }'; then
			M_SECS=$secs
			M_CPU=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
		fi
		((kb > M_KB)) && M_KB=$kb
	done
	return 0
}

# Sum of the sizes of the files under a directory, and their count.
dir_bytes() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
dir_files() { find "$1" -type f | wc -l; }
# Records in every object under a directory: .gz objects (GZIP, one or
# more members each) are decompressed, others (error records) counted as is.
dir_records() {
	local gz plain
	gz=$(find "$1" -type f -name '*.gz' -print0 | xargs -0 -r cat | gzip -dc | wc -l)
	plain=$(find "$1" -type f -not -name '*.gz' -print0 | xargs -0 -r cat | wc -l)
	echo $((gz + plain))
}

# Replay writes each run to a folder of its own (@OUT@: RUN_OUT, under OUT), and no
# output is deleted before the harness exits: on a file system that avoids
# reusing recently freed inodes (ext4 without a journal, which skips them in
# find_inode_bit while their inode table block is dirty), deleting tens of
# thousands of objects just before a run makes every file that run creates
# cost a scan past them; --buffering live at 1M events took 15 s instead of
# 10 s on its second and third runs that way.
OUT=
RUN_OUT=
RUN_N=0
fresh_out() { RUN_N=$((RUN_N + 1)); RUN_OUT=$OUT/run-$RUN_N; }
noop() { :; }

# --- report helpers ----------------------------------------------------------
RESULTS=()  # "events|label|secs|cpu|kb" rows
TARGETS=()  # "events|name|measured|limit|PASS/FAIL" rows
FAILS=0
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }'; }
evps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
target() { # events name measured limit ("-": reported, no target)
	local verdict=PASS
	if [[ $4 == - ]]; then
		TARGETS+=("$1|$2|$3|-|reference")
		return
	fi
	awk -v m="$3" -v l="$4" 'BEGIN { exit !(m <= l) }' || { verdict=FAIL; FAILS=$((FAILS + 1)); }
	TARGETS+=("$1|$2|$3|≤ $4|$verdict")
}

# --- one input size ----------------------------------------------------------
run_size() {
	local n=$1 in=$WORK/events-$1.jsonl
	REPEAT=$(repeats_for "$n")
	log "generating $n events"
	"$SESCTL" generate --events "$n" --seed 1 --out "$in" 2>"$WORK/generate-$n.log" ||
		{ tail -20 "$WORK/generate-$n.log" >&2; die "sesctl generate failed"; }
	local bytes lines
	bytes=$(stat -c %s "$in")
	lines=$(wc -l <"$in")
	# Page cache: every tool reads warm bytes. And the input on disk: replay
	# makes its objects durable with syncfs, which would otherwise also
	# write out whatever of the just-generated input the kernel has not yet
	# (at 100k events, the first replay run took 0.9 s against 0.59 s).
	cat "$in" >/dev/null
	sync "$in"

	measure "gzip-$n" noop -- sh -c 'exec gzip -6 -c "$1" >/dev/null' sh "$in"
	RESULTS+=("$n|gzip -6 -c|$M_SECS|$M_CPU|$M_KB")
	local gz_secs=$M_SECS gz_bytes
	gz_bytes=$(gzip -6 -c "$in" | wc -c)

	local v name q extra check desc jq_secs row=$n\|$bytes\|$lines\|$gz_bytes
	for v in "${VARIANTS[@]}"; do
		IFS='|' read -r name q extra check desc <<<"$v"
		if [[ -z ${JQ_SECS[$q]:-} ]]; then
			measure "jq-$q-$n" noop -- sh -c 'exec jq -c "$1" "$2" >/dev/null' sh "${QUERIES[$q]}" "$in"
			RESULTS+=("$n|jq 1.6 -c ($q query)|$M_SECS|$M_CPU|$M_KB")
			JQ_SECS[$q]=$M_SECS
		fi
		jq_secs=${JQ_SECS[$q]}
		OUT=$OUT_DIR/out-$n-$name
		# shellcheck disable=SC2086 # $extra is a list of flags
		measure "replay-$name-$n" fresh_out -- "$SESCTL" replay "$in" --out @OUT@ \
			--query "${QUERIES[$q]}" --prefix "$PREFIX" $extra
		RESULTS+=("$n|sesctl replay, $desc|$M_SECS|$M_CPU|$M_KB")
		local secs=$M_SECS kb=$M_KB ob of recs errs=0
		ob=$(dir_bytes "$RUN_OUT") # the last run's objects: every run writes the same
		of=$(dir_files "$RUN_OUT")
		recs=$(dir_records "$RUN_OUT")
		[[ -d $RUN_OUT/errors ]] && errs=$(dir_records "$RUN_OUT/errors")
		((recs == lines)) || log "warning: replay ($name) wrote $recs records for $lines input lines"
		row+="|$desc|$ob|$of|$errs"
		local limits=(0.2 1.0 1.15 300)
		[[ $check == yes ]] || limits=(- - - -)
		target "$lines" "replay/jq time, $desc" "$(ratio "$secs" "$jq_secs")" "${limits[0]}"
		target "$lines" "replay/gzip -6 time, $desc" "$(ratio "$secs" "$gz_secs")" "${limits[1]}"
		target "$lines" "replay bytes/gzip -6 bytes, $desc" "$(ratio "$ob" "$gz_bytes")" "${limits[2]}"
		target "$lines" "replay peak RSS MiB, $desc" "$((kb / 1024))" "${limits[3]}"
	done
	unset JQ_SECS
	declare -gA JQ_SECS
	SIZES+=("$row")
	BYTES[$n]=$bytes
	LINES[$n]=$lines
}

# --- many active partitions ----------------------------------------------------
run_many() {
	local n=$MANY_EVENTS in=$WORK/many-$MANY_EVENTS.jsonl
	log "generating $n events from $IDENTITIES identities"
	"$SESCTL" generate --events "$n" --seed 1 --identities "$IDENTITIES" --out "$in" 2>"$WORK/generate-many.log" ||
		{ tail -20 "$WORK/generate-many.log" >&2; die "sesctl generate --identities failed"; }
	local bytes lines
	bytes=$(stat -c %s "$in")
	lines=$(wc -l <"$in")
	cat "$in" >/dev/null
	sync "$in" # as in run_size
	local save=$REPEAT
	REPEAT=1
	OUT=$OUT_DIR/out-many
	measure "replay-many-$n" fresh_out -- "$SESCTL" replay "$in" --out @OUT@ \
		--arrival-time "$MANY_ARRIVAL" --query "$DEFAULT_QUERY" --prefix "$PREFIX" --summary json
	REPEAT=$save
	local parts errs=0 objs out_bytes gz_bytes
	# The most partitions open at once, from replay's own summary.
	parts=$(jq -r '.max_open_partitions' "$M_OUT") || die "no JSON summary from replay: see $M_OUT"
	objs=$(dir_files "$RUN_OUT")
	out_bytes=$(dir_bytes "$RUN_OUT")
	gz_bytes=$(gzip -6 -c "$in" | wc -c)
	[[ -d $RUN_OUT/errors ]] && errs=$(dir_records "$RUN_OUT/errors")
	MANY_ROW="$n|$bytes|$lines|$parts|$objs|$errs|$M_SECS|$M_KB|$gz_bytes|$out_bytes"
	target "$lines" "replay peak RSS MiB, $parts active partitions" "$((M_KB / 1024))" 300
	target "$lines" "replay bytes/gzip -6 bytes, $parts active partitions" "$(ratio "$out_bytes" "$gz_bytes")" 1.15
	if ((!KEEP)); then rm -f "$in"; fi # one inode: outputs stay until the end (see fresh_out)
}

declare -A BYTES LINES
declare -gA JQ_SECS
SIZES=()
MANY_ROW=
for n in "${EVENTS[@]}"; do
	run_size "$n"
	if ((!KEEP)); then rm -f "$WORK/events-$n.jsonl"; fi
done
((MANY)) && run_many

# --- report ------------------------------------------------------------------
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
rev=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$REPO" && git status --porcelain --untracked-files=no 2>/dev/null) ]]; then rev="$rev (with uncommitted changes)"; fi
if [[ -n $SESCTL_GIVEN ]]; then rev="$SESCTL_GIVEN (given with --sesctl)"; fi

echo
echo "## Machine"
echo
echo "| | |"
echo "|---|---|"
echo "| CPUs (nproc) | $(nproc) |"
echo "| CPU model | ${cpu:-unknown} |"
echo "| memory | $mem_gib GiB |"
echo "| kernel | $(uname -sr) |"
echo "| go | $(go env GOVERSION) |"
echo "| jq | $JQ_VERSION |"
echo "| gzip | $(gzip --version | head -1) |"
echo "| sesctl | $rev |"
echo "| load average (1, 5, 15 min) | $LOAD_START before, $(cut -d' ' -f1-3 /proc/loadavg) after |"
runs=
for n in "${EVENTS[@]}"; do runs+="${runs:+, }$(repeats_for "$n") at $n events"; done
echo "| runs | $runs: the best time is kept, and the highest peak RSS |"
echo "| replay output | $OUT_DIR ($(stat -f -c %T "$OUT_DIR") file system) |"

echo
echo "## Inputs and outputs"
echo
echo "| events | input MB | gzip -6 MB | replay variant | replay MB | objects | error records |"
echo "|---:|---:|---:|---|---:|---:|---:|"
for row in "${SIZES[@]}"; do
	IFS='|' read -r -a f <<<"$row"
	for ((i = 4; i < ${#f[@]}; i += 4)); do
		awk -v n="${f[2]}" -v b="${f[1]}" -v g="${f[3]}" -v d="${f[i]}" -v ob="${f[i + 1]}" -v of="${f[i + 2]}" -v oe="${f[i + 3]}" \
			'BEGIN { printf "| %d | %.1f | %.1f | %s | %.1f | %d | %d |\n", n, b/1e6, g/1e6, d, ob/1e6, of, oe }'
	done
done

echo
echo "## Throughput"
echo
echo "| events | tool | seconds | CPU seconds | MB/s | events/s | peak RSS MiB |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for row in "${RESULTS[@]}"; do
	IFS='|' read -r n label secs cpu kb <<<"$row"
	printf '| %s | %s | %s | %s | %s | %s | %d |\n' "${LINES[$n]}" "$label" "$secs" "$cpu" \
		"$(mbps "${BYTES[$n]}" "$secs")" "$(evps "${LINES[$n]}" "$secs")" $((kb / 1024))
done

if [[ -n $MANY_ROW ]]; then
	IFS='|' read -r n b l parts objs errs secs kb gzb ob <<<"$MANY_ROW"
	echo
	echo "## Many active partitions"
	echo
	echo "$IDENTITIES identities, every record arriving at $MANY_ARRIVAL (no buffer expires before the end), default query and prefix."
	echo
	echo "| events | input MB | gzip -6 MB | replay MB | most active partitions | objects | error records | seconds | MB/s | peak RSS MiB |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n' "$l" "$(awk -v b="$b" 'BEGIN { printf "%.1f", b / 1e6 }')" \
		"$(awk -v b="$gzb" 'BEGIN { printf "%.1f", b / 1e6 }')" "$(awk -v b="$ob" 'BEGIN { printf "%.1f", b / 1e6 }')" \
		"$parts" "$objs" "$errs" "$secs" "$(mbps "$b" "$secs")" $((kb / 1024))
fi

echo
echo "## Targets"
echo
echo "| events | ratio | measured | target | result |"
echo "|---:|---|---:|---:|---|"
for row in "${TARGETS[@]}"; do
	IFS='|' read -r n name m l v <<<"$row"
	printf '| %s | %s | %s | %s | %s |\n' "$n" "$name" "$m" "$l" "$v"
done
echo
echo "$FAILS of ${#TARGETS[@]} targets failed."
((STRICT && FAILS)) && exit 1
exit 0
