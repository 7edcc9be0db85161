/* The WeChat transport's durable per-user state (wxstate.h): JSON files
 * replaced atomically, all loaded at start. */
#include "wxstate.h"
#include "sj_zone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEEP 32 /* seen callbacks and sent keys remembered per user */

struct sj_wx_state {
    char *dir;
    int dirfd;
    GHashTable *users;               /* handle -> sj_wx_user_t (owned) */
    int64_t robot[SJ_WX_ROBOT_KEEP]; /* oldest first */
    GQueue queue;                    /* char *: the robot's, oldest first */
};

static void entry_free(gpointer p)
{
    sj_wx_entry_t *e = p;
    g_free(e->text);
    g_free(e->key);
    g_free(e);
}

static void user_free(gpointer p)
{
    sj_wx_user_t *u = p;
    g_free(u->handle);
    g_queue_free_full(u->outbox, entry_free);
    g_queue_free_full(u->seen, g_free);
    g_queue_free_full(u->keys, g_free);
    g_free(u);
}

static sj_wx_user_t *user_new(const char *handle)
{
    sj_wx_user_t *u = g_new0(sj_wx_user_t, 1);
    u->handle = g_strdup(handle);
    u->outbox = g_queue_new();
    u->seen = g_queue_new();
    u->keys = g_queue_new();
    return u;
}

static char *file_of(const char *handle)
{
    GString *g = g_string_new(NULL);
    for (const unsigned char *p = (const unsigned char *)handle; *p; p++)
        g_string_append_printf(g, "%02x", *p);
    g_string_append(g, ".json");
    return g_string_free(g, FALSE);
}

static void remember(GQueue *q, const char *s)
{
    g_queue_push_tail(q, g_strdup(s));
    while (g_queue_get_length(q) > KEEP)
        g_free(g_queue_pop_head(q));
}

static bool in_queue(GQueue *q, const char *s)
{
    for (GList *l = q->head; l; l = l->next)
        if (strcmp(l->data, s) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------- on disk */

static json_object *strings(GQueue *q)
{
    json_object *a = json_object_new_array();
    for (GList *l = q->head; l; l = l->next)
        json_object_array_add(a, json_object_new_string(l->data));
    return a;
}

/* Replace the file name in the state directory with j: write a temporary
 * file, fsync it, rename it over name, fsync the directory. -1 (logged)
 * when it could not be stored; the old file is then left as it was. */
static int write_json(sj_wx_state_t *s, const char *name, json_object *j)
{
    const char *text =
        json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    char *tmp = g_strconcat(".tmp-", name, NULL);
    int rc = -1;
    int fd =
        openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    if (fd >= 0) {
        bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        if (ok && renameat(s->dirfd, tmp, s->dirfd, name) == 0 &&
            fsync(s->dirfd) == 0)
            rc = 0;
    }
    if (rc) {
        int e = errno;
        char ts[SJ_ZONE_TIME_MAX];
        sj_zone_now_rfc3339(ts, sizeof ts);
        fprintf(stderr,
                "ts=%s level=error module=chat transport=wechat "
                "event=state_write_failed file=%s errno=%d\n",
                ts, name, e);
    }
    g_free(tmp);
    return rc;
}

/* Replace the user's file. -1 when it could not be stored. */
static int save(sj_wx_state_t *s, const sj_wx_user_t *u)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "handle", json_object_new_string(u->handle));
    json_object_object_add(j, "last_in", json_object_new_int64(u->last_in));
    json_object_object_add(j, "sent", json_object_new_int64(u->sent));
    json_object_object_add(j, "left", json_object_new_boolean(u->left));
    json_object *ob = json_object_new_array();
    for (GList *l = u->outbox->head; l; l = l->next) {
        const sj_wx_entry_t *e = l->data;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "text", json_object_new_string(e->text));
        if (e->key)
            json_object_object_add(o, "key", json_object_new_string(e->key));
        json_object_object_add(o, "waited", json_object_new_boolean(e->waited));
        json_object_array_add(ob, o);
    }
    json_object_object_add(j, "outbox", ob);
    json_object_object_add(j, "seen", strings(u->seen));
    json_object_object_add(j, "keys", strings(u->keys));
    char *name = file_of(u->handle);
    int rc = write_json(s, name, j);
    json_object_put(j);
    g_free(name);
    return rc;
}

