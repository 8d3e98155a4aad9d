// Files: read and write small files; unpack a layer (busybox tar, then OCI whiteouts become overlayfs
// ones), pack a directory into a tar (overlayfs whiteouts back to OCI ones), and list an upper
// layer's changes as docker does. The slow ones run in a worker (see job_start).
#define _GNU_SOURCE
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SMALL_FILE_MAX (1 << 20)

/* ---- read, write ---- */

void op_read(uint32_t req, const struct json *args) {
    const struct json *paths = json_get_array(args, "paths");
    struct buf reply = {0}, text = {0}, content = {0};
    buf_add(&reply, "{\"ok\":true,\"files\":{", 20);
    for (size_t i = 0; paths && i < paths->length; i++) {
        const struct json *p = paths->items[i];
        if (p->type != JSON_STRING) continue;
        if (i) buf_addc(&reply, ',');
        buf_json_string(&reply, p->string, p->length);
        buf_addc(&reply, ':');
        content.len = text.len = 0;
        /* null when unreadable, or when it would make the reply larger than a frame */
        if (read_file(p->string, &content, SMALL_FILE_MAX) == 0) {
            buf_json_string(&text, content.data ? content.data : "", content.len);
            if (reply.len + text.len + 64 < MAX_PAYLOAD) {
                buf_add(&reply, text.data, text.len);
                continue;
            }
        }
        buf_add(&reply, "null", 4);
    }
    buf_add(&reply, "}}", 2);
    send_frame(FRAME_REPLY, req, reply.data, reply.len);
    buf_free(&reply);
    buf_free(&text);
    buf_free(&content);
}

void op_write(uint32_t req, const struct json *args) {
    struct err e;
    const char *path = json_get_string(args, "path", "");
    const struct json *content = json_get(args, "content");
    mode_t mode = (mode_t)json_get_int(args, "mode", 0644) & 07777;
    if (!*path || !content || content->type != JSON_STRING) {
        fail_errno(&e, EINVAL, "write", path);
        snprintf(e.message, sizeof e.message, "write needs path and content");
        return reply_error(req, &e);
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent, 0755) < 0) {
            fail(&e, "mkdir", parent);
            return reply_error(req, &e);
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        fail(&e, "open", path);
        return reply_error(req, &e);
    }
    const char *data = content->string;
    size_t n = content->length;
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            fail(&e, "write", path);
            close(fd);
            return reply_error(req, &e);
        }
        data += w;
        n -= (size_t)w;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) != mode) fchmod(fd, mode);
    if (close(fd) < 0) {
        fail(&e, "close", path);
        return reply_error(req, &e);
    }
    reply_ok(req, "");
}

/* ---- workers' helpers ---- */

static void job_error(struct buf *reply, const struct err *e) { error_to_json(reply, e); }

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted entries of a directory (without . and ..); NULL with errno on failure. */
static char **list_dir(const char *dir, size_t *count) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
            if (!names) abort();
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (!names) names = calloc(1, sizeof *names); /* before qsort: its argument is declared non-null */
    if (!names) abort();
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

static void free_list(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int remove_tree(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        size_t n;
        char **names = list_dir(path, &n);
        if (!names) return -1;
        for (size_t i = 0; i < n; i++) {
            char child[PATH_MAX];
            path_join(child, sizeof child, path, names[i]);
            remove_tree(child);
        }
        free_list(names, n);
        return rmdir(path);
    }
    return unlink(path);
}

/* ---- unpack ---- */

