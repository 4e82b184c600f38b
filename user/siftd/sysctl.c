// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "sysctl.h"

static const char *const families[] = { "ipv4", "ipv6" };

static void forwarding_path(char *out, size_t len, int fam, const char *ifname)
{
	snprintf(out, len, "/proc/sys/net/%s/conf/%s/forwarding", families[fam], ifname);
}

/* "net.ipv4.conf.eth0.forwarding", as sysctl(8) names it, for the log. */
static const char *sysctl_name(const char *path, char *buf, size_t len)
{
	const char *p = path + strlen("/proc/sys/");
	size_t i;

	for (i = 0; p[i] && i + 1 < len; i++)
		buf[i] = p[i] == '/' ? '.' : p[i];
	buf[i] = '\0';
	return buf;
}

/* The value of a sysctl, trimmed; 0 or -errno. */
static int read_value(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static int write_value(const char *path, const char *val)
{
	char line[SIFT_SYSCTL_VALUE + 1];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, ret = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(line, sizeof(line), "%s\n", val);
	if (write(fd, line, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

static void file_path(const struct sift_conf *c, char *out, size_t len)
{
	if (snprintf(out, len, "%s/%s", c->run_dir, SIFT_SYSCTL_FILE) >= (int)len)
		out[0] = '\0'; /* cannot happen: run_dir fits a socket path */
}

static unsigned long long netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (unsigned long long)st.st_ino;
}

static struct sift_sysctl *find(struct sift_sysctls *s, const char *path)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].path, path))
			return &s->e[i];
	return NULL;
}

static void add(struct sift_sysctls *s, const char *path, const char *was)
{
	if (find(s, path) || s->n == SIFT_SYSCTL_MAX)
		return;
	snprintf(s->e[s->n].path, sizeof(s->e[0].path), "%s", path);
	snprintf(s->e[s->n].was, sizeof(s->e[0].was), "%s", was);
	s->n++;
}

static void drop(struct sift_sysctls *s, unsigned int i)
{
	s->e[i] = s->e[--s->n];
}

/* Is @path the forwarding sysctl of one of @c's interfaces? */
static bool managed(const struct sift_conf *c, const char *path)
{
	char p[SIFT_SYSCTL_PATH];

	for (unsigned int i = 0; i < c->n_ifaces; i++)
		for (int f = 0; f < 2; f++) {
			forwarding_path(p, sizeof(p), f, c->ifaces[i].name);
			if (!strcmp(p, path))
				return true;
		}
	return false;
}

/* What an earlier siftd left in the file (once). */
static void load(struct sift_sysctls *s, const struct sift_conf *c)
{
	char path[PATH_MAX], line[256], p[SIFT_SYSCTL_PATH], v[SIFT_SYSCTL_VALUE];
	unsigned long long ns = 0;
	FILE *f;

	if (s->loaded)
		return;
	s->loaded = true;
	file_path(c, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "netns %llu", &ns) != 1 ||
	    ns != netns_ino()) {
		pr_warn("%s is not from this network namespace; ignored", path);
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%95s %15s", p, v) == 2 && !strncmp(p, "/proc/sys/net/", 14))
			add(s, p, v);
	fclose(f);
	if (s->n)
		pr_info("%s: %u sysctls an earlier siftd changed; their values before it are put "
			"back when sift detaches",
			path, s->n);
}

/* Keep what is owed in the file, or remove it when nothing is. */
static void save(const struct sift_sysctls *s, const struct sift_conf *c)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	file_path(c, path, sizeof(path));
	if (!s->n) {
		if (unlink(path) && errno != ENOENT)
			pr_warn("unlink %s: %s", path, strerror(errno));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "netns %llu\n", netns_ino());
		for (unsigned int i = 0; i < s->n; i++)
			fprintf(f, "%s %s\n", s->e[i].path, s->e[i].was);
	}
	if (!f || fclose(f) || rename(tmp, path)) {
		pr_warn("cannot keep the sysctls' values in %s (%s): they are put back when this "
			"siftd detaches, but not by a later one",
			path, strerror(errno));
		unlink(tmp);
	}
}

