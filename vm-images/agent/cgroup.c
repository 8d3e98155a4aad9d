// cgroup v2 operations: freeze/thaw (answered once cgroup.events agrees), killall, removal.
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 5000
#define FREEZE_POLL_MS 5

struct freeze_wait {
    uint32_t request;
    char events[PATH_MAX];
    int frozen;
    long long deadline;
    struct freeze_wait *next;
};

static struct freeze_wait *freeze_waits;

/* 1 when cgroup.events has "KEY want", 0 when not, -1 when it cannot be read. */
static int events_say(const char *events, const char *key, int want) {
    struct buf b = {0};
    int r = -1;
    if (read_file(events, &b, 4096) == 0 && b.data) {
        char needle[64];
        snprintf(needle, sizeof needle, "%s ", key);
        const char *at = strstr(b.data, needle);
        r = at && atoi(at + strlen(needle)) == want;
    }
    buf_free(&b);
    return r;
}

void op_freeze(uint32_t req, const struct json *args) {
    struct err e;
    const char *cgroup = json_get_string(args, "cgroup", "");
    int frozen = json_get_bool(args, "frozen", 1);
    char file[PATH_MAX];
    path_join(file, sizeof file, cgroup, "cgroup.freeze");
    if (write_file(file, frozen ? "1" : "0", 1, &e) < 0) return reply_error(req, &e);
    struct freeze_wait *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->request = req;
    path_join(w->events, sizeof w->events, cgroup, "cgroup.events");
    w->frozen = frozen;
    w->deadline = now_ms() + FREEZE_TIMEOUT_MS;
    w->next = freeze_waits;
    freeze_waits = w;
    freeze_check();
}

int freeze_poll_timeout(void) { return freeze_waits ? FREEZE_POLL_MS : -1; }

void freeze_check(void) {
    for (struct freeze_wait **pp = &freeze_waits; *pp;) {
        struct freeze_wait *w = *pp;
        int state = events_say(w->events, "frozen", w->frozen);
        struct err e;
        if (state == 1) {
            reply_ok(w->request, "");
        } else if (state < 0) {
            fail(&e, "open", w->events);
            reply_error(w->request, &e);
        } else if (now_ms() > w->deadline) {
            fail_errno(&e, ETIMEDOUT, "freeze", w->events);
            reply_error(w->request, &e);
        } else {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        free(w);
    }
}

void op_killall(uint32_t req, const struct json *args) {
    struct err e;
    const char *cgroup = json_get_string(args, "cgroup", "");
    int sig = (int)json_get_int(args, "signal", SIGKILL);
    char file[PATH_MAX];
    if (sig == SIGKILL) {
        path_join(file, sizeof file, cgroup, "cgroup.kill");
        if (write_file(file, "1", 1, &e) < 0) return reply_error(req, &e);
        return reply_ok(req, "");
    }
    struct buf procs = {0};
    path_join(file, sizeof file, cgroup, "cgroup.procs");
    if (read_file(file, &procs, 1 << 20) < 0) {
        fail(&e, "open", file);
        buf_free(&procs);
        return reply_error(req, &e);
    }
    for (char *line = procs.data; line && *line;) {
        pid_t pid = (pid_t)atoi(line);
        if (pid > 0) kill(pid, sig);
        char *next = strchr(line, '\n');
        line = next ? next + 1 : NULL;
    }
    buf_free(&procs);
    reply_ok(req, "");
}

int cgroup_destroy(const char *path, struct err *e) {
    char file[PATH_MAX];
    path_join(file, sizeof file, path, "cgroup.kill");
    struct err ignored;
    if (write_file(file, "1", 1, &ignored) < 0 && ignored.errnum == ENOENT) return 0; /* gone already */
    long long deadline = now_ms() + 1000;
    for (;;) {
        if (rmdir(path) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || now_ms() > deadline) return fail(e, "rmdir", path);
        usleep(1000);
    }
}

/* Enables in one cgroup, for its children, every controller it has (as runc does for each parent). */
static int enable_controllers(const char *dir, struct err *e) {
    char file[PATH_MAX];
    struct buf have = {0}, enabled = {0}, want = {0};
    int r = 0;
    path_join(file, sizeof file, dir, "cgroup.controllers");
    if (read_file(file, &have, 4096) < 0) goto out; /* not a cgroup (above the mount): nothing to do */
    path_join(file, sizeof file, dir, "cgroup.subtree_control");
    if (read_file(file, &enabled, 4096) < 0) {
        r = fail(e, "open", file);
        goto out;
    }
    if (have.len == enabled.len && (have.len == 0 || memcmp(have.data, enabled.data, have.len) == 0)) goto out;
    for (char *name = strtok(have.data, " \n"); name; name = strtok(NULL, " \n")) buf_printf(&want, "+%s ", name);
    if (want.len) r = write_file(file, want.data, want.len, e);
out:
    buf_free(&have);
    buf_free(&enabled);
    buf_free(&want);
    return r;
}

int cgroup_create(const char *path, struct err *e) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    if (mkdir_p(dir, 0755) < 0) return fail(e, "mkdir", path);
    /* every ancestor, top-down: a cgroup can only enable what its parent enabled */
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        int r = enable_controllers(dir, e);
        *slash = '/';
        if (r < 0) return -1;
    }
    return 0;
}
