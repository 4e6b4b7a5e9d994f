# office: Office Open XML and OpenDocument files written by python3's zipfile
# (docx, xlsx, pptx, odt, ods, odp) are findable by a word of their text through
# `add` and `search`; hostile ones (a zip bomb, 100,000 entries, deep nesting,
# a truncated archive, garbage named .docx) are reported as "could not read" or
# give capped text, and ingest goes on. Then a folder of 200 docx files, timed.
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
# A zip bomb: 1 GiB of one letter inflated from about a megabyte.
with zipfile.ZipFile(h + 'bomb.docx', 'w', zipfile.ZIP_DEFLATED) as f:
    f.writestr(*CT)
    with f.open('word/document.xml', 'w', force_zip64=True) as e:
        e.write(b'<w:document><w:p><w:t>bombstart ')
        chunk = b'a' * (1 << 20)
        for _ in range(1024):
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
for i in range(200):
    z(f'{many}/doc{i:03}.docx', docx(f'serial{i:03}word lorem ipsum dolor ' * 20, f'Document {i}'))
PY

start=$SECONDS
timeout 300 "$BROADSIDE" --data "$D" add "$TREE" --slug leak --title Leak >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
check_eq "add exits 0" "$rc" 0
check "and finishes within a minute ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 60
check "every file is catalogued" grep -q '^leak: 12 files, 12 added' "$T/out"

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
check "the 100,000-entry docx is reported" grep -q 'hostile/many.docx: could not read' "$T/err"
check_eq "nothing of the deep docx is indexed" "$(hits deepword)" 0
check_eq "nothing of the garbage is indexed" "$(hits garbageword)" 0

# 200 docx files: files per second through the jail.
t0=$(date +%s.%N)
"$BROADSIDE" --data "$D" add "$T/many" --slug many --title Many >"$T/out3" 2>"$T/err3"
t1=$(date +%s.%N)
check "200 docx catalogued" grep -q '^many: 200 files, 200 added' "$T/out3"
check_eq "each findable" "$(hits serial137word)" 1
echo "200 docx: $(python3 -c "print(f'{200 / ($t1 - $t0):.0f}')") files/s (with catalogue writes)"

done_testing
