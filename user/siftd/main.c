// SPDX-License-Identifier: GPL-2.0
/*
 * siftd: loads sift_xdp, attaches it, installs the configuration into its
 * maps and runs the slow path.
 *
 * Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage or configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include <sys/timerfd.h>

#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "ctl.h"
#include "faces.h"
#include "loader.h"
#include "log.h"
#include "maps.h"
#include "live.h"
#include "proc.h"
#include "shieldstate.h"
#include "siftd.h"

#define EXIT_USAGE 2


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: siftd [OPTIONS]\n"
		"\n"
		"Attach the sift SIP fast path to network interfaces and run its controller.\n"
		"\n"
		"  -c, --config FILE      YAML configuration (see siftd(8))\n"
		"  -i, --interface IF     attach to IF; repeat for more (adds to the file's list)\n"
		"  -m, --mode MODE        native (default; falls back to skb with a warning) or skb\n"
		"  -k, --keep-attached    on exit leave the program and maps in place (hitless restart)\n"
		"  -p, --pin-path DIR     where maps are pinned (default %s)\n"
		"  -r, --run-dir DIR      control socket and live changes (default %s)\n"
		"  -t, --check            check the configuration and exit\n"
		"      --purge            remove the pinned maps (siftd must not be running) and exit\n"
		"  -v, --verbose          debug logging, including libbpf's and libxdp's\n"
		"  -h, --help             this text\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 runtime error, 2 bad usage or configuration.\n",
		SIFT_PIN_PATH_DEFAULT, SIFT_RUN_DIR_DEFAULT);
}

/* Merge the command line over a loaded file configuration. */
static int apply_cli(struct siftd *d, struct sift_conf *c)
{
	for (unsigned int i = 0; i < d->n_cli_ifaces; i++) {
		bool dup = false;

		for (unsigned int j = 0; j < c->n_ifaces; j++)
			dup |= !strcmp(c->ifaces[j].name, d->cli_ifaces[i]);
		if (dup)
			continue;
		if (c->n_ifaces == SIFT_MAX_IFACES) {
			pr_err("at most %d interfaces", SIFT_MAX_IFACES);
			return -E2BIG;
		}
		if (strlen(d->cli_ifaces[i]) >= SIFT_IFNAMSIZ) {
			pr_err("interface name '%s' is too long", d->cli_ifaces[i]);
			return -EINVAL;
		}
		memset(&c->ifaces[c->n_ifaces], 0, sizeof(c->ifaces[0]));
		strcpy(c->ifaces[c->n_ifaces++].name, d->cli_ifaces[i]);
	}
	if (d->cli_mode)
		c->mode = d->cli_mode;
	if (d->cli_keep_attached)
		c->keep_attached = true;
	if (d->cli_pin_path)
		snprintf(c->pin_path, sizeof(c->pin_path), "%s", d->cli_pin_path);
	if (d->cli_run_dir)
		snprintf(c->run_dir, sizeof(c->run_dir), "%s", d->cli_run_dir);
	if (d->verbose)
		c->log_level = SIFT_LOG_DEBUG;
	return 0;
}

/* A warning, logged, and kept in @arg (a reload's report, or NULL). */
static void warn_conf(void *arg, const char *msg)
{
	json_t *report = arg;

	pr_warn("%s", msg);
	if (report)
		json_array_append_new(json_object_get(report, "warnings"), json_string(msg));
}

