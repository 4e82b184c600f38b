// SPDX-License-Identifier: GPL-2.0
/* TLS for siftd's connections (tls.h says what). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls.h"

struct sift_tls {
	int refs;
	SSL_CTX *server;         /* the default certificate; SNI may switch to one of sni[] */
	SSL_CTX *sni[SIFT_TLS_SNI];
	char sni_name[SIFT_TLS_SNI][SIFT_HOSTLEN];
	unsigned int n_sni;
	SSL_CTX *client;         /* towards backends on TLS */
	struct sift_tls_peer_conf peers[SIFT_TLS_PEERS];
	unsigned int n_peers;
};

const char *sift_tls_error(void)
{
	static char buf[256];
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "no reason given";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* TLS 1.2 or 1.3 only, the ciphers configured, kTLS asked for, and buffers given back when idle. */
static SSL_CTX *ctx_new(const struct sift_tls_conf *c, bool server, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	/* a peer that goes without close_notify has gone, no error */
	uint64_t opts = SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
			SSL_OP_IGNORE_UNEXPECTED_EOF;

	if (!ctx) {
		snprintf(err, errlen, "tls: %s", sift_tls_error());
		return NULL;
	}
	if (c->ktls)
		opts |= SSL_OP_ENABLE_KTLS;
	SSL_CTX_set_options(ctx, opts);
	SSL_CTX_set_min_proto_version(ctx, c->min_version ? TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				      SSL_MODE_RELEASE_BUFFERS);
	if (c->ciphers[0] && !SSL_CTX_set_cipher_list(ctx, c->ciphers)) {
		snprintf(err, errlen, "tls.ciphers '%s': %s", c->ciphers, sift_tls_error());
		goto fail;
	}
	if (c->ciphersuites[0] && !SSL_CTX_set_ciphersuites(ctx, c->ciphersuites)) {
		snprintf(err, errlen, "tls.ciphersuites '%s': %s", c->ciphersuites, sift_tls_error());
		goto fail;
	}
	if (c->ca[0] && !SSL_CTX_load_verify_locations(ctx, c->ca, NULL)) {
		snprintf(err, errlen, "tls.ca '%s': %s", c->ca, sift_tls_error());
		goto fail;
	}
	if (server) {
		/* no session tickets or cache: every connection is a full handshake, counted */
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_num_tickets(ctx, 0);
		/*
		 * A client certificate is asked for, not required: one that is
		 * offered must verify (an untrusted CA, an expired one: the
		 * handshake fails); a trunk peer is the one that names itself
		 * by it (tls.peers).
		 */
		if (c->ca[0])
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (!c->ca[0])
			SSL_CTX_set_default_verify_paths(ctx);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static int ctx_cert(SSL_CTX *ctx, const char *cert, const char *key, char *err, size_t errlen)
{
	if (!SSL_CTX_use_certificate_chain_file(ctx, cert)) {
		snprintf(err, errlen, "tls certificate '%s': %s", cert, sift_tls_error());
		return -1;
	}
	if (!SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)) {
		snprintf(err, errlen, "tls key '%s': %s", key, sift_tls_error());
		return -1;
	}
	if (!SSL_CTX_check_private_key(ctx)) {
		snprintf(err, errlen, "tls key '%s' does not match certificate '%s'", key, cert);
		return -1;
	}
	return 0;
}

/* SNI: the certificate configured for the name the client asked for, else the default. */
static int servername_cb(SSL *ssl, int *alert, void *arg)
{
	const struct sift_tls *t = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	(void)alert;
	if (!name)
		return SSL_TLSEXT_ERR_NOACK;
	for (unsigned int i = 0; i < t->n_sni; i++) {
		if (!strcasecmp(name, t->sni_name[i])) {
			SSL_set_SSL_CTX(ssl, t->sni[i]);
			return SSL_TLSEXT_ERR_OK;
		}
	}
	return SSL_TLSEXT_ERR_NOACK;
}

struct sift_tls *sift_tls_new(const struct sift_tls_conf *c, char *err, size_t errlen)
{
	struct sift_tls *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "tls: out of memory");
		return NULL;
	}
	t->refs = 1;
	if (!c->cert[0] || !c->key[0]) {
		snprintf(err, errlen, "tls: a certificate and a key are needed");
		goto fail;
	}
	t->server = ctx_new(c, true, err, errlen);
	if (!t->server || ctx_cert(t->server, c->cert, c->key, err, errlen))
		goto fail;
	for (unsigned int i = 0; i < c->n_sni; i++) {
		t->sni[i] = ctx_new(c, true, err, errlen);
		if (!t->sni[i] || ctx_cert(t->sni[i], c->sni[i].cert, c->sni[i].key, err, errlen))
			goto fail;
		snprintf(t->sni_name[i], sizeof(t->sni_name[i]), "%s", c->sni[i].name);
		t->n_sni++;
	}
	SSL_CTX_set_tlsext_servername_callback(t->server, servername_cb);
	SSL_CTX_set_tlsext_servername_arg(t->server, t);
	t->client = ctx_new(c, false, err, errlen);
	if (!t->client)
		goto fail;
	memcpy(t->peers, c->peers, sizeof(t->peers));
	t->n_peers = c->n_peers;
	return t;
fail:
	sift_tls_unref(t);
	return NULL;
}

struct sift_tls *sift_tls_ref(struct sift_tls *t)
{
	if (t)
		t->refs++;
	return t;
}

void sift_tls_unref(struct sift_tls *t)
{
	if (!t || --t->refs > 0)
		return;
	SSL_CTX_free(t->server);
	for (unsigned int i = 0; i < SIFT_TLS_SNI; i++)
		SSL_CTX_free(t->sni[i]);
	SSL_CTX_free(t->client);
	free(t);
}

SSL *sift_tls_server(struct sift_tls *t, int fd)
{
	SSL *ssl = SSL_new(t->server);

	if (ssl && !SSL_set_fd(ssl, fd)) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

SSL *sift_tls_client(struct sift_tls *t, int fd, const char *host)
{
	SSL *ssl = SSL_new(t->client);

	if (!ssl)
		return NULL;
	/* the backend's certificate must name the address it was configured by */
	if (!SSL_set_fd(ssl, fd) ||
	    !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

/* Does @cert name @want: its subject CN, or a DNS, URI or email SAN? */
static bool cert_names(X509 *cert, const char *want)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	char cn[256];
	bool hit = false;

	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && !hit; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const ASN1_IA5STRING *s = NULL;

		if (g->type == GEN_DNS || g->type == GEN_URI || g->type == GEN_EMAIL)
			s = g->d.ia5;
		hit = s && (size_t)s->length == strlen(want) &&
		      !strncasecmp((const char *)s->data, want, s->length);
	}
	GENERAL_NAMES_free(sans);
	if (!hit && X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
					      sizeof(cn)) > 0)
		hit = !strcasecmp(cn, want);
	return hit;
}

int sift_tls_peer(const struct sift_tls *t, SSL *ssl, char *name, size_t len)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	for (unsigned int i = 0; i < t->n_peers; i++) {
		if (cert_names(cert, t->peers[i].name)) {
			snprintf(name, len, "%s", t->peers[i].name);
			return 1;
		}
	}
	return 0;
}

int sift_tls_ktls(SSL *ssl)
{
	return (BIO_get_ktls_send(SSL_get_wbio(ssl)) ? 1 : 0) |
	       (BIO_get_ktls_recv(SSL_get_rbio(ssl)) ? 2 : 0);
}
