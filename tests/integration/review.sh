#!/usr/bin/env bash
# review: planted personal data (addresses, numbers, street addresses) in real files (text, a docx written with
# python3's zipfile, a PDF from make-sample, a mail, a file name) is found,
# and metadata written by real tools (Pillow's GPS EXIF, exiftool's serial
# number and PDF Author, a docx's properties, comment and tracked change) is
# read in the document jail, as are a mail's headers naming internal hosts;
# per kind and file; card numbers and IBANs that fail their check, and
# SSN-like numbers that cannot be SSNs, are never reported; excerpts are
# redacted; the per-folder table and totals add up; a second run reads
# nothing, a changed file is read again; the files are never changed;
# --kinds filters; --withhold-kinds withholds in one step; names are printed
# escaped.
. "$(dirname "$0")/../lib.sh"
D=$T/data C=$T/coll
mkdir -p "$C/hr/deep" "$C/clean"
cat >"$C/notes.txt" <<'EOF'
Valid cards: Visa 4111 1111 1111 1111, Mastercard 5555-5555-5555-4444, Amex 378282246310005.
Invalid cards: 4111 1111 1111 1112, 5555555555554445, 3782 822463 10006, 1234 5678 9012 3456.
Phones: (555) 123-4567, +44 20 7946 0958, 555.123.4567 and 1-800-555-0199.
Not phones: order 5551234567, dated 2021-03-04, version 1.2.3.4.
Home: 742 Evergreen Terrace; office: 221B Baker Street; not: the 2020 Annual Report.
EOF
cat >"$C/hr/deep/staff.csv" <<'EOF'
name,ssn,iban
A,078-05-1120,DE89 3704 0044 0532 0130 00
B,219-09-9999,GB82WEST12345698765432
C,666-12-3456,DE89 3704 0044 0532 0130 01
D,912-12-3456,GB82WEST12345698765433
EOF
printf 'Received: from mx1.example.org (mx1.example.org [203.0.113.5])\n\tby gw.example.net\nReceived: from pc-0042.corp.internal\n (pc-0042.corp.internal [10.20.30.40])\n\tby mail.example.org\nX-Originating-IP: [192.168.7.12]\nFrom: clerk@example.org\nTo: desk@example.org\nSubject: call back\n\nPlease ring +1 (202) 555-0143 before noon. Received: from 10.9.9.9\n' >"$C/hr/call.eml"
echo "nothing personal in here" >"$C/clean/readme.txt"
echo "a name that is an address" >"$C/clean/jane.doe@example.org.txt"
printf 'x' >"$C/clean/$(printf 'evil\033[2J\xe2\x80\xaegpj.exe mallory@example.net')"
python3 - "$C" "$TOP/scripts/demo/make-sample" <<'PY'
import importlib.machinery, importlib.util, sys, zipfile
c = sys.argv[1]
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[2])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
open(c + "/hr/transfer.pdf", "wb").write(ms.make_pdf(["Wire to FR14 2004 1010 0505 0001 3M02 606", "thanks"]))
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
with zipfile.ZipFile(c + "/memo.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
               '<w:p><w:r><w:t>Refund to card 6011 1111 1111 1117, ask john.smith@corp.example.com</w:t></w:r></w:p>'
               '</w:body></w:document>')
