# qt — QingTian enclave image toolchain. Plain GNU make, non-recursive for the build.
# The two set-up commands (README.md): `make demo` and `make check`; both first run
# scripts/deps.sh, which installs what is missing from Debian.
#
# Every object, dependency file, archive and test binary goes under build/$(CONFIG)/, one
# directory per compiler and sanitizer choice (build/gcc, build/gcc-san, build/clang-san,
# ... and build/fuzz for libFuzzer), so configurations live side by side without `make
# clean`. The three tools are linked there and copied to qt-build/qt-build,
# qt-measure/qt-measure and qt-sign/qt-sign by every `make` (compare-and-copy): those
# paths always hold the configuration named last.
#
# Sources are globbed: a new file in formats/ or formats/<module>/ goes into libqt.a, one in
# tool/ into libqttool.a, one in qt-<tool>/ into that tool, tests/unit/test_<name>.c is a
# unit test and tests/fuzz/fuzz_<name>.c a fuzz target. No Makefile edit.
#
# The project's flags (standard, warnings, hardening) live in QT_* and are always used;
# CFLAGS, CPPFLAGS and LDFLAGS are the user's and only add to them, after them:
# `make CFLAGS=-O0` keeps -std=c11, every warning, -fPIE and -pthread.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
ROOTSDIR ?= $(PREFIX)/share/qt/roots
ROOTS   := roots/qingtian-root-G1.pem roots/aws-nitro-root-G1.pem

CC      ?= cc
PKGS    := libcrypto libarchive libcbor zlib libdeflate jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# --- configuration: build/$(CONFIG) -------------------------------------------------
# The compiler's name (cc resolved to gcc or clang) plus -san under SAN=1;
# `make CONFIG=name` picks another directory (e.g. to keep an -O0 tree apart).
# Only the command line sets CONFIG: the name is too common to take from the environment.
CC_NAME := $(notdir $(firstword $(filter-out ccache distcc,$(CC))))
ifeq ($(CC_NAME),cc)
CC_NAME := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),clang,gcc)
endif
ifneq ($(origin CONFIG),command line)
CONFIG  := $(CC_NAME)$(if $(filter 1,$(SAN)),-san)
endif
OUT     := build/$(CONFIG)

# --- flags: the project's (QT_*), then the user's ------------------------------------
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wimplicit-fallthrough
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The user's optimisation and debug flags; OPT is kept as the old spelling of the default.
ifeq ($(SAN),1)
OPT     ?= -O1 -g
else
OPT     ?= -O2 -g
endif
CFLAGS  ?= $(OPT)

QT_CFLAGS   := -std=c11 $(WARN) -fstack-protector-strong -fPIE -pthread
QT_CPPFLAGS := -D_GNU_SOURCE -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
               -Iformats $(PKG_CFLAGS) -DQT_ROOTS_DIR='"$(ROOTSDIR)"'
QT_LDFLAGS  := -pie -Wl,-z,relro,-z,now -pthread
QT_LDLIBS   := $(PKG_LIBS)
# _FORTIFY_SOURCE needs the optimiser and conflicts with ASan.
ifneq ($(SAN),1)
ifneq ($(filter-out -O0,$(lastword $(filter -O%,$(CFLAGS)))),)
QT_CPPFLAGS += -D_FORTIFY_SOURCE=2
endif
endif
ifeq ($(SAN),1)
QT_CFLAGS   += $(SAN_FLAGS)
QT_LDFLAGS  += -fsanitize=address,undefined
endif
# -Werror changes no object, so it is not part of the flags stamp below.
QT_WERROR := $(if $(filter 1,$(WERROR)),-Werror)

COMPILE = $(CC) $(QT_CPPFLAGS) $(CPPFLAGS) $(QT_CFLAGS) $(CFLAGS)
LINK    = $(CC) $(QT_CFLAGS) $(CFLAGS) $(QT_LDFLAGS) $(LDFLAGS)

