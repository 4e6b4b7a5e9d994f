#!/usr/bin/env bash
# image/test.sh OUTDIR: make image-test. Boots a copy of the amd64 disk image
# the way a VPS does: UEFI firmware (Debian's OVMF) -> systemd-boot on the
# image's EFI partition -> kernel and initrd from there -> root by label.
# Software emulation unless /dev/kvm exists; -netdev user,restrict=on: the
# guest reaches nothing. The copy's boot entry gets broadside.selftest, so the
# image runs image/selftest and powers off. Prints the checks and ends with
# "N passed, N failed".
set -uo pipefail
OUT=${1:-build/image}
OUT=$(cd "$OUT" && pwd)
DISK=$OUT/test-disk.raw VARS=$OUT/test-efivars.fd
LOG=$OUT/serial.log
CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
[ -r "$CODE" ] || { echo "image-test: no $CODE (apt-get install ovmf)"; echo "0 passed, 1 failed"; exit 1; }
cp --sparse=always "$OUT/broadside-amd64.raw" "$DISK"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$VARS"
# The only change to the image: the test hook on the kernel command line.
export MTOOLS_SKIP_CHECK=1
entry=$(mtype -i "$DISK@@1M" ::/loader/entries/broadside.conf | sed '/^options /s/$/ broadside.selftest/')
printf '%s\n' "$entry" | mcopy -o -i "$DISK@@1M" - ::/loader/entries/broadside.conf
accel=(); [ -w /dev/kvm ] && accel=(-enable-kvm -cpu host)
start=$SECONDS
timeout 1200 qemu-system-x86_64 "${accel[@]}" -machine q35 -m 1024 -smp 2 -nographic -no-reboot \
  -drive if=pflash,format=raw,unit=0,readonly=on,file="$CODE" \
  -drive if=pflash,format=raw,unit=1,file="$VARS" \
  -drive file="$DISK",format=raw,if=virtio \
  -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 >"$LOG" 2>&1
rc=$?
echo "image-test: qemu ran $((SECONDS - start)) s (exit $rc); serial log: $LOG"
rm -f "$DISK" "$VARS"
exec bash "$(dirname "$0")/selftest-report.sh" "$LOG"
