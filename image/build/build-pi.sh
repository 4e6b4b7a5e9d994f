#!/usr/bin/env bash
# image/build/build-pi.sh OUTDIR: make image-pi. Builds broadside for arm64 in an
# arm64 Debian 12 chroot (qemu-user-static through binfmt_misc: no cross
# toolchain, the same Debian -dev packages), then the Raspberry Pi 4 image
# with image/build/build.sh arm64, then checks its contents (boot partition files,
# kernel, units). Prints "N passed, N failed". CHECK_ONLY=1 only checks an
# image built before. Not the Pi 5: Debian 12's kernel and raspi-firmware
# have no support for it (README).
set -euo pipefail
OUT=${1:-build/image}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
start=$SECONDS
if [ "${CHECK_ONLY:-0}" != 1 ]; then
# binfmt_misc: mounted and qemu-aarch64 registered (qemu-user-static's F flag).
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
arch-test arm64 >/dev/null || { echo "image-pi: this host cannot run arm64 binaries (binfmt)" >&2; exit 1; }

B=$OUT/pi-buildroot
if [ "${REUSE_ROOT:-0}" = 1 ] && [ -x "$B/usr/bin/gcc" ]; then
  echo "image-pi: reusing $B (REUSE_ROOT=1)"
else
  rm -rf "$B"
  echo "image-pi: arm64 build chroot"
  mmdebstrap --variant=minbase --architectures=arm64 \
    --include=build-essential,pkg-config,xxd,gettext,libevent-dev,libssl-dev,libsqlite3-dev,libhttp-parser-dev,libseccomp-dev,debhelper,dh-apparmor,libcurl4-openssl-dev,libzip-dev,libexpat1-dev,libexif-dev,libdeflate-dev,libarchive-dev,libolecf-dev,libbfio-dev \
    --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    bookworm "$B" "deb $MIRROR bookworm main"
fi
rm -rf "$B/src"; mkdir -p "$B/src"
cp -r "$TOP/appliance" "$TOP/web" "$TOP/scripts" "$TOP/image" "$TOP/Makefile" "$TOP/README.md" "$B/src/"
# The arm64 package, as make deb builds the amd64 one (build.sh installs it).
chroot "$B" sh -c 'cd /src && make deb >/dev/null'
rm -f "$OUT"/broadside_*_arm64.deb
cp "$B"/src/build/deb/broadside_*_arm64.deb "$OUT/"
rm -rf "$B"
echo "image-pi: arm64 package in $((SECONDS - start)) s: $(ls "$OUT"/broadside_*_arm64.deb)"

bash "$TOP/image/build/build.sh" arm64 "$OUT"
fi

# Contents check: the boot partition (FAT at 1 MiB), the root's kernel and units.
IMG=$OUT/broadside-pi.img R=$OUT/rootfs-arm64
p=0 f=0
check() { local w=$1; shift; if "$@" >/dev/null 2>&1; then p=$((p+1)); echo "ok - $w"; else f=$((f+1)); echo "not ok - $w"; fi; }
export MTOOLS_SKIP_CHECK=1
boot=$(mdir -i "$IMG@@1M" -b :: 2>/dev/null)
echo "$boot" | sed 's/^/  boot: /' | head -n 40
check "boot: config.txt" grep -q '::/config.txt' <<<"$boot"
check "boot: cmdline.txt" grep -q '::/cmdline.txt' <<<"$boot"
check "boot: Pi 4 device tree" grep -q 'bcm2711-rpi-4-b.dtb' <<<"$boot"
check "boot: Pi 400 device tree" grep -q 'bcm2711-rpi-400.dtb' <<<"$boot"
check "boot: start4.elf firmware" grep -q 'start4.elf' <<<"$boot"
check "boot: kernel" grep -qi 'vmlinuz' <<<"$boot"
check "boot: initrd" grep -qi 'initrd' <<<"$boot"
check "cmdline.txt: root by label" bash -c "mtype -i '$IMG@@1M' ::/cmdline.txt | grep -q 'root=LABEL=broadside-root'"
check "cmdline.txt: Landlock and AppArmor asked for (lsm=)" bash -c "mtype -i '$IMG@@1M' ::/cmdline.txt | grep -q 'lsm=landlock,.*apparmor'"
check "root: arm64 kernel" bash -c "ls '$R'/boot/vmlinuz-*-arm64"
check "root: broadside is arm64" bash -c "file -L '$R/usr/bin/broadside' | grep -q aarch64 || od -An -tx1 -j18 -N2 '$R/usr/bin/broadside' | grep -q 'b7 00'"
check "root: broadside.service enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/broadside.service"
check "root: firstboot enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/broadside-firstboot.service"
check "root: nftables enabled" test -L "$R/etc/systemd/system/sysinit.target.wants/nftables.service"
check "root: journald volatile" grep -q '^Storage=volatile' "$R/etc/systemd/journald.conf.d/broadside.conf"
check "root: AppArmor profile" test -f "$R/etc/apparmor.d/broadside"
check "root: no SSH server" bash -c "! ls '$R'/usr/sbin/sshd"
echo "image-pi: done in $((SECONDS - start)) s (boot it under qemu: bash image/test/test-pi.sh OUTDIR, or make image-pi-test)"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
