// Unix sockets the host asked the agent to listen on (the guest's docker client and
// /var/run/docker.sock). Every accepted connection is relayed to the host as one bidirectional stream
// with an id from 0x80000000 up: an EVENT frame announces it, then DATA and CREDIT flow both ways with
// the usual windows. An empty DATA half-closes one direction; when both are closed the agent closes
// the socket and forgets the stream. See PROTOCOL.md, "Sockets".
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONN_READ_MAX 32768
/* Stop reading sockets while this much is queued for the port. */
#define CONN_HIGH_WATER (256 * 1024)

struct listener *all_listeners;
struct conn *all_conns;
static uint32_t next_conn_id = CONN_ID_BASE;

static struct listener *listener_find(const char *name) {
    for (struct listener *l = all_listeners; l; l = l->next)
        if (strcmp(l->name, name) == 0) return l;
    return NULL;
}

static void listener_close(struct listener *l) {
    for (struct listener **pp = &all_listeners; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    close(l->fd);
    unlink(l->path);
    free(l);
}

/* {"op":"listen","socket":"cli","path":"/run/dockside/docker-cli.sock","mode":438} */
void op_listen(uint32_t req, const struct json *args) {
    struct err e;
    const char *name = json_get_string(args, "socket", "");
    const char *path = json_get_string(args, "path", "");
    mode_t mode = (mode_t)json_get_int(args, "mode", 0660) & 07777;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!*name || strlen(name) >= sizeof ((struct listener *)0)->name || !*path || strlen(path) >= sizeof addr.sun_path) {
        fail_errno(&e, EINVAL, "listen", path);
        snprintf(e.message, sizeof e.message, "listen needs a socket name (under 32 bytes) and a path (under 108)");
        return reply_error(req, &e);
    }
    struct listener *old = listener_find(name);
    if (old) listener_close(old);
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (mkdir_p(parent, 0755) < 0) return reply_error(req, (fail(&e, "mkdir", parent), &e));
    }
    strcpy(addr.sun_path, path);
    unlink(path); /* a stale socket file from an earlier agent */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return reply_error(req, (fail(&e, "socket", path), &e));
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || chmod(path, mode) < 0 || listen(fd, 16) < 0) {
        fail(&e, "bind", path);
        close(fd);
        unlink(path);
        return reply_error(req, &e);
    }
    struct listener *l = calloc(1, sizeof *l);
    if (!l) abort();
    snprintf(l->name, sizeof l->name, "%s", name);
    snprintf(l->path, sizeof l->path, "%s", path);
    l->fd = fd;
    l->next = all_listeners;
    all_listeners = l;
    reply_ok(req, "");
}

/* {"op":"unlisten","socket":"cli"}: closes the listening socket and removes its file. Connections
   already accepted go on. */
void op_unlisten(uint32_t req, const struct json *args) {
    struct listener *l = listener_find(json_get_string(args, "socket", ""));
    if (l) listener_close(l);
    reply_ok(req, "");
}

