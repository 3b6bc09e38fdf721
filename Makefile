# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - the only Makefile: daemon, tests, lint, install
#
# Sources are picked up with wildcards per directory: the tree is flat and
# every .c in user/ pasta/ loader/ belongs to the daemon, so a list would
# only repeat the directory listing.

CC		?= cc
CLANG		?= clang
BPFTOOL		?= bpftool
PKG_CONFIG	?= pkg-config
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DESTDIR		?=
WERROR		?= -Werror
BUILD		?= build
Q		:= $(if $(V),,@)

VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

PKGS		:= libmnl libbpf
PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lmnl -lbpf)

CFLAGS		?= -O2 -g
CPPFLAGS	+= -D_GNU_SOURCE -Iinclude -DVERSION='"$(VERSION)"' $(PKG_CFLAGS)
WFLAGS		:= -std=gnu11 -Wall -Wextra $(WERROR) -Wno-missing-field-initializers
DEPFLAGS	:= -MMD -MP
CPPFLAGS	+= -I$(BUILD)

# BPF objects: clang only; Debian's asm/types.h sits in the multiarch tree.
# Each bpf/NAME.bpf.c becomes build/NAME.skel.h, embedded in the loader.
BPF_CFLAGS	:= -g -O2 -target bpf -Wall -Wextra -Werror -Iinclude $(DEPFLAGS) \
		   -idirafter /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
BPF_SRCS	:= $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS	:= $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_SKELS	:= $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)

CORE_SRCS	:= $(sort $(wildcard user/*.c pasta/*.c loader/*.c))
MAIN_SRC	:= user/main.c
LIB_SRCS	:= $(filter-out $(MAIN_SRC),$(CORE_SRCS))
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ	:= $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_TOOLS	:= $(BUILD)/tests/fp_proxy
ALL_OBJS	:= $(LIB_OBJS) $(MAIN_OBJ) $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) \
		   $(BUILD)/obj/tools/passt-probe.o \
		   $(TEST_TOOLS:$(BUILD)/tests/%=$(BUILD)/obj/tests/lib/%.o)

.PHONY: all check lint asan unit bench run install uninstall clean deps
.DELETE_ON_ERROR:
.SECONDARY:

# The binaries live in build/: the top level already has a pasta/ directory
all: $(BUILD)/passt $(BUILD)/pasta $(BUILD)/passt-probe $(TEST_TOOLS)

$(BUILD)/pasta: $(BUILD)/passt
	$(Q)ln -sf passt $@

$(BUILD)/passt: $(MAIN_OBJ) $(BUILD)/libcore.a
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The probe tool links the daemon's own probe code (user/probe.c)
$(BUILD)/passt-probe: $(BUILD)/obj/tools/passt-probe.o $(BUILD)/libcore.a
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libcore.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# The loader includes the skeletons; -MMD tracks them after the first build
$(LIB_OBJS) $(MAIN_OBJ): | $(BPF_SKELS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

unit: $(UNIT_BINS)

# Test drivers: real sockets through the daemon's own modules
$(BUILD)/tests/%: $(BUILD)/obj/tests/lib/%.o $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Sanitizer build: same sources, separate tree
asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		build-asan/passt unit

deps:
	$(Q)tools/install-deps --check >/dev/null 2>&1 || tools/install-deps

check: deps
	$(Q)$(MAKE) --no-print-directory all unit
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)tests/run

lint:
	$(Q)tests/lint

bench: deps all
	$(Q)tests/bench/run

run: deps all
	$(BUILD)/pasta --config-net

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/passt $(DESTDIR)$(BINDIR)/passt
	install -m 0755 $(BUILD)/passt-probe $(DESTDIR)$(BINDIR)/passt-probe
	ln -sf passt $(DESTDIR)$(BINDIR)/pasta
	install -m 0644 man/passt.1 $(DESTDIR)$(MANDIR)/man1/passt.1
	ln -sf passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1
	install -m 0644 man/passt-probe.1 $(DESTDIR)$(MANDIR)/man1/passt-probe.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/passt $(DESTDIR)$(BINDIR)/pasta
	rm -f $(DESTDIR)$(BINDIR)/passt-probe
	rm -f $(DESTDIR)$(MANDIR)/man1/passt.1 $(DESTDIR)$(MANDIR)/man1/pasta.1
	rm -f $(DESTDIR)$(MANDIR)/man1/passt-probe.1

clean:
	rm -rf build build-asan build-clang

-include $(ALL_OBJS:.o=.d) $(BPF_OBJS:.o=.d)
