# qt — QingTian enclave image toolchain. Plain GNU make, non-recursive for the build.
# The two set-up commands (README.md): `make demo` and `make check`; both first run
# scripts/deps.sh, which installs what is missing from Debian.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

CC      ?= cc
PKGS    := libcrypto libarchive libcbor zlib jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wimplicit-fallthrough
OPT     ?= -O2 -g
CFLAGS  += -std=c11 $(OPT) $(WARN) -fstack-protector-strong -fPIE -pthread
CPPFLAGS += -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
            -Iformats $(PKG_CFLAGS)
LDFLAGS += -pie -Wl,-z,relro,-z,now -pthread
LDLIBS  += $(PKG_LIBS)

ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SAN),1)
# ASan+UBSan; `make clean` first: flags are not tracked by make.
OPT      := -O1 -g
CFLAGS   += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CPPFLAGS))
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRC := $(filter-out formats/tool.c,$(wildcard formats/*.c formats/ramdisk/*.c))
LIB     := formats/libqt.a
TOOLLIB := formats/libqttool.a
TOOLS   := qt-build/qt-build qt-measure/qt-measure qt-sign/qt-sign
UNIT    := $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
TESTGEN := tests/gen/attest-gen
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY  := $(FUZZERS:%=tests/fuzz/replay_%)
MANS    := $(wildcard man/*.1 man/*.5)

.PHONY: all check test unit cli demo run-demo deps install uninstall lint format format-check \
        clean bench fuzz fuzz-build fuzz-campaign fuzz-merge
.DEFAULT_GOAL := all
.SECONDARY:

all: $(TOOLS)

$(LIB): $(LIB_SRC:.c=.o)
	$(AR) rcs $@ $^
$(TOOLLIB): formats/tool.o
	$(AR) rcs $@ $^

# Explicit per-tool rules: a multi-target pattern rule would be one recipe for all.
qt-build/qt-build: $(patsubst %.c,%.o,$(wildcard qt-build/*.c)) $(TOOLLIB) $(LIB)
qt-measure/qt-measure: $(patsubst %.c,%.o,$(wildcard qt-measure/*.c)) $(TOOLLIB) $(LIB)
qt-sign/qt-sign: $(patsubst %.c,%.o,$(wildcard qt-sign/*.c)) $(TOOLLIB) $(LIB)
$(TOOLS):
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link libqt.a only: a formats/ module reaching for tool.h fails to link.
tests/unit/test_%: tests/unit/test_%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

%.o: %.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# Test-document generator for tests/cli/attest-gen.bats (links libcrypto only).
tests/gen/attest-gen: tests/gen/attest-gen.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets replayed in the ordinary build: seeds + crash regressions (tests/fuzz/replay.c).
tests/fuzz/replay_%.o: tests/fuzz/replay.c
	$(CC) $(CPPFLAGS) -DFUZZ_TARGET='"$*"' $(CFLAGS) -MMD -MP -c -o $@ $<
tests/fuzz/replay_%: tests/fuzz/fuzz_%.o tests/fuzz/replay_%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# --- fuzzing (clang libFuzzer + ASan + UBSan; objects under build/fuzz/) -----------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -O1 -g $(WARN) -pthread $(FUZZ_SAN) -fsanitize=fuzzer-no-link
ifeq ($(WERROR),1)
FUZZ_CFLAGS  += -Werror
endif
FUZZ_CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CPPFLAGS))
FUZZ_BIN     := $(FUZZERS:%=build/fuzz/fuzz_%)

build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
build/fuzz/libqt.a: $(LIB_SRC:%.c=build/fuzz/%.o)
	$(AR) rcs $@ $^
build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o build/fuzz/libqt.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ $^ $(LDLIBS)

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

test: all $(UNIT) $(TESTGEN) $(REPLAY)
	@scripts/run-tests.sh $(UNIT) $(REPLAY)

unit: $(UNIT) $(REPLAY)
	@scripts/run-tests.sh --unit-only $(UNIT) $(REPLAY)

demo: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@examples/demo.sh

lint:
	mandoc -Tlint -W warning $(MANS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style --inline-suppr \
	    --suppress=missingIncludeSystem -Iformats formats/*.c formats/ramdisk/*.c
	shellcheck -S warning scripts/*.sh .ci/run bench/*.sh examples/*.sh tests/fuzz/*.sh

format:
	clang-format -i formats/*.[ch] formats/ramdisk/*.[ch] qt-*/*.c tests/unit/*.[ch] tests/fuzz/fuzz_*.c \
	    tests/fuzz/fuzz.h tests/fuzz/replay.c

format-check:
	clang-format --dry-run --Werror formats/*.[ch] formats/ramdisk/*.[ch] qt-*/*.c tests/unit/*.[ch] tests/fuzz/fuzz_*.c \
	    tests/fuzz/fuzz.h tests/fuzz/replay.c

bench: all
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do \
	    s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS)))
	for m in $(notdir $(MANS)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done

clean:
	rm -f formats/*.o formats/*.d formats/ramdisk/*.o formats/ramdisk/*.d qt-*/*.o qt-*/*.d tests/unit/*.o tests/unit/*.d \
	    tests/gen/*.o tests/gen/*.d tests/fuzz/*.o tests/fuzz/*.d $(LIB) $(TOOLLIB) $(TOOLS) \
	    $(UNIT) $(TESTGEN) $(REPLAY)
	rm -rf build/fuzz

-include $(wildcard formats/*.d formats/ramdisk/*.d qt-*/*.d tests/unit/*.d tests/gen/*.d tests/fuzz/*.d)
-include $(shell find build/fuzz -name '*.d' 2>/dev/null)
