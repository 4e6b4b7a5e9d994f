#!/usr/bin/env bash
# scripts/deps.sh PURPOSE...: install the Debian 12 packages one purpose needs.
#   build  compile broadside and its unit tests
#   run    build + what `broadside serve` and the demo (scripts/run-demo) use
#   test   run + what tests/ calls (clients, peers, clang for the fuzzers,
#          the image tools, since make test builds and boots the image too)
#   bench  run + the peers and load tools scripts/bench* measure against
#   image  the host tools for make image / image-test / install-test;
#          image-pi adds the arm64 emulation for make image-pi
# `deps.sh --list PURPOSE...` prints the packages and installs nothing.
# Idempotent: apt is not called when every package is installed already.
# Runs as root, or through sudo. Everything is --no-install-recommends, so a
# package here is one the code really calls (Recommends are not a safety net).
set -euo pipefail

# gettext: msgfmt checks and compiles the pages' message catalogues, xgettext lists the messages
build=(build-essential pkg-config xxd gettext libevent-dev libssl-dev libsqlite3-dev
       libhttp-parser-dev libseccomp-dev libcurl4-openssl-dev libzip-dev libexpat1-dev libexif-dev
       libdeflate-dev libarchive-dev libjpeg62-turbo-dev libpng-dev libgif-dev libwebp-dev libolecf-dev libbfio-dev)
# onionbalance only when an appliance is an Onionbalance front; the demo is not.
# poppler-utils: pdftotext, pdfinfo, pdftoppm (its fonts come through fontconfig's
# dependencies: fonts-dejavu-core or another).
# vanguards: off in a checkout's config, on in the installed package's; here so
# that `vanguards = yes` works after make run (it brings python3-stem).
# catdoc: catdoc and xls2csv read Word and Excel 97-2003 in the document jail.
# libwebpdemux2: an animated WebP's first frame for its clean copy (its headers
# are in libwebp-dev, which brings it; named here as the image names it).
run=("${build[@]}" libwebpdemux2 tor media-types poppler-utils unrtf catdoc python3 vanguards)
image=(mmdebstrap systemd-container qemu-system-x86 qemu-utils ovmf dosfstools
       mtools fdisk e2fsprogs)
# the Debian package (make deb): build it, check its policy (lintian), man -l
# apparmor: apparmor_parser checks the image's profile (tests/integration/apparmor.sh)
package=(debhelper dh-apparmor apparmor lintian man-db)   # dpkg-dev comes with build-essential
image_pi=("${image[@]}" qemu-user-static binfmt-support arch-test qemu-system-arm)
# libclang-rt-14-dev holds libFuzzer and clang's sanitizer runtimes; clang
# only recommends it.
# enscript and libgsf-bin (gsf createole) write the RTF and .msg test documents;
# python3-pil (with fonts-dejavu-core, which run brings through poppler-utils) draws the words that OCR (add --ocr, opt-in,
# so not in run: tesseract-ocr and its English model) must find.
# python3-pil and libimage-exiftool-perl write the review test's metadata
# LibreOffice (Writer and Impress, no GUI) is the one Debian program that
# writes .doc and .ppt; python3-xlwt writes .xls (office.sh's real documents).
# python3-libtorrent (a real BitTorrent client) rechecks `broadside torrent`'s
# files, v1 and v2; mktorrent (bench) is the v1-only yardstick for its speed
# nodejs and npm: tests/integration/a11y.sh installs axe-core and
# puppeteer-core (pinned, tests/a11y/package-lock.json) with `npm ci`.
test=("${run[@]}" clang libclang-rt-14-dev curl wget minisign chromium nodejs npm sqlite3 enscript libgsf-bin
      python3-pil libimage-exiftool-perl aria2 unzip tesseract-ocr tesseract-ocr-eng python3-libtorrent
      openssl procps iproute2 onionbalance libreoffice-writer-nogui libreoffice-impress-nogui
      python3-xlwt "${image[@]}" "${package[@]}")
bench=("${run[@]}" nginx-light wrk time curl wget minisign sqlite3 openssl procps mktorrent
       iproute2 onionbalance valgrind strace)

list=0
[ "${1:-}" = --list ] && { list=1; shift; }
[ $# -gt 0 ] || { echo "usage: scripts/deps.sh [--list] build|run|test|bench|package|image|image-pi ..." >&2; exit 2; }
pkgs=()
for purpose in "$@"; do
  case $purpose in
    build) pkgs+=("${build[@]}") ;;
    run) pkgs+=("${run[@]}") ;;
    test) pkgs+=("${test[@]}") ;;
    bench) pkgs+=("${bench[@]}") ;;
    image) pkgs+=("${image[@]}") ;;
    package) pkgs+=("${package[@]}") ;;
    image-pi) pkgs+=("${image_pi[@]}") ;;
    *) echo "deps: unknown purpose '$purpose' (build run test bench package image image-pi)" >&2; exit 2 ;;
  esac
done
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
# A nodejs from elsewhere (NodeSource's) carries its own npm and conflicts
# with Debian's: keep the npm that is there.
if command -v npm >/dev/null 2>&1; then
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | grep -vx npm)
fi
if [ $list = 1 ]; then echo "${pkgs[*]}"; exit 0; fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps ($*): installing ${missing[*]}"
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
before=$(dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^ii' || true)
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
after=$(dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^ii' || true)
echo "deps ($*): $((after - before)) packages installed with their dependencies"
