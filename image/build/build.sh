#!/usr/bin/env bash
# image/build/build.sh ARCH OUTDIR: build the Broadside OS image from Debian 12
# packages only (mmdebstrap, Debian's mirror), with Broadside from this tree
# installed by the same scripts/install.sh that an existing server uses.
#
#   amd64: OUTDIR/broadside-amd64.raw (GPT: EFI system partition with
#          systemd-boot + root ext4) and .qcow2; OUTDIR/vmlinuz, initrd.img for
#          the EFI partition (systemd-boot reads them from there).
#   arm64: OUTDIR/broadside-pi.img (MBR: FAT boot partition with Debian's
#          raspi-firmware + root ext4) for the Raspberry Pi 4 family (no Pi 5:
#          Debian 12 has no kernel for it).
#
# Reproducible given the same package versions: SOURCE_DATE_EPOCH is the last
# commit's time (mmdebstrap clamps mtimes to it), filesystem UUIDs and seeds are
# fixed. Point MIRROR at a snapshot.debian.org date to pin the versions.
set -euo pipefail
ARCH=${1:-amd64}
OUT=${2:-build/image}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${SECURITY:-http://deb.debian.org/debian-security}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct 2>/dev/null || date +%s)}
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$OUT/rootfs-$ARCH
start=$SECONDS

case $ARCH in
  amd64) KERNEL=linux-image-amd64; BOOTPKG=systemd-boot-efi; DEBDIR=$TOP/build/deb ;;
  arm64) KERNEL=linux-image-arm64; BOOTPKG=raspi-firmware; DEBDIR=$OUT ;;
  *) echo "build.sh: ARCH is amd64 or arm64" >&2; exit 2 ;;
esac
# Broadside goes in as its Debian package (make deb; for arm64, build-pi.sh).
DEB=$(ls -t "$DEBDIR"/broadside_*_"$ARCH".deb 2>/dev/null | head -n 1)
[ -f "$DEB" ] || { echo "build.sh: no broadside package for $ARCH in $DEBDIR" >&2; exit 1; }

PKGS=systemd-sysv,udev,initramfs-tools,$KERNEL,$BOOTPKG,tor,nftables,apparmor,\
unattended-upgrades,systemd-timesyncd,systemd-resolved,iproute2,procps,ca-certificates,\
libevent-core-2.1-7,libsqlite3-0,libssl3,libhttp-parser2.9,libcurl4,libzip4,libexpat1,libexif12,libdeflate0,libarchive13,libjpeg62-turbo,libpng16-16,libgif7,libwebp7,libwebpdemux2,libseccomp2,\
libolecf1,libbfio1,media-types,poppler-utils,unrtf,catdoc,tesseract-ocr,tesseract-ocr-eng,vanguards,dosfstools

# What install.sh needs inside the root.
STAGE=$OUT/stage-$ARCH
rm -rf "$STAGE"; mkdir -p "$STAGE/scripts"
cp -r "$TOP/image" "$STAGE/"
cp "$TOP/scripts/install.sh" "$STAGE/scripts/"
cp "$TOP/README.md" "$STAGE/"
cp "$DEB" "$STAGE/broadside.deb"

if [ "${REUSE_ROOT:-0}" = 1 ] && [ -d "$ROOT/usr" ]; then
  # Development shortcut: keep the packages, redo Broadside's own steps.
  echo "image: reusing $ROOT (REUSE_ROOT=1)"
  mkdir -p "$ROOT/tmp/bs" && cp -a "$STAGE/." "$ROOT/tmp/bs/"
  chroot "$ROOT" sh /tmp/bs/scripts/install.sh --image --deb /tmp/bs/broadside.deb
  sh "$TOP/image/build/finish-root.sh" "$ROOT" "$ARCH"
  rm -rf "$ROOT/tmp/bs"
else
rm -rf "$ROOT"
echo "image: mmdebstrap $ARCH"
mmdebstrap --variant=minbase --architectures="$ARCH" --include="$PKGS" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --essential-hook='echo "broadside" > "$1/etc/hostname"' \
  --customize-hook="mkdir -p \"\$1/tmp/bs\" && cp -a '$STAGE/.' \"\$1/tmp/bs/\"" \
  --customize-hook='chroot "$1" sh /tmp/bs/scripts/install.sh --image --deb /tmp/bs/broadside.deb' \
  --customize-hook="sh '$TOP/image/build/finish-root.sh' \"\$1\" $ARCH" \
  --customize-hook='rm -rf "$1/tmp/bs"' \
  bookworm "$ROOT" \
  "deb $MIRROR bookworm main non-free-firmware" \
  "deb $MIRROR bookworm-updates main non-free-firmware" \
  "deb $SECURITY bookworm-security main non-free-firmware"
