# Broadside build. Plain make; every appliance/*/*.c except cli/main.c goes into
# one static library that the binary, the unit tests and the fuzz targets link.
# Sources include each other by path from appliance/ ("http/range.h").
# Targets: all run test bench fuzz deb install clean deps (see README.md).

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build

# pkg-config runs once, when make reads this file. On a new machine that is
# before scripts/deps.sh has installed the -dev packages, so the targets that
# install packages (run test bench fuzz image install-test) call deps.sh first and
# then a new make for the build, which reads this file again and finds them.
PKGS     = libevent_core libevent_pthreads libcrypto sqlite3 libseccomp libcurl libzip expat libexif libdeflate libarchive libjpeg libpng libgif libwebp libwebpdemux libolecf libbfio
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl's headers only: trust/fetch.c loads the library when a mirror run
# needs it (see there), so that the serving process does not carry it.
PKG_LIBS   := $(filter-out -lcurl,$(shell pkg-config --libs $(PKGS) 2>/dev/null)) -lhttp_parser -lpthread -lm
PKG_OK     := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
# Expanded only when a compile runs, so make clean works without the libraries.
NEED_PKGS = $(if $(PKG_OK),,$(error pkg-config finds no $(PKGS): run scripts/deps.sh build or make run))

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-unused-parameter
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -Iappliance $(PKG_CFLAGS) -MMD -MP
LDFLAGS_H = -pie -Wl,-z,relro,-z,now

