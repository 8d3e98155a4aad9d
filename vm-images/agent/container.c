// Containers: create (overlay rootfs, cgroup, namespaces, mounts, devices, pivot_root, network),
// start, exec into a running container, delete.
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

struct container *all_containers;

static struct container *container_find(const char *id) {
    for (struct container *c = all_containers; c; c = c->next)
        if (strcmp(c->id, id) == 0) return c;
    return NULL;
}

static void reply_einval(uint32_t req, const char *op, const char *message) {
    struct err e;
    fail_errno(&e, EINVAL, op, "");
    snprintf(e.message, sizeof e.message, "%s", message);
    reply_error(req, &e);
}

/* ---- mount options, as runc reads them ---- */

static const struct {
    const char *name;
    int clear;
    unsigned long flag;
} mount_flags[] = {
    {"ro", 0, MS_RDONLY},         {"rw", 1, MS_RDONLY},           {"nosuid", 0, MS_NOSUID},
    {"suid", 1, MS_NOSUID},       {"nodev", 0, MS_NODEV},         {"dev", 1, MS_NODEV},
    {"noexec", 0, MS_NOEXEC},     {"exec", 1, MS_NOEXEC},         {"sync", 0, MS_SYNCHRONOUS},
    {"async", 1, MS_SYNCHRONOUS}, {"dirsync", 0, MS_DIRSYNC},     {"remount", 0, MS_REMOUNT},
    {"mand", 0, MS_MANDLOCK},     {"nomand", 1, MS_MANDLOCK},     {"atime", 1, MS_NOATIME},
    {"noatime", 0, MS_NOATIME},   {"diratime", 1, MS_NODIRATIME}, {"nodiratime", 0, MS_NODIRATIME},
    {"bind", 0, MS_BIND},         {"rbind", 0, MS_BIND | MS_REC}, {"relatime", 0, MS_RELATIME},
    {"norelatime", 1, MS_RELATIME}, {"strictatime", 0, MS_STRICTATIME}, {"nostrictatime", 1, MS_STRICTATIME},
};

static const struct {
    const char *name;
    unsigned long flag;
} propagation_flags[] = {
    {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE}, {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static void parse_options(const struct json *options, unsigned long *flags, unsigned long *propagation, struct buf *data) {
    *flags = *propagation = 0;
    for (size_t i = 0; options && i < options->length; i++) {
        const struct json *o = options->items[i];
        if (o->type != JSON_STRING) continue;
        int known = 0;
        for (size_t k = 0; k < sizeof mount_flags / sizeof mount_flags[0] && !known; k++) {
            if (strcmp(o->string, mount_flags[k].name) != 0) continue;
            known = 1;
            if (mount_flags[k].clear) *flags &= ~mount_flags[k].flag;
            else *flags |= mount_flags[k].flag;
        }
        for (size_t k = 0; k < sizeof propagation_flags / sizeof propagation_flags[0] && !known; k++) {
            if (strcmp(o->string, propagation_flags[k].name) != 0) continue;
            known = 1;
            *propagation |= propagation_flags[k].flag;
        }
        if (known) continue;
        if (data->len) buf_addc(data, ',');
        buf_add(data, o->string, o->length);
    }
}

/* The flags a bind remount must keep (the kernel refuses to drop some and would clear the others). */
static unsigned long kept_flags(const char *path) {
    struct statvfs st;
    unsigned long flags = 0;
    if (statvfs(path, &st) < 0) return 0;
    if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (st.f_flag & ST_RDONLY) flags |= MS_RDONLY;
    return flags;
}

/* Creates the parent directories of path and path itself as a directory or an empty file. */
static int make_target(const char *path, int directory, struct err *e) {
    struct stat st;
    if (lstat(path, &st) == 0) return 0;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent, 0755) < 0) return fail(e, "mkdir", parent);
    }
    if (directory) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return fail(e, "mkdir", path);
    } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return fail(e, "open", path);
        close(fd);
    }
    return 0;
}

/*
 * The host path of a path inside the container, resolved the way runc's securejoin does: symlinks met
 * on the way are followed inside the root (an absolute link restarts at the root, `..` stops at it),
 * so an image cannot point a mount or a device at the guest's own files. A `..` written in the spec
 * itself is refused: the engine never sends one, so it is an escape attempt.
 */