# --- sources and products -------------------------------------------------------------
LIB_SRC  := $(wildcard formats/*.c formats/*/*.c)
TOOL_SRC := $(wildcard tool/*.c)
TOOLS    := qt-build/qt-build qt-measure/qt-measure qt-sign/qt-sign
# libqtverify (lib/): the relying party's shared library, built from position-independent
# copies of the libqt.a objects under $(OUT)/pic/; its soname is libqtverify.so.0.
SDK_SRC  := $(wildcard lib/*.c)
SDK_VER  := $(shell sed -n 's/^.define QT_VERSION "\(.*\)"$$/\1/p' formats/qt.h)
SDK_REAL := libqtverify.so.$(SDK_VER)
SDK      := $(OUT)/lib/$(SDK_REAL)
SDK_TEST := $(patsubst %.c,$(OUT)/%,$(wildcard tests/sdk/test_*.c))
# -z defs: every symbol the library needs is found in what it links. Not under SAN=1:
# the sanitizer runtime comes with the executable (clang links none into a .so).
SDK_DEFS := $(if $(filter 1,$(SAN)),,-Wl,-z,defs)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

LIB      := $(OUT)/libqt.a
TOOLLIB  := $(OUT)/libqttool.a
UNIT     := $(UNIT_SRC:%.c=$(OUT)/%)
TESTGEN  := $(OUT)/tests/gen/attest-gen
REPLAY   := $(FUZZERS:%=$(OUT)/tests/fuzz/replay_%)
MANS     := $(wildcard man/*.1 man/*.5 man/*.3)
OBJS     := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRC) $(TOOL_SRC) $(SDK_SRC) $(wildcard qt-*/*.c) $(UNIT_SRC) \
            tests/gen/attest-gen.c $(wildcard tests/fuzz/fuzz_*.c) $(wildcard tests/sdk/*.c)) \
            $(FUZZERS:%=$(OUT)/tests/fuzz/replay_%.o) \
            $(patsubst %.c,$(OUT)/pic/%.o,$(LIB_SRC) $(SDK_SRC))

# C files checked by lint and formatted by format / format-check (fuzz_embed.h is generated).
C_SRC    := $(wildcard formats/*.[ch] formats/*/*.[ch] tool/*.[ch] qt-*/*.[ch] tests/unit/*.[ch] \
            lib/*.c lib/qt/*.h tests/sdk/*.c examples/relying-party/*.c tests/gen/*.c tests/fuzz/fuzz_*.c tests/fuzz/fuzz.h tests/fuzz/replay.c)
SH_SRC   := $(wildcard scripts/*.sh bench/*.sh examples/*.sh tests/fuzz/*.sh completion/*.bash) .ci/run

.PHONY: all check test unit cli demo run-demo deps install uninstall lint format format-check \
        clean bench fuzz fuzz-build fuzz-campaign fuzz-merge deb deb-check FORCE
.DEFAULT_GOAL := all
.SECONDARY:
.DELETE_ON_ERROR:

all: $(TOOLS) $(SDK)

# Stamps: $(OUT)/flags holds the compile command (objects depend on it), $(OUT)/inputs the
# link command and every link's inputs (archives and programs depend on it). Make compares
# each with its text when it reads this file and rewrites (touches) it only when the text
# changed, so `make CFLAGS=-O0` then `make` rebuilds what the flags touched and nothing
# else, `make -n` shows only real work, and a removed source leaves no stale archive member.
# $(call stamp,FILE,TEXT): a rule for FILE, out of date exactly when its text changed.
differs = $(subst x$(1),,x$(2))$(subst x$(2),,x$(1))
define stamp
$(1): $$(if $$(call differs,$$(strip $(2)),$$(file <$(1))),FORCE)
	@mkdir -p $$(@D)
	@printf '%s\n' '$$(strip $(2))' >$$@
endef
$(eval $(call stamp,$(OUT)/flags,$$(COMPILE)))
$(eval $(call stamp,$(OUT)/inputs,$$(LINK) $$(QT_LDLIBS) $$(LDLIBS) : $$(LIB_SRC) : $$(TOOL_SRC) : $$(wildcard qt-*/*.c)))

# Front-ends find tool.h through -Itool and qt/verify.h through -Ilib; libqt.a and the
# tests do not see them.
FE_INC = $(if $(filter $(OUT)/qt-% $(OUT)/lib/%,$@),-Ilib)
$(OUT)/%.o: %.c $(OUT)/flags
	@mkdir -p $(@D)
	$(COMPILE) $(if $(filter $(OUT)/qt-% $(OUT)/tool/%,$@),-Itool) $(FE_INC) $(QT_WERROR) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_SRC:%.c=$(OUT)/%.o) $(OUT)/inputs
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)
# libqttool.a also holds libqtverify's objects: qt-measure verify is a client of its API
# and links it statically (the tools need no .so at run time).
$(TOOLLIB): $(TOOL_SRC:%.c=$(OUT)/%.o) $(SDK_SRC:%.c=$(OUT)/%.o) $(OUT)/inputs
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