static int convert_whiteouts(const char *dir, struct err *e) {
    size_t n;
    char **names = list_dir(dir, &n);
    if (!names) return fail(e, "opendir", dir);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char path[PATH_MAX];
        path_join(path, sizeof path, dir, names[i]);
        struct stat st;
        if (strcmp(names[i], ".wh..wh..opq") == 0) {
            if (unlink(path) < 0) r = fail(e, "unlink", path);
            else if (lsetxattr(dir, "trusted.overlay.opaque", "y", 1, 0) < 0) r = fail(e, "setxattr", dir);
        } else if (strncmp(names[i], ".wh.", 4) == 0) {
            char target[PATH_MAX];
            path_join(target, sizeof target, dir, names[i] + 4);
            if (unlink(path) < 0) r = fail(e, "unlink", path);
            else if (strncmp(names[i], ".wh..wh.", 8) == 0) continue; /* other aufs metadata: dropped */
            else if (remove_tree(target) < 0) r = fail(e, "unlink", target);
            else if (mknod(target, S_IFCHR, makedev(0, 0)) < 0) r = fail(e, "mknod", target);
        } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            r = convert_whiteouts(path, e);
        }
    }
    free_list(names, n);
    return r;
}

/* Runs argv (a busybox applet), with stderr kept for the error message. */
static int run_tool(char *const argv[], struct err *e) {
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) return fail(e, "pipe", "");
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(errpipe[1], 2);
        reset_signals();
        execv(argv[0], argv);
        _exit(127);
    }
    close(errpipe[1]);
    if (pid < 0) {
        close(errpipe[0]);
        return fail(e, "fork", "");
    }
    struct buf err = {0};
    char chunk[1024];
    ssize_t n;
    while ((n = read(errpipe[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && err.len < 4096) buf_add(&err, chunk, (size_t)n);
    close(errpipe[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int r = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail_errno(e, EIO, argv[0], "");
        while (err.len && (err.data[err.len - 1] == '\n' || err.data[err.len - 1] == '\r')) err.data[--err.len] = 0;
        snprintf(e->message, sizeof e->message, "%s", err.len ? err.data : "failed");
        r = -1;
    }
    buf_free(&err);
    return r;
}

static void unpack_job(const struct json *args, struct buf *reply) {
    struct err e;
    const char *tar = json_get_string(args, "tar", "");
    const char *dir = json_get_string(args, "dir", "");
    umask(0);
    if (mkdir_p(dir, 0755) < 0) {
        fail(&e, "mkdir", dir);
        return job_error(reply, &e);
    }
    char *argv[] = {"/bin/tar", "-x", "--numeric-owner", "-f", (char *)tar, "-C", (char *)dir, NULL, NULL};
    if (json_get_bool(args, "gzip", 0)) argv[7] = "-z";
    if (run_tool(argv, &e) < 0) {
        snprintf(e.path, sizeof e.path, "%s", tar);
        return job_error(reply, &e);
    }
    if (convert_whiteouts(dir, &e) < 0) return job_error(reply, &e);
    buf_add(reply, "{\"ok\":true}", 11);
}

void op_unpack(uint32_t req, const struct json *args) { job_start(req, args, unpack_job); }

/* ---- pack: a tar writer (ustar, with pax records for long names) ---- */

struct tar_writer {
    int fd;
    int whiteouts;
    struct err *e;
    struct hardlink { dev_t dev; ino_t ino; char *name; } *links;
    size_t nlinks, caplinks;
};

static int put(struct tar_writer *t, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(t->fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return fail(t->e, "write", "");
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void octal(char *field, size_t size, unsigned long long value) {
    snprintf(field, size, "%0*llo", (int)size - 1, value);
}

static int pad(struct tar_writer *t, unsigned long long size) {
    static const char zeros[512];
    size_t rest = (size_t)(size % 512);
    return rest ? put(t, zeros, 512 - rest) : 0;
}

static void pax_record(struct buf *b, const char *key, const char *value) {
    size_t body = strlen(key) + strlen(value) + 3; /* " " "=" "\n" */
    size_t len = body + 1;
    while (1) {
        char digits[24];
        size_t total = body + (size_t)snprintf(digits, sizeof digits, "%zu", len);
        if (total == len) break;
        len = total;
    }
    buf_printf(b, "%zu %s=%s\n", len, key, value);
}

static int header(struct tar_writer *t, const char *name, const char *link, char type, mode_t mode, uid_t uid,
                  gid_t gid, unsigned long long size, long long mtime, unsigned major, unsigned minor) {
    char h[512];
    memset(h, 0, sizeof h);
    size_t nl = strlen(name), ll = link ? strlen(link) : 0;
    const char *prefix_end = NULL;
    if (nl > 100) {
        /* ustar's prefix field: split at a slash so the rest fits in name */
        for (const char *s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
            if ((size_t)(s - name) <= 155 && nl - (size_t)(s - name) - 1 <= 100 && s > name) {
                prefix_end = s;
                break;
            }
        }
    }
    if ((nl > 100 && !prefix_end) || ll > 100) {
        struct buf pax = {0};
        if (nl > 100 && !prefix_end) pax_record(&pax, "path", name);
        if (ll > 100) pax_record(&pax, "linkpath", link);
        int r = header(t, "PaxHeader", NULL, 'x', 0644, 0, 0, pax.len, mtime, 0, 0);
        if (r == 0) r = put(t, pax.data, pax.len);
        if (r == 0) r = pad(t, pax.len);
        buf_free(&pax);
        if (r) return r;
        if (nl > 100 && !prefix_end) nl = 100;
        if (ll > 100) ll = 100;
    }
    if (prefix_end) {
        memcpy(h + 345, name, (size_t)(prefix_end - name));
        memcpy(h, prefix_end + 1, strlen(prefix_end + 1));
    } else {
        memcpy(h, name, nl);
    }
    octal(h + 100, 8, mode & 07777);
    octal(h + 108, 8, uid);
    octal(h + 116, 8, gid);
    octal(h + 124, 12, size);
    octal(h + 136, 12, (unsigned long long)(mtime < 0 ? 0 : mtime));
    h[156] = type;
    if (link) memcpy(h + 157, link, ll);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    octal(h + 329, 8, major);
    octal(h + 337, 8, minor);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
    return put(t, h, 512);
}

static int pack_file(struct tar_writer *t, const char *path, const char *name, const struct stat *st) {
    if (st->st_nlink > 1) {
        for (size_t i = 0; i < t->nlinks; i++)
            if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
                return header(t, name, t->links[i].name, '1', st->st_mode, st->st_uid, st->st_gid, 0, st->st_mtime, 0, 0);
        if (t->nlinks == t->caplinks) {
            t->caplinks = t->caplinks ? t->caplinks * 2 : 16;
            t->links = realloc(t->links, t->caplinks * sizeof *t->links);
            if (!t->links) abort();
        }
        t->links[t->nlinks++] = (struct hardlink){st->st_dev, st->st_ino, strdup(name)};
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return fail(t->e, "open", path);
    unsigned long long size = (unsigned long long)st->st_size, done = 0;
    int r = header(t, name, NULL, '0', st->st_mode, st->st_uid, st->st_gid, size, st->st_mtime, 0, 0);
    static char chunk[65536];
    while (r == 0 && done < size) {
        size_t want = size - done < sizeof chunk ? (size_t)(size - done) : sizeof chunk;
        ssize_t n = read(fd, chunk, want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            r = fail(t->e, "read", path);
            break;
        }
        if (n == 0) { /* the file shrank: keep the archive well-formed */
            memset(chunk, 0, want);
            n = (ssize_t)want;
        }
        r = put(t, chunk, (size_t)n);
        done += (unsigned long long)n;
    }
    close(fd);
    return r ? r : pad(t, size);
}

static int pack_entry(struct tar_writer *t, const char *path, const char *name) {
    struct stat st;
    if (lstat(path, &st) < 0) return fail(t->e, "lstat", path);
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    char entry[PATH_MAX + 8];
    int r = 0;
    if (S_ISREG(st.st_mode)) {
        r = pack_file(t, path, name, &st);
    } else if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0) return fail(t->e, "readlink", path);
        target[n] = 0;
        r = header(t, name, target, '2', st.st_mode, st.st_uid, st.st_gid, 0, st.st_mtime, 0, 0);
    } else if (S_ISCHR(st.st_mode) && t->whiteouts && st.st_rdev == makedev(0, 0)) {
        snprintf(entry, sizeof entry, "%.*s.wh.%s", (int)(base - name), name, base);
        r = header(t, entry, NULL, '0', 0600, st.st_uid, st.st_gid, 0, st.st_mtime, 0, 0);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        r = header(t, name, NULL, S_ISCHR(st.st_mode) ? '3' : '4', st.st_mode, st.st_uid, st.st_gid, 0, st.st_mtime,
                   major(st.st_rdev), minor(st.st_rdev));
    } else if (S_ISFIFO(st.st_mode)) {
        r = header(t, name, NULL, '6', st.st_mode, st.st_uid, st.st_gid, 0, st.st_mtime, 0, 0);
    } else if (S_ISDIR(st.st_mode)) {
        if (*name) {
            snprintf(entry, sizeof entry, "%s/", name);
            r = header(t, entry, NULL, '5', st.st_mode, st.st_uid, st.st_gid, 0, st.st_mtime, 0, 0);
            char opaque[2];
            if (r == 0 && t->whiteouts && lgetxattr(path, "trusted.overlay.opaque", opaque, 2) == 1 && opaque[0] == 'y') {
                snprintf(entry, sizeof entry, "%s/.wh..wh..opq", name);
                r = header(t, entry, NULL, '0', st.st_mode & 0777, st.st_uid, st.st_gid, 0, st.st_mtime, 0, 0);
            }
        }
        size_t n;
        char **names = r ? NULL : list_dir(path, &n);
        if (!r && !names) r = fail(t->e, "opendir", path);
        for (size_t i = 0; names && i < n && r == 0; i++) {
            char child[PATH_MAX], child_name[PATH_MAX];
            path_join(child, sizeof child, path, names[i]);
            if (*name) snprintf(child_name, sizeof child_name, "%s/%s", name, names[i]);
            else snprintf(child_name, sizeof child_name, "%s", names[i]);
            r = pack_entry(t, child, child_name);
        }
        if (names) free_list(names, n);
    } /* sockets are skipped, as docker does */
    return r;
}

static void pack_job(const struct json *args, struct buf *reply) {
    struct err e;
    const char *dir = json_get_string(args, "dir", "");
    const char *tar = json_get_string(args, "tar", "");
    const struct json *paths = json_get_array(args, "paths");
    struct tar_writer t = {.whiteouts = json_get_bool(args, "whiteouts", 0), .e = &e};
    t.fd = open(tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (t.fd < 0) {
        fail(&e, "open", tar);
        return job_error(reply, &e);
    }
    int r = 0;
    for (size_t i = 0; (paths ? i < paths->length : i < 1) && r == 0; i++) {
        const char *rel = paths ? (paths->items[i]->type == JSON_STRING ? paths->items[i]->string : ".") : ".";
        while (rel[0] == '.' && rel[1] == '/') rel += 2;
        while (*rel == '/') rel++;
        char path[PATH_MAX], name[PATH_MAX];
        snprintf(name, sizeof name, "%s", strcmp(rel, ".") == 0 ? "" : rel);
        size_t nl = strlen(name);
        while (nl && name[nl - 1] == '/') name[--nl] = 0;
        path_join(path, sizeof path, dir, name);
        r = pack_entry(&t, path, name);
    }
    static const char end[1024];
    if (r == 0) r = put(&t, end, sizeof end);
    if (close(t.fd) < 0 && r == 0) r = fail(&e, "close", tar);
    if (r) return job_error(reply, &e);
    buf_add(reply, "{\"ok\":true}", 11);
}

void op_pack(uint32_t req, const struct json *args) { job_start(req, args, pack_job); }

/* ---- changes (docker's archive.Changes for overlay upper layers) ---- */

struct change {
    char *path;
    int kind;
};

struct changes {
    struct change *list;
    size_t n, cap;
    char **dirs; /* changedDirs */
    size_t ndirs, capdirs;
    const struct json *lower;
};

static void add_change(struct changes *c, const char *path, int kind) {
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->list = realloc(c->list, c->cap * sizeof *c->list);
        if (!c->list) abort();
    }
    c->list[c->n++] = (struct change){strdup(path), kind};
}

static int dir_changed(struct changes *c, const char *path) {
    for (size_t i = 0; i < c->ndirs; i++)
        if (strcmp(c->dirs[i], path) == 0) return 1;
    return 0;
}

static void mark_dir(struct changes *c, const char *path) {
    if (c->ndirs == c->capdirs) {
        c->capdirs = c->capdirs ? c->capdirs * 2 : 64;
        c->dirs = realloc(c->dirs, c->capdirs * sizeof *c->dirs);
        if (!c->dirs) abort();
    }
    c->dirs[c->ndirs++] = strdup(path);
}

static int same_time(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec == b->tv_sec && (a->tv_nsec == b->tv_nsec || a->tv_nsec == 0 || b->tv_nsec == 0);
}

static int walk_changes(struct changes *c, const char *upper, const char *rel, struct err *e) {
    char dir[PATH_MAX];
    path_join(dir, sizeof dir, upper, rel);
    size_t n;
    char **names = list_dir(dir, &n);
    if (!names) return fail(e, "opendir", dir);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char path[PATH_MAX], full[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", strcmp(rel, "/") == 0 ? "" : rel, names[i]);
        path_join(full, sizeof full, upper, path);
        struct stat st;
        if (lstat(full, &st) < 0) {
            r = fail(e, "lstat", full);
            break;
        }
        int kind = 1, record = 1;
        char opaque[2];
        if ((S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) ||
            (S_ISDIR(st.st_mode) && lgetxattr(full, "trusted.overlay.opaque", opaque, 2) == 1 && opaque[0] == 'y')) {
            kind = 2;
        } else {
            for (size_t k = 0; c->lower && k < c->lower->length; k++) {
                const struct json *l = c->lower->items[k];
                char in_lower[PATH_MAX];
                struct stat ls;
                if (l->type != JSON_STRING) continue;
                path_join(in_lower, sizeof in_lower, l->string, path);
                if (stat(in_lower, &ls) < 0) continue;
                if (S_ISDIR(ls.st_mode) && S_ISDIR(st.st_mode) && ls.st_size == st.st_size && ls.st_mode == st.st_mode &&
                    same_time(&ls.st_mtim, &st.st_mtim))
                    record = 0; /* the same directory: only a parent of changes */
                kind = 0;
                break;
            }
        }
        if (record) {
            if (S_ISDIR(st.st_mode)) mark_dir(c, path);
            if (kind != 0) {
                char parent[PATH_MAX];
                snprintf(parent, sizeof parent, "%s", path);
                *strrchr(parent, '/') = 0;
                if (*parent && !dir_changed(c, parent)) {
                    add_change(c, parent, 0);
                    mark_dir(c, parent);
                }
            }
            add_change(c, path, kind);
        }
        if (S_ISDIR(st.st_mode)) r = walk_changes(c, upper, path, e);
    }
    free_list(names, n);
    return r;
}

/* Path order with parents first: "/a" < "/a/b" < "/a-b". */
static int path_order(const void *a, const void *b) {
    const char *x = ((const struct change *)a)->path, *y = ((const struct change *)b)->path;
    while (*x && *x == *y) x++, y++;
    unsigned char cx = *x == '/' ? 1 : (unsigned char)*x, cy = *y == '/' ? 1 : (unsigned char)*y;
    return (int)cx - (int)cy;
}

static void changes_job(const struct json *args, struct buf *reply) {
    struct err e;
    struct changes c = {.lower = json_get_array(args, "lower")};
    if (walk_changes(&c, json_get_string(args, "upper", ""), "/", &e) < 0) return job_error(reply, &e);
    qsort(c.list, c.n, sizeof *c.list, path_order);
    buf_add(reply, "{\"ok\":true,\"changes\":[", 22);
    for (size_t i = 0; i < c.n; i++) {
        if (i) buf_addc(reply, ',');
        buf_add(reply, "{\"path\":", 8);
        buf_json_string(reply, c.list[i].path, strlen(c.list[i].path));
        buf_printf(reply, ",\"kind\":%d}", c.list[i].kind);
    }
    buf_add(reply, "]}", 2);
}

void op_changes(uint32_t req, const struct json *args) { job_start(req, args, changes_job); }