static int secure_join(const char *root, const char *unsafe, char *out, size_t size, struct err *e) {
    for (const char *p = unsafe; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            fail_errno(e, EINVAL, "resolve", unsafe);
            snprintf(e->message, sizeof e->message, "the path escapes the container root");
            return -1;
        }
        p += n + (end ? 1 : 0);
    }
    char pending[PATH_MAX]; /* components still to resolve */
    char resolved[PATH_MAX] = ""; /* resolved so far, relative to root, starting with / or empty */
    snprintf(pending, sizeof pending, "%s", unsafe);
    for (int links = 0;;) {
        char *p = pending;
        while (*p == '/') p++;
        if (!*p) break;
        char *slash = strchr(p, '/');
        char component[NAME_MAX + 1];
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n > NAME_MAX) return fail_errno(e, ENAMETOOLONG, "resolve", unsafe);
        memcpy(component, p, n);
        component[n] = 0;
        char rest[PATH_MAX];
        snprintf(rest, sizeof rest, "%s", slash ? slash : "");
        if (strcmp(component, ".") == 0) {
            snprintf(pending, sizeof pending, "%s", rest);
            continue;
        }
        if (strcmp(component, "..") == 0) { /* only from a symlink's target: stop at the root */
            char *last = strrchr(resolved, '/');
            if (last) *last = 0;
            snprintf(pending, sizeof pending, "%s", rest);
            continue;
        }
        char candidate[PATH_MAX], host[PATH_MAX];
        if ((size_t)snprintf(candidate, sizeof candidate, "%s/%s", resolved, component) >= sizeof candidate)
            return fail_errno(e, ENAMETOOLONG, "resolve", unsafe);
        path_join(host, sizeof host, root, candidate);
        struct stat st;
        if (lstat(host, &st) == 0 && S_ISLNK(st.st_mode)) {
            if (++links > 40) return fail_errno(e, ELOOP, "resolve", unsafe);
            char target[PATH_MAX];
            ssize_t len = readlink(host, target, sizeof target - 1);
            if (len < 0) return fail(e, "readlink", host);
            target[len] = 0;
            if (target[0] == '/') resolved[0] = 0;
            char next[PATH_MAX];
            if ((size_t)snprintf(next, sizeof next, "%s%s", target, rest) >= sizeof next) return fail_errno(e, ENAMETOOLONG, "resolve", unsafe);
            snprintf(pending, sizeof pending, "%s", next);
            continue;
        }
        snprintf(resolved, sizeof resolved, "%s", candidate);
        snprintf(pending, sizeof pending, "%s", rest);
    }
    path_join(out, size, root, resolved[0] ? resolved : "/");
    return 0;
}

