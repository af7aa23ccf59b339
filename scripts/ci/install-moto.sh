#!/bin/sh
# install-moto.sh: build a Debian trixie chroot holding moto_server (python3-moto)
# for sesctl's CloudFormation/SESv2 integration tests.
#
# Usage: sudo scripts/ci/install-moto.sh [DIR]    (default $SESCTL_MOTO_ROOT or /opt/sesctl-moto)
#
# Prints the chroot directory on stdout (everything else goes to stderr), so
# CI can do: export SESCTL_MOTO_ROOT="$(bash scripts/ci/install-moto.sh)".
# Tests then start `chroot $SESCTL_MOTO_ROOT moto_server -H 127.0.0.1 -p PORT`.
#
# Idempotent: a chroot that already has moto_server is left alone. moto is not
# packaged for bookworm, hence the trixie chroot (apt only, no PyPI).
set -eu

DIR=${1:-${SESCTL_MOTO_ROOT:-/opt/sesctl-moto}}
MIRROR=${DEBIAN_MIRROR:-}

exec 3>&1 1>&2

if [ -x "$DIR/usr/bin/moto_server" ]; then
	echo "install-moto: $DIR already has moto_server"
	echo "$DIR" >&3
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-moto: must run as root (debootstrap and chroot need it)" >&2
	exit 1
fi

if [ -z "$MIRROR" ]; then
	# Use the host's Debian mirror (deb822 or one-line format), else deb.debian.org.
	MIRROR=$(grep -hs -E '^(URIs:|deb) ' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -E '/debian/?( |$)' | grep -v security | head -n1 |
		sed -E 's/^URIs: //; s/^deb (\[[^]]*\] )?//; s/ .*//') || true
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi

if ! command -v debootstrap >/dev/null 2>&1; then
	apt-get update
	apt-get install -y debootstrap
fi

if [ ! -x "$DIR/usr/bin/apt-get" ]; then
	echo "install-moto: debootstrap trixie into $DIR from $MIRROR"
	rm -rf "$DIR"
	mkdir -p "$DIR"
	debootstrap --variant=minbase trixie "$DIR" "$MIRROR"
fi

cp /etc/resolv.conf "$DIR/etc/resolv.conf"
chroot "$DIR" apt-get update
chroot "$DIR" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	python3-moto python3-flask-cors python3-yaml python3-pyparsing \
	python3-openapi-spec-validator python3-jsonpath-ng python3-joserfc python3-multipart
chroot "$DIR" apt-get clean

test -x "$DIR/usr/bin/moto_server"
echo "install-moto: moto_server ready in $DIR"
echo "$DIR" >&3