fi
echo "image: root built in $((SECONDS - start)) s"

ROOT_UUID=6b2a8c1e-0d4f-4e57-9a51-b0ad5de0a001
root_mb=$(( $(du -sm "$ROOT" | cut -f1) * 13 / 10 + 300 ))
rm -f "$OUT/root-$ARCH.ext4"
mkfs.ext4 -q -L broadside-root -U "$ROOT_UUID" -E hash_seed=$ROOT_UUID,root_owner=0:0 \
  -d "$ROOT" "$OUT/root-$ARCH.ext4" "${root_mb}M"

# assemble DISK BOOTIMG ROOTIMG LABEL(gpt|dos): partitions at 1 MiB-aligned offsets.
assemble() {
  local disk=$1 boot=$2 rootimg=$3 label=$4
  local boot_mb=$(( $(stat -c %s "$boot") / 1048576 )) r_mb=$(( $(stat -c %s "$rootimg") / 1048576 ))
  rm -f "$disk"
  truncate -s $(( 1 + boot_mb + r_mb + 1 ))M "$disk"
  if [ "$label" = gpt ]; then
    sfdisk -q "$disk" <<SF
label: gpt
label-id: 6B2A8C1E-0D4F-4E57-9A51-B0AD5DE0A000
start=1MiB, size=${boot_mb}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp
size=${r_mb}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=root
SF
  else
    sfdisk -q "$disk" <<SF
label: dos
label-id: 0x6b2a8c1e
start=1MiB, size=${boot_mb}MiB, type=c, bootable
size=${r_mb}MiB, type=83
SF
  fi
  dd if="$boot" of="$disk" bs=1M seek=1 conv=notrunc status=none
  dd if="$rootimg" of="$disk" bs=1M seek=$(( 1 + boot_mb )) conv=notrunc status=none
}

if [ "$ARCH" = amd64 ]; then
  cp -L "$ROOT/vmlinuz" "$OUT/vmlinuz"; cp -L "$ROOT/initrd.img" "$OUT/initrd.img"
  esp=$OUT/esp.vfat; rm -f "$esp"
  mkfs.vfat -C -n BROADSIDE -i 6b2a8c1e "$esp" $((256 * 1024)) >/dev/null
  export MTOOLS_SKIP_CHECK=1
  mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries ::/broadside
  mcopy -i "$esp" "$ROOT/usr/lib/systemd/boot/efi/systemd-bootx64.efi" ::/EFI/BOOT/BOOTX64.EFI
  mcopy -i "$esp" "$OUT/vmlinuz" ::/broadside/vmlinuz
  mcopy -i "$esp" "$OUT/initrd.img" ::/broadside/initrd.img
  printf 'default broadside.conf\ntimeout 0\n' | mcopy -i "$esp" - ::/loader/loader.conf
  printf 'title Broadside\nlinux /broadside/vmlinuz\ninitrd /broadside/initrd.img\noptions root=LABEL=broadside-root ro console=tty0 console=ttyS0,115200 lsm=landlock,lockdown,yama,integrity,apparmor,bpf quiet\n' \
    | mcopy -i "$esp" - ::/loader/entries/broadside.conf
  assemble "$OUT/broadside-amd64.raw" "$esp" "$OUT/root-$ARCH.ext4" gpt
  qemu-img convert -f raw -O qcow2 "$OUT/broadside-amd64.raw" "$OUT/broadside-amd64.qcow2"
  rm -f "$esp"
else
  boot=$OUT/boot.vfat; rm -f "$boot"
  mkfs.vfat -C -n RASPIFIRM -i 6b2a8c1f "$boot" $((256 * 1024)) >/dev/null
  export MTOOLS_SKIP_CHECK=1
  mcopy -s -i "$boot" "$ROOT/boot/firmware/"* ::/
  assemble "$OUT/broadside-pi.img" "$boot" "$OUT/root-$ARCH.ext4" dos
  rm -f "$boot"
fi
rm -f "$OUT/root-$ARCH.ext4"
rm -rf "$STAGE"
echo "image: $ARCH done in $((SECONDS - start)) s"
ls -la "$OUT"