static struct conn *conn_find(uint32_t id) {
    for (struct conn *c = all_conns; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

static void conn_free(struct conn *c) {
    for (struct conn **pp = &all_conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->fd >= 0) close(c->fd);
    buf_free(&c->pending);
    free(c);
}

static void send_credit(uint32_t id, size_t n) {
    unsigned char b[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    send_frame(FRAME_CREDIT, id, b, 4);
}

/* Both directions are closed: nothing more to do with the socket. */
static void conn_check_done(struct conn *c) {
    if (c->read_eof && c->host_eof && c->pending_off == c->pending.len) conn_free(c);
}

/* The socket's reading side ended (EOF or error): tell the host with an empty DATA. */
static void conn_end_read(struct conn *c) {
    if (c->read_eof) return;
    c->read_eof = 1;
    send_frame(FRAME_DATA, c->id, "", 0);
}

static void conn_write(struct conn *c) {
    size_t written = 0;
    while (c->pending_off < c->pending.len) {
        ssize_t n = send(c->fd, c->pending.data + c->pending_off, c->pending.len - c->pending_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            /* The peer is gone: drop what is pending (credited so the host is not stuck). */
            written += c->pending.len - c->pending_off;
            c->pending_off = c->pending.len;
            break;
        }
        c->pending_off += (size_t)n;
        written += (size_t)n;
    }
    if (c->pending_off == c->pending.len) c->pending.len = c->pending_off = 0;
    if (written) send_credit(c->id, written);
    if (c->host_eof && c->pending.len == 0 && !c->shut_write) {
        c->shut_write = 1;
        shutdown(c->fd, SHUT_WR);
    }
    conn_check_done(c);
}

int conn_data(uint32_t id, const char *data, size_t n) {
    if (id < CONN_ID_BASE) return 0;
    struct conn *c = conn_find(id);
    if (!c) return 1;
    if (n == 0) {
        c->host_eof = 1;
    } else if (c->host_eof) {
        send_credit(id, n);
        return 1;
    } else {
        buf_add(&c->pending, data, n);
    }
    conn_write(c);
    return 1;
}

int conn_credit(uint32_t id, uint32_t n) {
    if (id < CONN_ID_BASE) return 0;
    struct conn *c = conn_find(id);
    if (c) c->window = c->window + n < c->window ? UINT32_MAX : c->window + n;
    return 1;
}

/* {"op":"close","stream":N}: closes the socket at once (both directions); no more frames for it. */
void op_close(uint32_t req, const struct json *args) {
    struct conn *c = conn_find((uint32_t)json_get_int(args, "stream", 0));
    if (c) conn_free(c);
    reply_ok(req, "");
}

static void listener_accept(struct listener *l) {
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) agent_log("accept %s: %s", l->path, strerror(errno));
            return;
        }
        struct conn *c = calloc(1, sizeof *c);
        if (!c) abort();
        c->id = next_conn_id;
        next_conn_id = next_conn_id == UINT32_MAX ? CONN_ID_BASE : next_conn_id + 1;
        while (conn_find(next_conn_id)) next_conn_id = next_conn_id == UINT32_MAX ? CONN_ID_BASE : next_conn_id + 1;
        c->fd = fd;
        c->window = INITIAL_WINDOW;
        c->next = all_conns;
        all_conns = c;
        struct buf b = {0};
        buf_add(&b, "{\"event\":\"accept\",\"socket\":", 27);
        buf_json_string(&b, l->name, strlen(l->name));
        buf_printf(&b, ",\"stream\":%u}", c->id);
        send_frame(FRAME_EVENT, 0, b.data, b.len);
        buf_free(&b);
    }
}

size_t sockets_pollfds(struct pollfd *fds, void **ptrs, int *kinds) {
    size_t n = 0;
    for (struct listener *l = all_listeners; l; l = l->next) {
        fds[n] = (struct pollfd){l->fd, POLLIN, 0};
        ptrs[n] = l;
        kinds[n++] = 0;
    }
    for (struct conn *c = all_conns; c; c = c->next) {
        short events = 0;
        if (!c->read_eof && c->window > 0 && output_backlog() <= CONN_HIGH_WATER) events |= POLLIN;
        if (c->pending_off < c->pending.len) events |= POLLOUT;
        if (!events) continue;
        fds[n] = (struct pollfd){c->fd, events, 0};
        ptrs[n] = c;
        kinds[n++] = 1;
    }
    return n;
}

size_t sockets_count(void) {
    size_t n = 0;
    for (struct listener *l = all_listeners; l; l = l->next) n++;
    for (struct conn *c = all_conns; c; c = c->next) n++;
    return n;
}

void sockets_ready(void *ptr, int kind, int fd, short revents) {
    if (kind == 0) {
        for (struct listener *l = all_listeners; l; l = l->next)
            if (l == ptr && l->fd == fd) return listener_accept(l);
        return;
    }
    struct conn *c = all_conns;
    while (c && !(c == ptr && c->fd == fd)) c = c->next;
    if (!c) return;
    if (revents & POLLOUT) conn_write(c);
    if (!conn_find_ptr(c)) return;
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        if (c->read_eof) return;
        static char chunk[CONN_READ_MAX];
        size_t want = c->window < CONN_READ_MAX ? c->window : CONN_READ_MAX;
        if (want == 0) return;
        ssize_t n = recv(c->fd, chunk, want, 0);
        if (n > 0) {
            c->window -= (uint32_t)n;
            send_frame(FRAME_DATA, c->id, chunk, (size_t)n);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            conn_end_read(c);
            conn_check_done(c);
        }
    }
}

int conn_find_ptr(const struct conn *p) {
    for (struct conn *c = all_conns; c; c = c->next)
        if (c == p) return 1;
    return 0;
}