static void load_strings(json_object *j, const char *name, GQueue *q)
{
    json_object *a;
    if (!json_object_object_get_ex(j, name, &a) ||
        !json_object_is_type(a, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(a); i++)
        remember(q, json_object_get_string(json_object_array_get_idx(a, i)));
}

/* The JSON in the file name (at most 4 MiB read), or NULL when it does not
 * parse; *absent says the file is not there at all. */
static json_object *read_json(sj_wx_state_t *s, const char *name, bool *absent)
{
    int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
    *absent = fd < 0 && errno == ENOENT;
    if (fd < 0)
        return NULL;
    GString *g = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 && g->len < (1u << 22))
        g_string_append_len(g, buf, n);
    close(fd);
    json_object *j = json_tokener_parse(g->str);
    g_string_free(g, TRUE);
    return j;
}

static void load_one(sj_wx_state_t *s, const char *name)
{
    bool absent;
    json_object *j = read_json(s, name, &absent), *v;
    if (absent)
        return;
    if (!j || !json_object_object_get_ex(j, "handle", &v)) {
        char ts[SJ_ZONE_TIME_MAX];
        sj_zone_now_rfc3339(ts, sizeof ts);
        fprintf(stderr,
                "ts=%s level=warn module=chat transport=wechat "
                "event=state_unreadable\n",
                ts);
        json_object_put(j);
        return;
    }
    sj_wx_user_t *u = user_new(json_object_get_string(v));
    if (json_object_object_get_ex(j, "last_in", &v))
        u->last_in = json_object_get_int64(v);
    if (json_object_object_get_ex(j, "sent", &v))
        u->sent = (unsigned)json_object_get_int64(v);
    if (json_object_object_get_ex(j, "left", &v))
        u->left = json_object_get_boolean(v);
    json_object *ob;
    if (json_object_object_get_ex(j, "outbox", &ob) &&
        json_object_is_type(ob, json_type_array))
        for (size_t i = 0; i < json_object_array_length(ob); i++) {
            json_object *o = json_object_array_get_idx(ob, i), *t;
            if (!json_object_object_get_ex(o, "text", &t))
                continue;
            sj_wx_entry_t *e = g_new0(sj_wx_entry_t, 1);
            e->text = g_strdup(json_object_get_string(t));
            if (json_object_object_get_ex(o, "key", &t))
                e->key = g_strdup(json_object_get_string(t));
            if (json_object_object_get_ex(o, "waited", &t))
                e->waited = json_object_get_boolean(t);
            g_queue_push_tail(u->outbox, e);
        }
    load_strings(j, "seen", u->seen);
    load_strings(j, "keys", u->keys);
    json_object_put(j);
    g_hash_table_replace(s->users, u->handle, u);
}

#define ROBOT_FILE "robot.times"

static void load_robot(sj_wx_state_t *s)
{
    int fd = openat(s->dirfd, ROBOT_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[SJ_WX_ROBOT_KEEP * 24 + 1];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *p = buf;
    for (int i = 0; i < SJ_WX_ROBOT_KEEP && *p; i++)
        s->robot[i] = g_ascii_strtoll(p, &p, 10);
}

#define QUEUE_FILE "robot.queue"
#define QUEUE_BAD QUEUE_FILE ".corrupt"

/* Load the robot's queue. A file that does not parse is renamed to
 * robot.queue.corrupt (replacing an older one) and logged, and the queue
 * starts empty; entries that are not strings, and those past the bound,
 * are dropped (logged). */
static void load_queue(sj_wx_state_t *s)
{
    bool absent;
    json_object *j = read_json(s, QUEUE_FILE, &absent);
    if (absent)
        return;
    char ts[SJ_ZONE_TIME_MAX];
    if (!j || !json_object_is_type(j, json_type_array)) {
        int moved = renameat(s->dirfd, QUEUE_FILE, s->dirfd, QUEUE_BAD);
        if (moved == 0)
            fsync(s->dirfd);
        sj_zone_now_rfc3339(ts, sizeof ts);
        fprintf(stderr,
                "ts=%s level=warn module=chat transport=wechat "
                "event=robot_queue_unreadable kept=%s\n",
                ts, moved == 0 ? QUEUE_BAD : "no");
        json_object_put(j);
        return;
    }
    size_t n = json_object_array_length(j), dropped = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(j, i);
        if (!json_object_is_type(t, json_type_string) ||
            g_queue_get_length(&s->queue) >= SJ_WX_ROBOT_QUEUE) {
            dropped++;
            continue;
        }
        g_queue_push_tail(&s->queue, g_strdup(json_object_get_string(t)));
    }
    json_object_put(j);
    if (dropped) {
        sj_zone_now_rfc3339(ts, sizeof ts);
        fprintf(stderr,
                "ts=%s level=warn module=chat transport=wechat "
                "event=robot_queue_dropped n=%zu\n",
                ts, dropped);
    }
}

