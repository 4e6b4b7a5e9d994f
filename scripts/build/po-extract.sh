#!/bin/sh
# Write the message template of the reader pages (a gettext .pot) on stdout:
# the {{_ ...}} messages of the web/ templates (read here: xgettext does not
# know our template syntax) and the strings the C code marks or passes to
# i18n_tr/i18n_ntr/N_, the error pages' details and the search messages
# (xgettext). web/po/*.po must cover exactly these (tests/i18n.sh).
# Usage: po-extract.sh TEMPLATE... -- C-FILE...
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tmpl=
while [ $# -gt 0 ] && [ "$1" != -- ]; do tmpl="$tmpl $1"; shift; done
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086
perl -e '
	my (%loc, @order);
	for my $f (@ARGV) {
		open(my $h, "<:raw", $f) or die "$f: $!";
		local $/; my $t = <$h>;
		while ($t =~ /\{\{_ ((?:[^{}]|\{[^{}]*\})*?) *\}\}/g) {
			my $m = $1;
			my $line = 1 + (substr($t, 0, $-[0]) =~ tr/\n//);
			push @order, $m unless exists $loc{$m};
			push @{$loc{$m}}, "$f:$line";
		}
	}
	print "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n";
	for my $m (@order) {
		(my $e = $m) =~ s/(["\\])/\\$1/g;
		$e =~ s/\n/\\n/g;
		print "#: @{$loc{$m}}\nmsgid \"$e\"\nmsgstr \"\"\n\n";
	}' $tmpl > "$tmp/tmpl.po"
xgettext --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: --no-wrap \
	--keyword= --keyword=N_ --keyword=i18n_tr:2 --keyword=i18n_ntr:2,3 \
	--keyword=put_tr:3 --keyword=put_ntr:3,4 \
	--keyword=http_resp_error:3 --keyword=http_resp_error_retry:3 --keyword=set_message:2 \
	--package-name=broadside -o "$tmp/code.pot" "$@"
msgcat --no-wrap --use-first "$tmp/tmpl.po" "$tmp/code.pot"
