#!/usr/bin/env bash
# backup/restore: the round trip gives the same onion address, signing key and
# catalogue; a wrong passphrase, a truncated file or any flipped byte is refused
# with nothing written; an existing identity needs --force; --data-root moves
# collections; restored collections whose files differ are held (not served)
# until refresh; a crafted header's scrypt cost is refused before any work;
# a passphrase under 12 characters needs --weak-passphrase.
. "$(dirname "$0")/../lib.sh"
A=$T/a C=$T/coll
mkdir -p "$C/sub"
echo "hello" >"$C/a.txt"
head -c 200000 /dev/urandom >"$C/sub/r.bin"
head -c 150000 /dev/urandom >"$C/big.bin"
echo "correct horse battery staple" >"$T/pass"
echo "wrong horse" >"$T/bad"
$BROADSIDE --data "$A" init >/dev/null 2>&1
$BROADSIDE --data "$A" add "$C" --slug demo --title "Demo" --description "d" -q >/dev/null
check "backup succeeds" $BROADSIDE --data "$A" backup "$T/b.bk" --passphrase-file "$T/pass"
check_eq "backup file is 0600" "$(stat -c %a "$T/b.bk")" 600
check "backup holds no plaintext key material" bash -c "! grep -aq 'ed25519v1-secret' '$T/b.bk' && ! grep -aq 'SQLite format' '$T/b.bk'"
check_eq "header magic" "$(head -c 8 "$T/b.bk")" "BRDSBKUP"