sj_wx_state_t *sj_wx_state_open(const char *dir)
{
    if (g_mkdir_with_parents(dir, 0700) != 0)
        return NULL;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    sj_wx_state_t *s = g_new0(sj_wx_state_t, 1);
    s->dir = g_strdup(dir);
    s->dirfd = fd;
    s->users = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, user_free);
    load_robot(s);
    g_queue_init(&s->queue);
    load_queue(s);
    DIR *d = opendir(dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
        if (g_str_has_suffix(e->d_name, ".json") && e->d_name[0] != '.')
            load_one(s, e->d_name);
    if (d)
        closedir(d);
    return s;
}

void sj_wx_state_close(sj_wx_state_t **self)
{
    sj_wx_state_t *s = self ? *self : NULL;
    if (!s)
        return;
    g_hash_table_destroy(s->users);
    g_queue_clear_full(&s->queue, g_free);
    close(s->dirfd);
    g_free(s->dir);
    g_free(s);
    *self = NULL;
}

/* ------------------------------------------------------------- queries */

sj_wx_user_t *sj_wx_state_get(sj_wx_state_t *s, const char *handle)
{
    return g_hash_table_lookup(s->users, handle);
}

static sj_wx_user_t *get_or_add(sj_wx_state_t *s, const char *handle)
{
    sj_wx_user_t *u = sj_wx_state_get(s, handle);
    if (!u) {
        u = user_new(handle);
        g_hash_table_replace(s->users, u->handle, u);
    }
    return u;
}

bool sj_wx_window_open(const sj_wx_user_t *u, int64_t now_s)
{
    return u && !u->left && u->last_in && now_s - u->last_in < SJ_WX_WINDOW_S &&
           u->sent < SJ_WX_WINDOW_MSGS;
}

sj_wx_user_t *sj_wx_state_next(sj_wx_state_t *s, int64_t now_s)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->users);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        sj_wx_user_t *u = v;
        if (u->left || g_queue_is_empty(u->outbox))
            continue;
        if (now_s == 0 || sj_wx_window_open(u, now_s))
            return u;
    }
    return NULL;
}

/* ------------------------------------------------------------- changes */

int sj_wx_state_push(sj_wx_state_t *s, const char *handle, const char *text,
                     const char *key, bool waited)
{
    if (strlen(handle) > SJ_WX_MAX_HANDLE)
        return -1;
    sj_wx_user_t *u = get_or_add(s, handle);
    if (u->left)
        return 0;
    if (key) {
        if (in_queue(u->keys, key))
            return 0;
        for (GList *l = u->outbox->head; l; l = l->next) {
            const sj_wx_entry_t *e = l->data;
            if (e->key && strcmp(e->key, key) == 0)
                return 0;
        }
    }
    sj_wx_entry_t *e = g_new0(sj_wx_entry_t, 1);
    e->text = g_strdup(text);
    e->key = g_strdup(key);
    e->waited = waited;
    g_queue_push_tail(u->outbox, e);
    return save(s, u);
}

static void pop_sent(sj_wx_user_t *u, unsigned n)
{
    for (unsigned i = 0; i < n && !g_queue_is_empty(u->outbox); i++) {
        sj_wx_entry_t *e = g_queue_pop_head(u->outbox);
        if (e->key)
            remember(u->keys, e->key);
        entry_free(e);
    }
}

void sj_wx_state_sent(sj_wx_state_t *s, sj_wx_user_t *u, unsigned n)
{
    pop_sent(u, n);
    u->sent++;
    save(s, u);
}

void sj_wx_state_close_window(sj_wx_state_t *s, sj_wx_user_t *u)
{
    u->sent = SJ_WX_WINDOW_MSGS;
    for (GList *l = u->outbox->head; l; l = l->next)
        ((sj_wx_entry_t *)l->data)->waited = true;
    save(s, u);
}

void sj_wx_state_drop_outbox(sj_wx_state_t *s, sj_wx_user_t *u)
{
    g_queue_clear_full(u->outbox, entry_free);
    save(s, u);
}

char *sj_wx_state_take_waited(sj_wx_state_t *s, const char *handle,
                              const char *heading, size_t cap)
{
    sj_wx_user_t *u = sj_wx_state_get(s, handle);
    if (!u || g_queue_is_empty(u->outbox) ||
        !((sj_wx_entry_t *)g_queue_peek_head(u->outbox))->waited)
        return NULL;
    GString *g = g_string_new(heading);
    unsigned n = 0;
    for (GList *l = u->outbox->head; l; l = l->next) {
        const sj_wx_entry_t *e = l->data;
        if (!e->waited || (n && g->len + strlen(e->text) + 1 > cap))
            break;
        g_string_append_c(g, '\n');
        g_string_append(g, e->text);
        n++;
    }
    pop_sent(u, n);
    save(s, u);
    return g_string_free(g, FALSE);
}

