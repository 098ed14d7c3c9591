#!/usr/bin/env bash
# Builds the Debian bookworm root filesystem that every stand-in image starts from, as a tar on stdout's path.
# Runs on the host as root (debootstrap needs it). Usage: base-rootfs.sh OUT.tar
set -euo pipefail
out=$1
mirror=${DAGSHIP_INFRA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/dagship-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase \
  --include=python3,python3-venv,ca-certificates,dumb-init,procps \
  bookworm "$root" "$mirror" >&2
# The machine's CA bundle, so TLS to the package registries works from inside containers.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* "$root"/tmp/*
tar --numeric-owner -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
