# search_scripts: a multilingual collection (Chinese, Japanese, Thai, Arabic,
# Persian, Hebrew, Russian, Turkish, German, English plurals) as plain text and
# as real documents (OpenDocument and Office Open XML written with python3's
# zipfile, a MIME mail, an HTML page, a PDF): for each language, queries that
# must find given files and must not find others, through `broadside search`
# and through the /search page. Text without spaces between words is found
# by any 3 characters (the trigram index); 2 say why; Arabic and Persian
# spellings fold and attached articles come off; English stems, the exact
# form first; a 2-letter prefix says why. Refresh and rm keep both indexes
# in agreement with the catalogue.
. "$(dirname "$0")/../lib.sh"

D=$T/data
TREE=$T/tree
mkdir -p "$TREE"/{zh,ja,th,ar,fa,he,ru,tr,de,en} "$T/other"
python3 - "$TOP/scripts/demo/make-sample" "$TREE" <<'PY'
import importlib.machinery, importlib.util, sys, zipfile
from email.message import EmailMessage
loader = importlib.machinery.SourceFileLoader("ms", sys.argv[1])
spec = importlib.util.spec_from_loader("ms", loader); ms = importlib.util.module_from_spec(spec); loader.exec_module(ms)
t = sys.argv[2]

def odt(path, text):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
                   f'<text:p>{text}</text:p></office:text></office:body></office:document-content>')
def docx(path, text):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
def txt(path, text):
    open(path, "w", encoding="utf-8").write(text + "\n")

txt(f"{t}/zh/police.txt", "北京市公安局警察报告了这起案件。")
odt(f"{t}/zh/court.odt", "法院判决书：被告人无罪。")
txt(f"{t}/zh/weather.txt", "天气很好，我们去公园。")
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "Tokyo"
m.set_content("警視庁の警察官が報告書を提出した。", charset="utf-8", cte="base64")
open(f"{t}/ja/police.eml", "wb").write(bytes(m))
txt(f"{t}/ja/kana.txt", "きょうはとてもいいてんきです。コンピューターをかいました。")
open(f"{t}/th/police.html", "w", encoding="utf-8").write(
    '<html><head><meta charset="utf-8"><title>รายงาน</title></head><body><p>สำนักงานตำรวจแห่งชาติรายงานว่า</p></body></html>')
txt(f"{t}/th/weather.txt", "ประเทศไทยมีอากาศร้อน")
odt(f"{t}/ar/police.odt", "أصدرت الشُّرْطَة تقريراً عن الفساد في الوزارة.")
txt(f"{t}/ar/hospital.txt", "افتتح المستشفى الجديد في المدينة.")
txt(f"{t}/ar/director.txt", "وقال مـديـر الأمن إن التحقيق مستمر.")
txt(f"{t}/fa/police.txt", "پلیس در گزارش خود گفت که می\u200cخواهد تحقیق کند.")
txt(f"{t}/fa/book.txt", "این کتاب درباره تاریخ ایران است.")
txt(f"{t}/he/police.txt", "הַמִּשְׁטָרָה פרסמה דוח על השחיתות.")
docx(f"{t}/ru/police.docx", "Полиция опубликовала доклад о коррупции.")
txt(f"{t}/ru/weather.txt", "Погода в Москве хорошая.")
txt(f"{t}/tr/police.txt", "Polis raporu İstanbul'da yayınlandı. Şikayetçi öğrenciler konuştu.")
txt(f"{t}/de/munich.txt", "Die Straße in München. Über die Prüfung der Behörde.")
open(f"{t}/en/plural.pdf", "wb").write(ms.make_pdf(["The officers filed their reports."]))
txt(f"{t}/en/single.txt", "An officer wrote one report.")
txt(f"{t}/en/policy.txt", "The new policy was announced.")
PY
printf '北京市公安局警察报告了另一起案件。\n' >"$T/other/police2.txt"

"$BROADSIDE" --data "$D" init >/dev/null
check "add the multilingual collection" sh -c "'$BROADSIDE' --data '$D' add '$TREE' --slug world --title World >/dev/null 2>&1"
check "add a second collection" sh -c "'$BROADSIDE' --data '$D' add '$T/other' --slug other --title Other >/dev/null 2>&1"

# hits QUERY [ARGS...]: the paths found, in order, on one line ("-" for none).
hits() {
  local q=$1; shift
  "$BROADSIDE" --data "$D" search --json "$@" -- "$q" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(" ".join(h["collection"] + "/" + h["path"] for h in r["hits"]) or "-")'
}
# expect QUERY "FOUND..." "NOT FOUND...": every path in the first list found,
# none in the second.
expect() {
  local q=$1 want=$2 not=$3 got
  got=$(hits "$q")
  for p in $want; do
    check "'$q' finds $p" grep -qw -- "world/$p" <<<"$got"
  done
  for p in $not; do
    check "'$q' does not find $p" sh -c "! grep -qw -- 'world/$p' <<'EOF'
$got
EOF"
  done
}

