#!/bin/sh
# scripts/install.sh: install Broadside as a hardened service on Debian 12.
# The OS image build (image/build/build.sh) runs the same script inside the image's
# root (--image), so `make image-test` covers these steps.
#
#   sudo scripts/install.sh [--deb FILE] [--keep-ssh] [--image] [--packages]
#
# Broadside itself comes as its Debian package (`make deb`; default: the one in
# build/deb/), installed with apt: the program, broadside.service, the AppArmor
# profile, the user `broadside` and /var/lib/broadside, /etc/broadside, the
# manuals. That is what any Debian 12 machine gets from `apt install`, and
# what `apt remove`/`apt purge` take away again. This script adds what makes
# the machine an appliance, which a package must not impose on a system it
# shares with others: packages (nftables, apparmor, unattended-upgrades,
# timesyncd, resolved); /srv/broadside for collections (Debian packages may not
# make anything in /srv); the first-boot unit that runs `broadside init` and
# shows the onion address; Debian's own tor service off; nftables (inbound
# drop; outbound only tor, apt, clock); journald in RAM; /tmp on tmpfs; no
# swap; sysctl hardening; daily security updates. --keep-ssh keeps inbound
# TCP 22 open (an existing VPS you reach over SSH: without it you would lock
# yourself out); the default, and the image, have no clearnet SSH. Re-running
# upgrades in place: the package (re)installed, serve restarted, data and keys
# kept. --packages prints the Debian packages it needs and exits.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
DEB=$(ls -t "$SRC"/build/deb/broadside_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
IMAGE=0 KEEP_SSH=0
# This script's packages, then the package's own Depends (image/debian/control),
# so that the image build (mmdebstrap) and install-test can have them all in
# the root up front and the package installs without a network.
PKGS="nftables apparmor unattended-upgrades systemd-timesyncd systemd-resolved
  tor libevent-core-2.1-7 libsqlite3-0 libssl3 libhttp-parser2.9
  libcurl4 libseccomp2 libzip4 libexpat1 libexif12 libdeflate0 libarchive13 libjpeg62-turbo libpng16-16 libgif7 libwebp7 libwebpdemux2 libolecf1 libbfio1 media-types poppler-utils unrtf catdoc vanguards"
while [ $# -gt 0 ]; do
  case $1 in
    --deb) DEB=$2; shift ;;
    --keep-ssh) KEEP_SSH=1 ;;
    --image) IMAGE=1 ;;
    --packages) echo $PKGS; exit 0 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ -f "${DEB:-}" ] || { echo "install.sh: no package (run make deb first, or --deb FILE)" >&2; exit 1; }
case $DEB in /*) ;; *) DEB=$(pwd)/$DEB ;; esac  # apt takes a file only as a path
if [ "$KEEP_SSH" = 0 ] && [ -n "${SSH_CONNECTION:-}" ] && [ "$IMAGE" = 0 ]; then
  echo "install.sh: you are logged in over SSH; the firewall would cut you off." >&2
  echo "  Re-run with --keep-ssh (and plan to reach the machine another way), or from a console." >&2
  exit 1
fi
I=$SRC/image/files
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

step "package $(basename "$DEB")"
# --reinstall and --allow-downgrades: this build is what gets installed, also
# when a re-run finds the same version (a rebuild from a newer checkout that
# kept the changelog's version). The package's own scripts make the user and
# the data dir, load the AppArmor profile, enable the unit and, on an upgrade,
# restart it. Its Depends are in PKGS, so apt downloads nothing here.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  --reinstall --allow-downgrades "$DEB" >/dev/null
install -d -m 0755 /srv/broadside

step "first-boot unit"
install -d /usr/lib/broadside
install -m 0755 "$I/firstboot" /usr/lib/broadside/firstboot
install -m 0644 "$I/broadside-firstboot.service" /etc/systemd/system/
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
  # The package loaded it when apparmor was running; if apt just installed
  # apparmor itself, load it now.
  apparmor_parser -r /etc/apparmor.d/broadside 2>/dev/null || echo "install: AppArmor not active in this kernel" >&2
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
