#!/usr/bin/env bash
# Hot-path Go benchmarks of the replay pipeline (issue 6): framing, jq key
# extraction, prefix evaluation, partitioning and compression, event time.
#
# usage: scripts/bench/go-bench.sh [--count N] [--bench REGEXP] [--benchtime D]
#                                  [--out FILE] [--base FILE] [PACKAGES...]
#
# Results go to FILE (default: a new file under $TMPDIR) in the format
# benchstat reads. With benchstat on PATH (go install
# golang.org/x/perf/cmd/benchstat@<version>), they are summarised; with
# --base OLD.txt, compared against an earlier run.
set -euo pipefail
export LC_ALL=C

die() { printf 'go-bench.sh: %s\n' "$*" >&2; exit 2; }

COUNT=6
BENCH=.
BENCHTIME=
OUT=
BASE=
PKGS=()
while (($#)); do
	case $1 in
	--count) COUNT=${2:?--count needs a value}; shift 2 ;;
	--bench) BENCH=${2:?--bench needs a value}; shift 2 ;;
	--benchtime) BENCHTIME=${2:?--benchtime needs a value}; shift 2 ;;
	--out) OUT=${2:?--out needs a value}; shift 2 ;;
	--base) BASE=${2:?--base needs a value}; shift 2 ;;
	-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown flag: $1" ;;
	*) PKGS+=("$1"); shift ;;
	esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count wants a positive count, got '$COUNT'"
[[ -z $BASE || -r $BASE ]] || die "--base: cannot read $BASE"
command -v go >/dev/null || die "go not found"

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
((${#PKGS[@]})) || PKGS=(./pipeline/... ./schema/)
[[ -n $OUT ]] || OUT=$(mktemp "${TMPDIR:-/tmp}/sesctl-gobench.XXXXXX.txt")

args=(test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT")
[[ -n $BENCHTIME ]] && args+=(-benchtime "$BENCHTIME")
printf 'go %s %s\n' "${args[*]}" "${PKGS[*]}" >&2
go "${args[@]}" "${PKGS[@]}" | tee "$OUT"
printf '\nresults: %s\n' "$OUT" >&2

if command -v benchstat >/dev/null; then
	echo
	if [[ -n $BASE ]]; then benchstat "$BASE" "$OUT"; else benchstat "$OUT"; fi
else
	printf 'benchstat not on PATH: raw results only (go install golang.org/x/perf/cmd/benchstat@VERSION)\n' >&2
fi