PY
# Metadata, written by real tools: Pillow puts GPS and camera EXIF into a
# JPEG, exiftool a serial number into it and an Author into a PDF; the docx
# has core.xml/app.xml properties, a comment and a tracked change.
mkdir -p "$C/media"
/usr/bin/python3 - "$C/media" <<'PY'
import sys, zipfile
from PIL import Image
d = sys.argv[1]
img = Image.new("RGB", (32, 32), (200, 10, 10))
exif = Image.Exif()
exif[0x010F] = "Canon"; exif[0x0110] = "EOS 5D"; exif[0x0131] = "GIMP 2.10"; exif[0x013B] = "Jane Photographer"
exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
img.save(d + "/photo.jpg", exif=exif)
Image.new("RGB", (8, 8)).save(d + "/plain.jpg")
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
with zipfile.ZipFile(d + "/minutes.docx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body><w:p>'
        '<w:ins w:id="1" w:author="Bob Editor"><w:r><w:t>added</w:t></w:r></w:ins><w:r><w:t>Minutes</w:t></w:r></w:p></w:body></w:document>')
    z.writestr("word/comments.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:comments {W}><w:comment w:id="0" '
        'w:author="Carol Reviewer"><w:p><w:r><w:t>check this</w:t></w:r></w:p></w:comment></w:comments>')
    z.writestr("docProps/core.xml", '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:title>Minutes</dc:title><dc:creator>Alice Author</dc:creator><cp:lastModifiedBy>Dave Insider</cp:lastModifiedBy></cp:coreProperties>')
    z.writestr("docProps/app.xml", '<?xml version="1.0" encoding="UTF-8"?><Properties '
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>Springfield PD</Company></Properties>')
open(d + "/garbage.jpg", "wb").write(b"\xff\xd8\xff\xe1\xff\xffExif\0\0" + bytes(range(256)) * 40)
open(d + "/notzip.docx", "wb").write(b"PK\3\4" + b"\xff" * 5000)
PY
exiftool -q -overwrite_original -SerialNumber=SN12345678 "$C/media/photo.jpg"
cp "$C/hr/transfer.pdf" "$C/media/authored.pdf"
exiftool -q -overwrite_original -Author="Jane Source" -Creator="Word for Mac" "$C/media/authored.pdf"
sums() { (cd "$C" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
before=$(sums)
$BROADSIDE --data "$D" init >/dev/null 2>&1
$BROADSIDE --data "$D" add "$C" --slug hr --title "HR" -q >/dev/null 2>&1
out=$($BROADSIDE --data "$D" review hr --json 2>"$T/err"); rc=$?
check_eq "review --json succeeds" "$rc" 0
check "… and is JSON" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"
count() { # count PATH KIND: the finding count of one file and kind
  python3 -c 'import json,sys
r = json.loads(sys.argv[1])
print(sum(f["count"] for f in r["findings"] if f["path"] == sys.argv[2] and f["kind"] == sys.argv[3]))' "$out" "$1" "$2"; }
excerpt() { # excerpt PATH KIND: the excerpts of one file and kind, one a line
  python3 -c 'import json,sys
r = json.loads(sys.argv[1])
for f in r["findings"]:
    if f["path"] == sys.argv[2] and f["kind"] == sys.argv[3]: print("\n".join(f["excerpts"]))' "$out" "$1" "$2"; }
check_eq "notes.txt: the 3 valid cards, none of the 4 invalid ones" "$(count notes.txt card)" 3
check_eq "notes.txt: 4 phone numbers in 4 formats" "$(count notes.txt phone)" 4
check_eq "notes.txt: no other kind" "$(count notes.txt ssn)$(count notes.txt iban)$(count notes.txt email)" 000
check_eq "notes.txt: 2 street addresses, not a year before capitals" "$(count notes.txt street)" 2
check_eq "staff.csv: 2 valid SSN-like numbers (not 666-, not 9xx-)" "$(count hr/deep/staff.csv ssn)" 2
check_eq "staff.csv: 2 IBANs with a valid check, not the 2 without" "$(count hr/deep/staff.csv iban)" 2
check_eq "staff.csv: nothing else (an invalid IBAN is no phone)" "$(count hr/deep/staff.csv phone)$(count hr/deep/staff.csv card)" 00
check_eq "call.eml: the phone in the body" "$(count hr/call.eml phone)" 1
check_eq "call.eml: the addresses in the headers" "$(count hr/call.eml email)" 2
check_eq "call.eml: the internal host, its address and the originating address in the headers" "$(count hr/call.eml mailhost)" 3
check "… named" bash -c "grep -q 'Received names pc-0042.corp.internal' <<<\"\$1\" && grep -q 'X-Originating-IP names 192.168.7.12' <<<\"\$1\"" _ "$(excerpt hr/call.eml mailhost)"
check_eq "transfer.pdf (through pdftotext in the jail): the IBAN" "$(count hr/transfer.pdf iban)" 1
check_eq "memo.docx: the card" "$(count memo.docx card)" 1
check_eq "memo.docx: the address" "$(count memo.docx email)" 1
check_eq "a file name that is an address" "$(count clean/jane.doe@example.org.txt email)" 1
check_eq "clean/readme.txt: nothing" "$(count clean/readme.txt email)" 0
check "photo.jpg (Pillow): the GPS position" grep -q "position near 52.5 N, 13.4 E" <<<"$(excerpt media/photo.jpg gps)"
check "photo.jpg: the camera" grep -q "Canon EOS 5D" <<<"$(excerpt media/photo.jpg camera)"
check "photo.jpg (exiftool): the serial number, masked" bash -c "grep -q 'serial number ending 78' <<<\"\$1\" && ! grep -q SN123 <<<\"\$1\"" _ "$(excerpt media/photo.jpg camera)"
check "photo.jpg: the artist" grep -q "artist: Jane Photographer" <<<"$(excerpt media/photo.jpg author)"
check "photo.jpg: the software" grep -q "GIMP" <<<"$(excerpt media/photo.jpg software)"
check_eq "plain.jpg: no metadata" "$(count media/plain.jpg gps)$(count media/plain.jpg camera)" 00
check "authored.pdf (exiftool, read by pdfinfo in the jail): the author" grep -q "author: Jane Source" <<<"$(excerpt media/authored.pdf author)"
check "… and the creator" grep -q "creator: Word for Mac" <<<"$(excerpt media/authored.pdf software)"
check "minutes.docx: core.xml author and last modified by" bash -c "grep -q 'author: Alice Author' <<<\"\$1\" && grep -q 'last modified by: Dave Insider' <<<\"\$1\"" _ "$(excerpt media/minutes.docx author)"
check "minutes.docx: app.xml company" grep -q "company: Springfield PD" <<<"$(excerpt media/minutes.docx author)"
check "minutes.docx: the comment and its author" grep -q "1 comment, the first by Carol Reviewer" <<<"$(excerpt media/minutes.docx comments)"
check "minutes.docx: the tracked change" grep -q "1 tracked change, the first by Bob Editor" <<<"$(excerpt media/minutes.docx revisions)"
check_eq "garbage.jpg and notzip.docx: reviewed, nothing invented" "$(count media/garbage.jpg gps)$(count media/notzip.docx author)" 00
check "excerpts hide the numbers" bash -c "! grep -Eq '4111 1111|5555-5555|078-05|0532 0130|555\) 123|john\.smith|clerk@' <<<\"\$1\"" _ "$out"
check "… but keep the last two digits" grep -q '••11' <<<"$out"
total() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["total"][sys.argv[2]])' "$out" "$1"; }
check_eq "total: cards" "$(total card)" 4
check_eq "total: ssn" "$(total ssn)" 2
check_eq "total: iban (authored.pdf is a copy of transfer.pdf)" "$(total iban)" 4
folder() { python3 -c 'import json,sys
r = json.loads(sys.argv[1])
print([f["counts"][sys.argv[3]] for f in r["folders"] if f["folder"] == sys.argv[2]][0])' "$out" "$1" "$2"; }
check_eq "per folder: hr/deep has the 2 SSNs" "$(folder hr/deep ssn)" 2
check_eq "per folder: hr has the PDF's IBAN" "$(folder hr iban)" 1
check_eq "per folder: the top has 4 cards" "$(folder '' card)" 4

# Text: escaped names, a table, and what is re-read.
txt=$($BROADSIDE --data "$D" review hr 2>"$T/err2")
check "a second run reads nothing" grep -q "0 read" "$T/err2"
check "text: a table per folder with a total" bash -c "grep -q '^By folder' <<<\"\$1\" && grep -q 'total (10 files with findings)' <<<\"\$1\"" _ "$txt"
check "text: a hostile name is escaped" bash -c "grep -q 'evil\\\\x1b\[2J\\\\xe2\\\\x80\\\\xaegpj.exe' <<<\"\$1\" && ! grep -q $'\e' <<<\"\$1\"" _ "$txt"
echo "now with 219-09-9999" >>"$C/clean/readme.txt"
$BROADSIDE --data "$D" refresh hr -q >/dev/null 2>&1
$BROADSIDE --data "$D" review hr >/dev/null 2>"$T/err3"
check "after a change, only that file is read again" grep -q "1 read" "$T/err3"
check_eq "… and its new finding is there" "$($BROADSIDE --data "$D" review hr --json 2>/dev/null | python3 -c 'import json,sys
print(sum(f["count"] for f in json.load(sys.stdin)["findings"] if f["path"] == "clean/readme.txt"))')" 1
only=$($BROADSIDE --data "$D" review hr --kinds card -q)
check "--kinds card shows cards only" bash -c "grep -q ' card ' <<<\"\$1\" && ! grep -Eq ' (ssn|iban|phone|email) ' <<<\"\$1\"" _ "$only"
check "--kinds refuses an unknown kind" bash -c "! $BROADSIDE --data '$D' review hr --kinds cards 2>/dev/null"
before_now=$(sums)

# --withhold-kinds: every file with a card, in one step.
$BROADSIDE --data "$D" review hr --withhold-kinds card -q >/dev/null 2>"$T/wh"
check "--withhold-kinds lists what it withheld" bash -c "grep -q 'withheld: notes.txt (card)' '$T/wh' && grep -q 'withheld: memo.docx (card)' '$T/wh'"
check "… 2 files" grep -q "2 files withheld" "$T/wh"
check "… gone from the manifest" bash -c "! grep -Eq 'notes\.txt|memo\.docx' '$D/manifests/hr/SHA256SUMS'"
check "… which verifies" minisign -V -q -p "$D/keys/publisher.pub" -m "$D/manifests/hr/SHA256SUMS"
check "… withheld gives the reason" bash -c "$BROADSIDE --data '$D' withheld hr | grep -q 'review found: card'"
check_eq "… and the review no longer counts them" "$($BROADSIDE --data "$D" review hr --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["card"])')" 0
check_eq "the files were never changed by review" "$(sums)" "$before_now"
check "… nor before the edit (only readme.txt changed)" test "$before" != "$before_now"
# A hostile pdfinfo (a C stand-in at the path review derives from
# pdftotext_path) runs in the jail: it cannot read the publisher key nor
# open a socket, and review goes on.
mkdir -p "$T/tools"
cp /usr/bin/pdftotext "$T/tools/pdftotext"
cat >"$T/standin.c" <<EOF
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void)
{
	char buf[64];
	int fd = open("$D/keys/publisher.key", O_RDONLY);
	long n = fd >= 0 ? (long)read(fd, buf, sizeof(buf)) : -1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	printf("Author: key bytes %ld\nProducer: socket %d\n", n, s >= 0 ? 0 : -1);
	return 0;
}
EOF
cc -o "$T/tools/pdfinfo" "$T/standin.c"
echo "pdftotext_path = $T/tools/pdftotext" >>"$D/broadside.conf"
cp "$C/hr/transfer.pdf" "$C/media/again.pdf"
$BROADSIDE --data "$D" refresh hr -q >/dev/null 2>&1
out=$($BROADSIDE --data "$D" review hr --json 2>/dev/null); rc=$?
check_eq "review with a hostile pdfinfo finishes" "$rc" 0
check "… which ran in the jail: the key was out of its reach" grep -q "author: key bytes -1" <<<"$(excerpt media/again.pdf author)"
check "… and so was any socket" grep -q "producer: socket -1" <<<"$(excerpt media/again.pdf software)"
check "… nothing of the key in the catalogue" bash -c "! grep -aq \"\$(sed -n 2p '$D/keys/publisher.key' | cut -c1-20)\" '$D/catalogue.db'"

# More metadata, written by real tools: exiftool puts XMP into a JPEG, a PNG
# and a PDF (and writes a PDF's change as an incremental update, so the
# earlier revision stays in the file), Pillow PNG text chunks (tEXt, zTXt,
# iTXt) and TIFF tags, pdfattach an embedded file; python3's zipfile an xlsx
# with a comments part, a pptx with notes and a comment, an ods with an
# annotation and an odp with speaker notes; an xlsx with Excel's threaded
# comments; Pillow's images inside a docx, an odt and a pptx. Hostile: a truncated PNG, a PDF
# whose startxref points at itself.
M=$T/more
mkdir -p "$M"
/usr/bin/python3 - "$M" <<'PY'
import sys, zipfile
from PIL import Image, PngImagePlugin, TiffImagePlugin
d = sys.argv[1]
img = Image.new("RGB", (16, 16), (1, 2, 3))
info = PngImagePlugin.PngInfo()
info.add_text("Author", "Png Painter")
info.add_text("Comment", "shot at the depot", zip=True)
info.add_itxt("Description", "Beschreibung der Halle", lang="de", tkey="Beschreibung")
img.save(d + "/text.png", pnginfo=info)
open(d + "/trunc.png", "wb").write(open(d + "/text.png", "rb").read()[:70])
img.save(d + "/xmp.png")
img.save(d + "/xmp.jpg")
t = TiffImagePlugin.ImageFileDirectory_v2()
t[315] = "Tiff Artist"; t[271] = "Nikon"; t[272] = "D750"; t[305] = "Tiffware 1"
img.save(d + "/scan.tif", tiffinfo=t)
def z(name, parts):
    with zipfile.ZipFile(d + "/" + name, "w", zipfile.ZIP_DEFLATED) as f:
        for k, v in parts.items(): f.writestr(k, v)
CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
z("budget.xlsx", {"[Content_Types].xml": CT,
    "xl/sharedStrings.xml": f'<sst {S}><si><t>Budget</t></si></sst>',
    "xl/comments1.xml": f'<comments {S}><authors><author>Erin Accountant</author></authors><commentList>'
        '<comment ref="A1" authorId="0"><text><t>cut this</t></text></comment>'
        '<comment ref="B2" authorId="0"><text><t>and this</t></text></comment></commentList></comments>'})
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
def notes(text, num):
    return (f'<p:notes {P}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p>'
            f'<a:p><a:fld type="slidenum"><a:t>{num}</a:t></a:fld></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>')
z("deck.pptx", {"[Content_Types].xml": CT,
    "ppt/slides/slide1.xml": f'<p:sld {P}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Q3</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
    "ppt/notesSlides/notesSlide1.xml": notes("say nothing about the source", 1),
    "ppt/notesSlides/notesSlide2.xml": notes("", 2),
    "ppt/commentAuthors.xml": f'<p:cmAuthorLst {P}><p:cmAuthor id="0" name="Frank Presenter" initials="FP"/></p:cmAuthorLst>',
    "ppt/comments/comment1.xml": f'<p:cmLst {P}><p:cm authorId="0"><p:text>fix</p:text></p:cm></p:cmLst>'})
# Excel's threaded comments (as Excel 365 writes them: a thread of two and
# one more, their persons, and a legacy copy of each by "tc={id}" authors,
# next to one old-style note of its own).
TC = 'xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"'
z("threads.xlsx", {"[Content_Types].xml": CT,
    "xl/sharedStrings.xml": f'<sst {S}><si><t>Ledger</t></si></sst>',
    "xl/threadedComments/threadedComment1.xml": f'<ThreadedComments {TC} xmlns:x="{S[7:-1]}">'
        '<threadedComment ref="A1" dT="2024-03-01T10:00:00.00" personId="{P-1}" id="{T-1}"><text>who paid this?</text></threadedComment>'
        '<threadedComment ref="A1" dT="2024-03-01T11:00:00.00" personId="{P-2}" id="{T-2}" parentId="{T-1}"><text>the depot</text></threadedComment>'
        '<threadedComment ref="B2" dT="2024-03-02T09:00:00.00" personId="{P-1}" id="{T-3}"><text>check</text></threadedComment></ThreadedComments>',
    "xl/persons/person.xml": f'<personList {TC} xmlns:x="{S[7:-1]}"><person displayName="Jana Threader" id="{{P-1}}" userId="jana@corp.example" providerId="AD"/>'
        '<person displayName="Kofi Replier" id="{P-2}" userId="S-1-5-21" providerId="AD"/></personList>',
    "xl/comments1.xml": f'<comments {S}><authors><author>tc={{T-1}}</author><author>Ivan Legacy</author><author>tc={{T-3}}</author></authors><commentList>'
        '<comment ref="A1" authorId="0"><text><t>[Threaded comment] who paid this?</t></text></comment>'
        '<comment ref="C3" authorId="1"><text><t>old note</t></text></comment>'
        '<comment ref="B2" authorId="2"><text><t>[Threaded comment] check</t></text></comment></commentList></comments>'})
# Images inside office files: Pillow's JPEG with GPS, camera and artist
# EXIF in a docx's word/media beside one without; Pillow's PNG with an
# Author text chunk in an odt's Pictures; a plain one in a pptx.
ex = Image.Exif(); ex[0x010F] = "Canon"; ex[0x0110] = "EOS 5D"; ex[0x013B] = "Jane Photographer"
ex[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
import io
def saved(im, **kw):
    b = io.BytesIO(); im.save(b, **kw); return b.getvalue()
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
z("photos.docx", {"[Content_Types].xml": CT,
    "word/document.xml": f'<w:document {W}><w:body><w:p><w:r><w:t>Site visit</w:t></w:r></w:p></w:body></w:document>',
    "word/media/image1.jpeg": saved(img, format="JPEG", exif=ex),
    "word/media/image2.png": saved(img, format="PNG")})
pi = PngImagePlugin.PngInfo(); pi.add_text("Author", "Png Painter")
z("pics.odt", {"mimetype": "application/vnd.oasis.opendocument.text",
    "content.xml": f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
    "Thumbnails/thumbnail.png": saved(img, format="PNG", pnginfo=pi),
    "Pictures/10000000000000100000001.png": saved(img, format="PNG", pnginfo=pi)})
z("plainpics.pptx", {"[Content_Types].xml": CT, "ppt/media/image1.jpeg": saved(img, format="JPEG")})
M188 = 'xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main"'
z("modern.pptx", {"[Content_Types].xml": CT,
    "ppt/slides/slide1.xml": f'<p:sld {P}><p:cSld><p:spTree/></p:cSld></p:sld>',
    "ppt/authors.xml": f'<p188:authorLst {M188}><p188:author id="{{A1}}" name="Hana Modern" initials="HM" userId="h" providerId="None"/></p188:authorLst>',
    "ppt/comments/modernComment_100_1A2B3C4D.xml": f'<p188:cmLst {M188}><p188:cm id="{{C1}}" authorId="{{A1}}" created="2024-01-01T00:00:00Z">'
        '<p188:txBody><a:p xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:r><a:t>who sent this?</a:t></a:r></a:p></p188:txBody></p188:cm></p188:cmLst>'})
O = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
     'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
     'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"')
z("sheet.ods", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
    "content.xml": f'<office:document-content {O}><office:body><office:spreadsheet><text:p>Totals'
        '<office:annotation><dc:creator>Gina Auditor</dc:creator><text:p>wrong</text:p></office:annotation></text:p>'
        '</office:spreadsheet></office:body></office:document-content>'})
z("talk.odp", {"mimetype": "application/vnd.oasis.opendocument.presentation",
    "content.xml": f'<office:document-content {O}><office:body><office:presentation><draw:page>'
        '<presentation:notes><draw:frame><draw:text-box><text:p>mention the informant</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>'
        '<draw:page><presentation:notes><draw:frame><draw:text-box><text:p/></draw:text-box></draw:frame></presentation:notes></draw:page>'
        '</office:presentation></office:body></office:document-content>'})
# Office files inside office files: a docx embedding an xlsx (as Word does,
# under word/embeddings/), and an ODF text holding a chart object.
import io
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr("[Content_Types].xml", CT)
    f.writestr("docProps/core.xml", '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Xena Sheetwright</dc:creator></cp:coreProperties>')
z("report.docx", {"[Content_Types].xml": CT, "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    "word/embeddings/Microsoft_Excel_Worksheet.xlsx": b.getvalue()})
z("chart.odt", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": f'<office:document-content {O}/>',
    "Object 1/content.xml": f'<office:document-content {O}/>',
    "Object 1/meta.xml": '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><meta:initial-creator>Chuck Charter'
        '</meta:initial-creator></office:meta></office:document-meta>'})
# A HEIF-shaped file (no Debian 12 tool writes HEIC; libheif-examples is not
# in the test packages): an ftyp box, then an mdat holding an Exif item as
# HEIF stores it (a 4-byte offset, then Pillow's "Exif" TIFF block).
import struct
e = Image.Exif(); e[0x010F] = "Apple"; e[0x0110] = "iPhone 13"
e[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}
item = b"\0\0\0\0" + e.tobytes()
open(d + "/photo.heic", "wb").write(struct.pack(">I4s4sI8s", 24, b"ftyp", b"heic", 0, b"mif1heic") +
    struct.pack(">I4s", 8 + len(item), b"mdat") + item)
# A PDF whose XMP stream is compressed (FlateDecode), written by python3's
# zlib: its packet is not in the bytes, pdfinfo -meta inflates it.
import zlib
X = zlib.compress(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
    b"<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:creator><rdf:Seq><rdf:li>Hidden Writer</rdf:li>"
    b"</rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>")
objs = [b"<</Type/Catalog/Pages 2 0 R/Metadata 4 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>",
        b"<</Type/Metadata/Subtype/XML/Filter/FlateDecode/Length %d>>stream\n" % len(X) + X + b"\nendstream"]
pdf, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs, 1):
    offs.append(len(pdf)); pdf += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
open(d + "/zxmp.pdf", "wb").write(pdf + b"trailer\n<</Size 5/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref)
# A PDF edited by an incremental update that replaces its page's text: the
# earlier revision's line is still in the file.
def content(t):
    c = b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % t
    return b"<</Length %d>>stream\n" % len(c) + c + b"\nendstream"
objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        content(b"Informant Jon Doe waits at gate 4"), b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
pdf, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs, 1):
    offs.append(len(pdf)); pdf += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
pdf += b"trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
o4 = len(pdf)
pdf += b"4 0 obj\n" + content(b"Meeting at the depot") + b"\nendobj\n"
x2 = len(pdf)
pdf += b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n" % o4
open(d + "/redacted.pdf", "wb").write(pdf + b"trailer\n<</Size 6/Root 1 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (xref, x2))
# The same edit over a line of 150 two-byte characters (WinAnsi U+00DC): the
# reported text is cut before a character, never inside one.
objs[2] = objs[2].replace(b"300 200", b"2000 200")
objs[3], objs[4] = content(b"\xdc" * 150), b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
pdf, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs, 1):
    offs.append(len(pdf)); pdf += b"%d 0 obj\n" % i + o + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
pdf += b"trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
o4 = len(pdf)
pdf += b"4 0 obj\n" + content(b"Meeting at the depot") + b"\nendobj\n"
x2 = len(pdf)
pdf += b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n" % o4
open(d + "/umlauts.pdf", "wb").write(pdf + b"trailer\n<</Size 6/Root 1 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (xref, x2))
# A PDF whose one startxref points at its own trailer, not at an xref.
body = b"%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n"
open(d + "/loop.pdf", "wb").write(body + b"startxref\n%d\n%%%%EOF\n" % len(body))
PY
exiftool -q -overwrite_original -XMP-dc:Creator="Xmp Person" -XMP-tiff:Make=Sony -XMP-aux:SerialNumber=AB998877 \
  -XMP-exif:GPSLatitude="48 51 30 N" -XMP-exif:GPSLongitude="2 17 40 E" "$M/xmp.jpg" "$M/xmp.png"
cp "$TOP/tests/integration/review.sh" "$T/attach.txt"
cp "$C/hr/transfer.pdf" "$M/updated.pdf"
cp "$C/hr/transfer.pdf" "$M/plain.pdf"
sed -i '/^pdftotext_path/d' "$D/broadside.conf"   # the real poppler tools again
exiftool -q -overwrite_original -Author="Later Author" "$M/updated.pdf"
pdfattach "$M/updated.pdf" "$T/attach.txt" "$M/attached.pdf"
$BROADSIDE --data "$D" add "$M" --slug more --title "More" -q >/dev/null 2>&1
out=$($BROADSIDE --data "$D" review more --json 2>"$T/err4"); rc=$?
check_eq "review of the hostile and the new kinds finishes" "$rc" 0
check "xmp.jpg (exiftool): XMP creator, make, masked serial" bash -c "grep -q 'XMP creator: Xmp Person' <<<\"\$1\" && grep -q 'XMP make: Sony' <<<\"\$2\" && grep -q 'XMP body serial number: ending 77' <<<\"\$2\" && ! grep -q AB998 <<<\"\$2\"" _ "$(excerpt xmp.jpg author)" "$(excerpt xmp.jpg camera)"
check "xmp.jpg: the XMP position, rounded" grep -q "XMP position: near 48.9 N, 2.3 E" <<<"$(excerpt xmp.jpg gps)"
check "xmp.png (XMP in iTXt): creator and position" bash -c "grep -q 'Xmp Person' <<<\"\$1\" && grep -q 'near 48.9 N' <<<\"\$2\"" _ "$(excerpt xmp.png author)" "$(excerpt xmp.png gps)"
check "text.png: tEXt Author" grep -q "PNG author: Png Painter" <<<"$(excerpt text.png author)"
check "text.png: zTXt and iTXt" bash -c "grep -q 'PNG text \"Comment\": shot at the depot' <<<\"\$1\" && grep -q 'Beschreibung der Halle' <<<\"\$1\"" _ "$(excerpt text.png comments)"
check "scan.tif: TIFF tags (artist, camera, software)" bash -c "grep -q 'Tiff Artist' <<<\"\$1\" && grep -q 'Nikon D750' <<<\"\$2\" && grep -q Tiffware <<<\"\$3\"" _ "$(excerpt scan.tif author)" "$(excerpt scan.tif camera)" "$(excerpt scan.tif software)"
check "updated.pdf: exiftool's update keeps the earlier revision" grep -q "PDF: 1 earlier revision kept" <<<"$(excerpt updated.pdf revisions)"
check "redacted.pdf: what the earlier revision said that the last does not" grep -q "PDF: earlier revision 1 said, not in the last: Informant Jon Doe waits at gate 4" <<<"$(excerpt redacted.pdf revisions)"
check "… and not what both say" bash -c "! grep -q 'Meeting at' <<<\"\$1\"" _ "$(excerpt redacted.pdf revisions)"
check "umlauts.pdf: the removed line, cut before a character (76 of 150 shown)" grep -qx "PDF: earlier revision 1 said, not in the last: $(printf '\xc3\x9c%.0s' $(seq 76))" <<<"$(excerpt umlauts.pdf revisions)"
check "updated.pdf (exiftool changed only its Info): no text said to be removed" bash -c "! grep -q 'said, not in the last' <<<\"\$1\"" _ "$(excerpt updated.pdf revisions)"
check_eq "plain.pdf, made in one go: no earlier revision" "$(count plain.pdf revisions)" 0
check "attached.pdf: pdfattach appends a second update" grep -q "PDF: 2 earlier revisions kept" <<<"$(excerpt attached.pdf revisions)"
check "zxmp.pdf: a compressed XMP stream, through pdfinfo -meta" grep -q "XMP creator: Hidden Writer" <<<"$(excerpt zxmp.pdf author)"
check "updated.pdf: exiftool's XMP, read from the bytes" grep -q "XMP author: Later Author" <<<"$(excerpt updated.pdf author)"
check "attached.pdf (pdfattach): the embedded file, named" grep -q "1 embedded file: attach.txt" <<<"$(excerpt attached.pdf embedded)"
check "budget.xlsx: 2 comments, the first by Erin Accountant" grep -q "2 comments, the first by Erin Accountant" <<<"$(excerpt budget.xlsx comments)"
check "threads.xlsx: Excel's threaded comments counted, their authors named from person.xml" grep -q "3 threaded comments (Excel), by Jana Threader, Kofi Replier" <<<"$(excerpt threads.xlsx comments)"
check "threads.xlsx: the legacy copies not counted again, the old note is" bash -c "grep -q '1 comment, the first by Ivan Legacy' <<<\"\$1\" && ! grep -q 'tc=' <<<\"\$1\"" _ "$(excerpt threads.xlsx comments)"
check "photos.docx: the JPEG inside, its GPS position" grep -q "word/media/image1.jpeg: position near 52.5 N, 13.4 E" <<<"$(excerpt photos.docx gps)"
check "… its camera and artist" bash -c "grep -q 'word/media/image1.jpeg: Canon EOS 5D' <<<\"\$1\" && grep -q 'word/media/image1.jpeg: artist: Jane Photographer' <<<\"\$2\"" _ "$(excerpt photos.docx camera)" "$(excerpt photos.docx author)"
check "… both images counted, one with metadata" grep -q "2 images inside, 1 with metadata of its own, the first word/media/image1.jpeg" <<<"$(excerpt photos.docx embedded)"
check "pics.odt: the PNG's Author in Pictures/ (not the thumbnail)" bash -c "grep -q 'Pictures/10000000000000100000001.png: PNG author: Png Painter' <<<\"\$1\" && ! grep -q Thumbnails <<<\"\$1\"" _ "$(excerpt pics.odt author)"
check "plainpics.pptx: an image without metadata, counted only" bash -c "grep -qx '1 image inside' <<<\"\$1\" && [ \"\$2\" = 0 ]" _ "$(excerpt plainpics.pptx embedded)" "$(count plainpics.pptx camera)"
check "deck.pptx: 1 comment by Frank Presenter, 1 page of notes (not the empty one)" bash -c "grep -q '1 comment, the first by Frank Presenter' <<<\"\$1\" && grep -q '1 page of speaker notes' <<<\"\$1\"" _ "$(excerpt deck.pptx comments)"
check "modern.pptx: PowerPoint's modern comment and its author" grep -q "1 comment, the first by Hana Modern" <<<"$(excerpt modern.pptx comments)"
check "sheet.ods: the annotation by Gina Auditor" grep -q "1 comment, the first by Gina Auditor" <<<"$(excerpt sheet.ods comments)"
check "report.docx: the author of the xlsx inside, named by it" grep -qx "word/embeddings/Microsoft_Excel_Worksheet.xlsx: author: Xena Sheetwright" <<<"$(excerpt report.docx author)"
check "… and counted as embedded" grep -q "1 object embedded, 1 with metadata of its own" <<<"$(excerpt report.docx embedded)"
check "chart.odt: the ODF object's creator, named by it" grep -qx "Object 1: created by: Chuck Charter" <<<"$(excerpt chart.odt author)"
check "talk.odp: 1 page of notes" grep -q "1 page of speaker notes" <<<"$(excerpt talk.odp comments)"
check "trunc.png: one line naming it" bash -c "[ \"\$(grep -c 'trunc.png: metadata not' '$T/err4')\" = 1 ]"
check "loop.pdf: one line naming it and the tool that failed" bash -c "[ \"\$(grep -c 'loop.pdf: metadata not (all) read: pdfinfo: exited' '$T/err4')\" = 1 ]"
check "… and no revision invented" test "$(count loop.pdf revisions)" = 0
check "photo.heic: the Exif item's camera and position" bash -c "grep -q 'Apple iPhone 13' <<<\"\$1\" && grep -q 'position near 40.4 N, 80.0 W' <<<\"\$2\"" _ "$(excerpt photo.heic camera)" "$(excerpt photo.heic gps)"
# A catalogue reviewed by the rules before threaded comments and images
# inside office files and the text of earlier PDF revisions (2): every file is read again, and their findings come.
n_more=$(sqlite3 "$D/catalogue.db" "SELECT count(*) FROM review_files r JOIN files f ON f.id = r.id JOIN collections c ON c.id = f.collection_id WHERE c.slug = 'more'")
sqlite3 "$D/catalogue.db" "UPDATE review_files SET rules = 2 WHERE rules > 2"
$BROADSIDE --data "$D" review more >/dev/null 2>"$T/err5"
check "older rules: every file read again" grep -q "$n_more files, $n_more read" "$T/err5"
check "--kinds embedded" bash -c "$BROADSIDE --data '$D' review more --kinds embedded -q | grep -q attached.pdf"
$BROADSIDE --data "$D" review more --withhold-kinds embedded,revisions -q >/dev/null 2>"$T/wh2"
check "--withhold-kinds embedded,revisions withholds the attached and the updated PDF" bash -c "grep -q 'withheld: attached.pdf (' '$T/wh2' && grep -q 'withheld: updated.pdf (revisions)' '$T/wh2'"
check "… gone from the manifest" bash -c "! grep -Eq 'attached\.pdf|updated\.pdf' '$D/manifests/more/SHA256SUMS'"

# A message's attachments are parts of their own (schema v6): their text is reviewed too.
mkdir -p "$T/mailc"
python3 - "$T/mailc/att.eml" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["Subject"] = "the list"
m.set_content("See the attached list.")
m.add_attachment(b"Write to leak.source@example.com, pay GB82WEST12345698765432\n", maintype="text",
                 subtype="plain", filename="list.txt")
open(sys.argv[1], "wb").write(bytes(m))
PY
$BROADSIDE --data "$D" add "$T/mailc" --slug mailc --title "Mail" -q >/dev/null 2>&1
out=$($BROADSIDE --data "$D" review mailc --json 2>/dev/null)
check_eq "att.eml: the address and the IBAN in its attachment" "$(count att.eml email)$(count att.eml iban)" 11
done_testing
