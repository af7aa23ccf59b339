#!/usr/bin/env bash
# Installs the MinIO server that sesctl's integration tests run against
# (internal/testutil/minio), unless one is already installed, and prints its
# path. Idempotent: a second run only prints the path.
#
# The version is pinned: `@latest` fails on filtered module mirrors, and CI
# must test against the same server as developers. A cold build takes about
# 5 minutes; cache $HOME/go/bin/minio between CI runs.
set -euo pipefail

MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
GOBIN_DIR="${HOME}/go/bin"

if path="$(command -v minio 2>/dev/null)"; then
	echo "$path"
	exit 0
fi
if [ -x "${GOBIN_DIR}/minio" ]; then
	echo "${GOBIN_DIR}/minio"
	exit 0
fi

if ! command -v go >/dev/null 2>&1; then
	echo "install-minio: go is not on PATH" >&2
	exit 1
fi
mkdir -p "$GOBIN_DIR"
echo "install-minio: building ${MINIO_MODULE}@${MINIO_VERSION} (takes a few minutes)" >&2
GOBIN="$GOBIN_DIR" go install "${MINIO_MODULE}@${MINIO_VERSION}"
if [ ! -x "${GOBIN_DIR}/minio" ]; then
	echo "install-minio: go install finished but ${GOBIN_DIR}/minio is missing" >&2
	exit 1
fi
echo "${GOBIN_DIR}/minio"
