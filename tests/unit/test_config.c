// SPDX-License-Identifier: GPL-2.0
/* The configuration file: what it accepts, and where it says a mistake is. */
#include <errno.h>
#include <string.h>
#include <sift/sip.h>

#include "config.h"
#include "suites.h"

static struct sift_conf conf;
static char err[512];

static int load(const char *text)
{
	sift_conf_defaults(&conf);
	err[0] = '\0';
	return sift_conf_load_string(&conf, "t.yaml", text, strlen(text), err, sizeof(err));
}

/* The load fails with an error that starts with @where and contains @what. */
#define ck_reject(text, where, what)                                                               \
	do {                                                                                       \
		ck_assert_int_eq(load(text), -EINVAL);                                             \
		ck_assert_msg(!strncmp(err, where, strlen(where)), "error '%s' is not at '%s'",   \
			      err, where);                                                         \
		ck_assert_msg(strstr(err, what), "error '%s' lacks '%s'", err, what);             \
	} while (0)

START_TEST(test_config_empty_is_defaults)
{
	ck_assert_int_eq(load(""), 0);
	ck_assert_uint_eq(conf.n_ifaces, 0);
	ck_assert_uint_eq(conf.n_sip_ports, 1);
	ck_assert_uint_eq(conf.sip_ports[0], 5060);
	ck_assert_int_eq(conf.mode, SIFT_MODE_NATIVE);
	ck_assert_str_eq(conf.pin_path, "/sys/fs/bpf/sift");
	ck_assert(!conf.keep_attached);
	ck_assert_int_eq(conf.transit, SIFT_TRANSIT_DROP);
	ck_assert_uint_eq(conf.reply_rate, 10);
	ck_assert_uint_eq(conf.reply_burst, 20);
	ck_assert_uint_eq(conf.transactions, 4096);
	ck_assert_uint_eq(conf.retry_after, 10);
	ck_assert_uint_eq(conf.probe_interval, 5);
	ck_assert_uint_eq(conf.probe_failures, 3);
	ck_assert_uint_eq(conf.probe_invite_timeout_ms, 0); /* unanswered INVITEs: off */
}
END_TEST

static void collect(void *arg, const char *msg)
{
	strncat(arg, msg, 511 - strlen(arg));
	strncat(arg, "\n", 511 - strlen(arg));
}

/* A route or registrar to a group with no backends: valid (backends may come live), but said. */
START_TEST(test_config_empty_group_warned)
{
	char warned[512] = "";

	ck_assert_int_eq(load("groups:\n  - name: empty\n  - name: full\n    backends: [{address: "
			      "198.18.2.9}]\nroutes:\n  - prefix: \"1\"\n    group: empty\n"
			      "  - group: full\nregistrars:\n  - group: empty\n"),
			 0);
	ck_assert_uint_eq(sift_routing_warnings(&conf.routing, "t.yaml", collect, warned), 2);
	ck_assert_msg(strstr(warned, "t.yaml:6:1: route '1' goes to group 'empty', which has no "
				     "backends"),
		      "%s", warned);
	ck_assert_msg(strstr(warned, "t.yaml:10:1: registrar group 'empty' has no backends"), "%s",
		      warned);
}
END_TEST

/* Host names, addresses and scanner tokens are checked where they are written: file:line:col. */
START_TEST(test_config_checked_strings)
{
	ck_reject("interfaces:\n  - name: eth0\n    advertise: \"bad host!\"\n", "t.yaml:3:16: ",
		  "advertise 'bad host!': neither an IP address nor a host name");
	ck_reject("domains: [a.example, \"not a domain!\"]\n", "t.yaml:1:22: ",
		  "domain 'not a domain!': not a host name");
	ck_reject("shield:\n  scanners: [sipvicious, \"Friendly Scanner\"]\n", "t.yaml:2:26: ",
		  "one User-Agent product token");
	ck_reject("groups: [{name: g}]\nroutes:\n  - group: g\n    domain: \"a b\"\n", "t.yaml:4:13: ",
		  "domain 'a b': not a host name");
	ck_assert_int_eq(load("interfaces:\n  - name: eth0\n    advertise: sip.example.net\n"
			      "  - name: eth1\n    advertise: \"2001:db8::1\"\n"
			      "domains: [sip.example.net]\nshield:\n  scanners: [sipvicious]\n"),
			 0);
}
END_TEST