static int mount_one(const char *root, const struct json *m, struct err *e) {
    const char *destination = json_get_string(m, "destination", "");
    const char *type = json_get_string(m, "type", "");
    const char *source = json_get_string(m, "source", "");
    char target[PATH_MAX];
    unsigned long flags, propagation;
    struct buf data = {0};
    if (secure_join(root, destination, target, sizeof target, e) < 0) return -1;
    parse_options(json_get_array(m, "options"), &flags, &propagation, &data);
    int bind = strcmp(type, "bind") == 0 || (flags & MS_BIND);
    int r = 0;
    if (bind) {
        struct stat st;
        if (stat(source, &st) < 0) {
            r = fail(e, "stat", source);
        } else if (make_target(target, S_ISDIR(st.st_mode), e) < 0) {
            r = -1;
        } else if (mount(source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) {
            r = fail(e, "mount", target);
        } else if ((flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) &&
                   mount(NULL, target, NULL, (flags & ~MS_REC) | MS_BIND | MS_REMOUNT | kept_flags(target), NULL) < 0) {
            r = fail(e, "mount", target);
        }
    } else {
        if (make_target(target, 1, e) < 0) r = -1;
        else if (mount(source, target, type, flags, data.len ? data.data : NULL) < 0) r = fail(e, "mount", target);
    }
    if (r == 0 && propagation && mount(NULL, target, NULL, propagation, NULL) < 0) r = fail(e, "mount", target);
    buf_free(&data);
    return r;
}

static int make_device(const char *root, const struct json *d, struct err *e) {
    char target[PATH_MAX];
    if (secure_join(root, json_get_string(d, "path", ""), target, sizeof target, e) < 0) return -1;
    const char *type = json_get_string(d, "type", "c");
    mode_t kind = type[0] == 'b' ? S_IFBLK : type[0] == 'p' ? S_IFIFO : S_IFCHR;
    mode_t mode = (mode_t)json_get_int(d, "mode", 0666) & 07777;
    dev_t dev = makedev((unsigned)json_get_int(d, "major", 0), (unsigned)json_get_int(d, "minor", 0));
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", target);
    *strrchr(parent, '/') = 0;
    if (mkdir_p(parent, 0755) < 0) return fail(e, "mkdir", parent);
    unlink(target);
    if (mknod(target, kind | mode, dev) < 0) return fail(e, "mknod", target);
    if (chmod(target, mode) < 0) return fail(e, "chmod", target);
    if (lchown(target, (uid_t)json_get_int(d, "uid", 0), (gid_t)json_get_int(d, "gid", 0)) < 0) return fail(e, "chown", target);
    return 0;
}

static int make_symlink(const char *root, const struct json *l, struct err *e) {
    char target[PATH_MAX];
    if (secure_join(root, json_get_string(l, "path", ""), target, sizeof target, e) < 0) return -1;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", target);
    *strrchr(parent, '/') = 0;
    if (mkdir_p(parent, 0755) < 0) return fail(e, "mkdir", parent);
    unlink(target);
    if (symlink(json_get_string(l, "target", ""), target) < 0) return fail(e, "symlink", target);
    return 0;
}

static int mask_path(const char *path, struct err *e) {
    struct stat st;
    if (stat(path, &st) < 0) return errno == ENOENT ? 0 : fail(e, "stat", path);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0) return fail(e, "mount", path);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
        return fail(e, "mount", path);
    }
    return 0;
}

static int readonly_path(const char *path, struct err *e) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) return errno == ENOENT ? 0 : fail(e, "mount", path);
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags(path), NULL) < 0) return fail(e, "mount", path);
    return 0;
}

static int join_namespace(const char *path, int type, struct err *e) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(e, "open", path);
    int r = setns(fd, type);
    close(fd);
    return r < 0 ? fail(e, "setns", path) : 0;
}

/* A namespace entry: true (new), false (the agent's), or a path to join. */
static int ns_mode(const struct json *namespaces, const char *name, int fallback, const char **path) {
    const struct json *v = json_get(namespaces, name);
    *path = NULL;
    if (!v) return fallback;
    if (v->type == JSON_BOOL) return (int)v->number;
    if (v->type == JSON_STRING) {
        if (strcmp(v->string, "new") == 0) return 1;
        if (strcmp(v->string, "host") == 0) return 0;
        *path = v->string;
        return 0;
    }
    return fallback;
}

/* ---- the container's first process, between clone and execve ---- */

struct child_setup {
    const struct json *args;
    const struct json *spec;
    struct stdio_plan plan;
    int report, sync;
    const char *merged;
    int wait_network;
};

static int read_sync(int fd) {
    char c;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 1) return c;
        if (n < 0 && errno == EINTR) continue;
        _exit(1); /* the agent gave up on us (delete, or create failed) */
    }
}