/* Read the file and the command line into @c; errors and warnings also go to @report, if any. */
static int read_conf(struct siftd *d, struct sift_conf *c, json_t *report)
{
	char err[512];
	int ret;

	sift_conf_defaults(c);
	if (d->conf_path) {
		ret = sift_conf_load_file(c, d->conf_path, err, sizeof(err));
		if (ret) {
			pr_err("%s", err);
			if (report)
				json_array_append_new(json_object_get(report, "errors"),
						      json_string(err));
			return ret;
		}
		sift_routing_warnings(&c->routing, d->conf_path, warn_conf, report);
	}
	if (c->tls.cert[0] || c->tls.key[0]) {
		/* the files must load, and match, before anything is changed */
		char terr[400];
		struct sift_tls *t = sift_tls_new(&c->tls, terr, sizeof(terr));

		if (!t) {
			snprintf(err, sizeof(err), "%s: %s", d->conf_path ? d->conf_path : "(no file)",
				 terr);
			pr_err("%s", err);
			if (report)
				json_array_append_new(json_object_get(report, "errors"),
						      json_string(err));
			return -EINVAL;
		}
		sift_tls_unref(t);
	}
	return apply_cli(d, c);
}

/* Interfaces named in the file must exist; say where they were named. */
static int check_ifaces(const struct sift_conf *c)
{
	for (unsigned int i = 0; i < c->n_ifaces; i++) {
		const struct sift_iface_conf *ic = &c->ifaces[i];

		if (if_nametoindex(ic->name))
			continue;
		if (ic->line)
			pr_err("%s:%d: interface '%s' does not exist", c->path, ic->line, ic->name);
		else
			pr_err("interface '%s' does not exist", ic->name);
		return -ENODEV;
	}
	return 0;
}

/*
 * One abstract unix socket per interface marks it as managed.  Abstract
 * names live in the network namespace, vanish with the process and need no
 * stale-file cleanup; the holder's pid comes from SO_PEERCRED.
 */
static int lock_iface(const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, n;

	n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "sift/iface/%s", ifname);
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&sa, len) && !listen(fd, 1))
		return fd;
	close(fd);
	if (errno != EADDRINUSE)
		return -errno;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, len)) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl))
			pr_err("%s is already managed by siftd (pid %d)", ifname, cred.pid);
		else
			pr_err("%s is already managed by another siftd", ifname);
	} else {
		pr_err("%s is already managed by another siftd", ifname);
	}
	if (fd >= 0)
		close(fd);
	return -EBUSY;
}

static void unlock_all(struct siftd *d)
{
	for (unsigned int i = 0; i < d->n_locks; i++)
		close(d->locks[i]);
	d->n_locks = 0;
}

/* ---- forwarding state ------------------------------------------------------------ */

static int install_once(struct siftd *d, const struct sift_conf *c)
{
	struct sift_routing *eff = malloc(sizeof(*eff));
	struct sift_fwd_view v = {
		.routing = eff,
		.ifaces = d->views,
		.n_ifaces = c->n_ifaces,
		.forward = c->forward,
		.nh_cache_ms = c->nh_cache_ms,
		.transit_route = c->transit == SIFT_TRANSIT_ROUTE,
		/* only while probes run: they bring a backend back */
		.watch = c->probe_invite_timeout_ms && c->probe_interval,
	};
	char err[256];
	int ret;

	if (!eff)
		return -ENOMEM;
	/* TLS listens only with a certificate */
	ret = sift_ports_set(d->loader.maps.ports, c->sip_ports, c->n_sip_ports, c->tls.ports,
			     c->tls.cert[0] ? c->tls.n_ports : 0);
	if (ret) {
		pr_err("install SIP ports: %s", strerror(-ret));
		goto out;
	}
	ret = sift_faces_build(c, d->views);
	if (ret)
		goto out;
	/* unreachable backends get no new traffic */
	*eff = c->routing;
	sift_probe_apply(d->probe, eff);
	ret = sift_fwd_install(d->fwd, &d->loader.maps, &v, err, sizeof(err));
	if (ret) {
		pr_err("install forwarding state: %s", err);
		goto out;
	}
	/* the slow path recognises sift's Via by the same key */
	sift_fwd_key_ensure(d->loader.maps.config, d->key);
	memcpy(d->punt.key, d->key, sizeof(d->key));
	ret = sift_shield_install(&d->loader.maps, &c->shield, &c->routing, err, sizeof(err));
	if (ret)
		pr_err("install the shield: %s", err);
out:
	free(eff);
	return ret;
}

