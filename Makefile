# SPDX-License-Identifier: GPL-2.0-or-later
# ctutils - one GNU Makefile, no autotools.
#
#   make              build lib/libctu.a and every tool into build/
#   make check        install missing dependencies, build, run unit + integration tests
#   make SANITIZE=1   the same with ASan+UBSan, into build-san/
#   make check-oci    the OCI conformance suite, ctrun against runc
#   make check-vm     the integration suite on Debian's 6.1 kernel with pure
#                     cgroup v2, in a qemu VM (as root; tests/vm/run)
#   make install      PREFIX=/usr/local, DESTDIR honoured; section-8 tools
#                     in SBINDIR ($(PREFIX)/sbin), the others in BINDIR
#   make fuzz         libFuzzer on every parser, FUZZ_SECONDS each (clang)
#   make lint         cppcheck and clang-tidy, zero findings
#   make memcheck     valgrind on each tool's main paths
#   make bench        compare with util-linux, iproute2, libcgroup, bwrap, runc
#                     and the floors in bench/floor; writes bench/RESULTS.md
#   make deps | clean

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
# section-8 tools (system administration: their man page is <tool>.8) go to
# sbin, as util-linux and iproute2 install theirs; the others to bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# vethctl's CNI plugin names (ctutils-bridge, ctutils-host-local) link to it
# here: on podman's and containerd's default search list
CNIDIR ?= $(PREFIX)/lib/cni
CNI_PLUGINS := ctutils-bridge ctutils-host-local
# nsenter-lite --toolbox's helper, run inside containers: static, no libctu
LIBEXECDIR ?= $(PREFIX)/libexec/ctutils

# The six tools; a tool is built once its directory holds its source.
KNOWN_TOOLS := nsenter-lite unshare-lite cgctl ovlmount vethctl pivot ctrun
TOOLS := $(foreach t,$(KNOWN_TOOLS),$(if $(wildcard $(t)/$(t).c),$(t)))

ifeq ($(SANITIZE),fuzz)
# libFuzzer: clang, with the sanitizers; see `make fuzz`
B ?= build-fuzz
CC := clang
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
SANLDFLAGS := -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
B ?= build-san
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLDFLAGS := -fsanitize=address,undefined
else
B ?= build
OPTFLAGS := -O2 -g -D_FORTIFY_SOURCE=2
SANLDFLAGS :=
endif