static int setup_container(struct child_setup *cs, struct err *e) {
    const struct json *args = cs->args;
    const struct json *namespaces = json_get(args, "namespaces");
    const char *path;
    if (child_stdio(&cs->plan, e) < 0) return -1;
    child_keep_fds(cs->report, cs->sync);
    /* Namespaces given as paths are joined (the others are new or the agent's from clone). */
    static const struct { const char *name; int type; } joinable[] = {
        {"net", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}};
    for (size_t i = 0; i < 3; i++) {
        ns_mode(namespaces, joinable[i].name, 0, &path);
        if (path && join_namespace(path, joinable[i].type, e) < 0) return -1;
    }
    /* A private cgroup namespace (docker's default on cgroup v2), rooted at the container's cgroup: the
     * process is in it from birth, so unsharing now makes /sys/fs/cgroup show only the container. */
    if (json_get_bool(namespaces, "cgroup", 0) && unshare(CLONE_NEWCGROUP) < 0) return fail(e, "unshare", "cgroup");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return fail(e, "mount", "/");
    const struct json *list = json_get_array(args, "mounts");
    for (size_t i = 0; list && i < list->length; i++)
        if (mount_one(cs->merged, list->items[i], e) < 0) return -1;
    list = json_get_array(args, "devices");
    for (size_t i = 0; list && i < list->length; i++)
        if (make_device(cs->merged, list->items[i], e) < 0) return -1;
    list = json_get_array(args, "symlinks");
    for (size_t i = 0; list && i < list->length; i++)
        if (make_symlink(cs->merged, list->items[i], e) < 0) return -1;

    if (ns_mode(namespaces, "net", 1, &path)) {
        const struct json *network = json_get(args, "network");
        if (cs->wait_network) read_sync(cs->sync);
        if (net_configure_inside(json_get_string(network, "address", ""), json_get_string(network, "gateway", ""), e) < 0)
            return -1;
    }

    if (chdir(cs->merged) < 0) return fail(e, "chdir", cs->merged);
    if (syscall(SYS_pivot_root, ".", ".") < 0) return fail(e, "pivot_root", cs->merged);
    if (umount2(".", MNT_DETACH) < 0) return fail(e, "umount", "/");
    if (chdir("/") < 0) return fail(e, "chdir", "/");

    list = json_get_array(args, "maskedPaths");
    for (size_t i = 0; list && i < list->length; i++)
        if (list->items[i]->type == JSON_STRING && mask_path(list->items[i]->string, e) < 0) return -1;
    list = json_get_array(args, "readonlyPaths");
    for (size_t i = 0; list && i < list->length; i++)
        if (list->items[i]->type == JSON_STRING && readonly_path(list->items[i]->string, e) < 0) return -1;
    if (json_get_bool(args, "readonly", 0) &&
        mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_flags("/"), NULL) < 0)
        return fail(e, "mount", "/");

    if (child_inside_pty(&cs->plan, cs->report, 1, e) < 0) return -1;

    const char *hostname = json_get_string(args, "hostname", "");
    if (*hostname && ns_mode(namespaces, "uts", 1, &path) && sethostname(hostname, strlen(hostname)) < 0)
        return fail(e, "sethostname", "");
    if (child_identity(cs->spec, e) < 0) return -1;
    const char *cwd = json_get_string(cs->spec, "cwd", "/");
    if (chdir(*cwd ? cwd : "/") < 0) return fail(e, "chdir", cwd);
    return 0;
}

static void container_child(struct child_setup *cs) {
    struct err e;
    if (setup_container(cs, &e) < 0) child_fail(cs->report, &e);
    struct report ready = {.ready = 1};
    if (write(cs->report, &ready, sizeof ready) != sizeof ready) _exit(1);
    read_sync(cs->sync); /* start */
    child_exec(cs->spec, &e);
    child_fail(cs->report, &e);
}

/* ---- create ---- */

