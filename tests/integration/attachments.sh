#!/usr/bin/env bash
# An attachment's own reading view (/r/<slug>/<path>?part=K) and download
# (/i/<slug>/<path>?part=K), against the real server and its render process
# (the attachment's bytes are decoded in the document jail, then cached):
# an .eml made by python3's email (a text, a PDF, a docx, a forwarded message
# with its own attachment, an HTML file, 4 KiB of every byte value) and a
# .msg written by `gsf createole`: each view shows its text, each download
# gives the exact bytes (sha256), as an attachment, never inline, HTML never
# as text/html; a search hit in an attachment links its view; part numbers
# out of range, on a file that is no message, of a 200-attachment mail past
# the bound: 404; a .msg reads as an e-mail (headers apart, "Attachments"),
# a message without attachments shows no attachments line; a text cut at
# the 256 KiB kept says so and links the download; a hostile attachment
# (base64 of nothing but bad characters) and hostile messages: one clear sentence, and the server keeps serving.
. "$(dirname "$0")/../lib.sh"

D=$T/data C=$T/coll
mkdir -p "$C/mail" "$T/ole" "$T/want"
python3 - "$TOP/scripts/demo/make-sample" "$C/mail" "$T/ole" "$T/want" <<'PY'
import datetime, importlib.machinery, importlib.util, io, os, struct, subprocess, sys, zipfile
from email.message import EmailMessage
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[1])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
d, ole, want = sys.argv[2], sys.argv[3], sys.argv[4]

def docx(word):
    f = io.BytesIO()
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f'<w:body><w:p><w:r><w:t>The {word} plan</w:t></w:r></w:p></w:body></w:document>')
    return f.getvalue()
def mail(subject, body, atts=()):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "ann@example.org", "bob@example.org", subject
    m.set_content(body)
    for name, data, maintype, subtype in atts:
        if maintype == "message":
            m.add_attachment(data, filename=name)
        else:
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m
def keep(name, data):
    open(f"{want}/{name}", "wb").write(data)
    return data

