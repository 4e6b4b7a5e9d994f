#!/usr/bin/env bash
# image/test/test.sh OUTDIR: make image-test. Boots a copy of the amd64 disk image
# the way a VPS does: UEFI firmware (Debian's OVMF) -> systemd-boot on the
# image's EFI partition -> kernel and initrd from there -> root by label.
# Software emulation unless /dev/kvm exists; -netdev user,restrict=on: the
# guest reaches nothing. The copy's boot entry gets broadside.selftest, so the
# image runs image/files/selftest and powers off. Prints the checks and ends with
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
boot() { # boot ACCEL-ARGS...: the image until it powers off (or 20 min)
  timeout 1200 qemu-system-x86_64 "$@" -machine q35 -m 1024 -smp 2 -nographic -no-reboot \
    -drive if=pflash,format=raw,unit=0,readonly=on,file="$CODE" \
    -drive if=pflash,format=raw,unit=1,file="$VARS" \
    -drive file="$DISK",format=raw,if=virtio \
    -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0 >"$LOG" 2>&1
}
start=$SECONDS
if [ -w /dev/kvm ]; then
  boot -enable-kvm -cpu host; rc=$?
  # Some nested hosts offer /dev/kvm but refuse the host CPU's MSRs, and qemu
  # aborts before the guest runs ("failed to set MSR 0x10a"): boot again,
  # emulated, rather than report the host's limit as the image's failure.
  if [ $rc != 0 ] && [ $((SECONDS - start)) -lt 30 ] && ! grep -q "selftest:" "$LOG"; then
    echo "image-test: qemu with KVM stopped at once (exit $rc: $(head -c 200 "$LOG" | head -1)); booting without KVM"
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$VARS"
    start=$SECONDS; boot; rc=$?
  fi
else
  boot; rc=$?
fi
echo "image-test: qemu ran $((SECONDS - start)) s (exit $rc); serial log: $LOG"
rm -f "$DISK" "$VARS"
exec bash "$(dirname "$0")/selftest-report.sh" "$LOG"
