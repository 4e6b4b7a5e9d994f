# docjail: hostile documents and a hostile pdftotext. A stand-in for pdftotext
# (a C program built here) sits first on PATH and at the absolute path the
# config names (pdftotext_path); it tries to read both key files and the
# parent's /proc, open TCP and unix sockets, fork, exec, write 1 GiB, and loop
# forever. Every attempt must fail, the files it could not read are listed,
# nothing of the keys reaches the index, and add finishes. Then a folder is
# swapped for a symlink to a secret folder, again and again while `add` runs:
# the secret never reaches the index.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
TOOLROOT=$T/toolroot
mkdir -p "$TREE/pdfs" "$TOOLROOT/usr/bin" "$T/path"
check "init" "$BROADSIDE" --data "$D" init

port=$(free_port)
python3 -c "
import socket, time, sys
s = socket.socket(); s.bind(('127.0.0.1', $port)); s.listen(8)
s.settimeout(90)
try:
    c, _ = s.accept(); open('$T/tcp-reached', 'w').write('yes')
except Exception:
    pass
" &
_pids+=($!)
mkdir -p "$T/usock"
python3 -c "
import socket
s = socket.socket(socket.AF_UNIX); s.bind('$T/usock/s'); s.listen(8); s.settimeout(90)
try:
    c, _ = s.accept(); open('$T/unix-reached', 'w').write('yes')
except Exception:
    pass
" &
_pids+=($!)
wait_for 5 test -S "$T/usock/s"

cat >"$T/standin.c" <<EOF
/* A hostile pdftotext: what it manages to do, it prints (LEAKED ...). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void leak_file(const char *what, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (n > 0) {
		printf("LEAKED %s ", what);
		for (ssize_t i = 0; i < n; i++)
			printf("%02x", (unsigned char)buf[i]);
		printf(" %.*s\n", (int)n, buf);
	} else {
		printf("STANDIN-TRIED %s\n", what);
	}
}

int main(void)
{
	char doc[4096], path[256];
	ssize_t n;
	setvbuf(stdout, NULL, _IOLBF, 0);   /* an exec must not swallow what came before */
	n = read(0, doc, sizeof(doc) - 1);
	doc[n > 0 ? n : 0] = 0;
	printf("STANDIN-RAN\n");
	leak_file("publisher-key", "$D/keys/publisher.key");
	leak_file("onion-key", "$D/onion/public/hs_ed25519_secret_key");
	leak_file("config", "$D/broadside.conf");
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)getppid());
	leak_file("parent-environ", path);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)getppid());
	leak_file("parent-cmdline", path);
	leak_file("self-environ", "/proc/self/environ");
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons($port) };
		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			printf("LEAKED tcp-connect\n");
		else
			printf("STANDIN-TRIED tcp\n");
	}
	{
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", "$T/usock/s");
		if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			printf("LEAKED unix-connect\n");
		else
			printf("STANDIN-TRIED unix\n");
	}
	{
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		if (p > 0) {
			printf("LEAKED fork\n");
			waitpid(p, NULL, 0);
		} else {
			printf("STANDIN-TRIED fork\n");
		}
	}
	{
		int fd = open("$T/big-output", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		static char block[1 << 20];
		long long wrote = 0;
		signal(SIGXFSZ, SIG_IGN);
		for (int i = 0; fd >= 0 && i < 1024; i++) {
			ssize_t w = write(fd, block, sizeof(block));
			if (w <= 0)
				break;
			wrote += w;
		}
		if (wrote > 0)
			printf("LEAKED wrote-file %lld\n", wrote);
		else
			printf("STANDIN-TRIED write-file\n");
	}
	{
		char *argv[] = { "sh", "-c", "echo LEAKED exec", NULL };
		execv("/bin/sh", argv);
		printf("STANDIN-TRIED exec\n");
	}
	fflush(stdout);
	if (memmem(doc, n > 0 ? (size_t)n : 0, "MODE flood", 10)) {
		/* 1 GiB to stdout: over the output cap. */
		static char block[1 << 20];
		memset(block, 'x', sizeof(block));
		for (int i = 0; i < 1024; i++)
			if (write(1, block, sizeof(block)) < 0)
				break;
	}
	if (memmem(doc, n > 0 ? (size_t)n : 0, "MODE loop", 9))
		for (;;)
			;
	if (memmem(doc, n > 0 ? (size_t)n : 0, "MODE crash", 10))
		*(volatile int *)0 = 1;
	return 0;
}
EOF
check "the stand-in compiles" cc -O1 -o "$TOOLROOT/usr/bin/pdftotext" "$T/standin.c"
cp "$TOOLROOT/usr/bin/pdftotext" "$T/path/pdftotext"

