#!/usr/bin/env bash
# Clean copies of GIF, WebP and print (CMYK) JPEG images (/i/<slug>/<path>),
# against the real server and its render process: made by python3-PIL with
# what a camera or an editor leaves in them (a GIF comment; WebP EXIF with
# GPS, XMP and an ICC profile; a CMYK JPEG and an animated WebP with EXIF GPS
# and XMP), each copy is made from the pixels alone (exiftool and PIL find
# none of it), a CMYK JPEG comes out an RGB JPEG still red, an animated GIF
# or WebP gives its first frame, transparency is kept, a large one is capped
# at 1600 px, and the file page shows the copy; a hostile or truncated GIF,
# WebP or CMYK JPEG answers one sentence and the server keeps serving.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3   # Debian's, with python3-pil (a pyenv python may lack it)

D=$T/data C=$T/coll
mkdir -p "$C"
check "python3-pil (with WebP) and exiftool are installed" bash -c "$PY -c 'from PIL import features; assert features.check(\"webp\")' && command -v exiftool >/dev/null"
$PY - "$C" <<'PY'
import sys
from PIL import Image, ImageCms
d = sys.argv[1]
exif = Image.Exif()
exif[0x010f] = "SpyCam"
exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Whistle Blower</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>'
Image.new("RGB", (2400, 1800), (200, 80, 40)).save(f"{d}/big.webp", exif=exif.tobytes(), icc_profile=icc, xmp=xmp, quality=80)
Image.new("RGBA", (300, 200), (10, 200, 30, 128)).save(f"{d}/alpha.webp", lossless=True, exif=exif.tobytes())
# Two frames: red then blue; index 0 transparent in the corner.
f1 = Image.new("P", (120, 80), 1); f1.putpalette([0, 0, 0, 220, 0, 0, 0, 0, 220] + [0] * 759)
f1.paste(0, (0, 0, 10, 10))
f2 = Image.new("P", (120, 80), 2); f2.putpalette([0, 0, 0, 220, 0, 0, 0, 0, 220] + [0] * 759)
f1.save(f"{d}/anim.gif", save_all=True, append_images=[f2], transparency=0, comment=b"secret place", duration=100, loop=0)
# Stripes two rows high, green and blue: an interlaced row out of place shows.
w = Image.new("RGB", (2000, 1000), (0, 120, 0))
for y in range(2, 1000, 4):
    w.paste((0, 0, 220), (0, y, 2000, y + 2))
