/* A bounded output buffer for the web front's pages, and the one escaper
 * every dynamic value goes through (text and attribute values alike).
 *
 * Failure is sticky (curl's dynbuf habit): once an append would pass the
 * cap or memory runs out, the buffer is marked failed, later appends do
 * nothing, and web_buf_take() returns NULL — so a page builder checks once
 * at the end. No sockets, no broker: tested with Check (test_web_pages). */
#ifndef SJ_WEB_HTML_H
#define SJ_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated while not failed */
    size_t len, cap, max;
    bool failed;
} web_buf_t;

/* An empty buffer that will hold at most max bytes. */
void web_buf_init(web_buf_t *b, size_t max);

/* Free the contents; the buffer is empty again (same max). */
void web_buf_free(web_buf_t *b);

/* Append trusted markup (literals from the code, never user data). */
void web_buf_put(web_buf_t *b, const char *s);
void web_buf_putn(web_buf_t *b, const char *s, size_t n);

/* Append printf-formatted trusted markup (numbers, literals). */
void web_buf_printf(web_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s (may be NULL: nothing) escaped for HTML text and quoted
 * attribute values: & < > " ' become entities; invalid UTF-8, C0/C1
 * controls (but tab and newline) and the bidirectional controls
 * (U+202A..U+202E, U+2066..U+2069, U+200E/U+200F, U+061C) become U+FFFD,
 * so no value can end an attribute, open a tag or reorder what follows
 * it. Valid UTF-8 of every length (CJK, 4-byte emoji) passes unchanged. */
void web_buf_esc(web_buf_t *b, const char *s);

/* Escape as above, then turn each newline into <br>. */
void web_buf_esc_lines(web_buf_t *b, const char *s);

/* Append s percent-encoded for a URL query value (unreserved characters
 * pass, everything else %XX); the result is also attribute-safe. */
void web_buf_url(web_buf_t *b, const char *s);

/* Hand the contents over: returns the data (caller frees with free())
 * and its length in *len, and empties the buffer; NULL when failed. */
char *web_buf_take(web_buf_t *b, size_t *len);

#endif
