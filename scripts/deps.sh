#!/usr/bin/env bash
# Install the Debian packages Broadside needs to build, test and run. Idempotent:
# packages already present are not touched and apt is not called at all when
# nothing is missing. Runs as root, or through sudo.
set -euo pipefail

pkgs=(
  # build
  build-essential pkg-config clang libevent-dev libssl-dev libsqlite3-dev
  libhttp-parser-dev libseccomp-dev libcurl4-openssl-dev libzip-dev libexpat1-dev
  # run
  tor onionbalance media-types poppler-utils
  # tests: real clients and peers
  curl wget minisign chromium python3 nginx-light wrk sqlite3 xxd procps iproute2
  openssl time
  # the Debian package (make deb, make install-test): build, policy check, man -l
  dpkg-dev debhelper dh-apparmor lintian man-db
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# Debian's tor and nginx packages start system services on install; Broadside
# runs its own tor and the benchmark runs its own nginx, so keep them off.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
