#!/usr/bin/env bash
# Host packages for make image / image-pi / image-test / image-pi-test / install-test (Debian 12). Idempotent.
set -euo pipefail
pkgs=(mmdebstrap qemu-system-x86 qemu-utils ovmf systemd-container dosfstools mtools fdisk e2fsprogs)
[ "${1:-}" = arm64 ] && pkgs+=(qemu-user-static binfmt-support arch-test qemu-system-arm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
