# messages: RTF (written by enscript), Outlook .msg (OLE compound files written
# by libgsf's `gsf createole`) and the attachments of .eml (python3's email) and
# .msg files: each is findable by a word of its text, and a hit in an attachment
# names it ("report.eml › budget.docx"). Hostile ones: RTF nested 100,000 deep
# and 6 MB of it, mail nested 12 deep and with 200 attachments, a zip bomb
# attached, garbage, truncated and looping .msg files, .msg nested 12 deep:
# add finishes, the bounds hold (EXTRACT_ATTACH_*), the file is listed or findable
# by name. A refresh after an attachment is removed forgets it.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
mkdir -p "$TREE/rtf" "$TREE/mail" "$TREE/outlook" "$TREE/hostile" "$T/ole"
python3 - "$TOP/scripts/demo/make-sample" "$TREE" "$T/ole" <<'PY'
import importlib.machinery, importlib.util, io, os, subprocess, sys, zipfile
from email.message import EmailMessage
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[1])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
tree, ole = sys.argv[2], sys.argv[3]

def enscript_rtf(text):
    return subprocess.run(["enscript", "--language=rtf", "-q", "-o", "-"], input=text.encode(),
                          stdout=subprocess.PIPE, check=True).stdout
def docx(word, bomb=False):
    f = io.BytesIO()
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        if bomb:
            with z.open("word/document.xml", "w", force_zip64=True) as e:
                chunk = b"a" * (1 << 20)
                for _ in range(256): e.write(chunk)
        else:
            z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                       f'<w:body><w:p><w:r><w:t>The {word} plan</w:t></w:r></w:p></w:body></w:document>')
    return f.getvalue()
def pdf(word):
    return ms.make_pdf([f"Scan of the {word} page"])
def mail(subject, body, attachments=()):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "ann@example.org", "bob@example.org", subject
    m.set_content(body)
    for name, data, maintype, subtype in attachments:
        if maintype == "message":
            m.add_attachment(data, filename=name)   # an EmailMessage: message/rfc822
        else:
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m

open(f"{tree}/rtf/letter.rtf", "wb").write(enscript_rtf("The kakaporich letter\n"))
# Characters beyond Latin-1 as RTF writes them (\uN with a fallback).
open(f"{tree}/rtf/unicode.rtf", "w").write(r"{\rtf1\ansi\ansicpg1252{\fonttbl\f0\fswiss Helvetica;}\f0\pard "
    r"The price \u8364? tuatararich \u1046? caf\'e9 end\par}")

