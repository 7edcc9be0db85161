/* Notifications from the broker's event feed: when a resident's wish is
 * claimed, fulfilled, released, lapsed, expired or closed, a direct message
 * in the resident's language; new wishes announced in the community room,
 * paced. The position in the feed is kept in the broker (ChatCursor), one
 * event at a time: the message is sent, then the cursor stored, then the
 * next event taken — so an orderly restart repeats nothing and a crash
 * between sending and storing repeats at most that one message. */
#ifndef SJ_CHAT_NOTIFY_H
#define SJ_CHAT_NOTIFY_H

#include "bot.h"

typedef struct sj_chat_notify sj_chat_notify_t;

typedef struct {
    int64_t room_interval_ms; /* between two room messages; default 1300 */
    unsigned room_queue;      /* announcements waiting at most; default 30 */
    sj_lang_t room_lang;      /* the room's language */
    bool announce_closed;     /* thank the room when a wish closes */
    /* The wall clock in Unix ms, to tell a notice sent late (events carry
     * wall-clock times; the ticks' clock is monotonic). NULL: the real
     * one. */
    int64_t (*wall_ms)(void);
} sj_chat_notify_opts_t;

/* A notifier over broker and out (copied); opts may be NULL. NULL when out
 * of memory. */
sj_chat_notify_t *sj_chat_notify_new(const sj_chat_broker_t *broker,
                                     const sj_chat_transport_t *out,
                                     const sj_chat_notify_opts_t *opts);
void sj_chat_notify_destroy(sj_chat_notify_t **self);

/* Ask the broker for the stored cursor; ready(ud, from) then runs with the
 * first seq to subscribe from (cursor + 1), or with 0 and err < 0 when the
 * broker did not answer (call start again later). */
typedef void sj_chat_ready_fn(void *ud, uint64_t from, int err);
int sj_chat_notify_start(sj_chat_notify_t *n, sj_chat_ready_fn *ready,
                         void *ud);

/* The next event of the feed (in seq order; copied). */
void sj_chat_notify_event(sj_chat_notify_t *n, const Shangju__Event *ev);

/* Pace the room, store the cursor when idle. Call often (every ~100 ms). */
void sj_chat_notify_tick(sj_chat_notify_t *n, int64_t now);

/* True when every event received is handled and the cursor stored: an
 * orderly stop waits for this. */
bool sj_chat_notify_idle(const sj_chat_notify_t *n);

/* Whether the transport can deliver now: direct messages (dm) and the room.
 * While dm is false no event is taken (so the cursor does not pass a
 * message that could not be sent); while room is false announcements wait.
 * Both start true (the console is always ready). */
void sj_chat_notify_set_ready(sj_chat_notify_t *n, bool dm, bool room);

/* Events handled and notifications sent so far (for logs and tests). */
uint64_t sj_chat_notify_sent(const sj_chat_notify_t *n);

#endif