catdump() { sqlite3 "$1/catalogue.db" "SELECT slug,title,description,files,bytes FROM collections; SELECT path,size,mtime,hex(sha256),mime FROM files ORDER BY path;"; }
tree_sum() { (cd "$1" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum; }

# --- round trip, files in place ---
check "restore into a new data dir" $BROADSIDE --data "$T/b" restore "$T/b.bk" --passphrase-file "$T/pass"
check_eq "same onion address" "$($BROADSIDE --data "$T/b" address)" "$($BROADSIDE --data "$A" address)"
check "same signing key" cmp -s "$A/keys/publisher.key" "$T/b/keys/publisher.key"
check "same public key" cmp -s "$A/keys/publisher.pub" "$T/b/keys/publisher.pub"
check "same onion secret key" cmp -s "$A/onion/public/hs_ed25519_secret_key" "$T/b/onion/public/hs_ed25519_secret_key"
check "same config" cmp -s "$A/broadside.conf" "$T/b/broadside.conf"
check_eq "same catalogue" "$(catdump "$T/b")" "$(catdump "$A")"
check_eq "secret keys 0600" "$(stat -c %a "$T/b/keys/publisher.key" "$T/b/onion/public/hs_ed25519_secret_key" | sort -u)" 600
check_eq "data dir 0700" "$(stat -c %a "$T/b" "$T/b/keys" "$T/b/onion" "$T/b/onion/public" | sort -u)" 700
check "catalogue integrity" bash -c "[ \"\$(sqlite3 '$T/b/catalogue.db' 'PRAGMA integrity_check')\" = ok ]"
check "restored manifests verify" minisign -V -q -p "$T/b/keys/publisher.pub" -m "$T/b/manifests/demo/SHA256SUMS"
check "… and sha256sum -c passes" bash -c "cd '$C' && sha256sum --quiet -c '$T/b/manifests/demo/SHA256SUMS'"
check "serve -n accepts the restored dir" $BROADSIDE --data "$T/b" serve -n
check "no staging left behind" bash -c "! ls -d '$T'/b.restore.* 2>/dev/null"

# --- refusals: nothing written ---
refused() { # refused NAME FILE PASSFILE: restore fails, says why, target absent
  local out
  out=$($BROADSIDE --data "$T/x-$1" restore "$2" --passphrase-file "$3" 2>&1)
  local rc=$?
  echo "# $1: $out"
  [ $rc -ne 0 ] && grep -q "nothing was restored" <<<"$out" && ! ls -d "$T/x-$1"* >/dev/null 2>&1
}
check "wrong passphrase refused, nothing written" refused wrong "$T/b.bk" "$T/bad"
check "wrong passphrase says so" grep -q "wrong passphrase" <<<"$($BROADSIDE --data "$T/y" restore "$T/b.bk" --passphrase-file "$T/bad" 2>&1)"
size=$(stat -c %s "$T/b.bk")
for cut in 30 61 100 65551 65552 $((size - 16)) $((size - 1)); do
  [ "$cut" -lt "$size" ] || continue
  head -c "$cut" "$T/b.bk" >"$T/cut.bk"
  check "truncated at $cut refused, nothing written" refused "cut$cut" "$T/cut.bk" "$T/pass"
done
head -c $((65 + 65536 + 16)) "$T/b.bk" >"$T/cut.bk"
check "truncated at a chunk boundary: says truncated or damaged" \
  grep -Eq "truncated|damaged" <<<"$($BROADSIDE --data "$T/y" restore "$T/cut.bk" --passphrase-file "$T/pass" 2>&1)"
flip() { python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[int(sys.argv[2])]^=int(sys.argv[3]); open(sys.argv[4],'wb').write(b)" "$T/b.bk" "$1" "${2:-1}" "$T/flip.bk"; }
for off in 0 8 10 20 40 50 61 70 1000 70000 $((size / 2)) $((size - 17)) $((size - 1)); do
  flip "$off"
  check "flipped byte at $off refused, nothing written" refused "flip$off" "$T/flip.bk" "$T/pass"
done
cp "$T/b.bk" "$T/app.bk"; printf 'x' >>"$T/app.bk"
check "a byte appended refused" refused app "$T/app.bk" "$T/pass"
check "not a backup refused" refused notbk "$C/a.txt" "$T/pass"

# --- an existing identity is not overwritten without --force ---
$BROADSIDE --data "$T/c" init >/dev/null 2>&1
before=$(tree_sum "$T/c")
out=$($BROADSIDE --data "$T/c" restore "$T/b.bk" --passphrase-file "$T/pass" 2>&1)
check "existing identity refused without --force" grep -q "already holds an identity" <<<"$out"
check_eq "… target untouched" "$(tree_sum "$T/c")" "$before"
flip 5000
$BROADSIDE --data "$T/c" restore "$T/flip.bk" --passphrase-file "$T/pass" --force >/dev/null 2>&1
check_eq "damaged backup with --force: target untouched" "$(tree_sum "$T/c")" "$before"
check "--force replaces it" $BROADSIDE --data "$T/c" restore "$T/b.bk" --passphrase-file "$T/pass" --force
check_eq "… with the backup's address" "$($BROADSIDE --data "$T/c" address)" "$($BROADSIDE --data "$A" address)"
check "… and a sound catalogue" bash -c "[ \"\$(sqlite3 '$T/c/catalogue.db' 'PRAGMA integrity_check')\" = ok ]"

# --- a new machine: data copied elsewhere, mtimes not kept ---
mkdir -p "$T/disk2"; cp -r "$C" "$T/disk2/coll"   # cp -r: new mtimes
touch -d '2001-02-03' "$T/disk2/coll/a.txt"
check "restore with --data-root" $BROADSIDE --data "$T/d" restore "$T/b.bk" --passphrase-file "$T/pass" --data-root "$C=$T/disk2/coll"
check_eq "root re-pointed" "$(sqlite3 "$T/d/catalogue.db" "SELECT root FROM collections WHERE slug='demo'")" "$T/disk2/coll"
check_eq "not held" "$(sqlite3 "$T/d/catalogue.db" "SELECT held IS NULL FROM collections WHERE slug='demo'")" 1
PORT=$(free_port)
bg_start "$T/serve-d.log" $BROADSIDE --data "$T/d" serve --listen 127.0.0.1:$PORT --no-tor
check "restored server answers" wait_for 20 curl -sf -o /dev/null http://127.0.0.1:$PORT/
check_eq "verified files are served despite new mtimes" "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/f/demo/a.txt)" 200
check_eq "… the right bytes" "$(curl -s http://127.0.0.1:$PORT/f/demo/sub/r.bin | sha256sum)" "$(sha256sum <"$C/sub/r.bin")"

# --- files that differ: the collection is held ---
mkdir -p "$T/disk3"; cp -a "$C" "$T/disk3/coll"
m=$(stat -c %Y "$T/disk3/coll/big.bin")
# flip every bit of one byte (writing a fixed byte fails 1 run in 256: random data may hold it)
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(777); b=f.read(1); f.seek(777); f.write(bytes([b[0]^0xff]))' "$T/disk3/coll/big.bin"
touch -d "@$m" "$T/disk3/coll/big.bin"          # same size, same mtime: only a hash sees it
rm "$T/disk3/coll/a.txt"
out=$($BROADSIDE --data "$T/e" restore "$T/b.bk" --passphrase-file "$T/pass" --data-root "$C=$T/disk3/coll" 2>&1)
echo "$out" | sed 's/^/# /'
check "restore reports the differing file" grep -q "differs from the manifest: big.bin" <<<"$out"
check "restore reports the missing file" grep -q "missing: a.txt" <<<"$out"
check "the collection is held" grep -q "HELD" <<<"$out"
PORT=$(free_port)
bg_start "$T/serve-e.log" $BROADSIDE --data "$T/e" serve --listen 127.0.0.1:$PORT --no-tor
U=http://127.0.0.1:$PORT
check "held server answers" wait_for 20 curl -sf -o /dev/null $U/
check_eq "the tampered file is not served" "$(curl -s -o /dev/null -w '%{http_code}' $U/f/demo/big.bin)" 503
check_eq "nor any other file of the held collection" "$(curl -s -o /dev/null -w '%{http_code}' $U/f/demo/sub/r.bin)" 503
check_eq "its signed manifest still is" "$(curl -s -o /dev/null -w '%{http_code}' $U/m/demo/SHA256SUMS)" 200
cp "$C/big.bin" "$T/disk3/coll/big.bin"; cp "$C/a.txt" "$T/disk3/coll/a.txt"
check "refresh after putting the right files back" $BROADSIDE --data "$T/e" refresh demo -q
check_eq "… releases the hold" "$(sqlite3 "$T/e/catalogue.db" "SELECT held IS NULL FROM collections WHERE slug='demo'")" 1
# A running server sees a released hold within a second (its collection cache).
served_again() { [ "$(curl -s $U/f/demo/big.bin | sha256sum)" == "$(sha256sum <"$C/big.bin")" ]; }
check "… and the file is served again" wait_for 10 served_again
check "… and sha256sum -c passes on the manifest" bash -c "cd '$T/disk3/coll' && curl -s $U/m/demo/SHA256SUMS | sha256sum --quiet -c -"
# --- a crafted header's KDF cost is refused before any work ---
# (scrypt needs 128*r*N bytes and p times the work; backup writes N=2^17, r=8, p=1)
craft() { # craft LOG2N R P OUT: b.bk with these scrypt parameters in its header
  python3 -c 'import sys, struct
b = bytearray(open(sys.argv[1], "rb").read())
b[10] = int(sys.argv[2]); b[11:15] = struct.pack(">I", int(sys.argv[3])); b[15:19] = struct.pack(">I", int(sys.argv[4]))
open(sys.argv[5], "wb").write(b)' "$T/b.bk" "$@"
}
for kdf in "20 8 16" "20 8 1" "17 8 16" "18 8 1" "17 32 1" "22 1 1"; do
  craft $kdf "$T/kdf.bk"
  /usr/bin/time -f "%e %M" -o "$T/kdf.time" timeout 20 \
    $BROADSIDE --data "$T/nokdf" restore "$T/kdf.bk" --passphrase-file "$T/pass" >"$T/kdf.out" 2>&1
  read -r secs rss < <(tail -n 1 "$T/kdf.time")
  echo "# scrypt log2(N) r p = $kdf: ${secs} s, max RSS ${rss} KiB: $(tail -n 2 "$T/kdf.out" | tr '\n' ' ')"
  check "crafted KDF header ($kdf) refused in under 1 s (${secs} s)" awk -v s="$secs" 'BEGIN { exit !(s < 1) }'
  check "… without the memory (max RSS ${rss} KiB < 64 MiB)" test "$rss" -lt 65536
  check "… saying why" grep -q "scrypt parameters" "$T/kdf.out"
  check "… and nothing written" bash -c "! ls -d '$T/nokdf'* >/dev/null 2>&1"
done
craft 17 8 1 "$T/kdf.bk"
check "the parameters backup writes are still accepted" $BROADSIDE --data "$T/k2" restore "$T/kdf.bk" --passphrase-file "$T/pass"

# --- a passphrase under 12 characters is refused unless --weak-passphrase ---
printf 'short pass\n' >"$T/short"
out=$($BROADSIDE --data "$A" backup "$T/weak.bk" --passphrase-file "$T/short" 2>&1); rc=$?
echo "# $out"
check "a 10-character passphrase is refused" test $rc -ne 0
check "… saying why" grep -q "12 characters" <<<"$out"
check "… and no file written" test ! -e "$T/weak.bk"
printf '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n' >"$T/short8"
check "characters are counted, not bytes (11 two-byte characters refused)" \
  bash -c "! $BROADSIDE --data '$A' backup '$T/weak.bk' --passphrase-file '$T/short8' 2>/dev/null"
check "--weak-passphrase accepts it" $BROADSIDE --data "$A" backup "$T/weak.bk" --passphrase-file "$T/short" --weak-passphrase
check "… and the backup restores" $BROADSIDE --data "$T/w" restore "$T/weak.bk" --passphrase-file "$T/short"
printf '123456789012\n' >"$T/twelve"
check "12 characters are enough" $BROADSIDE --data "$A" backup "$T/twelve.bk" --passphrase-file "$T/twelve"
done_testing
