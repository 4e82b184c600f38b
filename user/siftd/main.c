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

#include "config.h"
#include "loader.h"
#include "log.h"
#include "maps.h"
#include "proc.h"

#define EXIT_USAGE 2

struct siftd {
	struct sift_conf conf;
	const char *conf_path; /* NULL: flags only */
	/* Command-line settings win over the file, also across reloads. */
	const char *cli_ifaces[SIFT_MAX_IFACES];
	unsigned int n_cli_ifaces;
	int cli_mode;
	bool cli_keep_attached;
	const char *cli_pin_path;
	bool verbose;

	struct sift_loader loader;
	int locks[SIFT_MAX_IFACES];
	unsigned int n_locks;
};

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
		"  -t, --check            check the configuration and exit\n"
		"      --purge            remove the pinned maps (siftd must not be running) and exit\n"
		"  -v, --verbose          debug logging, including libbpf's and libxdp's\n"
		"  -h, --help             this text\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 runtime error, 2 bad usage or configuration.\n",
		SIFT_PIN_PATH_DEFAULT);
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
	if (d->verbose)
		c->log_level = SIFT_LOG_DEBUG;
	return 0;
}

static int read_conf(struct siftd *d, struct sift_conf *c)
{
	char err[512];
	int ret;

	sift_conf_defaults(c);
	if (d->conf_path) {
		ret = sift_conf_load_file(c, d->conf_path, err, sizeof(err));
		if (ret) {
			pr_err("%s", err);
			return ret;
		}
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

static int install_conf(struct siftd *d, const struct sift_conf *c)
{
	int err = sift_ports_set(d->loader.maps.ports, c->sip_ports, c->n_sip_ports);

	if (err)
		pr_err("install SIP ports: %s", strerror(-err));
	return err;
}

/*
 * SIGHUP: read the file again.  A bad file changes nothing; settings that
 * need a restart (interfaces, pin path) are reported and left as they are.
 */
static void reload(struct siftd *d)
{
	struct sift_conf *c = malloc(sizeof(*c));

	if (!c)
		return;
	pr_info("SIGHUP: reloading %s", d->conf_path ? d->conf_path : "(no file)");
	if (read_conf(d, c)) {
		pr_err("reload rejected; the running configuration is unchanged");
		goto out;
	}
	if (strcmp(c->pin_path, d->conf.pin_path))
		pr_warn("daemon.pin_path changes on restart only");
	if (c->n_ifaces != d->conf.n_ifaces ||
	    memcmp(c->ifaces, d->conf.ifaces, sizeof(c->ifaces[0]) * c->n_ifaces))
		pr_warn("interface changes take effect on restart only");
	if (install_conf(d, c)) {
		/* Put the old table back: never leave half of the new one. */
		install_conf(d, &d->conf);
		goto out;
	}
	sift_log_set_level(c->log_level);
	memcpy(c->ifaces, d->conf.ifaces, sizeof(c->ifaces));
	c->n_ifaces = d->conf.n_ifaces;
	snprintf(c->pin_path, sizeof(c->pin_path), "%s", d->conf.pin_path);
	d->conf = *c;
	pr_info("reload done");
out:
	free(c);
}

static int run(struct siftd *d)
{
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
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		struct signalfd_siginfo si;

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			break;
		}
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			reload(d);
			continue;
		}
		pr_info("%s: stopping", strsignal(si.ssi_signo));
		break;
	}
	close(sfd);
	return 0;
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
	sift_log_init("siftd", SIFT_LOG_INFO);

	while ((opt = getopt_long(argc, argv, "c:i:m:kp:tvh", opts, NULL)) != -1) {
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

	if (read_conf(d, &d->conf))
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

	err = sift_loader_start(&d->loader, d->conf.pin_path, req, d->conf.n_ifaces);
	if (err) {
		unlock_all(d);
		return EXIT_FAILURE;
	}
	err = install_conf(d, &d->conf);
	if (!err) {
		pr_info("running (pid %d)", getpid());
		err = run(d);
	}

	if (d->conf.keep_attached && !err) {
		pr_info("leaving sift_xdp attached and maps pinned (--keep-attached)");
	} else {
		sift_loader_detach(&d->loader);
	}
	sift_loader_close(&d->loader);
	unlock_all(d);
	free(d);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