int siftd_install(struct siftd *d, const struct sift_conf *c)
{
	int ret = install_once(d, c);

	if (ret && d->eff && c != d->eff) {
		/* never leave a mix: the previous state again */
		if (install_once(d, d->eff))
			pr_err("could not restore the previous state either");
	}
	return ret;
}

void siftd_replay(struct sift_conf *c, json_t *changes)
{
	char err[256];
	size_t i = 0;

	while (i < json_array_size(changes)) {
		json_t *op = json_array_get(changes, i);

		if (sift_live_apply(c, op, err, sizeof(err))) {
			char *text = json_dumps(op, JSON_COMPACT);

			pr_warn("live change %s no longer applies (%s); dropped", text ? text : "?",
				err);
			free(text);
			json_array_remove(changes, i);
			continue;
		}
		i++;
	}
}

static void live_path(const struct siftd *d, char *out, size_t len)
{
	if (snprintf(out, len, "%s/live.json", d->conf.run_dir) >= (int)len)
		out[0] = '\0'; /* cannot happen: run_dir fits a socket path */
}

int siftd_live_save(struct siftd *d)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];

	live_path(d, path, sizeof(path));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (json_dump_file(d->live, tmp, JSON_INDENT(1)) || rename(tmp, path)) {
		pr_warn("cannot keep the live changes in %s: %s", path, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static void live_load(struct siftd *d)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *v;

	live_path(d, path, sizeof(path));
	d->live = json_array();
	if (access(path, F_OK))
		return;
	v = json_load_file(path, 0, &jerr);
	if (!v || !json_is_array(v)) {
		pr_warn("%s:%d: unreadable live changes (%s); starting from the file alone", path,
			jerr.line, v ? "not a list" : jerr.text);
		json_decref(v);
		return;
	}
	json_decref(d->live);
	d->live = v;
	if (json_array_size(v))
		pr_info("replaying %zu live change%s from %s", json_array_size(v),
			json_array_size(v) == 1 ? "" : "s", path);
}

static void log_transit(const struct sift_conf *c)
{
	if (c->transit == SIFT_TRANSIT_ROUTE)
		pr_info("transit: route: IP addressed neither to sift nor to this host is passed "
			"for the kernel to route (IPv6 only with net.ipv6.conf.all.forwarding on; "
			"ip_forward and that one are the operator's to set)");
	else
		pr_info("transit: drop: IP addressed neither to sift nor to this host is dropped "
			"on sift's interfaces");
}

/*
 * SIGHUP: read the file again.  A bad file changes nothing; settings that
 * need a restart (interfaces, pin path, run directory) are reported and left
 * as they are.  Live changes stay on top of the new file.
 */
static void arm_timer(struct siftd *d);

static bool reload(struct siftd *d, json_t *report)
{
	bool done = false;

	struct sift_conf *c = malloc(sizeof(*c)), *eff = malloc(sizeof(*eff));

	if (!c || !eff) {
		free(c);
		free(eff);
		return false;
	}
	pr_info("reloading %s", d->conf_path ? d->conf_path : "(no file)");
	if (read_conf(d, c, report)) {
		pr_err("reload rejected; the running configuration is unchanged");
		goto out;
	}
	if (strcmp(c->pin_path, d->conf.pin_path))
		warn_conf(report, "daemon.pin_path changes on restart only");
	if (strcmp(c->run_dir, d->conf.run_dir))
		warn_conf(report, "daemon.run_dir changes on restart only");
	if (c->n_ifaces != d->conf.n_ifaces ||
	    memcmp(c->ifaces, d->conf.ifaces, sizeof(c->ifaces[0]) * c->n_ifaces)) {
		warn_conf(report, "interface changes take effect on restart only");
		memcpy(c->ifaces, d->conf.ifaces, sizeof(c->ifaces));
		c->n_ifaces = d->conf.n_ifaces;
	}
	snprintf(c->pin_path, sizeof(c->pin_path), "%s", d->conf.pin_path);
	snprintf(c->run_dir, sizeof(c->run_dir), "%s", d->conf.run_dir);
	if (c->shield.buckets != d->conf.shield.buckets)
		warn_conf(report, "shield.buckets changes when the program is loaded again "
				  "(restart with a new build, or --purge)");
	*eff = *c;
	siftd_replay(eff, d->live);
	sift_probe_sync(d->probe, &eff->routing);
	if (siftd_install(d, eff)) {
		pr_err("reload rejected; the running configuration is unchanged");
		if (report)
			json_array_append_new(json_object_get(report, "errors"),
					      json_string("the fast path refused the configuration "
							  "(siftd's log says why)"));
		sift_probe_sync(d->probe, &d->eff->routing);
		goto out;
	}
	sift_log_set_level(c->log_level);
	if (c->transit != d->conf.transit)
		log_transit(c);
	d->conf = *c;
	*d->eff = *eff;
	siftd_live_save(d);
	sift_probe_config(d->probe, c->probe_interval, c->probe_failures);
	sift_probe_watch(d->probe, d->loader.maps.watch, c->probe_invite_timeout_ms);
	sift_probe_sync(d->probe, &d->eff->routing);
	sift_punt_update(&d->punt, &d->conf);
	pr_info("reload done");
	done = true;
out:
	free(c);
	free(eff);
	return done;
}

json_t *siftd_reload(struct siftd *d)
{
	json_t *report = json_pack("{s:[], s:[]}", "errors", "warnings");
	unsigned int interval = d->conf.probe_interval;
	bool ok;

	sd_notify(0, "RELOADING=1\nSTATUS=reloading");
	ok = reload(d, report);
	if (interval != d->conf.probe_interval)
		arm_timer(d);
	sd_notify(0, "READY=1\nSTATUS=running");
	json_object_set_new(report, "ok", json_boolean(ok));
	json_object_set_new(report, "config",
			    json_string(d->conf_path ? d->conf_path : "(no file)"));
	return report;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void arm_timer(struct siftd *d)
{
	struct itimerspec its = {};

	/* each backend has its own jittered time; the tick is their resolution */
	if (d->conf.probe_interval)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = SIFT_PROBE_TICK_MS * 1000000l;
	timerfd_settime(d->timer_fd, 0, &its, NULL);
}

/* The fast path saw a backend gone (bpf/unreach.bpf.h). */
static int on_unreach(void *ctx, void *data, size_t len)
{
	struct siftd *d = ctx;
	const struct sift_unreach_event *ev = data;

	if (len >= sizeof(*ev))
		d->unreach_changed |= sift_probe_gone(d->probe, &ev->addr, ev->port, ev->why);
	return 0;
}

static json_t *control_handler(void *arg, json_t *req)
{
	return siftd_control(arg, req);
}

enum { FD_SIGNAL, FD_CTL, FD_TIMER, FD_PROBE4, FD_PROBE6, FD_PUNT };

static int run(struct siftd *d)
{
	struct pollfd pfd[FD_PUNT + SIFT_PUNT_MAX_FDS + 16 + SIFTD_CTL_CLIENTS + 1 + 1 + 1 + 1];
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		return -errno;
	}

	for (;;) {
		struct signalfd_siginfo si;
		unsigned int np = FD_PUNT;
		__u64 ticks;
		bool changed = false;

		pfd[FD_SIGNAL] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[FD_CTL] = (struct pollfd){ .fd = -1 }; /* the control socket: below, with its clients */
		pfd[FD_TIMER] = (struct pollfd){ .fd = d->timer_fd, .events = POLLIN };
		pfd[FD_PROBE4] = (struct pollfd){ .fd = d->probe->fd4, .events = POLLIN };
		pfd[FD_PROBE6] = (struct pollfd){ .fd = d->probe->fd6, .events = POLLIN };
		unsigned int dns_at, n_dns, ctl_at, n_ctl, met_at, unr_at;
		int wait_ms, ctl_ms;

		for (unsigned int i = 0; i < d->punt.n_fds; i++)
			pfd[np++] = (struct pollfd){ .fd = d->punt.fds[i], .events = POLLIN };
		/* every TCP and TLS listener and connection, through one epoll set (conn.h) */
		pfd[np++] = (struct pollfd){ .fd = d->punt.conns.ep, .events = POLLIN };
		/* the resolver's sockets: a slow DNS server never holds the loop up */
		dns_at = np;
		n_dns = sift_dns_pollfds(d->punt.cl.dns, &pfd[np], 16);
		np += n_dns;
		/* the control socket and its clients, read and written as they are ready */
		ctl_at = np;
		n_ctl = siftd_ctl_pollfds(&d->ctl, &pfd[np]);
		np += n_ctl;
		/* backends the fast path saw gone */
		unr_at = np;
		if (d->unreach)
			pfd[np++] = (struct pollfd){ .fd = ring_buffer__epoll_fd(d->unreach),
						     .events = POLLIN };
		/* Prometheus scrapes (metrics.h) */
		met_at = np;
		np += sift_metrics_pollfd(d->metrics, &pfd[np]);
		/* the transactions', the resolver's, idle clients' and scrapes' timers bound the wait */
		wait_ms = sift_punt_timeout_ms(&d->punt);
		ctl_ms = siftd_ctl_timeout_ms(&d->ctl);
		if (ctl_ms >= 0 && (wait_ms < 0 || ctl_ms < wait_ms))
			wait_ms = ctl_ms;
		ctl_ms = sift_metrics_timeout_ms(d->metrics);
		if (ctl_ms >= 0 && (wait_ms < 0 || ctl_ms < wait_ms))
			wait_ms = ctl_ms;
		if (poll(pfd, np, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			break;
		}
		for (unsigned int i = FD_PUNT; i < dns_at - 1; i++)
			if (pfd[i].revents & POLLIN)
				sift_punt_input(&d->punt, pfd[i].fd);
		if (pfd[dns_at - 1].revents & POLLIN)
			sift_conns_process(&d->punt.conns);
		sift_dns_process(d->punt.cl.dns, &pfd[dns_at], n_dns);
		sift_punt_tick(&d->punt);
		if (pfd[FD_PROBE4].revents & POLLIN)
			changed |= sift_probe_input(d->probe, d->probe->fd4);
		if (pfd[FD_PROBE6].revents & POLLIN)
			changed |= sift_probe_input(d->probe, d->probe->fd6);
		if ((pfd[FD_TIMER].revents & POLLIN) &&
		    read(d->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
			changed |= sift_probe_tick(d->probe, now_ms());
		if (unr_at < met_at && pfd[unr_at].revents) {
			d->unreach_changed = false;
			ring_buffer__consume(d->unreach);
			changed |= d->unreach_changed;
		}
		if (changed)
			siftd_install(d, d->eff);
		siftd_ctl_process(&d->ctl, &pfd[ctl_at], n_ctl, control_handler, d);
		if (met_at < np && pfd[met_at].revents)
			sift_metrics_process(d->metrics);
		else if (d->metrics && !sift_metrics_timeout_ms(d->metrics))
			sift_metrics_process(d->metrics); /* its timeouts */
		if (!(pfd[FD_SIGNAL].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			pr_info("SIGHUP");
			json_decref(siftd_reload(d));
			continue;
		}
		sd_notify(0, "STOPPING=1\nSTATUS=stopping");
		pr_info("%s: stopping", strsignal(si.ssi_signo));
		break;
	}
	close(sfd);
	return 0;
}

/* Everything the running daemon needs beside the attached program. */
static int start_services(struct siftd *d)
{
	char err[512];
	int ret;

	d->eff = malloc(sizeof(*d->eff));
	d->fwd = malloc(sizeof(*d->fwd));
	d->probe = calloc(1, sizeof(*d->probe));
	if (!d->eff || !d->fwd || !d->probe)
		return -ENOMEM;
	sift_fwd_state_init(d->fwd);
	d->ctl_fd = sift_ctl_listen(d->conf.run_dir, err, sizeof(err));
	siftd_ctl_init(&d->ctl, d->ctl_fd);
	if (d->ctl_fd < 0) {
		pr_err("%s", err);
		return d->ctl_fd;
	}
	live_load(d);
	*d->eff = d->conf;
	siftd_replay(d->eff, d->live);
	ret = sift_probe_open(d->probe, d->conf.probe_interval, d->conf.probe_failures);
	if (ret) {
		pr_err("probe sockets: %s", strerror(-ret));
		return ret;
	}
	sift_faces_build(&d->conf, d->views);
	sift_sysctl_forwarding_on(&d->sysctls, &d->conf);
	sift_probe_watch(d->probe, d->loader.maps.watch, d->conf.probe_invite_timeout_ms);
	sift_probe_sync(d->probe, &d->eff->routing);
	ret = siftd_install(d, d->eff);
	if (ret)
		return ret;
	log_transit(&d->conf);
	siftd_live_save(d);
	ret = sift_punt_open(&d->punt, &d->conf, &d->loader.maps, d->loader.buckets_fd, d->fwd);
	if (ret)
		return ret;
	memcpy(d->punt.key, d->key, sizeof(d->key));
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->timer_fd < 0)
		return -errno;
	arm_timer(d);
	if (d->loader.maps.unreach >= 0)
		d->unreach = ring_buffer__new(d->loader.maps.unreach, on_unreach, d, NULL);
	if (!d->unreach)
		pr_warn("no ring buffer from the fast path: backends leave the table on probes only");
	if (d->conf.metrics_listen[0]) {
		d->metrics = sift_metrics_start(d, d->conf.metrics_listen);
		if (!d->metrics)
			return -EADDRNOTAVAIL;
	}
	return 0;
}

static void stop_services(struct siftd *d)
{
	sift_metrics_stop(d->metrics);
	d->metrics = NULL;
	ring_buffer__free(d->unreach);
	d->unreach = NULL;
	siftd_ctl_close_all(&d->ctl);
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		sift_ctl_unlink(d->conf.run_dir);
	}
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	sift_punt_close(&d->punt);
	if (d->probe)
		sift_probe_close(d->probe);
	json_decref(d->live);
	free(d->eff);
	if (d->fwd)
		sift_fwd_state_free(d->fwd);
	free(d->fwd);
	free(d->probe);
}

/* Remove everything pinned under @pin_path: it is sift's own directory. */
static int purge(const char *pin_path)
{
	struct sift_iface rec;
	struct dirent *de;
	__u32 key, next;
	DIR *dir;
	int fd;

	fd = sift_map_open(pin_path, SIFT_STR(SIFT_MAP_IFACES));
	if (fd >= 0) {
		for (int r = bpf_map_get_next_key(fd, NULL, &next); !r;
		     r = bpf_map_get_next_key(fd, &key, &next)) {
			key = next;
			if (!bpf_map_lookup_elem(fd, &key, &rec) &&
			    sift_siftd_alive(rec.siftd_pid)) {
				pr_err("siftd (pid %u) still runs on %s; stop it first",
				       rec.siftd_pid, rec.name);
				close(fd);
				return EXIT_FAILURE;
			}
		}
		close(fd);
	}
	dir = opendir(pin_path);
	if (!dir) {
		if (errno == ENOENT)
			return EXIT_SUCCESS;
		pr_err("%s: %s", pin_path, strerror(errno));
		return EXIT_FAILURE;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0))
			pr_warn("unlink %s/%s: %s", pin_path, de->d_name, strerror(errno));
	}
	closedir(dir);
	if (rmdir(pin_path))
		pr_warn("rmdir %s: %s", pin_path, strerror(errno));
	pr_info("removed the maps pinned under %s", pin_path);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "interface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "keep-attached", no_argument, NULL, 'k' },
		{ "pin-path", required_argument, NULL, 'p' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "check", no_argument, NULL, 't' },
		{ "purge", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct sift_link_req req[SIFT_MAX_IFACES];
	struct siftd *d = calloc(1, sizeof(*d));
	bool check_only = false, do_purge = false;
	sigset_t mask;
	int opt, err;

	if (!d)
		return EXIT_FAILURE;
	d->ctl_fd = d->timer_fd = -1;
	sift_log_init("siftd", SIFT_LOG_INFO);
	sift_log_daemon();

	while ((opt = getopt_long(argc, argv, "c:i:m:kp:r:tvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d->conf_path = optarg;
			break;
		case 'i':
			if (d->n_cli_ifaces == SIFT_MAX_IFACES) {
				pr_err("at most %d interfaces", SIFT_MAX_IFACES);
				return EXIT_USAGE;
			}
			d->cli_ifaces[d->n_cli_ifaces++] = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "native")) {
				d->cli_mode = SIFT_MODE_NATIVE;
			} else if (!strcmp(optarg, "skb")) {
				d->cli_mode = SIFT_MODE_SKB;
			} else {
				pr_err("--mode must be native or skb, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'k':
			d->cli_keep_attached = true;
			break;
		case 'p':
			d->cli_pin_path = optarg;
			break;
		case 'r':
			d->cli_run_dir = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'P':
			do_purge = true;
			break;
		case 'v':
			d->verbose = true;
			sift_log_set_level(SIFT_LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	if (read_conf(d, &d->conf, NULL))
		return EXIT_USAGE;
	sift_log_set_level(d->conf.log_level);
	if (do_purge)
		return purge(d->conf.pin_path);
	if (!d->conf.n_ifaces) {
		pr_err("no interfaces: give -i IFACE or list them under 'interfaces:' in the "
		       "configuration");
		return EXIT_USAGE;
	}
	if (check_ifaces(&d->conf))
		return EXIT_USAGE;
	if (check_only) {
		printf("%s: configuration ok\n", d->conf_path ? d->conf_path : "command line");
		return EXIT_SUCCESS;
	}

	/* Signals arrive through signalfd only; SIGPIPE never kills us. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (unsigned int i = 0; i < d->conf.n_ifaces; i++) {
		int fd = lock_iface(d->conf.ifaces[i].name);

		if (fd < 0) {
			unlock_all(d);
			return EXIT_FAILURE;
		}
		d->locks[d->n_locks++] = fd;
		req[i].name = d->conf.ifaces[i].name;
		req[i].mode = d->conf.ifaces[i].mode ?: d->conf.mode;
		/* Native is the default and may fall back; an explicit mode is obeyed. */
		req[i].fallback = !d->cli_mode && !d->conf.ifaces[i].mode;
	}

	err = sift_loader_start(&d->loader, d->conf.pin_path, req, d->conf.n_ifaces,
				d->conf.shield.buckets);
	if (err) {
		unlock_all(d);
		return EXIT_FAILURE;
	}
	err = start_services(d);
	if (!err) {
		pr_info("running (pid %d)", getpid());
		/* systemd (Type=notify): attached, listening, the slow path up */
		sd_notifyf(0, "READY=1\nSTATUS=running on %u interface%s\nMAINPID=%lu",
			   d->conf.n_ifaces, d->conf.n_ifaces == 1 ? "" : "s",
			   (unsigned long)getpid());
		err = run(d);
	}
	stop_services(d);

	if (d->conf.keep_attached && !err) {
		pr_info("leaving sift_xdp attached and maps pinned (--keep-attached)");
		sift_sysctl_keep(&d->sysctls, &d->conf);
	} else {
		sift_loader_detach(&d->loader);
		sift_sysctl_restore(&d->sysctls, &d->conf);
	}
	sift_loader_close(&d->loader);
	unlock_all(d);
	free(d);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