CC ?= cc
# Quiet by default; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
PKGS := mount libnl-3.0 libnl-route-3.0 libcap smartcols
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The libraries Debian ships as static archives are linked in: each shared
# library fewer is one file less for the dynamic loader to find, map and
# relocate at every start of a tool, and a chain starts five (bench/RESULTS.md).
# libmount, libsmartcols, libnftables and the rest have no archive in Debian.
LINKED_IN := cap apparmor bpf elf z jansson seccomp nl-3 nl-route-3
# and those only some commands need are loaded when first used (lib/dlsym.h):
# not linked at all.  libmount and libsmartcols too: no step of a container's
# chain prints a table, and cgctl reads the mount table only on v1 hosts.
DLOPENED := -lcrypto -larchive -lmount -lsmartcols
# The unit tests and fuzz targets call some of them directly.
DIRECT_LIBS := -lmount -lsmartcols
linked_in = $(foreach l,$(filter-out $(DLOPENED),$(1)),$(if $(filter $(patsubst -l%,%,$(l)),$(LINKED_IN)),-l:lib$(patsubst -l%,%,$(l)).a,$(l)))
PKG_LIBS := $(call linked_in,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
# and kept to ourselves: libapparmor.a defines a global print_error, which
# would otherwise be exported and taken by libcmocka's calls to its own
LINKED_IN_HIDDEN := -Wl,--exclude-libs,$(subst $(eval) ,:,$(LINKED_IN:%=lib%.a))
# images (ovlmount only, and lib/json, lib/digest): tar, JSON, sha256
IMG_PKGS := libarchive jansson libcrypto
PKG_CFLAGS += $(shell pkg-config --cflags $(IMG_PKGS) 2>/dev/null)
IMG_LIBS := $(call linked_in,$(shell pkg-config --libs $(IMG_PKGS) 2>/dev/null))
# NAT and published ports (vethctl only): nftables, conntrack, and jansson for nft's JSON
# (and CNI's); libcrypto for `vethctl cni`'s container IDs (SHA-512) and cache (base64)
NAT_PKGS := libnftables libnetfilter_conntrack jansson libcrypto
PKG_CFLAGS += $(shell pkg-config --cflags $(NAT_PKGS) 2>/dev/null)
NAT_LIBS := $(call linked_in,$(shell pkg-config --libs $(NAT_PKGS) 2>/dev/null)) -lpthread
# the OCI runtime (ctrun only): JSON, seccomp's compiler, SHA-256 of its cache keys
CTRUN_PKGS := jansson libseccomp libcrypto
PKG_CFLAGS += $(shell pkg-config --cflags $(CTRUN_PKGS) 2>/dev/null)
CTRUN_LIBS := $(call linked_in,$(shell pkg-config --libs $(CTRUN_PKGS) 2>/dev/null))
# the tools that execute a program (lib/procopt: --apparmor)
EXEC_LIBS := $(call linked_in,$(shell pkg-config --libs libapparmor 2>/dev/null))
# cgctl's v2 device filter (BPF_CGROUP_DEVICE)
# (its archive needs libelf's and zlib's after it)
BPF_LIBS := $(call linked_in,$(shell pkg-config --libs --static libbpf 2>/dev/null))

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wundef -Wvla -Wno-missing-field-initializers
override CFLAGS := -std=gnu11 -D_GNU_SOURCE $(OPTFLAGS) $(WARNINGS) \
	-fstack-protector-strong -fPIE -fno-common -DCTU_VERSION='"$(VERSION)"' \
	-iquote lib $(PKG_CFLAGS) $(CFLAGS)
override LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LINKED_IN_HIDDEN) $(SANLDFLAGS) \
	$(LDFLAGS)

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
LIBCTU := $(B)/libctu.a

TOOL_BINS := $(TOOLS:%=$(B)/%)
# Man pages: <tool>/<tool>.<section>.scd -> $(B)/man/<tool>.<section>
MAN_SRCS := $(foreach t,$(TOOLS),$(wildcard $(t)/$(t).[18].scd))
MAN_PAGES := $(patsubst %.scd,$(B)/man/%,$(notdir $(MAN_SRCS)))
COMPLETIONS := $(foreach t,$(TOOLS),$(wildcard completions/$(t)))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:%.c=$(B)/%)

# The OCI conformance suite against runc and ctrun (tests/oci/oci.bats: minutes)
check-oci:
	@scripts/install-deps
	@$(MAKE) --no-print-directory tests
	CTU_BUILD=$(abspath $(B)) tests/run tests/oci/oci.bats

.PHONY: check-oci check-vm all check deps install clean tests demo rootfs bench floors fuzz fuzz-build lint memcheck
.DEFAULT_GOAL := all
# a failed recipe leaves no half-made target behind (an empty man page)
.DELETE_ON_ERROR:

