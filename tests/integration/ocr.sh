# ocr: add/refresh --ocr. Words are drawn into a PNG, a JPEG, a 5-page and an
# 8-page PDF of images (python3's PIL, with Debian's DejaVu font); a PDF with a text layer
# (make-sample's) is not read again by OCR. Without --ocr nothing is read; with
# it tesseract (and pdftoppm for the PDF) find the words, in the document jail,
# and the hit names "text read by OCR"; a second run reads nothing again
# (resumable); a broken image is listed; ocr_languages is passed on. Prints
# OCR's pages per minute per thread.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
mkdir -p "$TREE"
PY=/usr/bin/python3   # Debian's, with python3-pil
"$PY" - "$TREE" "$TOP/scripts/demo/make-sample" <<'PY'
import importlib.machinery, importlib.util, sys
from PIL import Image, ImageDraw, ImageFont
tree = sys.argv[1]
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
def page(lines, size=(1240, 600)):
    im = Image.new("L", size, 255)
    d = ImageDraw.Draw(im)
    for i, l in enumerate(lines):
        d.text((60, 60 + 70 * i), l, font=font, fill=0)
    return im
page(["The harbour ledger", "wallabyscan entries for March"]).save(tree + "/scan.png")
page(["Minutes of the meeting", "numbatphoto was present"]).convert("RGB").save(tree + "/photo.jpg", quality=90)
words = ["aardvarkpage", "bisonpage", "cariboupage", "dingopage", "emupage"]
pages = [page([f"Page {i + 1} of the report", f"{w} figures"], (1240, 1754)) for i, w in enumerate(words)]
pages[0].convert("RGB").save(tree + "/scanned.pdf", save_all=True, append_images=[p.convert("RGB") for p in pages[1:]],
                             resolution=150)
# Eight small pages: pdftotext's page breaks alone are no text layer.
small = [page([f"Leaflet {i + 1}"] + (["koalapage"] if i == 7 else []), (1240, 300)) for i in range(8)]
small[0].save(tree + "/leaflets.pdf", save_all=True, append_images=small[1:], resolution=150)
open(tree + "/broken.png", "wb").write(open(tree + "/scan.png", "rb").read()[:200])
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[2])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
open(tree + "/text.pdf", "wb").write(ms.make_pdf(["A typed page about the quollpdf budget"]))
PY
check "images and a PDF of images drawn by PIL" test -s "$TREE/scanned.pdf"

"$BROADSIDE" --data "$D" init >/dev/null
count() { "$BROADSIDE" --data "$D" search "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
check "add without --ocr" sh -c "'$BROADSIDE' --data '$D' add '$TREE' --slug s --title S >/dev/null 2>&1"
check_eq "nothing is read by OCR then" "$(count wallabyscan)" 0
check_eq "the PDF with text is read by pdftotext" "$(count quollpdf)" 1

echo "ocr_languages = eng  osd" >>"$D/broadside.conf"
start=$SECONDS
"$BROADSIDE" --data "$D" refresh s --ocr >"$T/out1" 2>"$T/err1"
check_eq "refresh --ocr exits 0" "$?" 0
cat "$T/err1"
secs=$((SECONDS - start))
check "OCR read 15 pages of 4 files" grep -q 'OCR read 15 pages of 4 files' "$T/err1"
hit() { # hit WORD FILE: found in FILE's OCR part
  "$BROADSIDE" --data "$D" search "$1" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if any(h["path"] == sys.argv[1] and h.get("attachment") == "text read by OCR" for h in r["hits"]) else 1)' "$2"
}
check "a word in a PNG" hit wallabyscan scan.png
check "a word in a JPEG" hit numbatphoto photo.jpg
check "a word on page 1 of a PDF of images" hit aardvarkpage scanned.pdf
check "a word on page 5" hit emupage scanned.pdf
check "a word on page 8 of a PDF whose page breaks are its only text" hit koalapage leaflets.pdf
check "the PDF with text is not read by OCR" sh -c "'$BROADSIDE' --data '$D' search quollpdf | grep -vq 'text read by OCR'"
check "the broken image is listed" grep -q 'broken.png › text read by OCR: could not read' "$T/err1"
check "the hit says the words were read by OCR" sh -c "'$BROADSIDE' --data '$D' search wallabyscan | grep -q 'scan.png › text read by OCR'"
"$BROADSIDE" --data "$D" refresh s --ocr >"$T/out2" 2>"$T/err2"
check "a second run reads nothing again" grep -q 'OCR read 0 pages of 0 files' "$T/err2"
check "everything unchanged" grep -q '6 unchanged' "$T/out2"
grep -o 'OCR read.*' "$T/err1" | sed "s/^/measured: /; s/$/; wall clock $secs s for the refresh/"
done_testing
