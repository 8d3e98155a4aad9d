// Streams: stdin (host -> process) and stdout/stderr/pty output (process -> host), each with a
// window that starts at 65536 bytes and grows with CREDIT frames. An empty DATA ends a stream.
#define _GNU_SOURCE
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Stop reading process output while this much is queued for the port. */
#define OUTPUT_HIGH_WATER (256 * 1024)
#define READ_MAX 65536

struct stream *all_streams;

struct stream *stream_open(uint32_t id, int output, int fd, int pty, struct process *p) {
    struct stream *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->id = id;
    s->output = output;
    s->fd = fd;
    s->pty = pty;
    s->window = INITIAL_WINDOW;
    s->process = p;
    s->next = all_streams;
    all_streams = s;
    return s;
}

struct stream *stream_find(uint32_t id) {
    for (struct stream *s = all_streams; s; s = s->next)
        if (s->id == id) return s;
    return NULL;
}

static void close_fd(struct stream *s) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

void stream_release(struct stream *s) {
    for (struct stream **pp = &all_streams; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    close_fd(s);
    buf_free(&s->pending);
    free(s);
}

static void send_credit(struct stream *s, size_t n) {
    unsigned char c[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    send_frame(FRAME_CREDIT, s->id, c, 4);
}

/* The host closed stdin and everything it sent has been written: close it (or type EOF on a pty). */
static void finish_input(struct stream *s) {
    if (s->fd < 0) return;
    if (s->pty) {
        struct termios t;
        char eof = 4;
        if (tcgetattr(s->fd, &t) == 0 && t.c_cc[VEOF]) eof = (char)t.c_cc[VEOF];
        if (write(s->fd, &eof, 1) < 0) {
            /* nothing more to do: the terminal is gone */
        }
    }
    close_fd(s);
}

/* Drops what is pending (the process no longer reads), crediting it so the host is not stuck. */
static void discard_input(struct stream *s) {
    size_t n = s->pending.len - s->pending_off;
    s->pending.len = s->pending_off = 0;
    if (n) send_credit(s, n);
    close_fd(s);
}

static void write_input(struct stream *s) {
    size_t written = 0;
    while (s->fd >= 0 && s->pending_off < s->pending.len) {
        ssize_t n = write(s->fd, s->pending.data + s->pending_off, s->pending.len - s->pending_off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            discard_input(s); /* EPIPE, EIO: the reader is gone */
            break;
        }
        s->pending_off += (size_t)n;
        written += (size_t)n;
    }
    if (s->pending_off == s->pending.len) s->pending.len = s->pending_off = 0;
    if (written) send_credit(s, written);
    if (s->eof && s->pending.len == 0) finish_input(s);
}

void stream_data(uint32_t id, const char *data, size_t n) {
    struct stream *s = stream_find(id);
    if (!s || s->output) return;
    if (n == 0) {
        s->eof = 1;
    } else if (s->eof || (s->fd < 0 && !s->attaching)) {
        send_credit(s, n); /* nowhere to go; keep the host's window honest */
        return;
    } else {
        buf_add(&s->pending, data, n);
    }
    write_input(s);
}

void stream_credit(uint32_t id, uint32_t n) {
    struct stream *s = stream_find(id);
    if (!s || !s->output) return;
    s->window = s->window + n < s->window ? UINT32_MAX : s->window + n;
}

short stream_events(const struct stream *s) {
    if (s->fd < 0) return 0;
    if (!s->output) return s->pending.len > s->pending_off ? POLLOUT : 0;
    if (s->window == 0 || output_backlog() > OUTPUT_HIGH_WATER) return 0;
    return POLLIN;
}

/* Sends the empty DATA that ends an output stream; the process may now be done. */
static void end_output(struct stream *s) {
    close_fd(s);
    if (!s->eof) {
        s->eof = 1;
        send_frame(FRAME_DATA, s->id, "", 0);
    }
    if (s->process) process_check_done(s->process);
}

void stream_attach(struct stream *s, int fd) {
    if (!s->attaching) {
        if (fd >= 0) close(fd);
        return;
    }
    s->attaching = 0;
    s->fd = fd;
    if (fd < 0 && s->output) end_output(s);
    else if (!s->output) write_input(s);
}

void stream_ready(struct stream *s, short revents) {
    if (!s->output) {
        if (revents & POLLERR) discard_input(s);
        else write_input(s);
        return;
    }
    static char chunk[READ_MAX];
    size_t want = s->window < READ_MAX ? s->window : READ_MAX;
    ssize_t n = read(s->fd, chunk, want);
    if (n > 0) {
        s->window -= (uint32_t)n;
        send_frame(FRAME_DATA, s->id, chunk, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        end_output(s); /* EOF, or EIO from a pty master whose slave side is all closed */
    }
}