static int mount_rootfs(const struct json *rootfs, const char *merged, struct err *e) {
    const struct json *lower = json_get_array(rootfs, "lower");
    const char *upper = json_get_string(rootfs, "upper", "");
    const char *work = json_get_string(rootfs, "work", "");
    struct buf data = {0};
    int r = -1;
    if (!lower || lower->length == 0) {
        fail_errno(e, EINVAL, "mount", merged);
        snprintf(e->message, sizeof e->message, "rootfs.lower is empty");
        return -1;
    }
    buf_add(&data, "lowerdir=", 9);
    for (size_t i = 0; i < lower->length; i++) {
        const char *dir = lower->items[i]->type == JSON_STRING ? lower->items[i]->string : "";
        if (mkdir_p(dir, 0755) < 0) {
            fail(e, "mkdir", dir);
            goto out;
        }
        if (i) buf_addc(&data, ':');
        buf_add(&data, dir, strlen(dir));
    }
    if (*upper) {
        if (mkdir_p(upper, 0755) < 0) {
            fail(e, "mkdir", upper);
            goto out;
        }
        if (mkdir_p(work, 0755) < 0) {
            fail(e, "mkdir", work);
            goto out;
        }
        buf_printf(&data, ",upperdir=%s,workdir=%s", upper, work);
    }
    if (mkdir_p(merged, 0755) < 0) {
        fail(e, "mkdir", merged);
        goto out;
    }
    if (!*upper && lower->length == 1) {
        /* overlayfs wants two lower layers without an upper: a read-only bind mount is the same thing */
        const char *only = lower->items[0]->string;
        if (mount(only, merged, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, merged, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
            fail(e, "mount", merged);
            goto out;
        }
    } else if (mount("overlay", merged, "overlay", *upper ? 0 : MS_RDONLY, data.data) < 0) {
        fail(e, "mount", merged);
        goto out;
    }
    r = 0;
out:
    buf_free(&data);
    return r;
}

static int setup_cgroup(const struct json *cgroup, struct err *e) {
    const char *path = json_get_string(cgroup, "path", "");
    if (cgroup_create(path, e) < 0) return -1;
    const struct json *settings = json_get(cgroup, "settings");
    for (size_t i = 0; settings && settings->type == JSON_OBJECT && i < settings->length; i++) {
        const struct json *v = settings->items[i];
        char file[PATH_MAX];
        path_join(file, sizeof file, path, settings->keys[i]);
        if (v->type != JSON_STRING) continue;
        if (write_file(file, v->string, v->length, e) < 0) return -1;
    }
    /* before anything runs in the cgroup: the kernel must refuse what the rules do not allow */
    const struct json *devices = json_get(cgroup, "devices");
    if (devices && devices->type == JSON_OBJECT && cgroup_devices(path, devices, e) < 0) return -1;
    return 0;
}

static void free_container(struct container *c) {
    for (struct container **pp = &all_containers; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->init && c->init->container == c) c->init->container = NULL;
    if (c->sync_fd >= 0) close(c->sync_fd);
    free(c);
}

/* Kills, reaps and unmounts what is left; the errors of the last step that failed go to e. */
static int destroy_container(struct container *c, struct err *e) {
    int r = 0;
    if (c->cgroup[0]) {
        char kill_file[PATH_MAX];
        path_join(kill_file, sizeof kill_file, c->cgroup, "cgroup.kill");
        struct err ignored;
        write_file(kill_file, "1", 1, &ignored);
    }
    if (c->sync_fd >= 0) {
        close(c->sync_fd); /* a child still waiting for start exits */
        c->sync_fd = -1;
    }
    if (!c->reaped && c->pid > 0) {
        int status;
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
        }
        c->reaped = 1;
        process_reaped(c->pid, status);
    }
    if (c->merged[0]) {
        while (umount2(c->merged, MNT_DETACH) == 0) {
        }
        if (errno != EINVAL && errno != ENOENT) r = fail(e, "umount", c->merged);
    }
    if (c->cgroup[0] && cgroup_destroy(c->cgroup, e) < 0) r = -1;
    if (c->host_veth[0] && net_delete_link(c->host_veth, e) < 0) r = -1;
    return r;
}

void container_create_failed(struct container *c) {
    struct err e;
    struct process *init = c->init;
    destroy_container(c, &e);
    if (init) process_discard(init);
    free_container(c);
}

void container_reaped(pid_t pid) {
    for (struct container *c = all_containers; c; c = c->next)
        if (c->pid == pid) c->reaped = 1;
}

