/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Captured frames into a pcap file (libpcap), each flushed as it is written,
 * so that a trace cut short leaves a file tshark and Wireshark read.  Kept
 * apart from the BPF headers: libpcap's <pcap/bpf.h> and <linux/bpf.h>
 * both define struct bpf_insn.
 */
#ifndef SIFT_LIB_PCAPFILE_H
#define SIFT_LIB_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

struct sift_pcap;

/* Open @path for Ethernet frames of up to @snaplen bytes; NULL with the reason in @err. */
struct sift_pcap *sift_pcap_open(const char *path, unsigned int snaplen, char *err, size_t errlen);
/* One frame: @cap bytes of the @wire it had, seen at @ns (CLOCK_REALTIME).  0, or -1. */
int sift_pcap_write(struct sift_pcap *p, long long ns, const uint8_t *frame, unsigned int cap,
		    unsigned int wire);
void sift_pcap_close(struct sift_pcap *p);

#endif