# Chinese: any 3+ characters of a run; simplified is not traditional.
expect 警察报告 "zh/police.txt" "zh/weather.txt ja/police.eml"
expect 公安局 "zh/police.txt" "zh/court.odt"
expect 判决书 "zh/court.odt" "zh/police.txt"
expect 报告书 "" "zh/police.txt ja/police.eml"
check "two characters say why" sh -c "'$BROADSIDE' --data '$D' search 警察 | grep -q '3 characters or more'"
check_eq "collection filter in the trigram index" "$(hits 警察报告 --collection other)" "other/police2.txt"
# Japanese: kanji in a mail body (base64), kana.
expect 警察官 "ja/police.eml" "zh/police.txt"
expect 報告書 "ja/police.eml" "zh/police.txt"
expect てんき "ja/kana.txt" "ja/police.eml"
expect コンピュータ "ja/kana.txt" ""
# Thai.
expect ตำรวจ "th/police.html" "th/weather.txt"
expect อากาศ "th/weather.txt" "th/police.html"
# Arabic: articles, harakat, tatweel, alef and yeh forms.
expect شرطة "ar/police.odt" "ar/hospital.txt ar/director.txt"
expect الشرطة "ar/police.odt" "ar/hospital.txt"
expect تقريرا "ar/police.odt" ""
expect مستشفى "ar/hospital.txt" "ar/police.odt"
expect مستشفي "ar/hospital.txt" ""
expect مدير "ar/director.txt" "ar/police.odt"
expect امن "ar/director.txt" "ar/hospital.txt"
expect فساد "ar/police.odt" ""
# Persian: Farsi yeh and keheh, ZWNJ.
expect پلیس "fa/police.txt" "ar/police.odt"
expect میخواهد "fa/police.txt" ""
expect كتاب "fa/book.txt" "fa/police.txt"
# Hebrew: niqqud, the article.
expect משטרה "he/police.txt" ""
# Russian (a .docx), Turkish, German.
expect полиция "ru/police.docx" "ru/weather.txt"
expect москве "ru/weather.txt" "ru/police.docx"
expect polis "tr/police.txt" "en/policy.txt"
expect ogrenciler "tr/police.txt" ""
expect öğrenciler "tr/police.txt" ""
expect münchen "de/munich.txt" ""
expect munchen "de/munich.txt" ""
expect prüfung "de/munich.txt" ""
expect straße "de/munich.txt" ""
expect 'münch*' "de/munich.txt" ""
expect 'Über*' "de/munich.txt" ""
expect 'شرط*' "ar/police.odt" "ar/hospital.txt"
# English: stems, the exact form first; a quoted word as written.
expect officer "en/single.txt en/plural.pdf" "en/policy.txt"
check_eq "officer: the exact form first" "$(hits officer)" "world/en/single.txt world/en/plural.pdf"
check_eq "officers: the exact form first" "$(hits officers)" "world/en/plural.pdf world/en/single.txt"
expect '"officers"' "en/plural.pdf" "en/single.txt"
expect reports "en/plural.pdf en/single.txt" ""
expect police "" "en/policy.txt"
expect 'offic*' "en/single.txt en/plural.pdf" ""
check "a 2-letter prefix says why" sh -c "'$BROADSIDE' --data '$D' search 'po*' | grep -q 'prefix needs 3 letters'"

# Refresh and rm: both indexes follow the files.
rm "$TREE/zh/court.odt"
printf '新的判决书\n' >"$TREE/zh/new.txt"
check "refresh" sh -c "'$BROADSIDE' --data '$D' refresh world >/dev/null 2>&1"
check_eq "a removed file leaves the trigram index" "$(hits 被告人)" "-"
expect 判决书 "zh/new.txt" "zh/court.odt"
check "rm" sh -c "'$BROADSIDE' --data '$D' rm other --yes >/dev/null 2>&1 || '$BROADSIDE' --data '$D' rm other >/dev/null 2>&1"
check "both indexes agree with the catalogue" test "$("$BROADSIDE" --data "$D" check-catalogue)" = ok

# --- the same through the /search page ------------------------------------------
printf 'limits = no\nsearch_threads = 2\n' >>"$D/broadside.conf"
PORT=$(free_port); U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" "$BROADSIDE" --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
SERVE_PID=$BG_PID
check "serve" wait_for 20 curl -sf -o /dev/null $U/
page() { curl -sf -G "$U/search" --data-urlencode "q=$1"; }
check "page: 警察报告 finds the Chinese report" sh -c "curl -sf -G '$U/search' --data-urlencode 'q=警察报告' | grep -q 'zh/police.txt'"
check "page: ... and not the weather" sh -c "! curl -sf -G '$U/search' --data-urlencode 'q=警察报告' | grep -q 'zh/weather.txt'"
check "page: شرطة finds the Arabic report" sh -c "curl -sf -G '$U/search' --data-urlencode 'q=شرطة' | grep -q 'ar/police.odt'"
check "page: ตำรวจ finds the Thai page" sh -c "curl -sf -G '$U/search' --data-urlencode 'q=ตำรวจ' | grep -q 'th/police.html'"
check "page: officers, the exact form first" python3 -c "
import sys; p = sys.stdin.read(); a, b = p.find('en/plural.pdf'), p.find('en/single.txt')
sys.exit(0 if 0 <= a < b else 1)" <<<"$(page officers)"
check "page: two CJK characters say why" sh -c "curl -sf -G '$U/search' --data-urlencode 'q=警察' | grep -q '3 characters or more'"
check "page: po* says a prefix needs 3 letters" sh -c "curl -sf -G '$U/search' --data-urlencode 'q=po*' | grep -q 'prefix needs 3 letters'"
kill "$SERVE_PID"
check "serve stops cleanly" wait_for 10 sh -c "! kill -0 $SERVE_PID"

done_testing
