// A tiny JSON reader (objects, arrays, strings with escapes, integers, booleans, null) and the
// string-building helpers the agent uses to write its replies.
#ifndef DOCKSIDE_JSON_H
#define DOCKSIDE_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    long long number;      /* JSON_NUMBER (fractions are truncated), JSON_BOOL (0 or 1) */
    char *string;          /* JSON_STRING: NUL-terminated; may also contain NULs, see length */
    size_t length;         /* JSON_STRING: bytes; JSON_ARRAY/JSON_OBJECT: members */
    struct json **items;   /* JSON_ARRAY/JSON_OBJECT: values */
    char **keys;           /* JSON_OBJECT: keys, in order */
};

/* Parses exactly one JSON value (surrounding whitespace allowed); NULL when the text is not JSON. */
struct json *json_parse(const char *text, size_t length);
void json_free(struct json *value);

/* Member of an object, or NULL (also when object is not an object). */
const struct json *json_get(const struct json *object, const char *key);
/* Typed members with defaults for missing or mistyped values. */
const char *json_get_string(const struct json *object, const char *key, const char *fallback);
long long json_get_int(const struct json *object, const char *key, long long fallback);
int json_get_bool(const struct json *object, const char *key, int fallback);
/* A member that is an array, or NULL. */
const struct json *json_get_array(const struct json *object, const char *key);

/* Growable byte buffer used for frames and for JSON output. */
struct buf {
    char *data;
    size_t len, cap;
};

void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Appends a JSON string literal (quotes included); bytes >= 0x80 pass through unchanged. */
void buf_json_string(struct buf *b, const char *s, size_t n);
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

#endif