SRCS     := $(filter-out appliance/cli/main.c,$(wildcard appliance/*/*.c))
OBJS     := $(SRCS:appliance/%.c=$(BUILD)/obj/%.o)
# web/ templates and the stylesheet are compiled in (scripts/build/embed-assets.sh).
WEB_FILES := $(sort $(wildcard web/*.html web/*.css))
# Their message catalogues (web/po/*.po, gettext): msgfmt --check compiles each
# into a .mo embedded next to them; po-extract.sh lists the messages (.pot).
PO_FILES := $(sort $(wildcard web/po/*.po))
MO_FILES := $(PO_FILES:web/po/%.po=$(BUILD)/gen/po/%.mo)
# catalogue/: the sentences a search tells the reader (search.c marks them).
PO_SRCS  := $(sort $(wildcard appliance/site/*.c appliance/serve/*.c appliance/catalogue/*.c))
OBJS     += $(BUILD)/obj/web_assets.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: po-update print-libs all run test bench fuzz install clean deps unit deb asan fuzz-build fuzz-short image image-pi image-test image-pi-test install-test

all: broadside

broadside: $(BUILD)/broadside
	@cp $< $@

$(BUILD)/broadside: $(BUILD)/obj/cli/main.o $(BUILD)/libbroadside.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_H) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libbroadside.a: $(OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/obj/%.o: appliance/%.c
	$(NEED_PKGS)@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) $(HARDEN) -c -o $@ $<

$(BUILD)/gen/web_assets.c: $(WEB_FILES) $(MO_FILES) scripts/build/embed-assets.sh
	@mkdir -p $(dir $@)
	sh scripts/build/embed-assets.sh $(WEB_FILES) $(MO_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/po/%.mo: web/po/%.po
	@mkdir -p $(dir $@)
	@echo "  MSGFMT  $<"
	@msgfmt --check -o $@ $<

# The messages the catalogues must cover (tests/integration/i18n.sh).
$(BUILD)/gen/po/broadside.pot: $(WEB_FILES) $(PO_SRCS) scripts/build/po-extract.sh
	@mkdir -p $(dir $@)
	sh scripts/build/po-extract.sh $(filter %.html,$(WEB_FILES)) -- $(PO_SRCS) > $@.tmp && mv $@.tmp $@

# Bring every catalogue up to date with the messages: new ones come in
# untranslated, gone ones become obsolete (#~) until deleted.
po-update: $(BUILD)/gen/po/broadside.pot
	@for f in $(PO_FILES); do msgmerge --quiet --update --backup=none --no-wrap --no-location --no-fuzzy-matching $$f $< && msgattrib --no-obsolete --no-wrap -o $$f $$f; done

$(BUILD)/obj/web_assets.o: $(BUILD)/gen/web_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HARDEN) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbroadside.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) -Itests/unit $(HARDEN) $(LDFLAGS_H) -o $@ $< $(BUILD)/libbroadside.a $(PKG_LIBS)

# The load client for tests/integration/limit.sh and scripts/bench/bench-limit.
$(BUILD)/tests/loadclient: tests/loadclient.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) $(HARDEN) $(LDFLAGS_H) -o $@ $< -lm

unit: $(UNITS) $(BUILD)/tests/loadclient

# make deps: what make run needs; scripts/deps.sh PURPOSE for the others.
deps:
	@bash scripts/deps.sh run

# The whole suite: unit, integration, the same under ASan+UBSan, short fuzz runs,
# then end-to-end on a private Tor network. tests/run prints "N passed, N failed".
# deps first, the builds in new makes (see PKG_CFLAGS). TESTS_ONLY (tests/run)
# without asan or fuzz skips building them.
want_stage = $(if $(TESTS_ONLY),$(findstring $(1),$(TESTS_ONLY)),yes)
test:
	@bash scripts/deps.sh test
	@$(MAKE) --no-print-directory all unit
	$(if $(call want_stage,asan),@$(MAKE) --no-print-directory asan)
	$(if $(call want_stage,fuzz),@$(MAKE) --no-print-directory fuzz-build)
	@TESTS_ONLY=$(TESTS_ONLY) bash tests/run

# Sanitizer build in its own tree; tests/run uses it when it exists.
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  HARDEN="" LDFLAGS_H="" build/asan/broadside unit

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build/fuzzobj CC=clang \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" HARDEN="" LDFLAGS_H="" \
	  build/fuzzobj/libbroadside.a
	@$(MAKE) --no-print-directory $(FUZZERS)
build/fuzz/%: tests/fuzz/%.c build/fuzzobj/libbroadside.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iappliance $(PKG_CFLAGS) \
	  -o $@ $< build/fuzzobj/libbroadside.a $(PKG_LIBS)

# Each fuzz target for FUZZ_SECONDS (default 60) from its seed corpus.
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/deps.sh test
	@$(MAKE) --no-print-directory fuzz-build
	@bash tests/fuzz/run $(FUZZ_SECONDS)

# deps, then the build in a new make (see PKG_CFLAGS), then the demo.
run:
	@bash scripts/deps.sh run
	@$(MAKE) --no-print-directory all
	@bash scripts/demo/run-demo

bench:
	@bash scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/tests/loadclient
	@bash scripts/bench/run

# The web templates and stylesheet are compiled into the binary.
install: all
	install -D -m 0755 broadside $(DESTDIR)$(PREFIX)/bin/broadside

clean:
	rm -rf build broadside

# The Debian package, DEB_OUT/broadside_VERSION_ARCH.deb. dpkg-buildpackage
# wants debian/ at the top of the source, and our top level stays fixed, so it
# builds a copy of the tree with image/debian as debian/ (offline; as root or not).
DEB_OUT ?= build/deb
deb:
	@bash scripts/deps.sh build package
	@rm -rf $(DEB_OUT)/src && mkdir -p $(DEB_OUT)/src/broadside
	@cp -r appliance web scripts image Makefile README.md $(DEB_OUT)/src/broadside/
	@cp -r image/debian $(DEB_OUT)/src/broadside/debian
	@# DEB_VERSION=V: a changelog entry for V on top (install-test's upgrade).
	@if [ -n "$(DEB_VERSION)" ]; then \
	  { printf 'broadside (%s) bookworm; urgency=medium\n\n  * Rebuilt as %s.\n\n -- %s  %s\n\n' "$(DEB_VERSION)" \
	    "$(DEB_VERSION)" "$$(dpkg-parsechangelog -l image/debian/changelog -S Maintainer)" "$$(date -R)"; \
	    cat image/debian/changelog; } >$(DEB_OUT)/src/broadside/debian/changelog; fi
	@rm -f $(DEB_OUT)/broadside_*.deb
	cd $(DEB_OUT)/src/broadside && dpkg-buildpackage -b -us -uc --no-sign >../build.log 2>&1 || { tail -n 30 ../build.log; exit 1; }
	@mv $(DEB_OUT)/src/broadside_*.deb $(DEB_OUT)/
	@rm -rf $(DEB_OUT)/src/broadside
	@ls $(DEB_OUT)/broadside_*.deb

-include $(OBJS:.o=.d) $(BUILD)/obj/cli/main.d

# The OS image (image/, scripts/install.sh; README "The appliance image").
IMAGE_OUT ?= build/image
image:
	@bash scripts/deps.sh build package image
	@$(MAKE) --no-print-directory deb
	@bash image/build/build.sh amd64 $(IMAGE_OUT)
image-pi:
	@bash scripts/deps.sh image-pi
	@bash image/build/build-pi.sh $(IMAGE_OUT)
image-test: image
	@bash image/test/test.sh $(IMAGE_OUT)
image-pi-test: image-pi
	@bash image/test/test-pi.sh $(IMAGE_OUT)
install-test:
	@bash scripts/deps.sh build package image
	@$(MAKE) --no-print-directory deb
	@bash image/test/install-test.sh $(IMAGE_OUT)

# What a program linked against build/libbroadside.a needs (tests' drivers).
print-libs:
	@echo $(PKG_LIBS)
