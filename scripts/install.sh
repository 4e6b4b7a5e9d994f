#!/bin/sh
# scripts/install.sh: install Broadside as a hardened service on Debian 12.
# The OS image build (image/build.sh) runs the same script inside the image's
# root (--image), so `make image-test` covers these steps.
#
#   sudo scripts/install.sh [--binary PATH] [--keep-ssh] [--image] [--packages]
#
# Steps: packages (tor, nftables, apparmor, unattended-upgrades, timesyncd,
# resolved); user `broadside`; /usr/bin/broadside; systemd units (serve + tor,
# first boot); nftables (inbound drop; outbound only tor, apt, clock); journald
# in RAM; /tmp on tmpfs; no swap; sysctl hardening; AppArmor profile (enforce);
# daily security updates. --keep-ssh keeps inbound TCP 22 open (an existing
# VPS you reach over SSH: without it you would lock yourself out); the
# default, and the image, have no clearnet SSH. Re-running upgrades in place:
# the new binary and units, serve restarted, data and keys kept. --packages
# prints the Debian packages it needs and exits.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=$SRC/broadside
IMAGE=0 KEEP_SSH=0
# Runtime packages. The image build installs them with mmdebstrap instead.
PKGS="tor nftables apparmor unattended-upgrades systemd-timesyncd systemd-resolved
  libevent-2.1-7 libevent-pthreads-2.1-7 libsqlite3-0 libssl3 libhttp-parser2.9
  libcurl4 libseccomp2 media-types poppler-utils"
while [ $# -gt 0 ]; do
  case $1 in
    --binary) BIN=$2; shift ;;
    --keep-ssh) KEEP_SSH=1 ;;
    --image) IMAGE=1 ;;
    --packages) echo $PKGS; exit 0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ -x "$BIN" ] || { echo "install.sh: no binary at $BIN (run make first, or --binary)" >&2; exit 1; }
if [ "$KEEP_SSH" = 0 ] && [ -n "${SSH_CONNECTION:-}" ] && [ "$IMAGE" = 0 ]; then
  echo "install.sh: you are logged in over SSH; the firewall would cut you off." >&2
  echo "  Re-run with --keep-ssh (and plan to reach the machine another way), or from a console." >&2
  exit 1
fi
I=$SRC/image
step() { echo "install: $*"; }

if [ "$IMAGE" = 0 ]; then
  missing=""
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    step "packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  else
    step "packages: all installed (unattended-upgrades keeps them current)"
  fi
fi

step "user broadside"
getent group broadside >/dev/null || groupadd --system broadside
getent passwd broadside >/dev/null ||
  useradd --system --gid broadside --home-dir /var/lib/broadside --no-create-home \
    --shell /usr/sbin/nologin broadside
install -d -m 0755 /srv/broadside

step "binary and units"
install -m 0755 "$BIN" /usr/bin/broadside
install -d /usr/lib/broadside /usr/share/doc/broadside
install -m 0755 "$I/firstboot" /usr/lib/broadside/firstboot
install -m 0644 "$SRC/README.md" /usr/share/doc/broadside/README.md
install -m 0644 "$I/broadside.service" "$I/broadside-firstboot.service" /etc/systemd/system/
install -m 0644 "$I/broadside-preview.conf" /usr/share/doc/broadside/broadside-preview.conf
# Debian's own tor service stays off: serve runs and supervises its tor.
systemctl disable tor.service >/dev/null 2>&1 || true
systemctl mask tor@default.service >/dev/null 2>&1 || true

step "firewall (nftables)"
if [ "$KEEP_SSH" = 1 ]; then
  sed 's/^    #SSH# /    /' "$I/nftables.conf" >/etc/nftables.conf
else
  install -m 0644 "$I/nftables.conf" /etc/nftables.conf
fi
chmod 0755 /etc/nftables.conf

step "logs in RAM, /tmp on tmpfs, no swap, sysctl"
install -d /etc/systemd/journald.conf.d /etc/systemd/resolved.conf.d /etc/systemd/network /etc/sysctl.d
install -m 0644 "$I/journald.conf" /etc/systemd/journald.conf.d/broadside.conf
install -m 0644 "$I/resolved.conf" /etc/systemd/resolved.conf.d/broadside.conf
install -m 0644 "$I/sysctl.conf" /etc/sysctl.d/90-broadside.conf
[ -e /etc/systemd/system/tmp.mount ] || cp /usr/share/systemd/tmp.mount /etc/systemd/system/tmp.mount
rm -rf /var/log/journal
if grep -qs '^[^#].*[[:space:]]swap[[:space:]]' /etc/fstab; then
  sed -i '/^[^#].*[[:space:]]swap[[:space:]]/s/^/#broadside: no swap# /' /etc/fstab
fi
systemctl mask swap.target >/dev/null 2>&1 || true

step "AppArmor profile (enforce)"
install -m 0644 "$I/apparmor-broadside" /etc/apparmor.d/broadside
install -d /etc/apparmor.d/local
[ -e /etc/apparmor.d/local/broadside ] || : >/etc/apparmor.d/local/broadside

step "security updates"
install -m 0644 "$I/20auto-upgrades" "$I/50-broadside-upgrades" /etc/apt/apt.conf.d/

step "enable services"
systemctl enable nftables.service systemd-timesyncd.service tmp.mount \
  broadside-firstboot.service broadside.service apparmor.service >/dev/null 2>&1 ||
  systemctl enable nftables.service systemd-timesyncd.service tmp.mount \
    broadside-firstboot.service broadside.service apparmor.service
if [ "$IMAGE" = 1 ]; then
  install -m 0644 "$I/network-dhcp.network" /etc/systemd/network/80-broadside-dhcp.network
  systemctl enable systemd-networkd.service systemd-resolved.service >/dev/null 2>&1
else
  step "start"
  systemctl daemon-reload
  systemctl stop tor.service tor@default.service >/dev/null 2>&1 || true
  apparmor_parser -r /etc/apparmor.d/broadside || echo "install: AppArmor not active in this kernel" >&2
  sysctl -q --system || true
  systemctl restart nftables.service systemd-journald.service
  # resolved was started by its package with LLMNR listening on every
  # interface; restart it so our no-multicast config applies now.
  systemctl try-restart systemd-resolved.service
  systemctl start systemd-timesyncd.service || true
  systemctl start broadside-firstboot.service
  # restart, not start: on a re-run the old binary would otherwise keep serving.
  systemctl restart broadside.service
  systemctl --no-pager status broadside.service | head -n 5 || true
  /usr/lib/broadside/firstboot | tail -n 1
fi
step "done"
