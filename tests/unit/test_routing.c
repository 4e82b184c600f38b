// SPDX-License-Identifier: GPL-2.0
/*
 * Live routing changes as siftctl sends them: each one applies whole or
 * not at all, with a reason the operator can act on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "live.h"
#include "routing.h"
#include "suites.h"

static const char base[] = "groups:\n"
			   "  - name: core\n"
			   "    backends:\n"
			   "      - address: 198.18.2.2\n"
			   "      - address: 198.18.2.3\n"
			   "        port: 5070\n"
			   "        weight: 50\n"
			   "  - name: spare\n"
			   "routes:\n"
			   "  - prefix: \"+1555\"\n"
			   "    group: core\n"
			   "  - group: core\n"
			   "    domain: carrier.example\n";

static struct sift_conf *conf;
static char err[256];

static void setup(void)
{
	conf = malloc(sizeof(*conf));
	ck_assert_ptr_nonnull(conf);
	sift_conf_defaults(conf);
	ck_assert_int_eq(sift_conf_load_string(conf, "t.yaml", base, strlen(base), err, sizeof(err)), 0);
}

static void teardown(void)
{
	free(conf);
}

/* Apply @json; on failure @r must be exactly as before. */
static int apply(const char *json)
{
	struct sift_routing *before = malloc(sizeof(*before));
	json_t *op = json_loads(json, 0, NULL);
	int ret;

	ck_assert_ptr_nonnull(op);
	*before = conf->routing;
	ret = sift_routing_apply(&conf->routing, op, err, sizeof(err));
	if (!ret)
		ret = sift_routing_check(&conf->routing, "t.yaml", err, sizeof(err));
	if (ret)
		ck_assert_msg(!memcmp(before, &conf->routing, sizeof(*before)),
			      "a refused change left a trace: %s", json);
	json_decref(op);
	free(before);
	return ret;
}

START_TEST(test_routing_backends)
{
	struct sift_group_conf *g = sift_routing_group(&conf->routing, "core");
	struct sift_addr a;

	ck_assert_int_eq(apply("{\"op\":\"backend.add\",\"group\":\"core\",\"address\":\"2001:db8:2::2\"}"), 0);
	ck_assert_uint_eq(g->n_backends, 3);
	ck_assert_uint_eq(g->backends[2].port, 5060);
	ck_assert_uint_eq(g->backends[2].weight, 100);
	ck_assert_int_eq(g->backends[2].state, SIFT_BACKEND_UP);
	ck_assert_int_eq(g->backends[2].origin, SIFT_ORIGIN_LIVE);

	ck_assert_int_eq(apply("{\"op\":\"backend.add\",\"group\":\"core\",\"address\":\"198.18.2.2\"}"), -EINVAL);
	ck_assert_str_eq(err, "group 'core' already has that backend");
	/* the same address on another port is another backend */
	ck_assert_int_eq(apply("{\"op\":\"backend.add\",\"group\":\"core\",\"address\":\"198.18.2.2\",\"port\":5080}"), 0);

	ck_assert_int_eq(apply("{\"op\":\"backend.set\",\"group\":\"core\",\"address\":\"198.18.2.3\",\"port\":5070,\"state\":\"drain\"}"), 0);
	sift_addr_parse("198.18.2.3", &a);
	ck_assert_int_eq(sift_routing_backend(g, &a, 5070)->state, SIFT_BACKEND_DRAIN);
	ck_assert_uint_eq(sift_routing_backend(g, &a, 5070)->weight, 50);

	ck_assert_int_eq(apply("{\"op\":\"backend.set\",\"group\":\"core\",\"address\":\"198.18.2.3\",\"state\":\"down\"}"), -EINVAL);
	ck_assert_str_eq(err, "group 'core' has no such backend"); /* port 5060 is not it */
	ck_assert_int_eq(apply("{\"op\":\"backend.set\",\"group\":\"core\",\"address\":\"198.18.2.2\",\"state\":\"sideways\"}"), -EINVAL);
	ck_assert_str_eq(err, "state must be up, drain or down, not 'sideways'");
	ck_assert_int_eq(apply("{\"op\":\"backend.set\",\"group\":\"core\",\"address\":\"198.18.2.2\",\"weight\":0}"), -EINVAL);
	ck_assert_str_eq(err, "'weight' must be a number from 1 to 1000000");
	ck_assert_int_eq(apply("{\"op\":\"backend.add\",\"group\":\"nope\",\"address\":\"198.18.2.9\"}"), -EINVAL);
	ck_assert_str_eq(err, "no group 'nope'");
	ck_assert_int_eq(apply("{\"op\":\"backend.add\",\"group\":\"core\",\"address\":\"bogus\"}"), -EINVAL);
	ck_assert_str_eq(err, "'bogus' is not an IPv4 or IPv6 address");

	ck_assert_int_eq(apply("{\"op\":\"backend.del\",\"group\":\"core\",\"address\":\"198.18.2.2\"}"), 0);
	sift_addr_parse("198.18.2.2", &a);
	ck_assert_ptr_null(sift_routing_backend(g, &a, 5060));
	ck_assert_ptr_nonnull(sift_routing_backend(g, &a, 5080));
}
END_TEST

