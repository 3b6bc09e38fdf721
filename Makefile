# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - the only Makefile: daemon, tests, lint, install
#
# Sources are picked up with wildcards per directory: the tree is flat and
# every .c in user/ pasta/ loader/ belongs to the daemon, so a list would
# only repeat the directory listing.

CC		?= cc
PKG_CONFIG	?= pkg-config
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DESTDIR		?=
WERROR		?= -Werror
BUILD		?= build
Q		:= $(if $(V),,@)

VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo unknown)

PKGS		:= libmnl libbpf libseccomp
PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lmnl -lbpf -lseccomp)

CFLAGS		?= -O2 -g
CPPFLAGS	+= -D_GNU_SOURCE -Iinclude -DVERSION='"$(VERSION)"' $(PKG_CFLAGS)
WFLAGS		:= -std=gnu11 -Wall -Wextra $(WERROR) -Wno-missing-field-initializers
DEPFLAGS	:= -MMD -MP

CORE_SRCS	:= $(sort $(wildcard user/*.c pasta/*.c loader/*.c))
MAIN_SRC	:= user/main.c
LIB_SRCS	:= $(filter-out $(MAIN_SRC),$(CORE_SRCS))
# seccomp allow-lists, from the #syscalls annotations (tools/gen-syscalls)
GEN_SYSCALLS	:= $(BUILD)/gen/syscalls.c
LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/syscalls.o
MAIN_OBJ	:= $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
ALL_OBJS	:= $(LIB_OBJS) $(MAIN_OBJ) $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) \
		   $(BUILD)/obj/tools/passt-probe.o

.PHONY: all check lint asan unit bench run install uninstall clean deps
.DELETE_ON_ERROR:
.SECONDARY:

# The binaries live in build/: the top level already has a pasta/ directory
all: $(BUILD)/passt $(BUILD)/pasta $(BUILD)/passt-probe

$(BUILD)/pasta: $(BUILD)/passt
	$(Q)ln -sf passt $@

$(BUILD)/passt: $(MAIN_OBJ) $(BUILD)/libcore.a
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The probe tool links the daemon's own probe code (user/probe.c)
$(BUILD)/passt-probe: $(BUILD)/obj/tools/passt-probe.o $(BUILD)/libcore.a
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libcore.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(GEN_SYSCALLS): $(CORE_SRCS) tools/gen-syscalls
	@mkdir -p $(dir $@)
	$(Q)tools/gen-syscalls $(CORE_SRCS) > $@

$(BUILD)/obj/gen/syscalls.o: $(GEN_SYSCALLS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

unit: $(UNIT_BINS)

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

-include $(ALL_OBJS:.o=.d)