inner = mail("Inner", "The dugonginner note", [("inner.pdf", pdf("tapirinner"), "application", "pdf")])
report = mail("Quarterly report", "The quokkabody figures are attached.", [
    ("budget.docx", docx("wombatdocx"), "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("notes.txt", b"numbattxt notes", "text", "plain"),
    ("scan.pdf", pdf("pangolinattach"), "application", "pdf"),
    ("memo.rtf", enscript_rtf("The kakapoattach memo\n"), "application", "rtf"),
    ("forwarded.eml", inner, "message", "rfc822"),
    ("photo.jpg", bytes(range(256)) * 16, "image", "jpeg"),
    ("\u00dcberblick.txt", "quollumlaut \u00fcbersicht".encode(), "text", "plain"),
])
open(f"{tree}/mail/report.eml", "wb").write(bytes(report))

# Outlook: an OLE compound file of property streams, written by gsf createole.
def w(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data.encode("utf-16-le") if isinstance(data, str) else data)
def msg_tree(d, subject, body, atts, embedded=None):
    w(f"{d}/__substg1.0_0037001F", subject)
    w(f"{d}/__substg1.0_1000001F", body)
    w(f"{d}/__substg1.0_0C1A001F", "Ann Archer")
    w(f"{d}/__substg1.0_0E04001F", "Bob Baker")
    for i, (name, data) in enumerate(atts):
        a = f"{d}/__attach_version1.0_#{i:08X}"
        w(f"{a}/__substg1.0_3707001F", name)
        w(f"{a}/__substg1.0_37010102", data)
    if embedded:
        a = f"{d}/__attach_version1.0_#{len(atts):08X}"
        w(f"{a}/__substg1.0_3001001F", embedded[0])
        msg_tree(f"{a}/__substg1.0_3701000D", *embedded[1:])
def createole(out, d):
    subprocess.run(["gsf", "createole", out] + sorted(os.path.join(d, n) for n in os.listdir(d)),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
msg_tree(f"{ole}/note", "Quarterly bilbymsg review", "The cassowarybody figures are in.", [
    ("minutes.txt", b"echidnaattach minutes"), ("plan.docx", docx("wallabydocx")),
    ("scan.pdf", pdf("tapirpdf")), ("memo.rtf", enscript_rtf("The kiwiattach memo\n")),
    ("mail.eml", bytes(mail("Attached mail", "The numbatmsgmail body")))],
    ("Embedded note", "Embedded", "The possumembedded text", [("deep.txt", b"gliderdeep words")]))
createole(f"{tree}/outlook/note.msg", f"{ole}/note")

h = tree + "/hostile/"
open(h + "deep.rtf", "w").write("{\\rtf1 " + "{" * 100000 + "kakapodeep" + "}" * 100000 + "}")
open(h + "huge.rtf", "w").write("{\\rtf1 " + "kakapohuge " * 600000 + "}")
m = mail("level 0", "level0word")
for k in range(1, 12):
    m = mail(f"level {k}", f"level{k}word", [(f"level{k - 1}.eml", m, "message", "rfc822")])
open(h + "deep.eml", "wb").write(bytes(m))
open(h + "many.eml", "wb").write(bytes(mail("many", "manybody",
    [(f"a{i:03d}.txt", f"manyatt{i:03d}".encode(), "text", "plain") for i in range(200)])))
open(h + "bomb.eml", "wb").write(bytes(mail("bomb", "bombbody", [
    ("bomb.docx", docx(None, bomb=True), "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("after.txt", b"afterbombword", "text", "plain")])))
note = open(f"{tree}/outlook/note.msg", "rb").read()
open(h + "garbage.msg", "wb").write(note[:8] + os.urandom(4000))
open(h + "truncated.msg", "wb").write(note[: len(note) // 2])
# Every FAT entry pointing at sector 1: chains that loop.
fat = 512 + 512 * int.from_bytes(note[0x4c:0x50], "little")
looped = bytearray(note); looped[fat:fat + 512] = b"\x01\x00\x00\x00" * 128
open(h + "loop.msg", "wb").write(bytes(looped))
emb = ("level 0", "level 0", "msglevel0word", [])
for k in range(1, 12):
    emb = (f"level {k}", f"level {k}", f"msglevel{k}word", [], emb)
msg_tree(f"{ole}/deep", "deep", "msgdeeptop", [], emb)
createole(h + "deep.msg", f"{ole}/deep")
PY
check "documents written by enscript, python3 email and gsf createole" test -s "$TREE/outlook/note.msg"

"$BROADSIDE" --data "$D" init >/dev/null
check "add finishes" sh -c "timeout 300 '$BROADSIDE' --data '$D' add '$TREE' --slug m --title M >'$T/add.out' 2>&1"
cat "$T/add.out"

hit() { # hit WORD PATH_SUFFIX [ATTACHMENT]: a hit on the word is that file (and attachment)
  "$BROADSIDE" --data "$D" search "$1" --json | python3 -c '
import json, sys
word, suffix, att = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
r = json.load(sys.stdin)
hs = [h for h in r["hits"] if h["path"].endswith(suffix) and h.get("attachment") == att]
h = hs[0] if hs else (r["hits"] or [{}])[0]
ok = bool(hs) and ("\x02" + word) in h.get("snippet", "").lower()
print(word, "->", h.get("path"), "|", h.get("attachment"), "|", h.get("snippet", "")[:80].replace("\x02", "[").replace("\x03", "]"))
sys.exit(0 if ok else 1)' "$@"
}
none() { # none WORD: nothing matches
  [ "$("$BROADSIDE" --data "$D" search "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" = 0 ]
}
check "RTF by enscript" hit kakaporich rtf/letter.rtf
check "RTF with \\u characters" hit tuatararich rtf/unicode.rtf
check "RTF: €, Ж and é come through" sh -c "'$BROADSIDE' --data '$D' search tuatararich | grep -q 'The price € .tuatararich. Ж café end'"
check "mail body" hit quokkabody mail/report.eml
check "docx attachment" hit wombatdocx mail/report.eml budget.docx
check "text attachment" hit numbattxt mail/report.eml notes.txt
check "PDF attachment (pdftotext)" hit pangolinattach mail/report.eml scan.pdf
check "RTF attachment (unrtf)" hit kakapoattach mail/report.eml memo.rtf
check "attached message" hit dugonginner mail/report.eml forwarded.eml
check "its PDF, named after both" hit tapirinner mail/report.eml "forwarded.eml › inner.pdf"
check "an image attachment, by its name" hit photo mail/report.eml photo.jpg
check "an RFC 2231 name" hit quollumlaut mail/report.eml "Überblick.txt"
check "the hit names the attachment" sh -c "'$BROADSIDE' --data '$D' search wombatdocx | grep -q 'report.eml › budget.docx'"
check "msg subject" hit bilbymsg outlook/note.msg
check "msg body" hit cassowarybody outlook/note.msg
check "msg text attachment" hit echidnaattach outlook/note.msg minutes.txt
check "msg docx attachment" hit wallabydocx outlook/note.msg plan.docx
check "msg PDF attachment" hit tapirpdf outlook/note.msg scan.pdf
check "msg RTF attachment" hit kiwiattach outlook/note.msg memo.rtf
check "msg's attached .eml" hit numbatmsgmail outlook/note.msg mail.eml
check "msg's embedded message" hit possumembedded outlook/note.msg "Embedded note"
check "and its attachment" hit gliderdeep outlook/note.msg "Embedded note › deep.txt"

# Hostile ones: add finished above; the bounds.
check "RTF nested 100,000 deep: catalogued" sh -c "'$BROADSIDE' --data '$D' search deep.rtf | grep -q 'hostile/deep.rtf'"
check "6 MB of RTF: read, or listed (unrtf takes ~30 s for it)" sh -c "grep -q 'hostile/huge.rtf: could not read' '$T/add.out' || '$BROADSIDE' --data '$D' search kakapohuge | grep -q huge.rtf"
check "mail nested 12 deep: the top" hit level11word hostile/deep.eml
check "3 levels of attached messages are read" hit level8word hostile/deep.eml "level10.eml › level9.eml › level8.eml"
check "the 4th is not" none level7word
check "200 attachments: the first is read" hit manyatt000 hostile/many.eml a000.txt
check "the 32nd is read" hit manyatt031 hostile/many.eml a031.txt
check "the 33rd is not" none manyatt032
check "a zip bomb attached: the next attachment is read" hit afterbombword hostile/bomb.eml after.txt
check "garbage .msg listed as not readable" grep -q "hostile/garbage.msg: could not read" "$T/add.out"
check "truncated .msg catalogued" sh -c "'$BROADSIDE' --data '$D' search truncated | grep -q truncated.msg"
check "looping .msg catalogued" sh -c "'$BROADSIDE' --data '$D' search loop | grep -q loop.msg"
check "msg nested 12 deep: the top" hit msgdeeptop hostile/deep.msg
check "3 levels of embedded messages are read" hit msglevel9word hostile/deep.msg "level 11 › level 10 › level 9"
check "the 4th is not" none msglevel8word

# A refresh: a message that lost an attachment loses its index entry too.
python3 - "$TREE/mail/report.eml" <<'PY'
import sys, email, email.policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
keep = [p for p in m.iter_parts() if p.get_filename() != "notes.txt"]
m.set_payload(keep)
open(sys.argv[1], "wb").write(bytes(m))
PY
touch -d '+1 minute' "$TREE/mail/report.eml"
check "refresh" sh -c "'$BROADSIDE' --data '$D' refresh m >/dev/null 2>&1"
check "the removed attachment is gone" none numbattxt
check "the others stay" hit wombatdocx mail/report.eml budget.docx
check "the index agrees with its content" sh -c "'$BROADSIDE' --data '$D' check-catalogue >/dev/null"
check "rm" sh -c "'$BROADSIDE' --data '$D' rm m --yes >/dev/null 2>&1 || '$BROADSIDE' --data '$D' rm m >/dev/null 2>&1"
check "no parts left" sh -c "[ \"\$(sqlite3 '$D/catalogue.db' 'SELECT count(*) FROM parts')\" = 0 ]"
check "the index is empty" none wombatdocx
done_testing
