/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Defective messages made from realistic ones: corpus messages that the fast
 * path forwards, with one header's value (Via, Call-ID, From, To, CSeq)
 * replaced by an invalid one, each with the reason the parser must give.
 * The unit tests assert the reasons; the differential test runs them
 * through the XDP program too.
 */
#ifndef SIFT_TEST_DEFECTS_H
#define SIFT_TEST_DEFECTS_H

#include <stddef.h>
#include <stdint.h>
#include <sift/reasons.h>

struct sip_defect {
	const char *hdr;   /* the header whose value is replaced (as the bases spell it) */
	const char *value; /* the new value; "%s" stands for the CSeq method */
	enum sift_reason reason;
	int kept;	   /* a Via that is kept (another version): siftd can still answer */
};

/* One defective message. */
struct sip_defect_msg {
	const char *base; /* the corpus file it was made from */
	const struct sip_defect *defect;
	int nth;	  /* which line of the header was changed: 1, the top one, or 2 */
	char value[256];  /* the value written */
	uint8_t data[4096];
	size_t len;
};

/* The corpus files the messages are made from, relative to the corpus. */
extern const char *const sip_defect_bases[];
extern const size_t sip_defect_n_bases;

/*
 * Call @fn for every defective message made from the bases under
 * @corpus_dir: each defect in each base, Via defects in each of the top two
 * Vias where there are two.  Returns how many, or -1 if a base is missing
 * or lacks a header.
 */
int sip_defects_each(const char *corpus_dir, void (*fn)(const struct sip_defect_msg *dm, void *arg),
		     void *arg);

#endif