inner = mail("Inner", "The dugonginner note", [("inner.txt", keep("inner.txt", b"tapirinner words\n"), "text", "plain")])
report = mail("Quarterly report", "The quokkabody figures are attached.", [
    ("notes.txt", keep("notes.txt", b"numbattxt notes\nsecond line\n"), "text", "plain"),
    ("scan.pdf", keep("scan.pdf", ms.make_pdf(["Scan of the pangolinattach page"])), "application", "pdf"),
    ("budget.docx", keep("budget.docx", docx("wombatdocx")), "application",
     "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("forwarded.eml", inner, "message", "rfc822"),
    ("evil.html", keep("evil.html", b"<html><script>alert(1)</script>kiwihtml</html>"), "text", "html"),
    ("blob.bin", keep("blob.bin", bytes(range(256)) * 16), "application", "octet-stream"),
])
open(f"{d}/report.eml", "wb").write(bytes(report))
open(f"{d}/plain.txt", "w").write("not a message\n")
open(f"{d}/many.eml", "wb").write(bytes(mail("many", "manybody",
    [(f"a{i:03d}.txt", f"manyatt{i:03d}".encode(), "text", "plain") for i in range(200)])))
# Base64 of nothing but characters base64 does not have; and a message cut
# in the middle of an attachment's base64.
open(f"{d}/bad.eml", "w").write("From: x@example.org\nSubject: bad\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nbadbody\n"
    "--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"bad.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\n!!!!****####\n--B--\n")
rb = bytes(report)
open(f"{d}/cut.eml", "wb").write(rb[: rb.index(b"Content-Disposition: attachment; filename=\"scan.pdf\"") + 200])

# Outlook: an OLE compound file of property streams (as messages.sh makes).
def w(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data.encode("utf-16-le") if isinstance(data, str) else data)
n = f"{ole}/note"
w(f"{n}/__substg1.0_0037001F", "Quarterly bilbymsg review")
w(f"{n}/__substg1.0_1000001F", "The cassowarybody figures are in.")
for i, (name, data) in enumerate([("minutes.txt", keep("minutes.txt", b"echidnaattach minutes")),
                                  ("plan.docx", keep("plan.docx", docx("wallabydocx")))]):
    w(f"{n}/__attach_version1.0_#{i:08X}/__substg1.0_3707001F", name)
    w(f"{n}/__attach_version1.0_#{i:08X}/__substg1.0_37010102", data)
subprocess.run(["gsf", "createole", f"{d}/note.msg"] + sorted(os.path.join(n, x) for x in os.listdir(n)),
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
note = open(f"{d}/note.msg", "rb").read()
# One without attachments, with a sender and a recipient; and an .eml without.
n = f"{ole}/bare"
w(f"{n}/__substg1.0_0037001F", "Bare koalamsg note")
w(f"{n}/__substg1.0_0C1A001F", "Ann Sender")
w(f"{n}/__substg1.0_0E04001F", "Bob Receiver")
w(f"{n}/__substg1.0_1000001F", "Nothing attached to this one.")
# Its fixed-size properties (MS-OXMSG 2.4.1: a 32-byte header, 16-byte
# entries): sent 2026-12-01 10:00:00 UTC, a FILETIME.
ft = int((datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.timezone.utc)
          - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()) * 10**7
w(f"{n}/__properties_version1.0", bytes(32) + struct.pack("<HHIQ", 0x0040, 0x0039, 6, ft))
subprocess.run(["gsf", "createole", f"{d}/bare.msg"] + sorted(os.path.join(n, x) for x in os.listdir(n)),
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
open(f"{d}/bare.eml", "wb").write(bytes(mail("Bare note", "Nothing attached to this one either.")))
# Text past the 256 KiB kept per file: a long body with an attachment (the
# listing takes its share of the cap), and a long text attachment.
long_body = "".join(f"longbody line {i}\n" for i in range(20000))
open(f"{d}/long.eml", "wb").write(bytes(mail("Long", long_body, [
    ("long.txt", "".join(f"longatt line {i}\n" for i in range(20000)).encode(), "text", "plain")])))
open(f"{d}/garbage.msg", "wb").write(note[:8] + os.urandom(4000))
PY
check "messages written by python3 email and gsf createole" test -s "$C/mail/note.msg"

$BROADSIDE --data "$D" init >/dev/null
echo "limits = no" >>"$D/broadside.conf"
check "add registers the collection" sh -c "$BROADSIDE --data '$D' add '$C' --slug demo --title Demo >'$T/add.out' 2>&1"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers" wait_for 20 curl -sf -o /dev/null $U/
R=$U/r/demo/mail
I=$U/i/demo/mail
has() { grep -qF -- "$2" <<<"$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
same() { # same URL FILE: the download is exactly FILE's bytes
  curl -sf -o "$T/got" "$1" && [ "$(sha256sum <"$T/got")" = "$(sha256sum <"$T/want/$2")" ]
}

# --- the message's view lists each attachment with its view and download ---
p=$(curl -s "$R/report.eml")
n=0
for name in notes.txt scan.pdf budget.docx forwarded.eml "forwarded.eml › inner.txt" evil.html blob.bin; do
  n=$((n + 1))
  check "message view links attachment $n ($name)" has "$p" "<a href=\"?part=$n\"><bdi>$name</bdi></a> · <a href=\"/i/demo/mail/report.eml?part=$n\" download>Download</a>"
done

# --- each attachment's own view: its text ---
check "text attachment's view" has "$(curl -s "$R/report.eml?part=1")" 'numbattxt notes'
check "PDF attachment's view" has "$(curl -s "$R/report.eml?part=2")" 'pangolinattach'
check "docx attachment's view" has "$(curl -s "$R/report.eml?part=3")" 'The wombatdocx plan'
check "nested message's attachment's view" has "$(curl -s "$R/report.eml?part=5")" 'tapirinner words'
p=$(curl -s "$R/report.eml?part=6")
check "HTML attachment's view: its text, none of its markup" bash -c 'grep -qF kiwihtml <<<"$1" && ! grep -qF "<script>alert" <<<"$1"' _ "$p"
check "an attachment's view names it and links the message and its download" bash -c 'grep -qF "<bdi>scan.pdf</bdi></h1>" <<<"$1" && grep -qF "href=\"/r/demo/mail/report.eml\"" <<<"$1" && grep -qF "href=\"/i/demo/mail/report.eml?part=2\" download" <<<"$1"' _ "$(curl -s "$R/report.eml?part=2")"
check "hits marked in an attachment's view" has "$(curl -s "$R/report.eml?part=3&q=wombatdocx")" '<mark id="hit1">wombatdocx</mark>'

# --- each download: the exact bytes, as a download ---
check "text attachment's bytes" same "$I/report.eml?part=1" notes.txt
check "PDF attachment's bytes" same "$I/report.eml?part=2" scan.pdf
check "docx attachment's bytes" same "$I/report.eml?part=3" budget.docx
check "nested attachment's bytes" same "$I/report.eml?part=5" inner.txt
check "binary attachment's bytes (every byte value)" same "$I/report.eml?part=7" blob.bin
check "attached message: a message" has "$(curl -s "$I/report.eml?part=4")" 'Subject: Inner'
h=$(curl -s -D - -o /dev/null "$I/report.eml?part=2" | tr -d '\r')
check "PDF download: application/pdf, attachment named scan.pdf, sandboxed" bash -c 'grep -q "^Content-Type: application/pdf" <<<"$1" && grep -q "^Content-Disposition: attachment; filename=\"scan.pdf\"" <<<"$1" && grep -q "sandbox" <<<"$1"' _ "$h"
h=$(curl -s -D - -o /dev/null "$I/report.eml?part=6" | tr -d '\r')
check "HTML download: octet-stream, attachment" bash -c 'grep -q "^Content-Type: application/octet-stream" <<<"$1" && grep -q "^Content-Disposition: attachment" <<<"$1"' _ "$h"
h=$(curl -s -D - -o /dev/null "$I/report.eml?part=1" | tr -d '\r')
check "text download: attachment, not inline" grep -q "^Content-Disposition: attachment" <<<"$h"
check_eq "a range of an attachment" "$(curl -s -r 256-259 "$I/report.eml?part=7" | od -An -tx1 | tr -d ' ')" "00010203"
check "second download from the cache, the same bytes" same "$I/report.eml?part=2" scan.pdf

# --- Outlook ---
check ".msg attachment's view" has "$(curl -s "$R/note.msg?part=1")" 'echidnaattach minutes'
check ".msg docx attachment's view" has "$(curl -s "$R/note.msg?part=2")" 'The wallabydocx plan'
check ".msg attachment's bytes" same "$I/note.msg?part=1" minutes.txt
check ".msg docx attachment's bytes" same "$I/note.msg?part=2" plan.docx

# --- an Outlook message reads as an e-mail: headers apart, "Attachments" ---
p=$(curl -s "$R/note.msg")
check ".msg view: its headers as an e-mail's" has "$p" '<dl class="mail"><dt>Subject</dt><dd><bdi>Quarterly bilbymsg review</bdi></dd></dl>'
check ".msg view: the body below them" has "$p" '<div class="read">The cassowarybody figures are in.</div>'
check ".msg view: its attachments under \"Attachments\"" has "$p" '<h2>Attachments</h2>'
check ".msg view: an Outlook message" has "$p" '<span class="what">Outlook message</span>'
p=$(curl -s "$R/bare.msg")
check ".msg without attachments: Subject, From, To, Date" has "$p" '<dt>Subject</dt><dd><bdi>Bare koalamsg note</bdi></dd><dt>From</dt><dd><bdi>Ann Sender</bdi></dd><dt>To</dt><dd><bdi>Bob Receiver</bdi></dd><dt>Date</dt><dd><bdi>Tue, 1 Dec 2026 10:00:00 +0000</bdi></dd>'
check ".msg without attachments: no attachments line" bash -c '! grep -qE "class=\"items\"|Attachments|Each attachment" <<<"$1"' _ "$p"
p=$(curl -s "$R/bare.eml")
check ".eml without attachments: its headers and body" bash -c 'grep -qF "<dd><bdi>Bare note</bdi></dd>" <<<"$1" && grep -qF "Nothing attached to this one either." <<<"$1"' _ "$p"
check ".eml without attachments: no attachments line" bash -c '! grep -qE "class=\"items\"|Attachments|Each attachment" <<<"$1"' _ "$p"

# --- text cut at the 256 KiB kept: said on the page, with the download ---
p=$(curl -s "$R/long.eml")
check "long message: says its text is cut, and how much is shown" has "$p" '<p class="notice" role="status">This text is cut: only its first 262'
check "long message: … of a file of what size" grep -qE 'are shown here \(the whole file is [0-9.]+ kB\)' <<<"$p"
check "long message: … and leads to the whole file" has "$p" '<a href="/f/demo/mail/long.eml" download>Download the whole file</a> for the rest.'
check "long message: its attachments still listed" has "$p" '<a href="?part=1"><bdi>long.txt</bdi></a>'
check "long message: the last page says it again where the text ends" bash -c '[ "$(grep -c "This text is cut" <<<"$1")" = 2 ]' _ "$(curl -s "$R/long.eml?page=99")"
p=$(curl -s "$R/long.eml?part=1")
check "long attachment: says its text is cut, leads to its download" has "$p" 'This text is cut: only its first 262'
check "long attachment: … its download" has "$p" '<a href="/i/demo/mail/long.eml?part=1" download>Download the attachment</a> for the rest.'
check "a short message says nothing of the kind" bash -c '! grep -qF "This text is cut" <<<"$1"' _ "$(curl -s "$R/report.eml")"

# --- search hits in an attachment open its view ---
check "search hit in an attachment links its view" has "$(curl -s "$U/search?q=wombatdocx")" 'href="/r/demo/mail/report.eml?part=3&amp;q=wombatdocx#hit1"'
check "search hit in a nested attachment links its view" has "$(curl -s "$U/search?q=tapirinner")" 'href="/r/demo/mail/report.eml?part=5&amp;q=tapirinner#hit1"'
check "search hit in the body links the message" has "$(curl -s "$U/search?q=quokkabody")" 'href="/r/demo/mail/report.eml?q=quokkabody#hit1"'

# --- out of range ---
for a in 0 8 33 -1 x 99999999999999999999; do
  check_eq "view ?part=$a: 404" "$(code "$R/report.eml?part=$a")" 404
  check_eq "download ?part=$a: 404" "$(code "$I/report.eml?part=$a")" 404
done
check_eq "view ?part= of a file that is no message: 404" "$(code "$R/plain.txt?part=1")" 404
check_eq "download ?part= of a file that is no message: 404" "$(code "$I/plain.txt?part=1")" 404
check "200 attachments: the 32nd's view" has "$(curl -s "$R/many.eml?part=32")" 'manyatt031'
t0=$(date +%s%N)
check "200 attachments: the 32nd's bytes" has "$(curl -s "$I/many.eml?part=32")" 'manyatt031'
echo "# the 32nd of 200 attachments decoded in the jail: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_eq "200 attachments: the 33rd is past the bound: 404" "$(code "$I/many.eml?part=33")" 404

# --- hostile ---
p=$(curl -s "$I/bad.eml?part=1")
check_eq "bad base64: 404" "$(code "$I/bad.eml?part=1")" 404
check "bad base64: one clear sentence" has "$p" 'We could not read this attachment from the message'
check_eq "message cut inside an attachment: the first still whole" "$(code "$I/cut.eml?part=1")" 200
check "message cut inside an attachment: the cut one answers" bash -c 'c=$(curl -s -o /dev/null -w "%{http_code}" "$1"); [ "$c" = 200 ] || [ "$c" = 404 ]' _ "$I/cut.eml?part=2"
check_eq "garbage .msg: no such attachment" "$(code "$I/garbage.msg?part=1")" 404
check_eq "server still serving" "$(code "$U/")" 200
check "server still renders" same "$I/report.eml?part=1" notes.txt

done_testing
