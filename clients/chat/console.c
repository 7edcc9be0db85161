/* The console transport: `shangju-chat --console --as HANDLE` reads lines
 * from stdin as messages from HANDLE and prints every reply and
 * notification to stdout, for trying the bridge and for scripted tests.
 * A line ending in a backslash continues on the next (multi-line wishes).
 * At the end of input it waits until every answer is in and the cursor is
 * stored, then exits. */
#include "runtime.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *as;
} console_t;

static void con_send(void *ctx, const char *handle, const char *text)
{
    const console_t *c = ctx;
    if (strcmp(handle, c->as) == 0)
        printf("%s\n\n", text);
    else
        printf("[to %s] %s\n\n", handle, text);
    fflush(stdout);
}

static void con_announce(void *ctx, const char *text)
{
    (void)ctx;
    printf("[room] %s\n\n", text);
    fflush(stdout);
}

/* Feed the complete lines of buf[0..*len) to the bot; keep the rest. */
static void feed(sj_chat_rt_t *rt, const char *as, char *buf, size_t *len,
                 bool eof)
{
    size_t start = 0;
    for (size_t i = 0; i < *len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i > start && buf[i - 1] == '\\') { /* continued line */
            buf[i - 1] = '\n';
            memmove(buf + i, buf + i + 1, *len - i - 1);
            (*len)--;
            i--;
            continue;
        }
        sj_chat_bot_message(rt->bot, as, buf + start, i - start,
                            sj_chat_now_ms(), NULL);
        start = i + 1;
    }
    if (eof && start < *len) {
        sj_chat_bot_message(rt->bot, as, buf + start, *len - start,
                            sj_chat_now_ms(), NULL);
        start = *len;
    }
    memmove(buf, buf + start, *len - start);
    *len -= start;
}

int sj_chat_console_run(const sj_chat_opts_t *o)
{
    console_t con = {o->as};
    sj_chat_transport_t out = {
        .send = con_send, .announce = con_announce, .ctx = &con};
    sj_chat_rt_t rt;
    if (sj_chat_rt_init(&rt, o, &out) != 0)
        return 1;
    char buf[SJ_CHAT_INPUT_BUF];
    size_t len = 0;
    bool eof = false;
    int64_t quiet_since = 0, eof_at = 0;
    while (!sj_chat_stop) {
        struct pollfd p[2] = {{sj_chat_rt_fd(&rt), POLLIN, 0},
                              {STDIN_FILENO, POLLIN, 0}};
        int n = poll(p, eof ? 1 : 2, sj_chat_rt_timeout_ms(&rt));
        if (n < 0 && errno != EINTR)
            break;
        if (!eof && n > 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (len == sizeof buf) /* an endless line: take it as it is */
                feed(&rt, o->as, buf, &len, true);
            ssize_t r = read(STDIN_FILENO, buf + len, sizeof buf - len);
            if (r > 0)
                len += (size_t)r;
            else if (r == 0 || errno != EINTR)
                eof = true;
            feed(&rt, o->as, buf, &len, eof);
        }
        sj_chat_rt_service(&rt);
        /* After the input ends: leave once everything is answered and the
         * notifications caught up for a moment — or, with a broker that
         * does not answer, once the retries have given up (at most 30 s). */
        if (eof) {
            int64_t now = sj_chat_now_ms();
            if (!eof_at)
                eof_at = now;
            if (!sj_chat_rt_idle(&rt))
                quiet_since = 0;
            else if (!quiet_since)
                quiet_since = now;
            if ((quiet_since && now - quiet_since > 300) ||
                (!sj_chat_bot_busy(rt.bot) && now - eof_at > 30000))
                break;
        }
    }
    /* An orderly stop stores the cursor before leaving (up to 5 s). */
    int64_t until = sj_chat_now_ms() + 5000;
    while (!sj_chat_rt_idle(&rt) && sj_chat_now_ms() < until) {
        struct pollfd p = {sj_chat_rt_fd(&rt), POLLIN, 0};
        poll(&p, 1, sj_chat_rt_timeout_ms(&rt));
        sj_chat_rt_service(&rt);
    }
    sj_chat_rt_end(&rt);
    return 0;
}