void op_create(uint32_t req, const struct json *args) {
    struct err e;
    const char *id = json_get_string(args, "id", "");
    const struct json *rootfs = json_get(args, "rootfs");
    const char *merged = json_get_string(rootfs, "merged", "");
    const struct json *cgroup = json_get(args, "cgroup");
    const char *cgroup_path = json_get_string(cgroup, "path", "");
    const struct json *namespaces = json_get(args, "namespaces");
    const struct json *network = json_get(args, "network");
    const struct json *spec = json_get(args, "process");
    if (!*id || !*merged || !*cgroup_path || !spec) return reply_einval(req, "create", "create needs id, rootfs.merged, cgroup.path and process");
    if (container_find(id)) {
        fail_errno(&e, EEXIST, "create", "");
        snprintf(e.message, sizeof e.message, "container %.200s exists", id);
        return reply_error(req, &e);
    }
    const char *path;
    int new_net = ns_mode(namespaces, "net", 1, &path);
    int with_veth = new_net && network && network->type == JSON_OBJECT && *json_get_string(network, "hostVeth", "");

    struct container *c = calloc(1, sizeof *c);
    if (!c) abort();
    snprintf(c->id, sizeof c->id, "%s", id);
    c->sync_fd = -1;
    c->pid = -1;
    c->reaped = 1;
    c->next = all_containers;
    all_containers = c;
    struct child_setup cs = {.args = args, .spec = spec, .merged = merged, .wait_network = with_veth};
    int sync[2] = {-1, -1}, report[2] = {-1, -1}, cgroup_fd = -1;
    struct process *p = NULL;

    if (mount_rootfs(rootfs, merged, &e) < 0) goto failed;
    snprintf(c->merged, sizeof c->merged, "%s", merged);
    snprintf(c->cgroup, sizeof c->cgroup, "%s", cgroup_path);
    if (setup_cgroup(cgroup, &e) < 0) goto failed;
    cgroup_fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_fd < 0) {
        fail(&e, "open", cgroup_path);
        goto failed;
    }
    p = process_prepare(spec, 1, &cs.plan, &e);
    if (!p) goto failed;
    p->container = c;
    c->init = p;
    snprintf(p->cgroup, sizeof p->cgroup, "%s", cgroup_path);
    p->oom_at_start = read_oom_kills(cgroup_path);
    if (pipe2(sync, O_CLOEXEC) < 0) {
        fail(&e, "pipe", "");
        goto failed;
    }
    if (report_channel(report, &e) < 0) goto failed;
    cs.report = report[1];
    cs.sync = sync[0];

    unsigned long long flags = CLONE_NEWNS | CLONE_INTO_CGROUP;
    if (ns_mode(namespaces, "pid", 1, &path)) flags |= CLONE_NEWPID;
    if (ns_mode(namespaces, "ipc", 1, &path)) flags |= CLONE_NEWIPC;
    if (ns_mode(namespaces, "uts", 1, &path)) flags |= CLONE_NEWUTS;
    if (new_net) flags |= CLONE_NEWNET;
    struct clone_args ca = {.flags = flags, .exit_signal = SIGCHLD, .cgroup = (unsigned)cgroup_fd};
    long pid = syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0) container_child(&cs);
    if (pid < 0) {
        fail(&e, "clone", cgroup_path);
        goto failed;
    }
    close(cgroup_fd);
    cgroup_fd = -1;
    close(sync[0]);
    close(report[1]);
    process_started(p, &cs.plan, (pid_t)pid);
    c->pid = (pid_t)pid;
    c->reaped = 0;
    c->sync_fd = sync[1];
    set_nonblocking(report[0]);
    p->report_fd = report[0];
    p->report_kind = REPORT_CREATE;
    p->report_request = req;
    c->pending_create = 1;
    if (with_veth) {
        const char *veth = json_get_string(network, "hostVeth", "");
        snprintf(c->host_veth, sizeof c->host_veth, "%s", veth);
        if (net_create_veth(veth, json_get_string(network, "bridge", "docker0"), c->pid,
                            json_get_string(network, "mac", ""), (int)json_get_int(network, "mtu", 0), &e) < 0) {
            c->host_veth[0] = 0; /* not ours: it may be another container's */
            if (e.errnum != EEXIST) snprintf(c->host_veth, sizeof c->host_veth, "%s", veth);
            reply_error(req, &e);
            container_create_failed(c);
            return;
        }
        if (write(c->sync_fd, "N", 1) != 1) {
            /* the child is gone; its report pipe says so */
        }
    }
    return;

failed:
    if (cgroup_fd >= 0) close(cgroup_fd);
    for (int i = 0; i < 2; i++) {
        if (sync[i] >= 0) close(sync[i]);
        if (report[i] >= 0) close(report[i]);
    }
    if (p) {
        struct stdio_plan *plan = &cs.plan;
        for (int i = 0; i < 3; i++)
            if (plan->fd[i] >= 0 && (i == 0 || plan->fd[i] != plan->fd[i - 1])) close(plan->fd[i]);
    }
    reply_error(req, &e);
    container_create_failed(c);
}

/* ---- start ---- */

void op_start(uint32_t req, const struct json *args) {
    struct container *c = container_find(json_get_string(args, "id", ""));
    if (!c) {
        struct err e;
        fail_errno(&e, ENOENT, "start", "");
        snprintf(e.message, sizeof e.message, "no such container");
        return reply_error(req, &e);
    }
    struct process *p = c->init;
    if (c->pending_create || !p || c->sync_fd < 0 || p->report_fd < 0)
        return reply_einval(req, "start", "the container is not created or already started");
    if (write(c->sync_fd, "S", 1) != 1) {
        struct err e;
        fail(&e, "write", "");
        return reply_error(req, &e);
    }
    close(c->sync_fd);
    c->sync_fd = -1;
    p->report_kind = REPORT_START;
    p->report_request = req;
}

