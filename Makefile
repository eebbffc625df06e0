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

LIB_SRC := $(filter-out formats/tool.c,$(wildcard formats/*.c))
LIB     := formats/libqt.a
TOOLLIB := formats/libqttool.a
TOOLS   := qt-build/qt-build qt-measure/qt-measure qt-sign/qt-sign
UNIT    := $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
TESTGEN := tests/gen/attest-gen
MANS    := $(wildcard man/*.1 man/*.5)

.PHONY: all check test unit cli demo run-demo deps install uninstall lint format format-check \
        clean bench fuzz
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

# --- set-up + tests -----------------------------------------------------------------
deps:
	@scripts/deps.sh

# check = set-up, then every test (the sub-make re-reads pkg-config after set-up).
check: deps
	@$(MAKE) --no-print-directory test

test: all $(UNIT) $(TESTGEN)
	@scripts/run-tests.sh $(UNIT)

unit: $(UNIT)
	@scripts/run-tests.sh --unit-only $(UNIT)

demo: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@examples/demo.sh

lint:
	mandoc -Tlint -W warning $(MANS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style --inline-suppr \
	    --suppress=missingIncludeSystem -Iformats formats/*.c

format:
	clang-format -i formats/*.[ch] qt-*/*.c tests/unit/*.[ch]

format-check:
	clang-format --dry-run --Werror formats/*.[ch] qt-*/*.c tests/unit/*.[ch]

bench: all
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

# libFuzzer targets (tests/fuzz/fuzz_*.c), clang only; seeds in tests/fuzz/seeds/<name>/,
# the growing corpus in build/fuzz/<name>/. FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ := $(patsubst %.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	@set -e; for f in $(FUZZ); do n=$${f##*/}; \
	    clang $(CPPFLAGS) -std=c11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined \
	        -o $$f $$f.c $(LIB_SRC) $(PKG_LIBS); \
	    mkdir -p build/fuzz/$$n; \
	    ./$$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/$$n tests/fuzz/seeds/$$n; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do \
	    s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS)))
	for m in $(notdir $(MANS)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done

clean:
	rm -f formats/*.o formats/*.d qt-*/*.o qt-*/*.d tests/unit/*.o tests/unit/*.d \
	    tests/gen/*.o tests/gen/*.d $(LIB) $(TOOLLIB) $(TOOLS) $(UNIT) $(TESTGEN)

-include $(wildcard formats/*.d qt-*/*.d tests/unit/*.d tests/gen/*.d)