# Explicit per-tool rules: a multi-target pattern rule would be one recipe for all.
$(OUT)/qt-build/qt-build: $(patsubst %.c,$(OUT)/%.o,$(wildcard qt-build/*.c)) $(TOOLLIB) $(LIB)
$(OUT)/qt-measure/qt-measure: $(patsubst %.c,$(OUT)/%.o,$(wildcard qt-measure/*.c)) $(TOOLLIB) $(LIB)
$(OUT)/qt-sign/qt-sign: $(patsubst %.c,$(OUT)/%.o,$(wildcard qt-sign/*.c)) $(TOOLLIB) $(LIB)
$(TOOLS:%=$(OUT)/%): $(OUT)/inputs
	$(LINK) -o $@ $(filter %.o %.a,$^) $(QT_LDLIBS) $(LDLIBS)

# The user-facing paths: a copy of the configuration named last, refreshed on every make.
$(TOOLS): %: $(OUT)/% FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@ && echo "cp $< $@"; }

# --- libqtverify -----------------------------------------------------------------
# The same sources compiled once more with -fPIC (after the project's -fPIE, so it wins);
# the library exports exactly what lib/libqtverify.map lists (tests/cli/sdk.bats checks).
$(OUT)/pic/%.o: %.c $(OUT)/flags
	@mkdir -p $(@D)
	$(COMPILE) -fPIC -Ilib $(QT_WERROR) -MMD -MP -c -o $@ $<
$(OUT)/pic/libqt.a: $(LIB_SRC:%.c=$(OUT)/pic/%.o) $(OUT)/inputs
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)
$(SDK): $(SDK_SRC:%.c=$(OUT)/pic/%.o) $(OUT)/pic/libqt.a lib/libqtverify.map $(OUT)/inputs
	@mkdir -p $(@D)
	$(CC) $(QT_CFLAGS) $(CFLAGS) -fPIC -shared -Wl,-soname,libqtverify.so.0 \
	    -Wl,--version-script=lib/libqtverify.map -Wl,-z,relro,-z,now $(SDK_DEFS) -Wl,--as-needed \
	    $(filter-out -pie,$(QT_LDFLAGS)) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(QT_LDLIBS) $(LDLIBS)
	@ln -sf $(SDK_REAL) $(@D)/libqtverify.so.0 && ln -sf $(SDK_REAL) $(@D)/libqtverify.so
# API tests link the shared library, as a relying party does.
$(OUT)/tests/sdk/test_%: $(OUT)/tests/sdk/test_%.o $(SDK)
	$(LINK) -o $@ $(filter %.o,$^) -L$(OUT)/lib -lqtverify -Wl,-rpath,$(abspath $(OUT)/lib)
$(OUT)/tests/sdk/%.o: tests/sdk/%.c $(OUT)/flags
	@mkdir -p $(@D)
	$(COMPILE) -Ilib $(QT_WERROR) -MMD -MP -c -o $@ $<

# Unit tests link libqt.a only: a formats/ module reaching for tool.h fails to link.
$(OUT)/tests/unit/test_%: $(OUT)/tests/unit/test_%.o $(LIB) $(OUT)/inputs
	$(LINK) -o $@ $(filter %.o %.a,$^) $(QT_LDLIBS) $(LDLIBS)

# Test-document generator for tests/cli/attest-gen.bats (links libcrypto only); the bats
# files find it through QT_ATTEST_GEN, which scripts/run-tests.sh exports.
$(TESTGEN): $(OUT)/tests/gen/attest-gen.o $(OUT)/inputs
	$(LINK) -o $@ $(filter %.o,$^) $(QT_LDLIBS) $(LDLIBS)

# Fuzz targets replayed in the ordinary build: seeds + crash regressions (tests/fuzz/replay.c).
$(OUT)/tests/fuzz/replay_%.o: tests/fuzz/replay.c $(OUT)/flags
	@mkdir -p $(@D)
	$(COMPILE) $(QT_WERROR) -DFUZZ_TARGET='"$*"' -MMD -MP -c -o $@ $<
$(OUT)/tests/fuzz/replay_%: $(OUT)/tests/fuzz/fuzz_%.o $(OUT)/tests/fuzz/replay_%.o $(LIB) \
    $(OUT)/inputs
	$(LINK) -o $@ $(filter %.o %.a,$^) $(QT_LDLIBS) $(LDLIBS)

# --- fuzzing (clang libFuzzer + ASan + UBSan; everything under build/fuzz/) ---------
# A configuration of its own: the user's CFLAGS/CPPFLAGS/LDFLAGS do not reach it.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_OUT     := build/fuzz
FUZZ_COMPILE  = $(FUZZ_CC) $(filter-out -D_FORTIFY_SOURCE=%,$(QT_CPPFLAGS)) -std=c11 -O1 -g \
                $(WARN) -pthread $(SAN_FLAGS) -fsanitize=fuzzer-no-link
FUZZ_LINK     = $(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer -pthread
FUZZ_BIN     := $(FUZZERS:%=$(FUZZ_OUT)/fuzz_%)

$(eval $(call stamp,$(FUZZ_OUT)/flags,$$(FUZZ_COMPILE)))
$(eval $(call stamp,$(FUZZ_OUT)/inputs,$$(FUZZ_LINK) $$(QT_LDLIBS) : $$(LIB_SRC)))
$(FUZZ_OUT)/%.o: %.c $(FUZZ_OUT)/flags
	@mkdir -p $(@D)
	$(FUZZ_COMPILE) $(QT_WERROR) -MMD -MP -c -o $@ $<
$(FUZZ_OUT)/libqt.a: $(LIB_SRC:%.c=$(FUZZ_OUT)/%.o) $(FUZZ_OUT)/inputs
	@rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)
$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/tests/fuzz/fuzz_%.o $(FUZZ_OUT)/libqt.a $(FUZZ_OUT)/inputs
	$(FUZZ_LINK) -o $@ $(filter %.o %.a,$^) $(QT_LDLIBS)

fuzz-build: $(FUZZ_BIN)

# make fuzz FUZZ_SECONDS=N [FUZZERS="eif cose"]: each target N seconds from its seeds.
fuzz: $(FUZZ_BIN)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

# The proof campaign (tests/fuzz/README.md): every target to 10 million executions
# or one hour, whichever comes first, one target per core; then fuzz-merge folds
# what the campaign found into the committed seeds.
fuzz-campaign: $(FUZZ_BIN)
	@FUZZ_RUNS=10000000 FUZZ_JOBS=$$(nproc) scripts/fuzz.sh 3600 $(FUZZERS)

fuzz-merge: $(FUZZ_BIN)
	@scripts/fuzz-merge.sh $(FUZZERS)

# --- set-up + tests -----------------------------------------------------------------
deps:
	@scripts/deps.sh

# check = set-up, then every test (the sub-make re-reads pkg-config after set-up).
check: deps
	@$(MAKE) --no-print-directory test

# The tests run this configuration's programs: the tools through their copies (all),
# the unit tests, replays and attest-gen from $(OUT).
test: all $(UNIT) $(TESTGEN) $(REPLAY) $(SDK_TEST)
	@QT_ATTEST_GEN='$(abspath $(TESTGEN))' QT_OUT='$(abspath $(OUT))' QT_SAN='$(SAN)' \
	    scripts/run-tests.sh $(UNIT) $(REPLAY) $(SDK_TEST)

unit: $(UNIT) $(REPLAY)
	@scripts/run-tests.sh --unit-only $(UNIT) $(REPLAY)

demo: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@examples/demo.sh

# cppcheck: the libraries with every style check; the front-ends, tests and fuzz targets
# declare their variables at the top for the goto-out cleanup, so not variableScope there.
CPPCHECK := cppcheck --quiet --error-exitcode=1 --enable=warning,style --inline-suppr \
            --suppress=missingIncludeSystem -Iformats -Itool -Ilib
LIB_C    := $(filter formats/% tool/% lib/%,$(filter %.c,$(C_SRC)))

lint:
	mandoc -Tlint -W warning $(MANS)
	$(CPPCHECK) $(LIB_C)
	$(CPPCHECK) --suppress=variableScope $(filter-out $(LIB_C),$(filter %.c,$(C_SRC)))
	shellcheck -S warning $(SH_SRC)
	@scripts/check-build.sh

format:
	clang-format -i $(C_SRC)

format-check:
	clang-format --dry-run --Werror $(C_SRC)

bench: all
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

# scripts/install.sh does the work (tests/cli/sdk.bats runs it into a temporary DESTDIR).
INSTALL_VARS = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' MANDIR='$(MANDIR)' \
               LIBDIR='$(LIBDIR)' INCLUDEDIR='$(INCLUDEDIR)' PKGCONFIGDIR='$(PKGCONFIGDIR)' \
               COMPLETIONDIR='$(COMPLETIONDIR)' ROOTSDIR='$(ROOTSDIR)'
install: all
	@$(INSTALL_VARS) scripts/install.sh '$(OUT)'

uninstall:
	@$(INSTALL_VARS) scripts/install.sh --uninstall '$(OUT)'

# Debian packages from a copy of the tree (debian/, scripts/deb.sh) into build/deb/;
# deb-check adds lintian and, where debootstrap and root are, a Debian 12 chroot test.
deb:
	@scripts/deb.sh

deb-check: deb
	@scripts/deb-check.sh

# Every configuration (and the fuzz working corpus, build/corpus) and the three copies;
# the second line removes what the in-tree layout before build/ left behind.
clean:
	rm -rf build $(TOOLS)
	rm -f formats/*.[oda] qt-*/*.[od] tests/*/*.[od] $(UNIT_SRC:.c=) tests/gen/attest-gen \
	    $(FUZZERS:%=tests/fuzz/replay_%)

FORCE:

-include $(OBJS:.o=.d)
-include $(patsubst %.c,$(FUZZ_OUT)/%.d,$(LIB_SRC) $(wildcard tests/fuzz/fuzz_*.c))
