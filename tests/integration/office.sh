# office: Office Open XML and OpenDocument files written by python3's zipfile
# (docx, xlsx, pptx, odt, ods, odp) are findable by a word of their text through
# `add` and `search`; hostile ones (a zip bomb, 100,000 entries, deep nesting,
# a truncated archive, garbage named .docx) are reported as "could not read" or
# give capped text, and ingest goes on. Text files in UTF-16 (with its mark, LE
# and BE) and Latin-1 are findable, and the file page shows them decoded alike.
# Office 97-2003 files written by real tools (LibreOffice's .doc and .ppt,
# python3-xlwt's .xls) are findable, the .xls shown as a table; hostile ones
# (truncated, garbage behind an OLE header, a looping sector chain, sizes
# claimed past the file) are each one "could not read" line, and ingest goes on.
# Then a folder of 200 docx files, timed.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
mkdir -p "$TREE/office" "$TREE/hostile" "$T/many"
check "init" "$BROADSIDE" --data "$D" init

python3 - "$TREE" "$T/many" <<'PY'
import sys, zipfile, io
tree, many = sys.argv[1], sys.argv[2]
CT = ('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def z(path, parts, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, 'w', method) as f:
        for name, data in parts:
            f.writestr(name, data)
def docx(word, title):
    return [CT, ('word/document.xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 f'<w:document {W}><w:body><w:p><w:r><w:t>The {word} memo</w:t></w:r></w:p></w:body></w:document>'),
            ('docProps/core.xml', '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
             f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>')]
def odf(mime, body, title=None):
    parts = [('mimetype', mime), ('content.xml',
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0">'
        f'<office:body>{body}</office:body></office:document-content>')]
    if title:
        parts.append(('meta.xml', '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>'))
    return parts
o = tree + '/office/'
z(o + 'memo.docx', docx('quokkaword', 'Quarterly hangar memo'))
z(o + 'ledger.xlsx', [CT, ('xl/sharedStrings.xml', '<sst><si><t>wombatcell</t></si></sst>'),
    ('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row><c t="s"><v>0</v></c><c><v>77123</v></c></row></sheetData></worksheet>')])
z(o + 'deck.pptx', [CT, ('ppt/slides/slide1.xml',
    '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:p><a:r><a:t>platypusslide</a:t></a:r></a:p></p:sld>')])
z(o + 'letter.odt', odf('application/vnd.oasis.opendocument.text',
    '<office:text><text:p>numbatletter text</text:p></office:text>', 'Letter to the harbour'), zipfile.ZIP_STORED)
z(o + 'table.ods', odf('application/vnd.oasis.opendocument.spreadsheet',
    '<office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>bilbysheet</text:p>'
    '</table:table-cell></table:table-row></table:table></office:spreadsheet>'))
z(o + 'show.odp', odf('application/vnd.oasis.opendocument.presentation',
    '<office:presentation><draw:page><draw:frame><draw:text-box><text:p>dugongslide</text:p>'
    '</draw:text-box></draw:frame></draw:page></office:presentation>'))
h = tree + '/hostile/'
# A zip bomb: 256 MiB of one letter (past both inflate caps) from a quarter megabyte.
with zipfile.ZipFile(h + 'bomb.docx', 'w', zipfile.ZIP_DEFLATED) as f:
    f.writestr(*CT)
    with f.open('word/document.xml', 'w', force_zip64=True) as e:
        e.write(b'<w:document><w:p><w:t>bombstart ')
        chunk = b'a' * (1 << 20)
        for _ in range(256):
            e.write(chunk)
# A bomb the parser would have to hold whole: one 256 MiB comment.
with zipfile.ZipFile(h + 'comment.docx', 'w', zipfile.ZIP_DEFLATED) as f:
    f.writestr(*CT)
    with f.open('word/document.xml', 'w', force_zip64=True) as e:
        e.write(b'<w:document><!--')
        chunk = b'a' * (1 << 20)
        for _ in range(256):
            e.write(chunk)
with zipfile.ZipFile(h + 'many.docx', 'w', zipfile.ZIP_STORED) as f:
    f.writestr(*CT)
    for i in range(100000):
        f.writestr(f'word/header{i}.xml', '<w:t>manyentries</w:t>')
z(h + 'deep.docx', [CT, ('word/document.xml', '<w:p>' * 200000 + '<w:t>deepword</w:t>')])
full = io.BytesIO(); z(full, docx('truncatedword', 't'))
open(h + 'half.docx', 'wb').write(full.getvalue()[:len(full.getvalue()) // 2])
open(h + 'garbage.docx', 'wb').write(b'garbageword, not a zip\n' * 100)
open(tree + '/plain.txt', 'w').write('an ordinary note about echidnas\n')
open(tree + '/utf16le.txt', 'wb').write('\ufeffUTF-16 LE: caf\u00e9 wallabyle \U0001f600\n'.encode('utf-16-le'))
open(tree + '/utf16be.txt', 'wb').write('\ufeffUTF-16 BE: na\u00efve kangaroobe\n'.encode('utf-16-be'))
open(tree + '/latin1.txt', 'wb').write('Latin-1: d\u00e9j\u00e0 vu possumlatin\n'.encode('latin-1'))
for i in range(200):
    z(f'{many}/doc{i:03}.docx', docx(f'serial{i:03}word lorem ipsum dolor ' * 20, f'Document {i}'))
PY

start=$SECONDS
timeout 300 "$BROADSIDE" --data "$D" add "$TREE" --slug leak --title Leak >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
check_eq "add exits 0" "$rc" 0
check "and finishes within a minute ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "every file is catalogued" grep -q '^leak: 16 files, 16 added' "$T/out"

hits() { "$BROADSIDE" --data "$D" search "$@" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
for w in quokkaword wombatcell 77123 platypusslide numbatletter bilbysheet dugongslide echidnas; do
  check_eq "findable: $w" "$(hits "$w")" 1
done
check_eq "the docx title (core properties) is indexed" "$(hits hangar)" 1
check_eq "the odt title (meta) is indexed" "$(hits harbour)" 1
check "the bomb gives capped text" test "$(hits bombstart)" = 1
check "the truncated docx is reported" grep -q 'hostile/half.docx: could not read' "$T/err"
check "the garbage docx is reported" grep -q 'hostile/garbage.docx: could not read' "$T/err"
check "the deep docx is reported" grep -q 'hostile/deep.docx: could not read' "$T/err"
check "the comment bomb is reported" grep -q 'hostile/comment.docx: could not read' "$T/err"
check "the 100,000-entry docx is reported" grep -q 'hostile/many.docx: could not read' "$T/err"
check_eq "nothing of the deep docx is indexed" "$(hits deepword)" 0
check_eq "nothing of the garbage is indexed" "$(hits garbageword)" 0
for w in wallabyle kangaroobe possumlatin; do
  check_eq "findable: $w" "$(hits "$w")" 1
done
check_eq "UTF-16 decoded in the index" "$(hits café)" 1
check_eq "Latin-1 decoded in the index" "$(hits déjà)" 1

# ---- Office 97-2003 ----
L=$T/legacy
mkdir -p "$L/src" "$L/tree/hostile" "$T/lohome"
cat >"$L/src/memo.html" <<'EOF'
<html><head><title>Harbour memo</title></head><body><h1>Quarterly memo</h1>
<p>The word narwhalprotocol stands here, with Grüße and a naïve café.</p></body></html>
EOF
cat >"$L/src/deck.fodp" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:body><office:presentation>
<draw:page draw:name="one"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>Slide about axolotlstrategy</text:p></draw:text-box></draw:frame></draw:page>
<draw:page draw:name="two"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>Zweite Folie: Grüße an pangolinmetric</text:p></draw:text-box></draw:frame></draw:page>
</office:presentation></office:body></office:document>
EOF
# LibreOffice is the one Debian program that writes .doc and .ppt (its own
# HOME: it keeps a profile).
HOME=$T/lohome timeout 120 soffice --headless --convert-to 'doc:MS Word 97' --outdir "$L/tree" "$L/src/memo.html" >/dev/null 2>&1
HOME=$T/lohome timeout 120 soffice --headless --convert-to ppt --outdir "$L/tree" "$L/src/deck.fodp" >/dev/null 2>&1
check "LibreOffice wrote a .doc and a .ppt" test -s "$L/tree/memo.doc" -a -s "$L/tree/deck.ppt"
# Debian's python3 (python3-xlwt), whichever python3 is first on PATH.
/usr/bin/python3 - "$L/tree" <<'PY'
import sys, xlwt
tree = sys.argv[1]
wb = xlwt.Workbook(encoding='utf-8')
ws = wb.add_sheet('Budget')
for r, row in enumerate([('Item', 'Amount', 'Note'), ('zeppelinfund', 1200.5, 'Überweisung'), ('bribes', 3, 'cash, "quoted"')]):
    for c, v in enumerate(row):
        ws.write(r, c, v)
wb.add_sheet('Second').write(0, 0, 'quokkaledger')
wb.save(tree + '/ledger.xls')
doc = open(tree + '/memo.doc', 'rb').read()
h = tree + '/hostile/'
open(h + 'half.doc', 'wb').write(doc[:len(doc) // 2])
open(h + 'garbage.xls', 'wb').write(b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + bytes(range(256)) * 64)
# The directory's first sector chained to itself in the sector table.
shift = int.from_bytes(doc[0x1e:0x20], 'little')
dirsid = int.from_bytes(doc[0x30:0x34], 'little')
satsid = int.from_bytes(doc[0x4c:0x50], 'little')
loop = bytearray(doc)
at = ((satsid + 1) << shift) + 4 * dirsid
loop[at:at + 4] = dirsid.to_bytes(4, 'little')
open(h + 'loop.doc', 'wb').write(loop)
# 4 billion sector-table sectors claimed by a 6 KB file.
huge = bytearray(open(tree + '/ledger.xls', 'rb').read())
huge[0x2c:0x30] = (0xfffffff0).to_bytes(4, 'little')
open(h + 'huge.xls', 'wb').write(huge)
# A .ppt whose text stream's directory entry claims 4 GB.
d = bytearray(open(tree + '/deck.ppt', 'rb').read())
e = d.find('PowerPoint Document'.encode('utf-16-le'))
d[e + 0x78:e + 0x7c] = (0xffffff00).to_bytes(4, 'little')
open(h + 'huge.ppt', 'wb').write(d)
PY
start=$SECONDS
timeout 120 "$BROADSIDE" --data "$D" add "$L/tree" --slug old --title Old >"$T/outl" 2>"$T/errl"
rc=$?
cat "$T/outl" "$T/errl"
check_eq "add of the Office 97-2003 folder exits 0" "$rc" 0
check "and finishes within a minute ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "every file is catalogued" grep -q '^old: 8 files, 8 added' "$T/outl"
for w in narwhalprotocol axolotlstrategy pangolinmetric zeppelinfund quokkaledger Überweisung; do
  check "findable: $w" sh -c "'$BROADSIDE' --data '$D' search $w --json | grep -q '\"old\"'"
done
check "LibreOffice's master-slide prompts are not text" sh -c "! '$BROADSIDE' --data '$D' search 'click edit title' --json | grep -q '\"old\"'"
for f in half.doc garbage.xls loop.doc huge.xls huge.ppt; do
  check_eq "hostile/$f: one could-not-read line" "$(grep -c "hostile/$f: could not read" "$T/errl")" 1
done

echo "limits = no" >>"$D/broadside.conf"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" "$BROADSIDE" --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "serve" wait_for 20 curl -sf -o /dev/null $U/
check "the UTF-16 LE file page shows its text" sh -c "curl -s $U/c/leak/utf16le.txt | grep -q 'café wallabyle 😀'"
check "the UTF-16 BE file page shows its text" sh -c "curl -s $U/c/leak/utf16be.txt | grep -q 'naïve kangaroobe'"
check "the Latin-1 file page shows its text" sh -c "curl -s $U/c/leak/latin1.txt | grep -q 'déjà vu possumlatin'"
check "a docx file page answers" sh -c "curl -sf $U/c/leak/office/memo.docx | grep -q 'memo.docx'"
check "and shows no zip bytes as text" sh -c "! curl -s $U/c/leak/office/memo.docx | grep -q 'class=\"preview\"'"
curl -s "$U/r/old/ledger.xls" >"$T/xls.html"
check "the .xls reads as a table" grep -q '<td>zeppelinfund</td><td>1200.5</td><td>Überweisung</td>' "$T/xls.html"
check "its second sheet too" grep -q '<td>quokkaledger</td>' "$T/xls.html"
check "the .doc reads as text" sh -c "curl -s $U/r/old/memo.doc | grep -q 'narwhalprotocol stands here, with Grüße'"

# 200 docx files: files per second through the jail.
t0=$(date +%s.%N)
"$BROADSIDE" --data "$D" add "$T/many" --slug many --title Many >"$T/out3" 2>"$T/err3"
t1=$(date +%s.%N)
check "200 docx catalogued" grep -q '^many: 200 files, 200 added' "$T/out3"
check_eq "each findable" "$(hits serial137word)" 1
echo "200 docx: $(python3 -c "print(f'{200 / ($t1 - $t0):.0f}')") files/s (with catalogue writes)"

done_testing
