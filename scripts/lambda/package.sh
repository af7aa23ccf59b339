#!/bin/sh
# Builds the AWS Lambda deployment package of `sesctl metrics publish`:
# a zip whose root holds the sesctl binary named bootstrap, for the
# provided.al2023 runtime (handler: bootstrap).
#
# The binary is static (CGO_ENABLED=0) and built with -tags noduckdb:
# without the embedded DuckDB engine, which needs cgo and a glibc at least
# as new as the build host's (provided.al2023 has 2.34). The function
# reads events with --athena; --lake then reports "built without the
# local engine".
#
# usage: scripts/lambda/package.sh [--arch amd64|arm64] [--out DIR] [--version V]
#   --arch     amd64 (Lambda x86_64, the default) or arm64 (Lambda arm64)
#   --out      folder for the zip (default dist), created if missing
#   --version  what sesctl --version prints (default: git describe, or dev)
# Prints the zip's path and size. Needs go and zip (or python3).
set -eu

arch=amd64
out=dist
version=
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=${2:?--arch needs a value}; shift 2 ;;
    --arch=*) arch=${1#*=}; shift ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64|x86_64) arch=amd64; lambda_arch=x86_64 ;;
  arm64|aarch64) arch=arm64; lambda_arch=arm64 ;;
  *) echo "package.sh: --arch $arch: want amd64 or arm64" >&2; exit 2 ;;
esac

repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "$version" ]; then
  version=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
zipfile="$out/sesctl-lambda-$lambda_arch.zip"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -tags noduckdb -trimpath \
  -ldflags "-s -w -X github.com/sesctl/sesctl/internal/cli.Version=$version" \
  -o "$work/bootstrap" ./cmd/sesctl)
chmod 0755 "$work/bootstrap"

rm -f "$zipfile"
if command -v zip >/dev/null 2>&1; then
  (cd "$work" && zip -q -X "$zipfile" bootstrap)
elif command -v python3 >/dev/null 2>&1; then
  python3 - "$work/bootstrap" "$zipfile" <<'EOF'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
info.external_attr = (0o100755 << 16)  # a regular file, rwxr-xr-x
info.compress_type = zipfile.ZIP_DEFLATED
info.create_system = 3  # Unix, so that the mode is honoured
with open(src, "rb") as f, zipfile.ZipFile(dst, "w") as z:
    z.writestr(info, f.read())
EOF
else
  echo "package.sh: need zip or python3 to write $zipfile" >&2
  exit 1
fi

size=$(wc -c <"$zipfile" | tr -d ' ')
echo "$zipfile $size bytes (bootstrap: sesctl $version, linux/$arch static, Lambda architecture $lambda_arch, runtime provided.al2023)"