/* One document: a second one is an error where it starts, not silently ignored. */
START_TEST(test_config_one_document)
{
	ck_reject("sip:\n  ports: [5060]\n---\ntransit: route\n", "t.yaml:3:1: ",
		  "a second YAML document");
	ck_assert_int_eq(load("---\nsip:\n  ports: [5080]\n...\n"), 0);
	ck_assert_uint_eq(conf.sip_ports[0], 5080);
}
END_TEST

/* Registrars (RFC 3327 at the edge): per domain or any, in a group that exists, once each. */
START_TEST(test_config_registrars)
{
	const char *groups = "groups:\n  - name: reg\n    backends: [{address: 198.18.2.9}]\n";
	char text[512];

	snprintf(text, sizeof(text),
		 "%sregistrars:\n  - group: reg\n  - domain: example.com\n    group: reg\n"
		 "sip:\n  retry_after: 30\n",
		 groups);
	ck_assert_int_eq(load(text), 0);
	ck_assert_uint_eq(conf.routing.n_registrars, 2);
	ck_assert_str_eq(conf.routing.registrars[0].domain, "");
	ck_assert_str_eq(conf.routing.registrars[1].domain, "example.com");
	ck_assert_str_eq(conf.routing.registrars[1].group, "reg");
	ck_assert_uint_eq(conf.retry_after, 30);
	ck_assert_ptr_eq(sift_routing_registrar(&conf.routing, "EXAMPLE.com", 11),
			 &conf.routing.registrars[1]);
	ck_assert_ptr_eq(sift_routing_registrar(&conf.routing, "other.net", 9),
			 &conf.routing.registrars[0]);
	snprintf(text, sizeof(text), "%sregistrars:\n  - group: nope\n", groups);
	ck_reject(text, "t.yaml:5", "registrar in unknown group 'nope'");
	snprintf(text, sizeof(text), "%sregistrars:\n  - group: reg\n  - group: reg\n", groups);
	ck_reject(text, "t.yaml:6", "given twice");
	ck_reject("registrars:\n  - domain: example.com\n", "t.yaml:", "group");
	ck_reject("sip:\n  retry_after: 100000\n", "t.yaml:2:", "between 0 and 86400");
}
END_TEST

START_TEST(test_config_full)
{
	const char *text = "# comment\n"
			   "interfaces:\n"
			   "  - name: eth0\n"
			   "    mode: skb\n"
			   "    addresses: [198.18.0.1, \"2001:db8::1\"]\n"
			   "    advertise: sip.example.net\n"
			   "  - name: eth1\n"
			   "sip:\n"
			   "  ports: [5060, 5080]\n"
			   "  reply_rate: 50\n"
			   "  reply_burst: 200\n"
			   "transit: route\n"
			   "daemon:\n"
			   "  mode: native\n"
			   "  keep_attached: yes\n"
			   "  pin_path: /sys/fs/bpf/other\n"
			   "  log_level: debug\n";
	char buf[64];

	ck_assert_msg(load(text) == 0, "%s", err);
	ck_assert_uint_eq(conf.n_ifaces, 2);
	ck_assert_str_eq(conf.ifaces[0].name, "eth0");
	ck_assert_int_eq(conf.ifaces[0].mode, SIFT_MODE_SKB);
	ck_assert_int_eq(conf.ifaces[0].line, 3);
	ck_assert_uint_eq(conf.ifaces[0].n_addrs, 2);
	ck_assert_str_eq(sift_addr_fmt(&conf.ifaces[0].addrs[0], buf, sizeof(buf)), "198.18.0.1");
	ck_assert_str_eq(sift_addr_fmt(&conf.ifaces[0].addrs[1], buf, sizeof(buf)), "2001:db8::1");
	ck_assert_str_eq(conf.ifaces[0].advertise, "sip.example.net");
	ck_assert_str_eq(conf.ifaces[1].name, "eth1");
	ck_assert_int_eq(conf.ifaces[1].mode, 0);
	ck_assert_int_eq(conf.ifaces[1].line, 7);
	ck_assert_uint_eq(conf.n_sip_ports, 2);
	ck_assert_uint_eq(conf.sip_ports[1], 5080);
	ck_assert(conf.keep_attached);
	ck_assert_str_eq(conf.pin_path, "/sys/fs/bpf/other");
	ck_assert_int_eq(conf.log_level, 3);
	ck_assert_int_eq(conf.transit, SIFT_TRANSIT_ROUTE);
	ck_assert_uint_eq(conf.reply_rate, 50);
	ck_assert_uint_eq(conf.reply_burst, 200);
}
END_TEST