void sj_wx_state_inbound(sj_wx_state_t *s, const char *handle, int64_t now_s)
{
    if (strlen(handle) > SJ_WX_MAX_HANDLE)
        return;
    sj_wx_user_t *u = get_or_add(s, handle);
    u->last_in = now_s;
    u->sent = 0;
    save(s, u);
}

void sj_wx_state_seen_add(sj_wx_state_t *s, const char *handle, const char *key)
{
    if (strlen(handle) > SJ_WX_MAX_HANDLE)
        return;
    sj_wx_user_t *u = get_or_add(s, handle);
    if (u->left)
        return;
    remember(u->seen, key);
    save(s, u);
}

bool sj_wx_state_seen(sj_wx_state_t *s, const char *handle, const char *key)
{
    sj_wx_user_t *u = sj_wx_state_get(s, handle);
    return u && in_queue(u->seen, key);
}

void sj_wx_state_leave_retry(sj_wx_state_t *s, const char *handle, int64_t at)
{
    if (strlen(handle) > SJ_WX_MAX_HANDLE)
        return;
    sj_wx_user_t *u = get_or_add(s, handle);
    bool was = u->left;
    u->left = true;
    u->leave_at = at;
    if (!was) {
        u->last_in = 0;
        u->sent = 0;
        g_queue_clear_full(u->outbox, entry_free);
        g_queue_clear_full(u->seen, g_free);
        g_queue_clear_full(u->keys, g_free);
        save(s, u);
    }
}

const char *sj_wx_state_leave_due(sj_wx_state_t *s, int64_t now)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, s->users);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const sj_wx_user_t *u = v;
        if (u->left && u->leave_at <= now)
            return u->handle;
    }
    return NULL;
}

void sj_wx_state_forget(sj_wx_state_t *s, const char *handle)
{
    char *name = file_of(handle);
    if (unlinkat(s->dirfd, name, 0) == 0)
        fsync(s->dirfd);
    g_free(name);
    g_hash_table_remove(s->users, handle);
}

void sj_wx_state_robot_times(const sj_wx_state_t *s,
                             int64_t out[SJ_WX_ROBOT_KEEP])
{
    memcpy(out, s->robot, sizeof s->robot);
}

void sj_wx_state_robot_sent(sj_wx_state_t *s, int64_t wall_ms)
{
    memmove(s->robot, s->robot + 1, sizeof s->robot - sizeof s->robot[0]);
    s->robot[SJ_WX_ROBOT_KEEP - 1] = wall_ms;
    GString *g = g_string_new(NULL);
    for (int i = 0; i < SJ_WX_ROBOT_KEEP; i++)
        g_string_append_printf(g, "%lld\n", (long long)s->robot[i]);
    /* Best effort: a lost file only forgets the last minute's count. */
    int fd = openat(s->dirfd, ".tmp-" ROBOT_FILE,
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        bool ok = write(fd, g->str, g->len) == (ssize_t)g->len;
        ok = close(fd) == 0 && ok;
        if (ok)
            renameat(s->dirfd, ".tmp-" ROBOT_FILE, s->dirfd, ROBOT_FILE);
    }
    g_string_free(g, TRUE);
}

/* ------------------------------------------------ the robot's queue */

/* Replace robot.queue with the queue. -1 when it could not be stored. */
static int save_queue(sj_wx_state_t *s)
{
    json_object *j = strings(&s->queue);
    int rc = write_json(s, QUEUE_FILE, j);
    json_object_put(j);
    return rc;
}

int sj_wx_state_robot_push(sj_wx_state_t *s, const char *text)
{
    if (g_queue_get_length(&s->queue) >= SJ_WX_ROBOT_QUEUE)
        return 1;
    g_queue_push_tail(&s->queue, g_strdup(text));
    return save_queue(s);
}

const char *sj_wx_state_robot_head(const sj_wx_state_t *s)
{
    return g_queue_peek_head((GQueue *)&s->queue);
}

unsigned sj_wx_state_robot_len(const sj_wx_state_t *s)
{
    return g_queue_get_length((GQueue *)&s->queue);
}

void sj_wx_state_robot_pop(sj_wx_state_t *s)
{
    if (g_queue_is_empty(&s->queue))
        return;
    g_free(g_queue_pop_head(&s->queue));
    save_queue(s);
}
