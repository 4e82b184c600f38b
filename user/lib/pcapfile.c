// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <pcap/pcap.h>

#include "pcapfile.h"

struct sift_pcap {
	pcap_t *pcap;
	pcap_dumper_t *dump;
};

struct sift_pcap *sift_pcap_open(const char *path, unsigned int snaplen, char *err, size_t errlen)
{
	struct sift_pcap *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->pcap = pcap_open_dead(DLT_EN10MB, snaplen);
	if (!p->pcap) {
		snprintf(err, errlen, "libpcap failed");
		free(p);
		return NULL;
	}
	p->dump = pcap_dump_open(p->pcap, path);
	if (!p->dump) {
		snprintf(err, errlen, "%s", pcap_geterr(p->pcap));
		pcap_close(p->pcap);
		free(p);
		return NULL;
	}
	return p;
}

int sift_pcap_write(struct sift_pcap *p, long long ns, const uint8_t *frame, unsigned int cap,
		    unsigned int wire)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = ns / 1000000000ll, .tv_usec = ns % 1000000000ll / 1000 },
		.caplen = cap,
		.len = wire < cap ? cap : wire,
	};

	pcap_dump((u_char *)p->dump, &h, frame);
	return pcap_dump_flush(p->dump) ? -1 : 0;
}

void sift_pcap_close(struct sift_pcap *p)
{
	if (!p)
		return;
	pcap_dump_close(p->dump);
	pcap_close(p->pcap);
	free(p);
}