w.convert("P", palette=Image.ADAPTIVE).save(f"{d}/wide.gif", interlace=True)
# A print file: CMYK (PIL writes Adobe's inverted inks) with EXIF GPS; and an
# animation, red then blue, with EXIF and XMP.
Image.new("RGB", (200, 150), (220, 20, 20)).convert("CMYK").save(f"{d}/print.jpg", exif=exif.tobytes(), quality=90)
fr = [Image.new("RGBA", (160, 90), c) for c in ((220, 0, 0, 255), (0, 0, 220, 255))]
fr[0].save(f"{d}/anim.webp", save_all=True, append_images=fr[1:], duration=100, loop=0, exif=exif.tobytes(), xmp=xmp)
open(f"{d}/badcmyk.jpg", "wb").write(open(f"{d}/print.jpg", "rb").read()[:300])
open(f"{d}/badanim.webp", "wb").write(open(f"{d}/anim.webp", "rb").read()[:120])
open(f"{d}/bad.gif", "wb").write(open(f"{d}/anim.gif", "rb").read()[:40])
open(f"{d}/bad.webp", "wb").write(b"RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00junk")
# 60,000 x 60,000 pixels claimed by a 40-byte file (a global palette of two).
import struct
open(f"{d}/huge.gif", "wb").write(b"GIF89a" + struct.pack("<HHBBB", 60000, 60000, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    + b"\x2c" + struct.pack("<HHHHB", 0, 0, 60000, 60000, 0) + b"\x02\x02\x44\x01\x00\x3b")
PY
exiftool -q -overwrite_original -Comment='taken at the depot' "$C/wide.gif" 2>/dev/null
check "the CMYK JPEG and the animated WebP carry GPS (exiftool)" bash -c 'for f; do exiftool -s "$f" | grep -q GPSLatitude || exit 1; done; exiftool -s "$1" | grep -q "ColorComponents *: 4" && exiftool -s "$2" | grep -q "Whistle Blower"' _ "$C/print.jpg" "$C/anim.webp"
check "the WebP carries EXIF, XMP and ICC (exiftool)" bash -c 'm=$(exiftool -s -G "$1"); grep -q SpyCam <<<"$m" && grep -q "Whistle Blower" <<<"$m" && grep -q ICC_Profile <<<"$m"' _ "$C/big.webp"

$BROADSIDE --data "$D" init >/dev/null
echo "limits = no" >>"$D/broadside.conf"
check "add registers the collection" sh -c "$BROADSIDE --data '$D' add '$C' --slug g --title G >'$T/add.out' 2>&1"
PORT=$(free_port)
U=http://127.0.0.1:$PORT
bg_start "$T/serve.log" $BROADSIDE --data "$D" serve --no-tor --listen 127.0.0.1:$PORT
check "server answers" wait_for 20 curl -sf -o /dev/null $U/

copy() { # copy NAME: fetch the copy into $T/NAME.png; its status and type
  curl -s -o "$T/$1.png" -w '%{http_code} %{content_type}' "$U/i/g/$1"
}
noinfo() { # noinfo FILE MODE MAXSIDE: a PNG of that mode, no metadata (PIL, exiftool)
  $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.format == "PNG" and im.mode == sys.argv[2], (im.format, im.mode)
assert max(im.size) <= int(sys.argv[3]), im.size
assert not {k for k in im.info if k not in ("dpi", "gamma", "srgb", "transparency")} and not im.getexif(), im.info' "$@" &&
  ! exiftool "$1" | grep -qiE "SpyCam|Whistle|secret|depot|ICC|GPS"
}
check_eq "WebP copy: a PNG" "$(copy big.webp)" "200 image/png"
check "WebP copy: no EXIF, GPS, XMP or ICC, at most 1600 px" noinfo "$T/big.webp.png" RGB 1600
check_eq "WebP with alpha: a PNG" "$(copy alpha.webp)" "200 image/png"
check "WebP with alpha: alpha kept, no EXIF" noinfo "$T/alpha.webp.png" RGBA 300
check_eq "animated GIF copy: a PNG" "$(copy anim.gif)" "200 image/png"
check "animated GIF copy: no comment, transparency kept" noinfo "$T/anim.gif.png" RGBA 120
check "animated GIF copy: its first frame (red), the corner transparent" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.getpixel((60, 40)) == (220, 0, 0, 255), im.getpixel((60, 40))
assert im.getpixel((2, 2))[3] == 0, im.getpixel((2, 2))' "$T/anim.gif.png"
check_eq "interlaced GIF copy: a PNG" "$(copy wide.gif)" "200 image/png"
check "interlaced GIF copy: no comment" noinfo "$T/wide.gif.png" RGB 1600
check "interlaced GIF copy: every row in place" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.size == (1000, 500), im.size
assert all(im.getpixel((500, y)) == ((0, 120, 0) if y % 2 == 0 else (0, 0, 220)) for y in range(500))' "$T/wide.gif.png"
check_eq "CMYK JPEG copy: a JPEG" "$(copy print.jpg)" "200 image/jpeg"
check "CMYK JPEG copy: RGB, red, no EXIF or GPS" bash -c '$0 -c "
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.format == \"JPEG\" and im.mode == \"RGB\" and im.size == (200, 150), (im.format, im.mode, im.size)
r, g, b = im.getpixel((100, 75)); assert r > 180 and g < 60 and b < 60, (r, g, b)
assert not im.getexif() and \"exif\" not in im.info and \"icc_profile\" not in im.info, im.info" "$1" && ! exiftool "$1" | grep -qiE "SpyCam|GPS"' "$PY" "$T/print.jpg.png"
check_eq "animated WebP copy: a PNG" "$(copy anim.webp)" "200 image/png"
check "animated WebP copy: no EXIF, GPS or XMP" noinfo "$T/anim.webp.png" RGBA 160
check "animated WebP copy: its first frame (red), one frame" $PY -c '
import sys; from PIL import Image
im = Image.open(sys.argv[1]); assert im.size == (160, 90) and getattr(im, "n_frames", 1) == 1, im.size
r, g, b, a = im.getpixel((80, 45)); assert r > 180 and g < 40 and b < 40 and a == 255, (r, g, b, a)' "$T/anim.webp.png"
check "the original stays at /f/" bash -c '[ "$(curl -s "$1" | sha256sum)" = "$(sha256sum <"$2")" ]' _ "$U/f/g/anim.gif" "$C/anim.gif"
fp=$(curl -s "$U/c/g/big.webp")
check "WebP file page shows the clean copy" grep -qF '<img src="/i/g/big.webp"' <<<"$fp"
check "GIF file page shows the clean copy" grep -qF '<img src="/i/g/anim.gif"' <<<"$(curl -s "$U/c/g/anim.gif")"
for f in bad.gif bad.webp huge.gif badcmyk.jpg badanim.webp; do
  p=$(curl -s -w '\n%{http_code}' "$U/i/g/$f")
  check "hostile $f: 404, one sentence" bash -c '[ "${1##*$'"'\n'"'}" = 404 ] && grep -qF "We could not make a clean copy of this image" <<<"$1"' _ "$p"
done
check_eq "server still serving" "$(curl -s -o /dev/null -w '%{http_code}' "$U/")" 200

done_testing