START_TEST(test_config_single_value_is_a_list)
{
	ck_assert_int_eq(load("sip:\n  ports: 5062\n"), 0);
	ck_assert_uint_eq(conf.n_sip_ports, 1);
	ck_assert_uint_eq(conf.sip_ports[0], 5062);
}
END_TEST

START_TEST(test_config_unknown_key)
{
	ck_reject("sip:\n  ports: [5060]\n  prots: [1]\n", "t.yaml:3:3: ", "unknown setting 'prots'");
	ck_reject("interface:\n  - name: x\n", "t.yaml:1:1: ", "unknown setting 'interface'");
}
END_TEST

START_TEST(test_config_bad_numbers)
{
	ck_reject("sip:\n  ports: [5060, 0]\n", "t.yaml:2:17: ", "between 1 and 65535");
	ck_reject("sip:\n  ports: [70000]\n", "t.yaml:2:11: ", "between 1 and 65535");
	ck_reject("sip:\n  ports: [-1]\n", "t.yaml:2:11: ", "non-negative integer");
	ck_reject("sip:\n  ports: [50x]\n", "t.yaml:2:11: ", "not '50x'");
	ck_reject("sip:\n  ports: [99999999999999999999999]\n", "t.yaml:2:11: ",
		  "non-negative integer");
	ck_reject("sip:\n  reply_rate: 0\n", "t.yaml:2:15: ", "between 1 and 1000000");
	ck_reject("sip:\n  transactions: 8\n", "t.yaml:2:17: ", "between 16 and 1048576");
	ck_reject("health:\n  invite_timeout_ms: 90000\n", "t.yaml:2:22: ", "between 0 and 60000");
	ck_assert_int_eq(load("health:\n  invite_timeout_ms: 1500\n"), 0);
	ck_assert_uint_eq(conf.probe_invite_timeout_ms, 1500);
}
END_TEST

START_TEST(test_config_bad_enum_and_bool)
{
	ck_reject("daemon:\n  mode: turbo\n", "t.yaml:2:9: ", "one of native, skb, not 'turbo'");
	ck_reject("daemon:\n  keep_attached: maybe\n", "t.yaml:2:18: ", "true or false");
	ck_reject("daemon:\n  log_level: loud\n", "t.yaml:2:14: ", "error, warn, info, debug");
	ck_reject("transit: forward\n", "t.yaml:1:10: ", "one of drop, route, not 'forward'");
}
END_TEST

/* tcp: and tls: (siftd's connections), and a backend's transport */
START_TEST(test_config_tcp_tls)
{
	ck_assert_int_eq(load(""), 0);
	ck_assert(conf.tcp.enabled);
	ck_assert_uint_eq(conf.tcp.max_connections, 16384);
	ck_assert_uint_eq(conf.tls.n_ports, 1);
	ck_assert_uint_eq(conf.tls.ports[0], 5061);
	ck_assert_str_eq(conf.tls.cert, ""); /* no certificate: no TLS */
	ck_assert_int_eq(load("tcp:\n  per_source: 8\n  first_message_ms: 2000\n"
			      "tls:\n  certificate: /c.pem\n  key: /c.key\n  min_version: \"1.3\"\n"
			      "  sni:\n    - name: other.test\n      certificate: /o.pem\n      key: /o.key\n"
			      "  peers:\n    - name: gw1.carrier.test\n"
			      "groups:\n  - name: g\n    backends:\n      - address: 198.18.0.1\n"
			      "        transport: tls\n"),
			 0);
	ck_assert_uint_eq(conf.tcp.per_source, 8);
	ck_assert_uint_eq(conf.tcp.first_message_ms, 2000);
	ck_assert_str_eq(conf.tls.cert, "/c.pem");
	ck_assert_int_eq(conf.tls.min_version, 1);
	ck_assert_uint_eq(conf.tls.n_sni, 1);
	ck_assert_str_eq(conf.tls.sni[0].name, "other.test");
	ck_assert_str_eq(conf.tls.peers[0].name, "gw1.carrier.test");
	ck_assert_int_eq(conf.routing.groups[0].backends[0].transport, SIFT_TRANSPORT_TLS);
	ck_reject("tls:\n  min_version: \"1.1\"\n", "t.yaml:2:16: ", "one of 1.2, 1.3");
	ck_reject("tcp:\n  max_message: 9000\n", "t.yaml:2:16: ", "between 512 and");
	ck_reject("groups:\n  - name: g\n    backends:\n      - address: 198.18.0.1\n"
		  "        transport: sctp\n",
		  "t.yaml:5:20: ", "udp, tcp, tls, not 'sctp'");
	ck_reject("tls:\n  sni:\n    - name: other.test\n      key: /o.key\n", "t.yaml:3:7: ",
		  "certificate");
}
END_TEST

