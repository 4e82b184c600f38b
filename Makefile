# SPDX-License-Identifier: GPL-2.0
#
# sift: make            build the XDP object, its skeleton, siftd and siftctl
#       make check      install what is missing, build, run every test
#       make demo       install what is missing, run sift on the built-in lab
#       make bench      benchmarks (BENCH lines); V=1 shows commands
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

V ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)"
endif

B := build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
MULTIARCH := $(shell $(CC) -dumpmachine)

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Iuser/lib -I$(B)
TEST_CFLAGS := -Iuser/siftctl -Iuser/siftd -Itests/lib
LDLIBS_XDP := $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf) -lelf -lz
LDLIBS := $(LDLIBS_XDP) -lyaml -ljansson -lcares -lsystemd -lmicrohttpd -lpcap -lssl -lcrypto
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
SIFTD_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard user/siftd/*.c))
SIFTCTL_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard user/siftctl/*.c))
UNIT_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tests/unit/*.c))
BPFT_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tests/bpf/*.c))
TESTLIB_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tests/lib/*.c))

BPF_OBJ := $(B)/sift.bpf.o
LAB_BPF := $(B)/lab/lab_pass.bpf.o
SKEL := $(B)/sift.skel.h
BINS := $(B)/siftd $(B)/siftctl
TEST_BINS := $(B)/tests/unit_tests $(B)/tests/bpf_tests $(B)/fuzz/fuzz_sip $(B)/tests/udpsend \
	     $(B)/bench/fwd_bench $(LAB_BPF)

.PHONY: all deps deps-quiet check test demo bench bench-parse bench-trace bench-fwd bench-shield bench-slow bench-failover clean install uninstall lab-up lab-down fuzz
all: $(BPF_OBJ) $(SKEL) $(BINS)

# --- BPF -------------------------------------------------------------------
# clang 14 puts some constants in mergeable .rodata.cst* / .rodata.str* sections but
# describes them in .rodata's BTF; the kernel rejects that BTF, libbpf drops it
# silently and every global subprogram turns static (the verifier then blows its
# budget).  Tables carry SIFT_RODATA; this catches any that do not.
BPF_CHECK = llvm-objdump -h $@ | grep -qE 'rodata\.(cst|str)' && { \
	echo "$@: constants in a mergeable .rodata section (mark them SIFT_RODATA)" >&2; \
	rm -f $@; exit 1; } || true

$(B)/%.bpf.o: bpf/%.bpf.c | $(B)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@
	$(Q)$(BPF_CHECK)

$(B)/%.skel.h: $(B)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@ 2> $@.log || { cat $@.log; rm -f $@.log; exit 1; }
	@grep -v 'unrecognized data section' $@.log >&2 || true; rm -f $@.log

# The lab's end hosts run this trivial XDP_PASS program (see scripts/lab.sh).
$(B)/lab/%.bpf.o: scripts/%.bpf.c | $(B)
	$(call msg,BPF,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@
	$(Q)$(BPF_CHECK)

# --- userspace --------------------------------------------------------------
# Everything that includes the skeleton waits for it (named: a pattern rule
# without a recipe would add no prerequisite, and make -j raced ahead of it).
$(LIB_OBJS) $(SIFTD_OBJS) $(SIFTCTL_OBJS) $(UNIT_OBJS) $(BPFT_OBJS) $(TESTLIB_OBJS): | $(SKEL)

$(B)/tests/%.o: tests/%.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Afresh each time: `ar r` keeps the members of sources that were renamed or removed.
$(B)/libsift.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/siftd: $(SIFTD_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/siftctl: $(SIFTCTL_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit_tests: $(UNIT_OBJS) $(filter-out $(B)/user/siftctl/main.o,$(SIFTCTL_OBJS)) $(TESTLIB_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(B)/tests/udpsend: $(B)/tests/tools/udpsend.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(B)/bench/sipload: $(B)/tests/tools/sipload.o
	$(call msg,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/bpf_tests: $(BPFT_OBJS) $(TESTLIB_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(B):
	@mkdir -p $@

# --- benchmarks ---------------------------------------------------------------
$(B)/bench/%.bpf.o: tests/bench/%.bpf.c | $(B)
	$(call msg,BPF,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@
	$(Q)$(BPF_CHECK)

$(B)/bench/%.skel.h: $(B)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

$(B)/tests/bench/bench_parse.o: $(B)/bench/scan.skel.h $(B)/bench/stages.skel.h $(SKEL)
$(B)/tests/bench/fwd_bench.o: $(B)/bench/fwdbench.skel.h
$(B)/tests/bench/%.o: TEST_CFLAGS += -I$(B)/bench -Itests/bpf

$(B)/bench/bench_parse: $(B)/tests/bench/bench_parse.o $(B)/tests/bpf/fwd_fixture.o $(TESTLIB_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/fwd_bench: $(B)/tests/bench/fwd_bench.o $(TESTLIB_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

# The same harness on a build without the trace hook (SIFT_NO_TRACE): make bench-trace.
$(B)/notrace/sift.bpf.o: bpf/sift.bpf.c | $(B)
	$(call msg,BPF,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DSIFT_NO_TRACE -MMD -MP -c $< -o $@
	$(Q)$(BPF_CHECK)

$(B)/notrace/sift.skel.h: $(B)/notrace/sift.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sift > $@

NOTRACE_OBJS := $(patsubst %.c,$(B)/notrace/%.o,tests/bench/bench_parse.c tests/bpf/fwd_fixture.c \
		$(wildcard tests/lib/*.c))
$(NOTRACE_OBJS): $(B)/notrace/%.o: %.c $(B)/notrace/sift.skel.h $(B)/bench/scan.skel.h $(B)/bench/stages.skel.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -I$(B)/notrace $(CFLAGS) $(TEST_CFLAGS) -I$(B)/bench -Itests/bpf -MMD -MP -c $< -o $@

$(B)/bench/bench_parse_notrace: $(NOTRACE_OBJS) $(B)/libsift.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BENCH_BINS := $(B)/bench/bench_parse $(B)/bench/bench_parse_notrace $(B)/bench/fwd_bench $(B)/bench/sipload
# With BPF run statistics on, every program run pays two clock reads (~45 ns on the dev VM).
BENCH_STATS_WARN = @[ "$$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)" != 1 ] || \
	echo "bench: kernel.bpf_stats_enabled=1 adds two clock reads to every BPF run; figures are inflated" >&2
bench-parse: deps-quiet all $(BENCH_BINS)
	$(BENCH_STATS_WARN)
	$(Q)$(B)/bench/bench_parse

# sift forwarding in the lab against Kamailio and a bare scan-and-redirect program.
bench-fwd: all $(BENCH_BINS) $(LAB_BPF)
	$(Q)scripts/deps.sh bench >/dev/null
	$(BENCH_STATS_WARN)
	$(Q)tests/bench/fwd.sh

# honest calls under a flood, sift's shield against Kamailio's pike; drops per core.
bench-shield: all $(BENCH_BINS) $(LAB_BPF)
	$(Q)scripts/deps.sh bench >/dev/null
	$(BENCH_STATS_WARN)
	$(Q)tests/bench/shield.sh

# siftd's slow path: OPTIONS keepalives answered, against Kamailio's sl_send_reply; memory.
bench-slow: all $(BENCH_BINS)
	$(Q)scripts/deps.sh bench >/dev/null
	$(Q)tests/bench/slow.sh

# One of three backends killed under 100 calls/s: time to exclude it, failed calls; sift and Kamailio.
bench-failover: all $(BENCH_BINS)
	$(Q)scripts/deps.sh bench >/dev/null
	$(Q)tests/bench/failover.sh

# What the trace hook costs when no trace runs: this build against one without it.
bench-trace: deps-quiet all $(BENCH_BINS)
	$(BENCH_STATS_WARN)
	$(Q)tests/bench/trace_idle.sh

# Every benchmark, BENCH lines on stdout (copied into the README's table).
bench: bench-parse bench-trace bench-fwd bench-shield bench-slow bench-failover

# --- fuzzing: the native parser under libFuzzer, ASan and UBSan ---------------
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	       -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Iuser/lib
FUZZ_SECONDS ?= 60

FUZZ_SRCS := tests/fuzz/fuzz_sip.c user/lib/sip_native.c user/lib/reply.c user/lib/fwd_native.c \
	     user/lib/loop.c user/lib/path.c user/lib/addr.c
$(B)/fuzz/fuzz_sip: $(FUZZ_SRCS) include/sift/sip_parse.h include/sift/sip.h include/sift/fwd_util.h \
		    include/sift/reasons.h include/sift/common.h user/lib/reply.h user/lib/loop.h \
		    user/lib/path.h
	$(call msg,FUZZ,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS)

fuzz: $(B)/fuzz/fuzz_sip
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# --- set-up, tests, demo ------------------------------------------------------
deps:
	$(Q)scripts/deps.sh

deps-quiet:
	$(Q)scripts/deps.sh >/dev/null

check: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BINS)
	$(Q)tests/run.sh

test: all $(TEST_BINS)
	$(Q)tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(LAB_BPF)
	$(Q)scripts/demo.sh

lab-up: $(LAB_BPF)
	$(Q)scripts/lab.sh up
lab-down:
	$(Q)scripts/lab.sh down

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
# The binaries, the man pages, siftd.service, and an example /etc/sift/sift.yaml that never
# replaces one already there.
install: all
	install -D -m 0755 $(B)/siftd $(DESTDIR)$(SBINDIR)/siftd
	install -D -m 0755 $(B)/siftctl $(DESTDIR)$(SBINDIR)/siftctl
	install -D -m 0644 man/siftd.8 $(DESTDIR)$(MANDIR)/man8/siftd.8
	install -D -m 0644 man/siftctl.8 $(DESTDIR)$(MANDIR)/man8/siftctl.8
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' etc/siftd.service.in \
		>$(DESTDIR)$(UNITDIR)/siftd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/siftd.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/sift
	[ -e $(DESTDIR)$(SYSCONFDIR)/sift/sift.yaml ] || \
		install -m 0644 etc/sift.yaml $(DESTDIR)$(SYSCONFDIR)/sift/sift.yaml

# What install put there; the configuration only if it is still the example.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/siftd $(DESTDIR)$(SBINDIR)/siftctl
	rm -f $(DESTDIR)$(MANDIR)/man8/siftd.8 $(DESTDIR)$(MANDIR)/man8/siftctl.8
	rm -f $(DESTDIR)$(UNITDIR)/siftd.service
	! cmp -s etc/sift.yaml $(DESTDIR)$(SYSCONFDIR)/sift/sift.yaml || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/sift/sift.yaml
	rmdir $(DESTDIR)$(SYSCONFDIR)/sift 2>/dev/null || true

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
