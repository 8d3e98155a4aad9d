// Small helpers: errors, files, paths, PATH lookup, and jobs (slow work in a forked worker).
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fail_errno(struct err *e, int errnum, const char *op, const char *path) {
    e->errnum = errnum;
    snprintf(e->op, sizeof e->op, "%s", op);
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    e->message[0] = 0;
    return -1;
}

int fail(struct err *e, const char *op, const char *path) { return fail_errno(e, errno, op, path); }

void agent_log(const char *format, ...) {
    char line[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    dprintf(2, "dockside-agent: %s\n", line);
}

int mkdir_p(const char *path, mode_t mode) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return errno = ENAMETOOLONG, -1;
    size_t len = strlen(tmp);
    while (len > 1 && tmp[len - 1] == '/') tmp[--len] = 0;
    struct stat st;
    if (stat(tmp, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
    return 0;
}

int write_file(const char *path, const char *data, size_t n, struct err *e) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail(e, "open", path);
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail(e, "write", path);
            close(fd);
            return -1;
        }
        data += w;
        n -= (size_t)w;
    }
    if (close(fd) < 0) return fail(e, "close", path);
    return 0;
}

int read_file(const char *path, struct buf *out, size_t max) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return -1;
    char chunk[16384];
    size_t total = 0;
    while (total < max) {
        size_t want = max - total < sizeof chunk ? max - total : sizeof chunk;
        ssize_t n = read(fd, chunk, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0) break;
        buf_add(out, chunk, (size_t)n);
        total += (size_t)n;
    }
    close(fd);
    return 0;
}

int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void path_join(char *out, size_t size, const char *dir, const char *path) {
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    if (dl == 1 && dir[0] == '/') dl = 0;
    while (*path == '/') path++;
    snprintf(out, size, "%.*s/%s", (int)dl, dir, path);
}

const char *env_lookup(const struct json *env, const char *name) {
    size_t n = strlen(name);
    if (!env || env->type != JSON_ARRAY) return NULL;
    for (size_t i = env->length; i-- > 0;) {
        const struct json *v = env->items[i];
        if (v->type == JSON_STRING && strncmp(v->string, name, n) == 0 && v->string[n] == '=') return v->string + n + 1;
    }
    return NULL;
}

static int is_executable(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int find_executable(const char *args0, const struct json *env, char *out, size_t size) {
    if (strchr(args0, '/')) {
        snprintf(out, size, "%s", args0);
        return 0;
    }
    if (!*args0) return errno = ENOENT, -1;
    const char *path = env_lookup(env, "PATH");
    if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saw_eacces = 0;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(out, size, "%.*s%s%s", (int)len, path, len ? "/" : "", args0);
        if (is_executable(out)) return 0;
        if (errno == EACCES) saw_eacces = 1;
        path += len + (colon ? 1 : 0);
        if (!colon) break;
    }
    snprintf(out, size, "%s", args0);
    errno = saw_eacces ? EACCES : ENOENT;
    return -1;
}

void reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- jobs ---- */

struct job *all_jobs;

void job_start(uint32_t req, const struct json *args, job_fn fn) {
    struct err e;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        fail(&e, "pipe", "");
        reply_error(req, &e);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fail(&e, "fork", "");
        close(p[0]);
        close(p[1]);
        reply_error(req, &e);
        return;
    }
    if (pid == 0) {
        close(p[0]);
        child_keep_fds(p[1], -1); /* hold no stdin pipe of any process open */
        struct buf reply = {0};
        fn(args, &reply);
        const char *data = reply.data;
        size_t n = reply.len;
        while (n > 0) {
            ssize_t w = write(p[1], data, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) _exit(1);
            data += w;
            n -= (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    set_nonblocking(p[0]);
    struct job *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->request = req;
    j->pid = pid;
    j->fd = p[0];
    j->next = all_jobs;
    all_jobs = j;
}

static void job_finish(struct job *j) {
    if (!j->exited || j->fd >= 0) return;
    if (j->output.len > 0 && j->output.len <= MAX_PAYLOAD) {
        send_frame(FRAME_REPLY, j->request, j->output.data, j->output.len);
    } else {
        struct err e;
        fail_errno(&e, j->output.len ? E2BIG : EIO, "worker", "");
        snprintf(e.message, sizeof e.message, "%s", j->output.len ? "the reply is larger than 1 MiB" : "the worker died");
        reply_error(j->request, &e);
    }
    for (struct job **pp = &all_jobs; *pp; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    }
    buf_free(&j->output);
    free(j);
}

void job_readable(struct job *j) {
    char chunk[16384];
    for (;;) {
        ssize_t n = read(j->fd, chunk, sizeof chunk);
        if (n > 0) {
            buf_add(&j->output, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        close(j->fd);
        j->fd = -1;
        job_finish(j);
        return;
    }
}

int job_reaped(pid_t pid) {
    for (struct job *j = all_jobs; j; j = j->next) {
        if (j->pid == pid) {
            j->exited = 1;
            job_finish(j);
            return 1;
        }
    }
    return 0;
}