pdf() { printf '%%PDF-1.4\n%s\n%%%%EOF\n' "$2" >"$TREE/pdfs/$1"; }
pdf report.pdf "MODE report"
pdf flood.pdf "MODE flood"
pdf loop.pdf "MODE loop"
pdf crash.pdf "MODE crash"
printf 'an ordinary memo about marmalade\n' >"$TREE/memo.txt"

# 1. Only on PATH: never run (the real /usr/bin/pdftotext is, and our PDFs are not PDFs).
PATH="$T/path:$PATH" "$BROADSIDE" --data "$D" add "$TREE" --slug hostile --title Hostile >"$T/out1" 2>"$T/err1"
check "add with the stand-in first on PATH finishes" grep -q '^hostile: 5 files' "$T/out1"
check "the stand-in on PATH is not run" \
  test "$("$BROADSIDE" --data "$D" search STANDIN --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" = 0

# 2. At the absolute path the config names.
echo "pdftotext_path = $TOOLROOT/usr/bin/pdftotext" >>"$D/broadside.conf"
"$BROADSIDE" --data "$D" rm hostile >/dev/null
start=$SECONDS
PATH="$T/path:$PATH" timeout 120 "$BROADSIDE" --data "$D" add "$TREE" --slug hostile --title Hostile >"$T/out2" 2>"$T/err2"
rc=$?
cat "$T/err2"
check_eq "add with the hostile tool exits 0" "$rc" 0
check "and finishes within its deadline (took $((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "all five files are catalogued" grep -q '^hostile: 5 files, 5 added' "$T/out2"
# On a busy machine the deadline can come before the output cap: bounded either way.
check "the flood is reported" grep -Eq 'pdfs/flood.pdf: could not read: (wrote more than|still running after)' "$T/err2"
check "the endless loop is reported" grep -Eq 'pdfs/loop.pdf: could not read: (still running after|used more than)' "$T/err2"
check "the crash is reported" grep -q 'pdfs/crash.pdf: could not read: crashed' "$T/err2"
check "the report lists 3 unreadable files" grep -q '3 files could not be read for the search index' "$T/err2"
count() { "$BROADSIDE" --data "$D" search "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
check_eq "the stand-in ran in the jail (its report is indexed)" "$(count STANDIN-RAN)" 1
check_eq "it tried (its attempts are indexed)" "$(count '"STANDIN-TRIED publisher-key"')" 1
check_eq "nothing it tried succeeded (LEAKED is nowhere)" "$(count LEAKED)" 0
check "no TCP connection reached the listener" test ! -e "$T/tcp-reached"
check "no unix connection reached the listener" test ! -e "$T/unix-reached"
check "no file was written" test ! -s "$T/big-output"
check_eq "the ordinary memo is findable" "$(count marmalade)" 1
# The keys' bytes, raw, hex and base64, are nowhere in the catalogue (index included).
keys_absent() {
python3 - "$D" "$@" <<'PY'
import base64, glob, sqlite3, sys
d = sys.argv[1]
db = sqlite3.connect(d + "/catalogue.db"); db.text_factory = bytes
text = b"\n".join((t or b"") + b"\n" + (b or b"") for t, b in db.execute("select title, body from docs"))
if len(sys.argv) > 2:
    text += b"\n".join((t or b"") + b"\n" + (b or b"") for t, b in db.execute("select title, body from parts"))
blob = b"".join(open(p, "rb").read() for p in glob.glob(d + "/catalogue.db*"))
found = []
for k in (d + "/keys/publisher.key", d + "/onion/public/hs_ed25519_secret_key"):
    raw = open(k, "rb").read()
    if k.endswith("secret_key"):
        raw = raw[32:]          # after tor's public header, the 64 secret bytes
    else:
        raw = raw.split(b"\n", 1)[1]   # after the comment line, the key itself
    for off in range(0, len(raw) - 12, 4):
        chunk = raw[off:off + 12]
        for form in (chunk, chunk.hex().encode(), base64.b64encode(chunk)):
            if form in text or form in blob:
                found.append((k.rsplit("/", 1)[1], off))
print("key material found in the catalogue:", sorted(set(found))[:5])
sys.exit(1 if found else 0)
PY
}
check "no byte of either key is in the catalogue" keys_absent

# 2b. The same stand-in as unrtf (unrtf_path), for RTF files and for the PDF
# and RTF attachments of a message: each attachment goes to its tool in a jail
# of its own, and what the tool says is read by a jailed parser.
cp "$TOOLROOT/usr/bin/pdftotext" "$TOOLROOT/usr/bin/unrtf"
cp "$TOOLROOT/usr/bin/unrtf" "$T/path/unrtf"
echo "unrtf_path = $TOOLROOT/usr/bin/unrtf" >>"$D/broadside.conf"
RTREE=$T/rtree
mkdir -p "$RTREE"
for m in report flood loop crash; do printf '{\\rtf1 MODE %s}' "$m" >"$RTREE/$m.rtf"; done
python3 - "$RTREE/attached.eml" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["Subject"] = "attachments for the stand-ins"
m.set_content("the message body mentions quince")
m.add_attachment(b"%PDF-1.4\nMODE report\n%%EOF\n", maintype="application", subtype="pdf", filename="a.pdf")
m.add_attachment(b"{\\rtf1 MODE report}", maintype="application", subtype="rtf", filename="b.rtf")
m.add_attachment(b"{\\rtf1 MODE crash}", maintype="application", subtype="rtf", filename="c.rtf")
open(sys.argv[1], "wb").write(bytes(m))
PY
start=$SECONDS
PATH="$T/path:$PATH" timeout 120 "$BROADSIDE" --data "$D" add "$RTREE" --slug hostile-rtf --title R >"$T/out2b" 2>"$T/err2b"
rc=$?
cat "$T/err2b"
check_eq "add of RTF files with the hostile unrtf exits 0" "$rc" 0
check "within its deadline (took $((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "all five files are catalogued" grep -q '^hostile-rtf: 5 files, 5 added' "$T/out2b"
check "the RTF flood is reported" grep -Eq 'flood.rtf: could not read: (wrote more than|still running after)' "$T/err2b"
check "the RTF loop is reported" grep -Eq 'loop.rtf: could not read: (still running after|used more than)' "$T/err2b"
check "the RTF crash is reported" grep -q 'crash.rtf: could not read: crashed' "$T/err2b"
check "so is the attachment's, named" grep -q 'attached.eml › c.rtf: could not read: crashed' "$T/err2b"
check_eq "the unrtf stand-in ran in the jail: for report.rtf and both attachments" \
  "$(count STANDIN-RAN)" 4
check "the attachments' words are theirs" sh -c "'$BROADSIDE' --data '$D' search STANDIN-RAN | grep -q 'attached.eml › b.rtf'"
check_eq "the message itself is read" "$(count quince)" 1
check_eq "nothing the unrtf stand-in tried succeeded" "$(count LEAKED)" 0
check "no TCP connection reached the listener" test ! -e "$T/tcp-reached"
check "no unix connection reached the listener" test ! -e "$T/unix-reached"
check "no file was written" test ! -s "$T/big-output"
check "no byte of either key is in the catalogue (attachments included)" keys_absent parts

# 2c. The same stand-in as catdoc and xls2csv (catdoc_path, xls2csv_path), for
# .doc and .xls files (compound files made by gsf, sound enough for the
# jailed check that comes first; xls2csv gets an anonymous copy).
cp "$TOOLROOT/usr/bin/pdftotext" "$TOOLROOT/usr/bin/catdoc"
cp "$TOOLROOT/usr/bin/pdftotext" "$TOOLROOT/usr/bin/xls2csv"
printf 'catdoc_path = %s\nxls2csv_path = %s\n' "$TOOLROOT/usr/bin/catdoc" "$TOOLROOT/usr/bin/xls2csv" >>"$D/broadside.conf"
OTREE=$T/otree
mkdir -p "$OTREE" "$T/ole"
for f in report.doc crash.doc report.xls flood.xls loop.xls; do
  printf 'MODE %s padding so the stream is a few hundred bytes long %0400d' "${f%.*}" 0 >"$T/ole/WordDocument"
  (cd "$T/ole" && gsf createole "$OTREE/$f" WordDocument >/dev/null)
done
start=$SECONDS
timeout 120 "$BROADSIDE" --data "$D" add "$OTREE" --slug hostile-ole --title O >"$T/out2c" 2>"$T/err2c"
rc=$?
cat "$T/err2c"
check_eq "add of .doc/.xls with the hostile catdoc and xls2csv exits 0" "$rc" 0
check "within its deadline (took $((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "all five files are catalogued" grep -q '^hostile-ole: 5 files, 5 added' "$T/out2c"
check "the .doc crash is reported" grep -q 'crash.doc: could not read: crashed' "$T/err2c"
check "the .xls flood is reported" grep -q 'flood.xls: could not read: wrote more than' "$T/err2c"
check "the .xls loop is reported" grep -Eq 'loop.xls: could not read: (still running after|used more than)' "$T/err2c"
check_eq "both stand-ins ran in the jail (report.doc, report.xls)" \
  "$("$BROADSIDE" --data "$D" search STANDIN-RAN --collection hostile-ole --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" 2
check_eq "nothing the catdoc and xls2csv stand-ins tried succeeded" "$(count LEAKED)" 0
check "no TCP connection reached the listener" test ! -e "$T/tcp-reached"
check "no unix connection reached the listener" test ! -e "$T/unix-reached"
check "no file was written" test ! -s "$T/big-output"
check "no byte of either key is in the catalogue (.doc and .xls)" keys_absent

# Hostile documents for the in-process parsers: deep nesting, a huge file,
# binary noise named as mail. Each is read (or listed), and add goes on.
DOCS=$T/docs
mkdir -p "$DOCS"
python3 - "$DOCS" <<'PY'
import os, sys
d = sys.argv[1]
open(d + "/deep.html", "w").write("<div><b>" * 120000 + " deepmarker")
open(d + "/nest.eml", "w").write("Subject: nestmarker\n" + "".join(
    f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(5000)) + "\ninner\n")
with open(d + "/huge.html", "w") as f:
    f.write("<title>hugemarker</title>")
    for i in range(200000):
        f.write("<p>filler words of a big page</p>\n")
open(d + "/noise.eml", "wb").write(os.urandom(3 << 20))
PY
"$BROADSIDE" --data "$D" add "$DOCS" --slug docs --title Docs >"$T/out3" 2>"$T/err3"
check "add of hostile documents finishes" grep -q '^docs: 4 files, 4 added' "$T/out3"
check "none of them is unreadable" sh -c "! grep -q 'could not read' '$T/err3'"
check_eq "deeply nested HTML is indexed" "$(count deepmarker)" 1
check_eq "deeply nested mail is indexed" "$(count nestmarker)" 1
check_eq "a 7 MB page is indexed (its title)" "$(count hugemarker)" 1

# 3. A folder swapped for a symlink to a secret folder while add runs, again
# and again: the walk and every open go beneath the root's descriptor with no
# symlink on the way, so the secret is never read.
RACE=$T/race
SECRET=$T/secret
mkdir -p "$RACE/a" "$SECRET"
for i in $(seq -w 1 300); do
  printf 'public text %s\n' "$i" >"$RACE/a/f$i.txt"
  printf 'SECRETWORD zanzibar %s\n' "$i" >"$SECRET/f$i.txt"
done
python3 - "$RACE" "$SECRET" 25 >"$T/swaps" <<'PY' &
import os, sys, time
race, secret, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + secs
n = 0
os.chdir(race)
while time.monotonic() < end and not os.path.exists("stop"):
    os.rename("a", "a.real")
    os.symlink(secret, "a.tmp")
    os.rename("a.tmp", "a")
    time.sleep(0.0005)
    os.unlink("a")
    os.rename("a.real", "a")
    time.sleep(0.0005)
    n += 1
print(n)
PY
swapper=$!
_pids+=($swapper)
runs=0 refused=0
end=$((SECONDS + 20))
while [ $SECONDS -lt $end ] && [ $runs -lt 40 ]; do
  "$BROADSIDE" --data "$D" add "$RACE" --slug race --title Race --threads 2 >/dev/null 2>"$T/race-err"
  grep -Eq 'symbolic link|cannot read folder|vanished' "$T/race-err" && refused=$((refused + 1))
  runs=$((runs + 1))
  # Touch the files so every run reads them again.
  touch -d "@$((1600000000 + runs))" "$RACE"/a/*.txt 2>/dev/null || true
done
touch "$RACE/stop"
wait $swapper
echo "race: $runs add runs, $(cat "$T/swaps") swaps, $refused runs met a swapped folder"
check "add ran many times during the swaps ($runs)" test $runs -ge 5
check_eq "the secret folder's text never reached the index" "$(count zanzibar)" 0
check_eq "nor any of its names or paths" "$(sqlite3 "$D/catalogue.db" "select count(*) from files where path like '%SECRET%'")" 0

done_testing