all: $(LIBCTU) $(TOOL_BINS) $(MAN_PAGES) $(if $(filter nsenter-lite,$(TOOLS)),$(B)/hostexec)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBCTU): $(LIB_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

# Programs of their own that live in a tool's directory.
OTHER_MAINS := nsenter-lite/hostexec.c

# A tool is every .c file of its directory, linked with libctu.
define tool_rule
$(B)/$(1): $(patsubst %.c,$(B)/obj/%.o,$(filter-out $(OTHER_MAINS),$(wildcard $(1)/*.c))) $(LIBCTU)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))
$(B)/cgctl $(B)/nsenter-lite $(B)/ctrun: override PKG_LIBS += -lm
$(B)/ovlmount: override PKG_LIBS += $(IMG_LIBS)
$(B)/vethctl: override PKG_LIBS += $(NAT_LIBS)
$(B)/nsenter-lite: override PKG_LIBS += $(IMG_LIBS)
$(B)/nsenter-lite $(B)/unshare-lite $(B)/pivot: override PKG_LIBS += $(EXEC_LIBS)
$(B)/cgctl: override PKG_LIBS += $(BPF_LIBS)
$(B)/ctrun: override PKG_LIBS += $(CTRUN_LIBS)
# where an installed nsenter-lite finds hostexec (a built one: beside itself)
$(B)/obj/nsenter-lite/toolbox.o: override CFLAGS += -DCTU_LIBEXECDIR='"$(LIBEXECDIR)"'
# where an installed ctrun finds the tools when they are not beside it
$(B)/obj/ctrun/tools.o: override CFLAGS += -DCTU_BINDIR='"$(BINDIR)"' -DCTU_SBINDIR='"$(SBINDIR)"'

# Static, without the sanitizers (they cannot link statically): it runs in
# images that have no libc of their own.
$(B)/hostexec: nsenter-lite/hostexec.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -static -o $@ $<

# Unit tests of a tool's pure parts link that part.
$(B)/tests/unit/test_cgctl_settings: $(B)/obj/cgctl/settings.o $(B)/obj/cgctl/units.o
$(B)/tests/unit/test_cgctl_units: $(B)/obj/cgctl/units.o
$(B)/tests/unit/test_cgctl_devices: $(B)/obj/cgctl/devices.o $(B)/obj/cgctl/devbpf.o \
	$(B)/obj/cgctl/settings.o $(B)/obj/cgctl/units.o
$(B)/tests/unit/test_cgctl_devices: override PKG_LIBS += -lm $(BPF_LIBS)
$(B)/tests/unit/test_cgctl_settings: override PKG_LIBS += -lm
$(B)/tests/unit/test_cg: override PKG_LIBS += -lm
$(B)/tests/unit/test_vethctl_addr: $(B)/obj/vethctl/addr.o
$(B)/tests/unit/test_vethctl_spec: $(B)/obj/vethctl/spec.o
$(B)/tests/unit/test_vethctl_nft: $(B)/obj/vethctl/nft.o $(B)/obj/vethctl/state.o \
	$(B)/obj/vethctl/spec.o
$(B)/tests/unit/test_vethctl_nft: override PKG_LIBS += $(NAT_LIBS)
$(B)/tests/unit/test_digest $(B)/tests/unit/test_json: override PKG_LIBS += $(IMG_LIBS)
# vethctl's CNI parts are tested (and fuzzed) linked with all of vethctl but its main
VETHCTL_PART_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(filter-out vethctl/vethctl.c,$(wildcard vethctl/*.c)))
CNI_UNITS := $(B)/tests/unit/test_vethctl_cni $(B)/tests/unit/test_vethctl_hostlocal
$(CNI_UNITS): $(VETHCTL_PART_OBJS)
$(CNI_UNITS): override PKG_LIBS += $(NAT_LIBS)
IMG_SRC_OBJS := $(patsubst %,$(B)/obj/ovlmount/%.o,image source platform archive resolve manifest \
	config docker lazy-archive)
$(B)/tests/unit/test_ovl_image: $(IMG_SRC_OBJS)
$(B)/tests/unit/test_ovl_image: override PKG_LIBS += $(IMG_LIBS)
$(B)/tests/fuzz/fuzz_state_file: $(B)/obj/nsenter-lite/state.o
$(B)/tests/fuzz/fuzz_state_file: override PKG_LIBS += $(IMG_LIBS)
LAYER_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard ovlmount/layer*.c ovlmount/lazy-archive.c))
$(B)/tests/unit/test_ovl_layer: $(LAYER_OBJS)
$(B)/tests/unit/test_ovl_layer: override PKG_LIBS += $(IMG_LIBS)
# ctrun's parts, tested and fuzzed linked with all of ctrun but its main
CTRUN_PART_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(filter-out ctrun/ctrun.c,$(wildcard ctrun/*.c)))
CTRUN_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/test_ctrun_*.c tests/fuzz/fuzz_ctrun_*.c))
$(CTRUN_TESTS): $(CTRUN_PART_OBJS)
$(CTRUN_TESTS): override PKG_LIBS += $(CTRUN_LIBS) $(EXEC_LIBS) -lm
$(B)/tests/unit/test_ctrun_chain $(B)/tests/unit/test_ctrun_chain_parts: \
	tests/unit/ctrun_chain_fixtures.h
$(B)/tests/unit/test_ctrun_config: override CFLAGS += \
	-DCONFIG_FIXTURES='"$(CURDIR)/tests/unit/ctrun-config"'


$(B)/man/%: $(wildcard */*.scd)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  SCDOC   $@")
	$(Q)scdoc < $(firstword $(wildcard */$*.scd)) > $@

$(B)/tests/unit/%: tests/unit/%.c $(LIBCTU)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -I. $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBCTU) $(PKG_LIBS) $(DIRECT_LIBS) -lcmocka

# Static, so that they also run inside a busybox rootfs.  Never sanitized:
# the sanitizer runtimes do not link statically.
$(B)/tests/helpers/%: tests/helpers/%.c Makefile
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static-pie -o $@ $<

tests: all $(UNIT_BINS) $(HELPER_BINS)

# The floors of the benchmarks: minimal C programs, one per job.
FLOOR_BINS := $(patsubst bench/floor/%.c,$(B)/bench/floor-%,$(wildcard bench/floor/*.c))
$(B)/bench/floor-%: bench/floor/%.c bench/floor/floor.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PKG_LIBS)
floors: $(FLOOR_BINS)

# libFuzzer targets: one per parser family, each with the objects it drives.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:%.c=$(B)/%)
FUZZ_SECONDS ?= 60
$(B)/tests/fuzz/fuzz_cgctl_settings: $(B)/obj/cgctl/settings.o $(B)/obj/cgctl/units.o
$(B)/tests/fuzz/fuzz_cgctl_settings: override PKG_LIBS += -lm
$(B)/tests/fuzz/fuzz_ovl_options: $(B)/obj/ovlmount/options.o
$(B)/tests/fuzz/fuzz_batch: $(B)/obj/vethctl/batch.o
$(B)/tests/fuzz/fuzz_vethctl_addr: $(B)/obj/vethctl/addr.o
$(B)/tests/fuzz/fuzz_vethctl_spec: $(B)/obj/vethctl/spec.o
CNI_FUZZ := $(B)/tests/fuzz/fuzz_cni_conf $(B)/tests/fuzz/fuzz_cni_args
$(CNI_FUZZ): $(VETHCTL_PART_OBJS)
$(CNI_FUZZ): override PKG_LIBS += $(NAT_LIBS)
$(B)/tests/fuzz/fuzz_image_json: $(IMG_SRC_OBJS)
$(B)/tests/fuzz/fuzz_image_json: override PKG_LIBS += $(IMG_LIBS)
$(B)/tests/fuzz/fuzz_layer_names: $(B)/obj/ovlmount/layer-names.o
$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIBCTU)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -I. -fsanitize=fuzzer $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBCTU) $(PKG_LIBS) $(DIRECT_LIBS)
fuzz-build: $(FUZZ_BINS)

# Dependencies first, in a separate make, so that pkg-config above sees them.
check:
	@scripts/install-deps
	@$(MAKE) --no-print-directory tests
	CTU_BUILD=$(abspath $(B)) tests/run

deps:
	scripts/install-deps

# The suite on a second kernel and a pure cgroup v2 host: a qemu VM booting
# Debian's 6.1 cloud kernel (downloaded into $(B)/vm, not installed).
check-vm:
	@scripts/install-deps vm
	@$(MAKE) --no-print-directory tests
	CTU_BUILD=$(abspath $(B)) tests/vm/run

# Static analysis with the checked-in configuration (.clang-tidy,
# .cppcheck-suppressions): any finding fails.
LINT_SRCS := $(LIB_SRCS) $(foreach t,$(TOOLS),$(wildcard $(t)/*.c)) $(FUZZ_SRCS)
lint:
	@scripts/install-deps lint
	cppcheck -q --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
		-D_GNU_SOURCE -D__linux__ "-Dnoreturn=__attribute__((noreturn))" -Ilib -I. --inline-suppr \
		--include=/usr/include/jansson.h \
		--suppressions-list=.cppcheck-suppressions $(LINT_SRCS)
	@mkdir -p $(B)
	@clang-tidy --quiet $(LINT_SRCS) -- $(CFLAGS) -I. >$(B)/clang-tidy.log 2>&1; \
		rc=$$?; grep -v 'warnings\? generated\.$$' $(B)/clang-tidy.log; exit $$rc

# valgrind on each tool's main paths (as root)
memcheck:
	@scripts/install-deps lint
	@$(MAKE) --no-print-directory all rootfs
	tests/memcheck $(B) build/rootfs

fuzz:
	@scripts/install-deps lint
	@$(MAKE) --no-print-directory SANITIZE=fuzz fuzz-build
	tests/fuzz/run build-fuzz $(FUZZ_SECONDS)

# Benchmarks (as root; a few minutes): bench/run writes bench/RESULTS.md.
bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory all floors rootfs
	CTU_BUILD=$(abspath $(B)) bench/run

# The default rootfs of the demo and the examples: busybox from Debian.
rootfs:
	@scripts/make-rootfs build/rootfs

# A container built by hand, step by step, with every tool (as root).
demo:
	@scripts/install-deps
	@$(MAKE) --no-print-directory all rootfs
	examples/container.sh

# A tool's directory follows its man page's section: <tool>.8.scd -> SBINDIR.
SBIN_TOOLS := $(foreach t,$(TOOLS),$(if $(wildcard $(t)/$(t).8.scd),$(t)))
BIN_TOOLS := $(filter-out $(SBIN_TOOLS),$(TOOLS))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(if $(BIN_TOOLS),install -m 0755 $(BIN_TOOLS:%=$(B)/%) $(DESTDIR)$(BINDIR)/)
	$(if $(SBIN_TOOLS),install -m 0755 $(SBIN_TOOLS:%=$(B)/%) $(DESTDIR)$(SBINDIR)/)
	$(foreach p,$(MAN_PAGES),install -D -m 0644 $(p) \
		$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))$(newline))
	$(foreach c,$(COMPLETIONS),install -D -m 0644 $(c) \
		$(DESTDIR)$(COMPLETIONDIR)/$(notdir $(c))$(newline))
	$(if $(filter nsenter-lite,$(TOOLS)),install -D -m 0755 $(B)/hostexec \
		$(DESTDIR)$(LIBEXECDIR)/hostexec)
	$(if $(filter vethctl,$(TOOLS)),install -d $(DESTDIR)$(CNIDIR))
	$(if $(filter vethctl,$(TOOLS)),$(foreach p,$(CNI_PLUGINS),ln -sfn $(SBINDIR)/vethctl \
		$(DESTDIR)$(CNIDIR)/$(p)$(newline)))

clean:
	rm -rf build build-san

define newline


endef

-include $(LIB_OBJS:.o=.d) $(foreach t,$(TOOLS),$(patsubst %.c,$(B)/obj/%.d,$(wildcard $(t)/*.c)))
