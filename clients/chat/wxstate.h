/* What the WeChat / WeCom transport keeps per user, on disk so a restart
 * loses nothing: the outbox of messages not yet delivered, the 48-hour
 * window of the Official Account's customer-service API (when the user
 * last wrote, how many were sent since), the callbacks already handled
 * (their MsgIds) and the notification keys already sent. One JSON file per
 * user in one directory, replaced atomically (write, fsync, rename, fsync
 * the directory) on every change; deleted when the user unfollows. The
 * WeCom group robot's queue of announcements is kept the same way, in
 * robot.queue, so one accepted before a stop or crash goes out after the
 * restart. */
#ifndef SJ_CHAT_WXSTATE_H
#define SJ_CHAT_WXSTATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest handle kept (OpenIDs are 28 characters, WeCom UserIDs 64). */
#define SJ_WX_MAX_HANDLE 100
/* The customer-service window: 5 messages within 48 h of the user's last
 * message. */
#define SJ_WX_WINDOW_S (48 * 3600)
#define SJ_WX_WINDOW_MSGS 5

typedef struct {
    char *text, *key; /* key: a notification's, or NULL */
    bool waited;      /* queued while the window was closed */
} sj_wx_entry_t;

typedef struct {
    char *handle;
    int64_t last_in; /* wall-clock seconds of the user's last message */
    unsigned sent;   /* customer-service messages since */
    bool left;       /* unfollowed: the broker is still to be told */
    int64_t leave_at;
    GQueue *outbox; /* sj_wx_entry_t * */
    GQueue *seen;   /* char *: callbacks handled, newest last */
    GQueue *keys;   /* char *: notification keys sent, newest last */
} sj_wx_user_t;

typedef struct sj_wx_state sj_wx_state_t;

/* Open (creating) dir and load every user in it; NULL on failure. */
sj_wx_state_t *sj_wx_state_open(const char *dir);
void sj_wx_state_close(sj_wx_state_t **self);

/* The user (owned by the state, valid until it is forgotten), or NULL. */
sj_wx_user_t *sj_wx_state_get(sj_wx_state_t *s, const char *handle);

/* Whether a customer-service message may go to u at now_s (u may be
 * NULL: never written, closed). */
bool sj_wx_window_open(const sj_wx_user_t *u, int64_t now_s);

/* A user with something to deliver now: now_s 0 means no window (WeCom).
 * NULL when none. */
sj_wx_user_t *sj_wx_state_next(sj_wx_state_t *s, int64_t now_s);

/* Queue text for handle (stored before this returns). A key already queued
 * or sent is skipped; a user who left gets nothing. 0, or -1 when it could
 * not be stored. */
int sj_wx_state_push(sj_wx_state_t *s, const char *handle, const char *text,
                     const char *key, bool waited);

/* The first n entries of u's outbox went out by customer-service message. */
void sj_wx_state_sent(sj_wx_state_t *s, sj_wx_user_t *u, unsigned n);
/* The API said the window is closed (45015): everything waits. */
void sj_wx_state_close_window(sj_wx_state_t *s, sj_wx_user_t *u);
void sj_wx_state_drop_outbox(sj_wx_state_t *s, sj_wx_user_t *u);

/* The entries that waited for handle, under heading, joined (at most cap
 * bytes, at least one entry), taken out of the outbox; g_free it. NULL
 * when none waited. */
char *sj_wx_state_take_waited(sj_wx_state_t *s, const char *handle,
                              const char *heading, size_t cap);

/* handle wrote at now_s: the window opens again. */
void sj_wx_state_inbound(sj_wx_state_t *s, const char *handle, int64_t now_s);

/* Callbacks handled (by their dedup key), the last 32 per user. */
void sj_wx_state_seen_add(sj_wx_state_t *s, const char *handle,
                          const char *key);
bool sj_wx_state_seen(sj_wx_state_t *s, const char *handle, const char *key);

/* handle unfollowed: its outbox and history go at once, a marker stays
 * until sj_wx_state_forget (after the broker unlinked it); the leave is
 * due again at `at` (monotonic ms). */
void sj_wx_state_leave_retry(sj_wx_state_t *s, const char *handle, int64_t at);
/* A user whose leave is due at now, or NULL. */
const char *sj_wx_state_leave_due(sj_wx_state_t *s, int64_t now);
/* Delete everything about handle. */
void sj_wx_state_forget(sj_wx_state_t *s, const char *handle);

/* The group robot's last n sends (wall-clock ms, oldest first, 0 for
 * none), kept across restarts so its per-minute limit holds then too. */
#define SJ_WX_ROBOT_KEEP 20
void sj_wx_state_robot_times(const sj_wx_state_t *s,
                             int64_t out[SJ_WX_ROBOT_KEEP]);
void sj_wx_state_robot_sent(sj_wx_state_t *s, int64_t wall_ms);

/* The group robot's queue of announcements, oldest first, at most
 * SJ_WX_ROBOT_QUEUE, in robot.queue (replaced atomically on every push and
 * pop, loaded at open). A robot.queue that does not parse is kept aside as
 * robot.queue.corrupt (logged) and the queue starts empty. */
#define SJ_WX_ROBOT_QUEUE 200
/* Append text, stored before this returns. 0; 1 when the queue is full
 * (text dropped); -1 when it could not be stored (logged; text is queued
 * in memory all the same, so this process still sends it). */
int sj_wx_state_robot_push(sj_wx_state_t *s, const char *text);
/* The oldest announcement (owned by the state, valid until the next pop),
 * or NULL when none. */
const char *sj_wx_state_robot_head(const sj_wx_state_t *s);
unsigned sj_wx_state_robot_len(const sj_wx_state_t *s);
/* The oldest went out (or is given up on): drop it, stored at once. Does
 * nothing on an empty queue. */
void sj_wx_state_robot_pop(sj_wx_state_t *s);

#endif