START_TEST(test_routing_routes_and_groups)
{
	struct sift_route_conf *rt;

	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"prefix\":\"+1555\"}"), -EINVAL);
	ck_assert_str_eq(err, "a route for '+1555' exists; use set");
	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"prefix\":\"+44\"}"), -EINVAL);
	ck_assert_str_eq(err, "'group' is required");
	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"prefix\":\"+44\",\"group\":\"gone\"}"), -EINVAL);
	ck_assert_str_eq(err, "no group 'gone'");
	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"prefix\":\"44x\",\"group\":\"core\"}"), -EINVAL);
	ck_assert_str_eq(err, "route prefix '44x' may hold digits and '+' only");
	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"prefix\":\"+44\",\"group\":\"spare\",\"record_route\":true}"), 0);
	rt = sift_routing_route(&conf->routing, "+44", "");
	ck_assert_ptr_nonnull(rt);
	ck_assert(rt->record_route);
	ck_assert_str_eq(rt->group, "spare");

	/* a default route: the empty prefix */
	ck_assert_int_eq(apply("{\"op\":\"route.add\",\"group\":\"core\"}"), 0);
	ck_assert_ptr_nonnull(sift_routing_route(&conf->routing, "", ""));
	/* the domain route from the file is another route: same prefix, other domain */
	ck_assert_int_eq(apply("{\"op\":\"route.set\",\"domain\":\"Carrier.Example\",\"group\":\"spare\"}"), 0);
	rt = sift_routing_route(&conf->routing, "", "carrier.example");
	ck_assert_str_eq(rt->group, "spare");
	ck_assert_int_eq(rt->origin, SIFT_ORIGIN_LIVE);

	ck_assert_int_eq(apply("{\"op\":\"group.del\",\"name\":\"spare\"}"), -EINVAL);
	ck_assert_str_eq(err, "group 'spare' is used by the route for '(default)' in carrier.example; "
			      "delete or move that first");
	ck_assert_int_eq(apply("{\"op\":\"route.set\",\"domain\":\"carrier.example\",\"group\":\"core\"}"), 0);
	ck_assert_int_eq(apply("{\"op\":\"group.del\",\"name\":\"spare\"}"), -EINVAL);
	ck_assert_str_eq(err, "group 'spare' is used by the route for '+44'; delete or move that "
			      "first");
	ck_assert_int_eq(apply("{\"op\":\"route.del\",\"prefix\":\"+44\"}"), 0);
	ck_assert_int_eq(apply("{\"op\":\"group.del\",\"name\":\"spare\"}"), 0);
	ck_assert_ptr_null(sift_routing_group(&conf->routing, "spare"));
	ck_assert_int_eq(apply("{\"op\":\"group.add\",\"name\":\"core\"}"), -EINVAL);
	ck_assert_str_eq(err, "group 'core' exists");
	ck_assert_int_eq(apply("{\"op\":\"route.del\",\"prefix\":\"+1\"}"), -EINVAL);
	ck_assert_str_eq(err, "no route for '+1'");
	ck_assert_int_eq(apply("{\"op\":\"frobnicate\"}"), -EINVAL);
	ck_assert_str_eq(err, "unknown change 'frobnicate'");
	ck_assert_int_eq(apply("[1,2]"), -EINVAL);
	ck_assert_str_eq(err, "a change must be a JSON object");
}
END_TEST

/*
 * live.json keeps what the changes do, not their history: a route added
 * then removed leaves nothing, a backend set twice keeps the last, a change
 * on another object stays, and the result over the file is the same.
 */
static unsigned int live(json_t *ops, const char *json)
{
	json_array_append_new(ops, json_loads(json, 0, NULL));
	return sift_live_compact(conf, ops);
}

START_TEST(test_routing_live_compacts)
{
	json_t *ops = json_array();
	struct sift_conf *got = malloc(sizeof(*got));
	char e[256];

	ck_assert_uint_eq(live(ops, "{\"op\": \"route.add\", \"prefix\": \"44\", \"group\": \"spare\"}"), 0);
	ck_assert_uint_eq(live(ops, "{\"op\": \"backend.set\", \"group\": \"core\", "
				    "\"address\": \"198.18.2.2\", \"state\": \"drain\"}"),
			  0);
	ck_assert_uint_eq(live(ops, "{\"op\": \"route.del\", \"prefix\": \"44\"}"), 2);
	ck_assert_uint_eq(json_array_size(ops), 1); /* the backend's */
	ck_assert_uint_eq(live(ops, "{\"op\": \"backend.set\", \"group\": \"core\", "
				    "\"address\": \"198.18.2.2\", \"state\": \"down\"}"),
			  1);
	ck_assert_uint_eq(json_array_size(ops), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ops, 0), "state")), "down");
	/* a group added, a backend in it, the group removed: nothing left */
	ck_assert_uint_eq(live(ops, "{\"op\": \"group.add\", \"name\": \"extra\"}"), 0);
	ck_assert_uint_eq(live(ops, "{\"op\": \"backend.add\", \"group\": \"extra\", "
				    "\"address\": \"198.18.2.9\"}"),
			  0);
	live(ops, "{\"op\": \"group.del\", \"name\": \"extra\"}");
	ck_assert_uint_eq(json_array_size(ops), 1);
	/* and what is kept still makes the same configuration */
	*got = *conf;
	for (size_t i = 0; i < json_array_size(ops); i++)
		ck_assert_int_eq(sift_live_apply(got, json_array_get(ops, i), e, sizeof(e)), 0);
	ck_assert_int_eq(sift_routing_backend(sift_routing_group(&got->routing, "core"),
					      &got->routing.groups[0].backends[0].addr, 5060)
				 ->state,
			 SIFT_BACKEND_DOWN);
	ck_assert_ptr_null(sift_routing_group(&got->routing, "extra"));
	free(got);
	json_decref(ops);
}
END_TEST

Suite *routing_suite(void)
{
	Suite *s = suite_create("routing");
	TCase *tc = tcase_create("live");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_routing_backends);
	tcase_add_test(tc, test_routing_live_compacts);
	tcase_add_test(tc, test_routing_routes_and_groups);
	suite_add_tcase(s, tc);
	return s;
}
