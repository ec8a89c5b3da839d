# flamekit: profiler output to folded stacks to flame graphs.
# Plain make; every variable can be overridden on the command line.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
LDLIBS ?=
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wvla
REQ = -std=c11 -D_POSIX_C_SOURCE=200809L -Icommon -Icollapse -Irender \
	-I$(B)/gen -MMD -MP
SAN = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
THREADS = -pthread
B ?= build
SHARED ?= ../shared

ifeq ($(PCRE2),1)
REQ += -DHAVE_PCRE2 $(shell pkg-config --cflags libpcre2-8)
LDLIBS += $(shell pkg-config --libs libpcre2-8)
endif

# A tool's main is the .c file named after the binary; everything else
# in common/, collapse/ and render/ is library code shared by all tools.
MAINS := $(wildcard collapse/collapse-*.c collapse/diff-folded.c \
	render/flamegraph.c render/flamechart.c)
BINS := $(notdir $(MAINS:.c=))
LIB_SRCS := $(filter-out $(MAINS),$(wildcard common/*.c collapse/*.c render/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
MAIN_OBJS := $(MAINS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
ASSETS := $(wildcard render/assets/*)
MANS := $(wildcard man/*.1)

all: $(BINS:%=$(B)/bin/%) $(UNIT_BINS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(REQ) $(WARN) $(THREADS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The SVG's script and style are embedded from render/assets/.
$(B)/gen/assets.inc: render/embed.sh $(ASSETS)
	@mkdir -p $(@D)
	sh render/embed.sh $(ASSETS) >$@.tmp && mv $@.tmp $@

$(filter $(B)/render/%,$(LIB_OBJS) $(MAIN_OBJS)): | $(B)/gen/assets.inc

$(B)/libflamekit.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(B)/bin/%: $(B)/collapse/%.o $(B)/libflamekit.a
	@mkdir -p $(@D)
	$(CC) $(THREADS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libflamekit.a $(LDLIBS) -lm

$(B)/bin/%: $(B)/render/%.o $(B)/libflamekit.a
	@mkdir -p $(@D)
	$(CC) $(THREADS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libflamekit.a $(LDLIBS) -lm

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/libflamekit.a
	@mkdir -p $(@D)
	$(CC) $(THREADS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libflamekit.a $(LDLIBS) -lm

# check: unit tests, fixtures, fault suite, conformance, man pages and the
# browser test, for the normal build and again under ASan+UBSan.
check: all
	$(MAKE) B=build/asan CFLAGS='$(SAN)' LDFLAGS='$(SAN)' all
	sh tests/check.sh --shared $(SHARED) $(B) build/asan

asan:
	$(MAKE) B=build/asan CFLAGS='$(SAN)' LDFLAGS='$(SAN)' all
	sh tests/check.sh --shared $(SHARED) build/asan

bench: all
	sh tests/bench.sh --shared $(SHARED) $(B)

# Draw a real capture shipped in the repo: perf script text (perf record
# --call-graph dwarf) of the small word-counting program beside it,
# folded, then drawn as demo.svg.
# Fuzz every parser for FUZZ_SECONDS each (libFuzzer, clang).
FUZZ_SECONDS ?= 60
fuzz:
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# Stream a 10 GB perf script and a 5 GB folded file; peak RSS must stay flat.
stress: all
	sh tests/stress.sh --shared $(SHARED) $(B)

demo: all
	gzip -dc tests/fixtures/demo/wordfreq.perf.gz >$(B)/demo.perf
	$(B)/bin/collapse-perf $(B)/demo.perf >$(B)/demo.folded
	$(B)/bin/flamegraph --title 'wordfreq: CPU flame graph' \
		$(B)/demo.folded >demo.svg
	@echo "demo.svg written: open it in a browser"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BINS:%=$(B)/bin/%) $(DESTDIR)$(BINDIR)
	install -m 644 $(MANS) $(DESTDIR)$(MANDIR)/man1

uninstall:
	rm -f $(BINS:%=$(DESTDIR)$(BINDIR)/%) \
		$(MANS:man/%=$(DESTDIR)$(MANDIR)/man1/%)

clean:
	rm -rf build demo.svg

.PHONY: all check asan bench demo fuzz stress install uninstall clean
.SECONDARY:

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%.d)