void sift_sysctl_forwarding_on(struct sift_sysctls *s, const struct sift_conf *c)
{
	char path[SIFT_SYSCTL_PATH], cur[SIFT_SYSCTL_MAX][SIFT_SYSCTL_VALUE], name[128];
	int r[SIFT_SYSCTL_MAX];
	unsigned int k = 0;

	load(s, c);
	/* first what is there, kept in the file before anything changes */
	for (unsigned int i = 0; i < c->n_ifaces; i++)
		for (int f = 0; f < 2; f++, k++) {
			forwarding_path(path, sizeof(path), f, c->ifaces[i].name);
			r[k] = read_value(path, cur[k], sizeof(cur[k]));
			if (!r[k] && strcmp(cur[k], "1"))
				add(s, path, cur[k]);
		}
	save(s, c);

	k = 0;
	for (unsigned int i = 0; i < c->n_ifaces; i++)
		for (int f = 0; f < 2; f++, k++) {
			const char *ifname = c->ifaces[i].name;
			struct sift_sysctl *e;
			int w;

			forwarding_path(path, sizeof(path), f, ifname);
			sysctl_name(path, name, sizeof(name));
			e = find(s, path);
			if (r[k] == -ENOENT)
				continue; /* IPv6 off on this interface */
			if (!r[k] && !strcmp(cur[k], "1")) {
				if (e)
					pr_info("%s is 1 (an earlier siftd turned it on; it was %s, "
						"and is put back when sift detaches)",
						name, e->was);
				continue;
			}
			w = r[k] ? r[k] : write_value(path, "1");
			if (w) {
				pr_warn("%s: cannot turn %s forwarding on (%s); forwarded messages "
					"will be punted as forwarding_off",
					ifname, families[f], strerror(-w));
				if (e)
					drop(s, e - s->e);
				continue;
			}
			pr_info("%s: turned %s forwarding on, the fast path's FIB lookups need it "
				"(%s was %s; put back when sift detaches)",
				ifname, families[f], name, cur[k]);
		}
	save(s, c);

	/* per-interface IPv6 forwarding makes the kernel a router there: it ignores RAs */
	for (unsigned int i = 0; i < c->n_ifaces; i++) {
		char ra[SIFT_SYSCTL_VALUE];

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra",
			 c->ifaces[i].name);
		if (!read_value(path, ra, sizeof(ra)) && !strcmp(ra, "1"))
			pr_warn("%s: accept_ra is 1, so with forwarding on the kernel ignores router "
				"advertisements here (set it to 2 if this interface configures "
				"itself from them)",
				c->ifaces[i].name);
	}
}

void sift_sysctl_restore(struct sift_sysctls *s, const struct sift_conf *c)
{
	char now[SIFT_SYSCTL_VALUE], name[128];

	load(s, c);
	for (unsigned int i = s->n; i-- > 0;) {
		const struct sift_sysctl *e = &s->e[i];
		int r;

		if (!managed(c, e->path))
			continue; /* another interface's, for the siftd that manages it */
		sysctl_name(e->path, name, sizeof(name));
		r = read_value(e->path, now, sizeof(now));
		if (!r && !strcmp(now, e->was))
			pr_info("%s is %s, as siftd found it", name, e->was);
		else if (!r && !(r = write_value(e->path, e->was)))
			pr_info("%s put back to %s (from %s)", name, e->was, now);
		if (r == -ENOENT)
			pr_info("%s: gone with its interface", name);
		else if (r)
			pr_warn("%s: cannot put it back to %s: %s", name, e->was, strerror(-r));
		drop(s, i);
	}
	save(s, c);
}

void sift_sysctl_keep(const struct sift_sysctls *s, const struct sift_conf *c)
{
	char path[PATH_MAX];
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n; i++)
		n += managed(c, s->e[i].path);
	if (!n)
		return;
	file_path(c, path, sizeof(path));
	pr_info("leaving forwarding on for the attached program (its FIB lookups need it); "
		"the %u values siftd found are kept in %s for the siftd that detaches it",
		n, path);
}

json_t *sift_sysctl_json(const struct sift_sysctls *s, const struct sift_conf *c)
{
	json_t *a = json_array();
	char now[SIFT_SYSCTL_VALUE], name[128];

	for (unsigned int i = 0; i < s->n; i++) {
		const struct sift_sysctl *e = &s->e[i];

		if (!managed(c, e->path))
			continue;
		if (read_value(e->path, now, sizeof(now)))
			snprintf(now, sizeof(now), "?");
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "sysctl",
						   sysctl_name(e->path, name, sizeof(name)), "was",
						   e->was, "now", now));
	}
	return a;
}
