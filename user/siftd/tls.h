/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS for siftd's connections (conn.h), through OpenSSL 3: one context per
 * configuration (a reload builds a new one; connections keep the one they
 * were made with until they close), TLS 1.2 and 1.3 only, the configured
 * ciphers, a certificate chain chosen by SNI, client certificates verified
 * against the configured CA when a peer offers one (mutual TLS: a trunk
 * peer named in tls.peers by its certificate is trusted), and kTLS where
 * the kernel and the negotiated cipher allow it.
 */
#ifndef SIFTD_TLS_H
#define SIFTD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>

#include "config.h"

struct sift_tls;

/*
 * A context for @c's tls: section (certificate, key, ca, ciphers, sni,
 * peers), with one reference.  NULL with the reason in @err when a file
 * cannot be read or does not match.
 */
struct sift_tls *sift_tls_new(const struct sift_tls_conf *c, char *err, size_t errlen);
struct sift_tls *sift_tls_ref(struct sift_tls *t);
void sift_tls_unref(struct sift_tls *t);

/*
 * A server side (accept), or a client side on @fd to a backend at address
 * @host (its certificate must name that IP address, and verify against
 * tls.ca or the system's CAs); NULL if not.
 */
SSL *sift_tls_server(struct sift_tls *t, int fd);
SSL *sift_tls_client(struct sift_tls *t, int fd, const char *host);

/*
 * After the handshake: the name of the tls.peers entry the peer's
 * certificate (verified against tls.ca) matches by subject CN or a SAN,
 * into @name; 1 when it is a trusted peer, 0 when not (no certificate, or
 * not a listed one).
 */
int sift_tls_peer(const struct sift_tls *t, SSL *ssl, char *name, size_t len);

/* Is the kernel doing this connection's record layer (kTLS): 1 send, 2 receive, 3 both. */
int sift_tls_ktls(SSL *ssl);

/* The reason the last OpenSSL call on this thread failed, for logs. */
const char *sift_tls_error(void);

#endif