START_TEST(test_config_bad_address)
{
	ck_reject("interfaces:\n  - name: eth0\n    addresses: [198.18.0.300]\n", "t.yaml:3:17: ",
		  "'198.18.0.300' is not an IPv4 or IPv6 address");
	ck_reject("interfaces:\n  - name: eth0\n    addresses: [\"2001:db8::1::2\"]\n",
		  "t.yaml:3:17: ", "not an IPv4 or IPv6 address");
}
END_TEST

START_TEST(test_config_duplicates)
{
	ck_reject("interfaces:\n  - name: eth0\n  - name: eth1\n  - name: eth0\n", "t.yaml:4:5: ",
		  "duplicate entry in 'interfaces'");
	ck_reject("sip:\n  ports: [5060, 5060]\n", "t.yaml:2:17: ", "duplicate entry in 'ports'");
	ck_reject("sip:\n  ports: [5060]\nsip:\n  ports: [5061]\n", "t.yaml:3:1: ",
		  "'sip' is given twice");
}
END_TEST

START_TEST(test_config_shapes)
{
	ck_reject("interfaces:\n  name: eth0\n", "t.yaml:2:3: ", "'interfaces' must be a list");
	ck_reject("interfaces:\n  - mode: skb\n", "t.yaml:2:5: ", "needs a 'name'");
	ck_reject("sip: 5060\n", "t.yaml:1:6: ", "'sip' must be a mapping");
	ck_reject("daemon:\n  pin_path: [a, b]\n", "t.yaml:2:13: ", "must be a single value");
	ck_reject("daemon:\n  pin_path: relative/dir\n", "t.yaml:", "absolute path");
	ck_reject("interfaces:\n  - name: averyveryverylongname\n", "t.yaml:2:11: ",
		  "longer than 15 characters");
}
END_TEST

START_TEST(test_config_too_many)
{
	ck_reject("sip:\n  ports: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n", "t.yaml:2:",
		  "at most 16 entries");
}
END_TEST

START_TEST(test_config_syntax_error)
{
	ck_reject("sip:\n  ports: [5060\n", "t.yaml:3:1: ", "");
	ck_reject("sip:\n\tports: 1\n", "t.yaml:2:", "");
}
END_TEST

START_TEST(test_config_error_keeps_old)
{
	struct sift_conf before;

	ck_assert_int_eq(load("sip:\n  ports: [5070]\n"), 0);
	before = conf;
	ck_assert_int_eq(sift_conf_load_string(&conf, "t.yaml", "sip:\n  ports: [5080, x]\n", 23,
					       err, sizeof(err)),
			 -EINVAL);
	ck_assert_mem_eq(&conf, &before, sizeof(conf));
}
END_TEST

START_TEST(test_config_missing_file)
{
	sift_conf_defaults(&conf);
	ck_assert_int_eq(sift_conf_load_file(&conf, "/nonexistent/sift.yaml", err, sizeof(err)),
			 -ENOENT);
	ck_assert(strstr(err, "/nonexistent/sift.yaml"));
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_config_empty_is_defaults);
	tcase_add_test(tc, test_config_tcp_tls);
	tcase_add_test(tc, test_config_registrars);
	tcase_add_test(tc, test_config_one_document);
	tcase_add_test(tc, test_config_checked_strings);
	tcase_add_test(tc, test_config_empty_group_warned);
	tcase_add_test(tc, test_config_full);
	tcase_add_test(tc, test_config_single_value_is_a_list);
	tcase_add_test(tc, test_config_unknown_key);
	tcase_add_test(tc, test_config_bad_numbers);
	tcase_add_test(tc, test_config_bad_enum_and_bool);
	tcase_add_test(tc, test_config_bad_address);
	tcase_add_test(tc, test_config_duplicates);
	tcase_add_test(tc, test_config_shapes);
	tcase_add_test(tc, test_config_too_many);
	tcase_add_test(tc, test_config_syntax_error);
	tcase_add_test(tc, test_config_error_keeps_old);
	tcase_add_test(tc, test_config_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
