// JSON reader and writer helpers; see json.h.
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
    const char *p, *end;
    int depth;
};

static void *xrealloc(void *ptr, size_t size) {
    void *r = realloc(ptr, size ? size : 1);
    if (!r) abort();
    return r;
}

static void skip_space(struct parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static struct json *new_value(enum json_type type) {
    struct json *v = calloc(1, sizeof *v);
    if (!v) abort();
    v->type = type;
    return v;
}

static int hex4(struct parser *ps, unsigned *out) {
    if (ps->end - ps->p < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void add_utf8(struct buf *b, unsigned cp) {
    if (cp < 0x80) {
        buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_addc(b, (char)(0xc0 | (cp >> 6)));
        buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_addc(b, (char)(0xe0 | (cp >> 12)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_addc(b, (char)(0xf0 | (cp >> 18)));
        buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* Reads a string literal (ps->p at the opening quote) into out, NUL-terminated. */
static int parse_string_into(struct parser *ps, struct buf *out) {
    ps->p++;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c == '"') {
            buf_addc(out, 0);
            out->len--;
            return 0;
        }
        if (c < 0x20) return -1;
        if (c != '\\') {
            buf_addc(out, (char)c);
            continue;
        }
        if (ps->p >= ps->end) return -1;
        char e = *ps->p++;
        switch (e) {
        case '"': buf_addc(out, '"'); break;
        case '\\': buf_addc(out, '\\'); break;
        case '/': buf_addc(out, '/'); break;
        case 'b': buf_addc(out, '\b'); break;
        case 'f': buf_addc(out, '\f'); break;
        case 'n': buf_addc(out, '\n'); break;
        case 'r': buf_addc(out, '\r'); break;
        case 't': buf_addc(out, '\t'); break;
        case 'u': {
            unsigned cp;
            if (hex4(ps, &cp)) return -1;
            if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                const char *save = ps->p;
                unsigned low;
                ps->p += 2;
                if (hex4(ps, &low) == 0 && low >= 0xdc00 && low < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                } else {
                    ps->p = save; /* a lone high surrogate: keep it as is (WTF-8 style) */
                }
            }
            add_utf8(out, cp);
            break;
        }
        default: return -1;
        }
    }
    return -1;
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_container(struct parser *ps, int object) {
    struct json *v = new_value(object ? JSON_OBJECT : JSON_ARRAY);
    size_t cap = 0;
    if (++ps->depth > MAX_DEPTH) goto fail;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
        ps->p++;
        ps->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        skip_space(ps);
        if (object) {
            struct buf kb = {0};
            if (ps->p >= ps->end || *ps->p != '"' || parse_string_into(ps, &kb)) {
                buf_free(&kb);
                goto fail;
            }
            buf_addc(&kb, 0);
            key = kb.data;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                goto fail;
            }
            ps->p++;
        }
        struct json *item = parse_value(ps);
        if (!item) {
            free(key);
            goto fail;
        }
        if (v->length == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = xrealloc(v->items, cap * sizeof *v->items);
            if (object) v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
        }
        v->items[v->length] = item;
        if (object) v->keys[v->length] = key;
        v->length++;
        skip_space(ps);
        if (ps->p >= ps->end) goto fail;
        char c = *ps->p++;
        if (c == ',') continue;
        if (c == (object ? '}' : ']')) break;
        goto fail;
    }
    ps->depth--;
    return v;
fail:
    json_free(v);
    return NULL;
}

static int match_word(struct parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return 0;
    ps->p += n;
    return 1;
}

static struct json *parse_number(struct parser *ps) {
    const char *start = ps->p;
    int negative = 0;
    unsigned long long value = 0;
    if (ps->p < ps->end && *ps->p == '-') {
        negative = 1;
        ps->p++;
    }
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return NULL;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        if (value < (1ULL << 62)) value = value * 10 + (unsigned)(*ps->p - '0');
        ps->p++;
    }
    /* Fractions and exponents are accepted and dropped: the protocol only uses integers. */
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p == start) return NULL;
    struct json *v = new_value(JSON_NUMBER);
    v->number = negative ? -(long long)value : (long long)value;
    return v;
}

static struct json *parse_value(struct parser *ps) {
    skip_space(ps);
    if (ps->p >= ps->end) return NULL;
    switch (*ps->p) {
    case '{': return parse_container(ps, 1);
    case '[': return parse_container(ps, 0);
    case '"': {
        struct buf b = {0};
        if (parse_string_into(ps, &b)) {
            buf_free(&b);
            return NULL;
        }
        struct json *v = new_value(JSON_STRING);
        v->length = b.len;
        buf_addc(&b, 0);
        v->string = b.data;
        return v;
    }
    case 't':
    case 'f': {
        int truth = *ps->p == 't';
        if (!match_word(ps, truth ? "true" : "false")) return NULL;
        struct json *v = new_value(JSON_BOOL);
        v->number = truth;
        return v;
    }
    case 'n':
        if (!match_word(ps, "null")) return NULL;
        return new_value(JSON_NULL);
    default:
        return parse_number(ps);
    }
}

struct json *json_parse(const char *text, size_t length) {
    struct parser ps = {text, text + length, 0};
    struct json *v = parse_value(&ps);
    if (!v) return NULL;
    skip_space(&ps);
    if (ps.p != ps.end) {
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(struct json *v) {
    if (!v) return;
    for (size_t i = 0; i < v->length && (v->type == JSON_ARRAY || v->type == JSON_OBJECT); i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const struct json *json_get(const struct json *o, const char *key) {
    if (!o || o->type != JSON_OBJECT) return NULL;
    for (size_t i = o->length; i-- > 0;) /* the last duplicate wins, as in JavaScript */
        if (strcmp(o->keys[i], key) == 0) return o->items[i];
    return NULL;
}

const char *json_get_string(const struct json *o, const char *key, const char *fallback) {
    const struct json *v = json_get(o, key);
    return v && v->type == JSON_STRING ? v->string : fallback;
}

long long json_get_int(const struct json *o, const char *key, long long fallback) {
    const struct json *v = json_get(o, key);
    return v && (v->type == JSON_NUMBER || v->type == JSON_BOOL) ? v->number : fallback;
}

int json_get_bool(const struct json *o, const char *key, int fallback) {
    const struct json *v = json_get(o, key);
    return v && v->type == JSON_BOOL ? (int)v->number : fallback;
}

const struct json *json_get_array(const struct json *o, const char *key) {
    const struct json *v = json_get(o, key);
    return v && v->type == JSON_ARRAY ? v : NULL;
}

void buf_add(struct buf *b, const void *data, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_addc(struct buf *b, char c) { buf_add(b, &c, 1); }

void buf_printf(struct buf *b, const char *format, ...) {
    char small[256];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(small, sizeof small, format, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) abort();
    va_start(ap, format);
    vsnprintf(big, (size_t)n + 1, format, ap);
    va_end(ap);
    buf_add(b, big, (size_t)n);
    free(big);
}

void buf_json_string(struct buf *b, const char *s, size_t n) {
    buf_addc(b, '"');
    size_t run = 0; /* bytes copied in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
        buf_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_add(b, "\\\"", 2); break;
        case '\\': buf_add(b, "\\\\", 2); break;
        case '\n': buf_add(b, "\\n", 2); break;
        case '\r': buf_add(b, "\\r", 2); break;
        case '\t': buf_add(b, "\\t", 2); break;
        default: buf_printf(b, "\\u%04x", c);
        }
    }
    buf_add(b, s + run, n - run);
    buf_addc(b, '"');
}

void buf_consume(struct buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data) b->data[b->len] = 0;
}

void buf_free(struct buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
