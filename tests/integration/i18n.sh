# i18n: the reader pages' languages. Every catalogue (web/po/*.po) covers
# exactly the messages the templates and the page code use, extracted afresh
# from the sources (no missing, no extra, no fuzzy or empty one), each
# translation with the same placeholders and the same tags in the same order,
# and msgfmt --check passes. Against the real server: site_language sets the
# pages' language and a bad value stops start-up with file:line; ?lang=
# switches one page, and every link to another page of the site and every
# form on it keeps it; an unknown lang gives the site language; Arabic and
# Persian pages are dir=rtl with their own digits; the switcher keeps the
# page's query; the search's own messages (no match, short prefix, unspaced
# script) are translated. Headless Chromium (JavaScript off) renders Arabic
# pages at 1280x900 and 390x844 (screenshots in build/test-output/i18n/).
. "$(dirname "$0")/../lib.sh"

# --- the catalogues against the sources ---
sh "$TOP/scripts/build/po-extract.sh" "$TOP"/web/*.html -- "$TOP"/appliance/site/*.c \
  "$TOP"/appliance/serve/*.c "$TOP"/appliance/catalogue/*.c >"$T/broadside.pot" 2>"$T/extract.log"
check "messages extracted from the templates and the code" test -s "$T/broadside.pot"
for po in "$TOP"/web/po/*.po; do
  check "msgfmt --check $(basename "$po")" msgfmt --check -o /dev/null "$po"
done
python3 "$TOP/tests/pocheck.py" "$T/broadside.pot" "$TOP"/web/po/*.po >"$T/cover.log" 2>&1
cover_rc=$?
grep -E '^(# |not ok)' "$T/cover.log" | head -n 40
check "every catalogue covers every message, same placeholders and tags" test $cover_rc -eq 0
# The check itself fails on a broken catalogue.
sed 's/{files} dosya/dosya/; 0,/^msgstr "Ara"/s//msgstr ""/' "$TOP/web/po/tr.po" >"$T/tr-broken.po"
python3 "$TOP/tests/pocheck.py" "$T/broadside.pot" "$T/tr-broken.po" >"$T/broken.log" 2>&1
check "control: a lost placeholder and an empty message are caught" test $? -ne 0
check "control: both named" test "$(grep -c '^not ok' "$T/broken.log")" -ge 2

# --- the server ---
D=$T/data
C=$T/docs
mkdir -p "$C/memos"
for i in $(seq 1 12); do printf 'memo %d about the harbour budget\n' "$i" >"$C/memos/memo-$i.txt"; done
printf 'The harbour budget for 2024.\n' >"$C/report.txt"
$BROADSIDE --data "$D" init >/dev/null
$BROADSIDE --data "$D" add "$C" --slug docs --title "Harbour documents" >/dev/null 2>&1
cp "$D/broadside.conf" "$T/conf.good"
printf 'site_language = xx\n' >>"$D/broadside.conf"
line=$(wc -l <"$D/broadside.conf")
$BROADSIDE --data "$D" serve -n >"$T/bad.log" 2>&1
check "a bad site_language stops start-up" test $? -ne 0
check "with file:line" grep -q "broadside.conf:$line: site_language: 'xx' is not one of" "$T/bad.log"
cp "$T/conf.good" "$D/broadside.conf"
printf 'site_language = de\n' >>"$D/broadside.conf"
check "serve -n accepts site_language = de" $BROADSIDE --data "$D" serve -n
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

get() { curl -s "$U$1"; }
get / >"$T/de.html"
check "site_language: <html lang=de>" grep -q '<html lang="de">' "$T/de.html"
check "site_language: German text" grep -q 'Sammlungen' "$T/de.html"
check "site_language: German numbers and dates" grep -qE 'Dateien: 13 · .* · aktualisiert am [0-9]{2}\.[0-9]{2}\.[0-9]{4} ' "$T/de.html"
check "the site language is not carried on links" bash -c "! grep -q 'lang=de' \"\$1\" || grep -c 'lang=de' \"\$1\" | grep -qx 1" _ "$T/de.html"

# Every link to another page of the site and every form keeps lang=LANG.
links_carry() { # FILE LANG
  python3 - "$1" "$2" <<'PY'
import html.parser, sys
lang = sys.argv[2]
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.bad = []; s.n = 0; s.form = None
    def handle_starttag(s, tag, attrs):
        a = dict(attrs)
        if s.form is not None and tag == "input" and a.get("type") == "hidden" and a.get("name") == "lang":
            s.form["lang"] = a.get("value")
        if tag == "form":
            s.form = {"lang": None}
        h = a.get("href")
        if tag != "a" or h is None or h.startswith(("#", "/f/", "/m/", "/d/", "/i/", "/static/", "http:", "data:")):
            return
        s.n += 1
        q = h.split("#")[0].split("?", 1)[1] if "?" in h else ""
        if "lang=" + lang not in q.split("&amp;") and "lang=" + lang not in q.split("&") and \
           not any(p.startswith("lang=") for p in q.replace("&amp;", "&").split("&")):
            s.bad.append(h)
    def handle_endtag(s, tag):
        if tag == "form":
            if s.form["lang"] != lang:
                s.bad.append("a form without lang")
            s.form = None
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
for b in p.bad: print("no lang:", b)
sys.exit(1 if p.bad or p.n < 5 else 0)
PY
}
get "/?lang=ar" >"$T/ar.html"
check "?lang=ar: <html lang=ar dir=rtl>" grep -q '<html lang="ar" dir="rtl">' "$T/ar.html"
check "?lang=ar: Arabic text" grep -q 'المجموعات' "$T/ar.html"
check "?lang=ar: Arabic-Indic digits" grep -q 'عدد الملفات: ١٣' "$T/ar.html"
check "?lang=ar: every site link and form carries lang=ar" links_carry "$T/ar.html" ar
get "/c/docs/memos/?lang=fa&sort=size" >"$T/fa.html"
check "?lang=fa folder: dir=rtl" grep -q '<html lang="fa" dir="rtl">' "$T/fa.html"
check "?lang=fa folder: Persian dates (year/month/day)" grep -qF '<td class="d">۲۰۲' "$T/fa.html"
check "?lang=fa folder: entries and sort links carry lang" links_carry "$T/fa.html" fa
check "the switcher keeps the page's query" grep -qF 'href="?sort=size&amp;lang=en"' "$T/fa.html"
check "the switcher marks the page's language" grep -qF '<span aria-current="true">فارسی</span>' "$T/fa.html"
get "/search?q=budget&lang=es" >"$T/es.html"
check "?lang=es search: Spanish" grep -q '<h1>Buscar</h1>' "$T/es.html"
check "?lang=es search: the count in Spanish" grep -q '13 resultados' "$T/es.html"
check "?lang=es search: hits, pager and forms carry lang" links_carry "$T/es.html" es
get "/c/docs/report.txt?lang=ru" >"$T/ru.html"
check "?lang=ru file page: Russian kind and facts" grep -q 'Простой текст' "$T/ru.html"
check "?lang=ru file page: links carry lang" links_carry "$T/ru.html" ru
get "/c/nope/?lang=fr" >"$T/fr404.html"
check "?lang=fr error page: French, detail too" grep -q 'Aucune collection ne porte ce nom.' "$T/fr404.html"
check "?lang=fr error page: links carry lang" links_carry "$T/fr404.html" fr
get "/search?q=budget&lang=xx" >"$T/xx-search.html"
check "unknown lang on search: the site language" grep -q '<h1>Suchen</h1>' "$T/xx-search.html"
get "/?lang=xx" >"$T/xx.html"
check "unknown lang: the site language" grep -q '<html lang="de">' "$T/xx.html"
get "/?lang=en" >"$T/en.html"
check "?lang=en over a German site" grep -q '>Collections<' "$T/en.html"
# The search's own sentences (the catalogue's) in the page's language.
get "/search?q=quokkazeppelin" >"$T/de-none.html"
check "no match: said in German" grep -qF 'Ihre Suche ergab keine Treffer.' "$T/de-none.html"
check "no match: not in English" bash -c "! grep -q 'Nothing matched' \"\$1\"" _ "$T/de-none.html"
get "/search?q=bu*&lang=fr" >"$T/fr-prefix.html"
check "?lang=fr short prefix: the hint in French" grep -qF 'Un préfixe demande 3 lettres avant le *' "$T/fr-prefix.html"
get "/search?q=%E8%AD%A6&lang=zh" >"$T/zh-short.html"
check "?lang=zh one unspaced character: the hint in Chinese" grep -qF '按 3 个或更多字符搜索' "$T/zh-short.html"
for l in es fr de pt ru ar fa tr zh; do
  n=$(curl -s -o /dev/null -w '%{size_download}' "$U/c/docs/memos/?lang=$l")
  check "folder page in $l under 30 KB ($n bytes)" test "$n" -lt 30000
done

# --- headless Chromium, JavaScript off: Arabic pages, both widths ---
OUT=$TOP/build/test-output/i18n
mkdir -p "$OUT"
CHROME=/usr/lib/chromium/chromium; [ -x "$CHROME" ] || CHROME=$(command -v chromium || true)
if [ -n "$CHROME" ]; then
  chrome() {
    local log=$1; shift
    local ud
    ud=$(mktemp -d "$T/chrome.XXXXXX")
    mkdir -p "$ud/Default"
    echo '{"profile":{"default_content_setting_values":{"javascript":2}}}' >"$ud/Default/Preferences"
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --hide-scrollbars --user-data-dir="$ud" --enable-logging=stderr --v=0 "$@" 2>"$log"
    local rc=$?
    rm -rf "$ud"
    return $rc
  }
  for page in "home /?lang=ar" "folder /c/docs/memos/?lang=ar" "file /c/docs/report.txt?lang=ar"; do
    set -- $page
    chrome "$OUT/ar-$1.log" --dump-dom "$U$2" >"$OUT/ar-$1.dom.html"
    check "chromium ar $1: rendered right-to-left" grep -q '<html lang="ar" dir="rtl">' "$OUT/ar-$1.dom.html"
    check "chromium ar $1: no CSP violation or console message" bash -c "! grep -aEq 'CONSOLE|Content Security Policy|Refused to' \"\$1\"" _ "$OUT/ar-$1.log"
    for size in 1280,900 390,844; do
      chrome "$OUT/ar-$1-${size%,*}.log" --window-size=$size --screenshot="$OUT/ar-$1-${size%,*}.png" "$U$2" >/dev/null
      check "chromium ar $1: screenshot at ${size/,/x}" test -s "$OUT/ar-$1-${size%,*}.png"
    done
  done
  ls "$OUT"/*.png | sed "s|^$TOP/|# screenshot |"
else
  echo "# chromium not installed: no screenshots"
fi
check_eq "server still running" "$(curl -s -o /dev/null -w '%{http_code}' $U/)" 200
done_testing