/* ---- exec ---- */

static int own_pid_ns = -1;

void op_exec(uint32_t req, const struct json *args) {
    struct err e;
    struct container *c = container_find(json_get_string(args, "container", ""));
    if (!c || c->reaped || c->pid <= 0) {
        fail_errno(&e, ESRCH, "exec", "");
        snprintf(e.message, sizeof e.message, "the container is not running");
        return reply_error(req, &e);
    }
    if (own_pid_ns < 0) own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    static const struct { const char *name; int type; } kinds[] = {
        {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},       {"net", CLONE_NEWNET},
        {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};
    enum { NS_COUNT = 6 };
    int ns[NS_COUNT];
    for (int i = 0; i < NS_COUNT; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)c->pid, kinds[i].name);
        ns[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (ns[i] < 0) {
            fail(&e, "open", path);
            while (i-- > 0) close(ns[i]);
            return reply_error(req, &e);
        }
    }
    struct stdio_plan plan;
    const struct json *spec = json_get(args, "process");
    struct process *p = process_prepare(spec, 1, &plan, &e);
    int report[2] = {-1, -1};
    pid_t pid = -1;
    if (!p) goto out;
    snprintf(p->cgroup, sizeof p->cgroup, "%s", c->cgroup);
    p->oom_at_start = read_oom_kills(c->cgroup);
    if (report_channel(report, &e) < 0) goto out;
    /* Children of the agent from here on are born in the container's pid namespace. */
    if (setns(ns[3], CLONE_NEWPID) < 0) {
        fail(&e, "setns", "pid");
        goto out;
    }
    pid = fork();
    if (pid == 0) {
        close(report[0]);
        char procs[PATH_MAX];
        path_join(procs, sizeof procs, c->cgroup, "cgroup.procs");
        if (child_stdio(&plan, &e) < 0) child_fail(report[1], &e);
        if (write_file(procs, "0", 1, &e) < 0) child_fail(report[1], &e);
        for (int i = 0; i < NS_COUNT; i++) {
            if (i == 3) continue; /* pid: the agent joined it for this fork */
            if (setns(ns[i], kinds[i].type) < 0) {
                fail(&e, "setns", kinds[i].name);
                child_fail(report[1], &e);
            }
        }
        child_keep_fds(report[1], -1);
        if (child_inside_pty(&plan, report[1], 0, &e) < 0) child_fail(report[1], &e);
        const char *cwd = json_get_string(spec, "cwd", "/");
        if (child_identity(spec, &e) < 0) child_fail(report[1], &e);
        if (chdir(*cwd ? cwd : "/") < 0) {
            fail(&e, "chdir", cwd);
            child_fail(report[1], &e);
        }
        child_exec(spec, &e);
        child_fail(report[1], &e);
    }
    if (pid < 0) fail(&e, "fork", "");
    if (setns(own_pid_ns, CLONE_NEWPID) < 0) agent_log("setns back to the agent's pid namespace: %s", strerror(errno));
out:
    for (int i = 0; i < NS_COUNT; i++) close(ns[i]);
    if (report[1] >= 0) close(report[1]);
    if (pid < 0) {
        if (report[0] >= 0) close(report[0]);
        if (p) {
            for (int i = 0; i < 3; i++)
                if (plan.fd[i] >= 0 && (i == 0 || plan.fd[i] != plan.fd[i - 1])) close(plan.fd[i]);
            process_discard(p);
        }
        return reply_error(req, &e);
    }
    process_started(p, &plan, pid);
    set_nonblocking(report[0]);
    p->report_fd = report[0];
    p->report_kind = REPORT_EXEC;
    p->report_request = req;
}

/* ---- delete ---- */

void op_delete(uint32_t req, const struct json *args) {
    struct container *c = container_find(json_get_string(args, "id", ""));
    if (!c) return reply_ok(req, "");
    struct err e;
    struct process *init = c->init;
    if (init && init->report_kind == REPORT_CREATE) {
        /* create has not answered yet: it will answer with an error, and forget the process */
        init->container = NULL;
        c->init = NULL;
    }
    int r = destroy_container(c, &e);
    free_container(c);
    if (r < 0) reply_error(req, &e);
    else reply_ok(req, "");
}
