/* The conversation engine (bot.h): each message becomes a job that asks the
 * broker who the handle is, then runs the command in one or two more
 * requests, and answers in the resident's language. Jobs are continuations:
 * every broker answer arrives in on_reply() with the job's next step. */
#include "bot.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interp.h"
#include "sj_error.h"
#include "sj_limits.h"
#include "sj_reasons.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define K(x) SHANGJU__REQUEST__BODY_##x

typedef unsigned long long ull;

/* Bounds on the in-memory state: handles remembered, wishes listed. */
#define MAX_PEERS 10000
#define PEER_IDLE_MS (15 * 60 * 1000)
#define MINE_PAGE 10

/* One person's messages are handled one at a time, in the order they
 * came: the next starts when the one before has had its last answer (a
 * list asked for after a wish then shows that wish, whatever order the
 * broker answers in). */
typedef struct {
    int64_t dialogue_at; /* a bare 心愿 asked "what is your wish?" */
    uint64_t dialogue_for;
    double tokens;
    int64_t refilled;
    bool told_slow; /* one "slow down" per flood */
    int64_t seen;
    struct job *cur; /* the message being handled, or NULL */
    GQueue waiting;  /* job_t *: admitted, not started (the rate limiter
                        bounds how many) */
} peer_t;

struct sj_chat_bot {
    sj_chat_broker_t broker;
    sj_chat_transport_t out;
    sj_chat_bot_opts_t opt;
    GHashTable *peers; /* handle (owned) -> peer_t (owned) */
    size_t in_flight;
    GHashTable *jobs; /* every live job_t, freed by destroy */
    bool closing;     /* destroy: start nothing more */
};

typedef enum {
    STEP_RESOLVE,
    STEP_JOIN,
    STEP_POST,
    STEP_MINE,
    STEP_GET,      /* show / cancel / thanks: fetch the wish first */
    STEP_MERCHANT, /* show: the claimant's name */
    STEP_SHOP,     /* show: a live claimant's public phone */
    STEP_MOVE,     /* cancel / confirm */
    STEP_POINTS,
    STEP_LANG,
} step_t;

typedef struct job {
    sj_chat_bot_t *bot;
    char *handle;
    int64_t now;
    step_t step;
    uint64_t me, acting;
    Shangju__Role role;
    sj_lang_t lang;
    uint64_t msg_key; /* 0, or a hash of (handle, chat message id) */
    char name[SJ_UTF8_BYTES(SJ_MAX_NAME) + 1];
    char *wish_text; /* show: the lines about the wish, before the name */
    Shangju__WishState wish_state;
    bool wish_mine;
    sj_cmd_t cmd;
} job_t;

/* ------------------------------------------------------------- helpers */

static void start(job_t *j);

/* The job is done: free it, and start the next message of its person if
 * one is waiting (may finish that one too, and so on). */
static void job_free(job_t *j)
{
    sj_chat_bot_t *b = j->bot;
    peer_t *p = j->handle ? g_hash_table_lookup(b->peers, j->handle) : NULL;
    bool was_cur = p && p->cur == j;
    g_hash_table_remove(b->jobs, j);
    g_free(j->handle);
    g_free(j->wish_text);
    g_free(j);
    if (!was_cur)
        return;
    p->cur = g_queue_pop_head(&p->waiting);
    if (p->cur && !b->closing)
        start(p->cur);
}

static void say_text(job_t *j, const char *text)
{
    j->bot->out.send(j->bot->out.ctx, j->handle, text);
}

/* Send fmt (already translated) formatted. */
static void say(job_t *j, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(job_t *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    say_text(j, s);
    g_free(s);
}

/* sj_tr with format_arg, so formats stay checked through translation. */
static const char *tr(sj_lang_t lang, const char *msgid)
    __attribute__((format_arg(2)));
static const char *tr(sj_lang_t lang, const char *msgid)
{
    return sj_tr(lang, msgid);
}

#define T(msgid) tr(j->lang, msgid)

static void on_reply(void *vj, const Shangju__Reply *r, int err);

/* Ask the broker; the job continues in on_reply at step. The job must not
 * be touched after this returns (the answer may come at once). */
static void ask(job_t *j, step_t step, Shangju__Request *req)
{
    j->step = step;
    if (j->msg_key) /* writes only: reads are never deduplicated */
        switch (step) {
        case STEP_JOIN:
        case STEP_POST:
        case STEP_MOVE:
        case STEP_LANG:
            req->request_id = (j->msg_key ^ ((uint64_t)step << 56)) | 1;
            break;
        default:
            break;
        }
    j->bot->in_flight++;
    if (j->bot->broker.call(j->bot->broker.ctx, req, on_reply, j) != 0) {
        j->bot->in_flight--;
        say_text(j, T(N_("The service is busy. Please try again later.")));
        job_free(j);
    }
}

static void ignore_reply(void *bot, const Shangju__Reply *r, int err)
{
    (void)r;
    (void)err;
    ((sj_chat_bot_t *)bot)->in_flight--;
}

/* A request whose answer does not matter to the conversation. */
static void fire(sj_chat_bot_t *b, Shangju__Request *req)
{
    b->in_flight++;
    if (b->broker.call(b->broker.ctx, req, ignore_reply, b) != 0)
        b->in_flight--;
}

static peer_t *peer_of(sj_chat_bot_t *b, const char *handle)
{
    return g_hash_table_lookup(b->peers, handle);
}

/* ----------------------------------------------------------- the texts */

static void say_help(job_t *j)
{
    say_text(j, T(N_("You can send:\n"
                     "wish <your wish> - post a wish (first line the "
                     "title)\n"
                     "mine - your wishes\n"
                     "show N - one wish\n"
                     "cancel N - withdraw a wish\n"
                     "thanks N 5 <words> - confirm it is done, rate 1-5\n"
                     "points - your points\n"
                     "lang 中文 - 用中文")));
}

static void say_usage(job_t *j, sj_cmd_kind_t of)
{
    switch (of) {
    case SJ_CMD_SHOW: {
        say_text(j, T(N_("Which wish? Send for example: show 12")));
        return;
    }
    case SJ_CMD_CANCEL: {
        say_text(j, T(N_("Which wish? Send for example: cancel 12")));
        return;
    }
    case SJ_CMD_THANKS: {
        say_text(j, T(N_("Send for example: thanks 12 5 Very kind! "
                         "(wish number, then 1-5 stars, then your "
                         "words)")));
        return;
    }
    case SJ_CMD_JOIN: {
        say_text(j, T(N_("Send the code from your neighbourhood "
                         "committee, for example: join 12-345678")));
        return;
    }
    case SJ_CMD_LANG: {
        say_text(j, T(N_("Send: lang English, or: 语言 中文")));
        return;
    }
    default: {
        say_text(j, T(N_("To act for a resident send for example: "
                         "for 12 wish <the wish>")));
        return;
    }
    }
}

static void say_suggest(job_t *j)
{
    const sj_cmd_t *c = &j->cmd;
    if (c->alt != SJ_CMD_NONE) {
        say(j,
            T(N_("Did you mean “%s” or “%s”? Please send the "
                 "command again.")),
            sj_chat_cmd_word(c->of, j->lang),
            sj_chat_cmd_word(c->alt, j->lang));
        return;
    }
    say(j, T(N_("Did you mean “%s”? If so, please send exactly that.")),
        c->suggest);
}

static void say_refusal(job_t *j, const Shangju__Reply *r)
{
    say_text(j, sj_chat_refusal(j->lang, r));
}

/* ------------------------------------------------------------ commands */

static void post(job_t *j, const char *text)
{
    const char *nl = strchr(text, '\n');
    size_t tlen = nl ? (size_t)(nl - text) : strlen(text);
    const char *details = nl ? nl + 1 : "";
    while (*details == '\n' || *details == ' ')
        details++;
    char *title = g_strndup(text, tlen);
    g_strstrip(title);
    /* Characters, as the broker counts them (sj_limits.h). */
    if (g_utf8_strlen(title, -1) > SJ_MAX_TITLE) {
        say_text(j, T(N_("The first line is too long for a title. Put a "
                         "short title on the first line and the details on "
                         "the next lines.")));
        g_free(title);
        job_free(j);
        return;
    }
    if (g_utf8_strlen(details, -1) > SJ_MAX_DETAILS) {
        say_text(j, T(N_("That wish is too long. Please make it shorter.")));
        g_free(title);
        job_free(j);
        return;
    }
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = title;
    p.details = (char *)details;
    p.for_member = j->acting;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_POST);
    req.wish_post = &p;
    ask(j, STEP_POST, &req);
    g_free(title);
}

static void get_wish(job_t *j, uint64_t id)
{
    Shangju__WishGet g = SHANGJU__WISH_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_GET);
    req.wish_get = &g;
    ask(j, STEP_GET, &req);
}

/* Run the parsed command for a linked member. */
static void act(job_t *j)
{
    sj_cmd_t *c = &j->cmd;
    peer_t *peer = peer_of(j->bot, j->handle);
    bool committee = j->role == SHANGJU__ROLE__ROLE_COMMITTEE;

    /* The second step of a bare 心愿: this message is the wish. */
    if (peer && peer->dialogue_at) {
        bool live = j->now - peer->dialogue_at < j->bot->opt.dialogue_ms;
        uint64_t dfor = peer->dialogue_for;
        peer->dialogue_at = 0;
        /* Anything but a whole command is the wish, even when it starts
         * with a command word (看望老人 is not "看"). */
        if (live && (c->kind == SJ_CMD_UNKNOWN || c->kind == SJ_CMD_USAGE) &&
            *c->plain) {
            j->acting = dfor ? dfor : j->me;
            post(j, c->plain);
            return;
        }
        if (live && c->kind == SJ_CMD_CANCEL && !c->id) {
            say_text(j, T(N_("All right, no wish was posted.")));
            job_free(j);
            return;
        }
    }
    if (c->for_id && !committee) {
        say_text(j, T(N_("Only neighbourhood committee workers can act for "
                         "another resident.")));
        job_free(j);
        return;
    }
    j->acting = c->for_id ? c->for_id : j->me;
    if (committee && !c->for_id &&
        (c->kind == SJ_CMD_WISH || c->kind == SJ_CMD_MINE ||
         c->kind == SJ_CMD_CANCEL || c->kind == SJ_CMD_THANKS)) {
        say_usage(j, SJ_CMD_NONE);
        job_free(j);
        return;
    }

    Shangju__Request req = SHANGJU__REQUEST__INIT;
    switch (c->kind) {
    case SJ_CMD_WISH:
        if (!*c->text) {
            if (peer) {
                peer->dialogue_at = j->now;
                peer->dialogue_for = c->for_id;
            }
            say_text(j, T(N_("What is your wish? Send it in one message: "
                             "the first line is the title, more lines for "
                             "details. (Send “cancel” to stop.)")));
            job_free(j);
            return;
        }
        post(j, c->text);
        return;
    case SJ_CMD_MINE: {
        Shangju__WishList l = SHANGJU__WISH_LIST__INIT;
        l.owner_id = j->acting;
        l.limit = MINE_PAGE;
        l.newest_first = true; /* what they posted last, not years ago */
        req.body_case = K(WISH_LIST);
        req.wish_list = &l;
        ask(j, STEP_MINE, &req);
        return;
    }
    case SJ_CMD_SHOW:
    case SJ_CMD_THANKS: {
        get_wish(j, c->id);
        return;
    }
    case SJ_CMD_CANCEL:
        if (!c->id) {
            say_usage(j, SJ_CMD_CANCEL);
            job_free(j);
            return;
        }
        get_wish(j, c->id);
        return;
    case SJ_CMD_POINTS: {
        Shangju__PointsBalance pb = SHANGJU__POINTS_BALANCE__INIT;
        pb.member_id = j->acting;
        req.body_case = K(POINTS_BALANCE);
        req.points_balance = &pb;
        ask(j, STEP_POINTS, &req);
        return;
    }
    case SJ_CMD_JOIN:
        say(j, T(N_("This chat is already linked to %s.")), j->name);
        job_free(j);
        return;
    case SJ_CMD_LANG: {
        if (!c->has_lang) {
            say_usage(j, SJ_CMD_LANG);
            job_free(j);
            return;
        }
        Shangju__ChatLangSet ls = SHANGJU__CHAT_LANG_SET__INIT;
        ls.member_id = j->me;
        ls.lang = (char *)sj_chat_lang_code(c->lang);
        req.body_case = K(CHAT_LANG_SET);
        req.chat_lang_set = &ls;
        ask(j, STEP_LANG, &req);
        return;
    }
    case SJ_CMD_HELP:
        say_help(j);
        break;
    case SJ_CMD_SUGGEST:
        say_suggest(j);
        break;
    case SJ_CMD_USAGE:
        say_usage(j, c->of);
        break;
    case SJ_CMD_BAD_TEXT:
        say_text(j, T(N_("I could not read that message (broken "
                         "characters). Please type it again.")));
        break;
    case SJ_CMD_TOO_LONG:
        say(j,
            T(N_("That message is too long (at most %d characters). "
                 "Please make it shorter.")),
            SJ_CHAT_MAX_INPUT);
        break;
    case SJ_CMD_UNKNOWN:
        say_text(j, T(N_("Sorry, I did not understand. Send “help” for "
                         "what I can do; to post a wish, begin with "
                         "“wish”.")));
        break;
    default:
        break;
    }
    job_free(j);
}

/* ----------------------------------------------------- broker answers */

static void resolved(job_t *j, const Shangju__Reply *r)
{
    if (r->status == ST(NOT_FOUND)) {
        if (j->cmd.kind == SJ_CMD_JOIN) {
            Shangju__ChatJoin cj = SHANGJU__CHAT_JOIN__INIT;
            cj.handle = j->handle;
            cj.code = j->cmd.text;
            Shangju__Request req = SHANGJU__REQUEST__INIT;
            req.body_case = K(CHAT_JOIN);
            req.chat_join = &cj;
            ask(j, STEP_JOIN, &req);
            return;
        }
        /* An unlinked handle learns nothing about who is a member. */
        say_text(j, T(N_("Hello! This is the neighbourhood wish service. "
                         "This chat account is not registered; please ask "
                         "your neighbourhood committee. If you have an "
                         "invite code, send: join CODE")));
        job_free(j);
        return;
    }
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_MEMBER) {
        say_refusal(j, r);
        job_free(j);
        return;
    }
    const Shangju__Member *m = r->member;
    j->me = m->id;
    j->role = m->role;
    snprintf(j->name, sizeof j->name, "%s", m->name);
    if (m->chat_lang && *m->chat_lang) {
        j->lang = sj_chat_lang_of(m->chat_lang);
    } else if (j->cmd.lang_known) {
        /* First message: remember the language it was written in. */
        Shangju__ChatLangSet ls = SHANGJU__CHAT_LANG_SET__INIT;
        ls.member_id = m->id;
        ls.lang = (char *)sj_chat_lang_code(j->lang);
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(CHAT_LANG_SET);
        req.chat_lang_set = &ls;
        fire(j->bot, &req);
    }
    if (m->status != SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE) {
        say_text(j, T(N_("Your membership is paused. Please ask your "
                         "neighbourhood committee.")));
        job_free(j);
        return;
    }
    act(j);
}

static void joined(job_t *j, const Shangju__Reply *r)
{
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_MEMBER)
        say_refusal(j, r);
    else
        say(j,
            T(N_("Welcome, %s! This chat is now linked. Send “wish” and "
                 "your wish to post one, or “help” for more.")),
            r->member->name);
    job_free(j);
}

static void posted(job_t *j, const Shangju__Reply *r)
{
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_WISH) {
        say_refusal(j, r);
    } else if (j->acting != j->me) {
        say(j, T(N_("Wish #%llu is posted for member %llu: “%s”.")),
            (ull)r->wish->id, (ull)j->acting, r->wish->title);
    } else {
        say(j,
            T(N_("Your wish #%llu is posted: “%s”. Shops nearby can see "
                 "it now; I will tell you when one takes it on. Send "
                 "“show %llu” to look at it.")),
            (ull)r->wish->id, r->wish->title, (ull)r->wish->id);
    }
    job_free(j);
}

/* A title cut to about n characters for a one-line list. */
static char *short_title(const char *t, long n)
{
    if (g_utf8_strlen(t, -1) <= n)
        return g_strdup(t);
    char *cut = g_utf8_substring(t, 0, n - 1);
    char *s = g_strconcat(cut, "…", NULL);
    g_free(cut);
    return s;
}

static void listed(job_t *j, const Shangju__Reply *r)
{
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_WISHES) {
        say_refusal(j, r);
        job_free(j);
        return;
    }
    const Shangju__WishPage *p = r->wishes;
    if (p->n_items == 0) {
        say_text(j, T(N_("No wishes yet. Send “wish” and your wish to post "
                         "one.")));
        job_free(j);
        return;
    }
    GString *g = g_string_new(T(N_("Your wishes:")));
    for (size_t i = 0; i < p->n_items; i++) {
        char *t = short_title(p->items[i]->title, 16);
        g_string_append_printf(g, "\n#%llu %s - %s", (ull)p->items[i]->id, t,
                               sj_chat_state_name(j->lang, p->items[i]->state));
        g_free(t);
    }
    if (p->next)
        g_string_append_printf(g, "\n%s", T(N_("(and more)")));
    g_string_append_printf(g, "\n%s", T(N_("Send “show N” for one of them.")));
    say_text(j, g->str);
    g_string_free(g, TRUE);
    job_free(j);
}

/* What the resident can do next with a wish in this state (NULL: none). */
static char *next_step(job_t *j)
{
    if (!j->wish_mine)
        return NULL;
    ull id = (ull)j->cmd.id;
    switch (j->wish_state) {
    case WS(OPEN):
        return g_strdup_printf(T(N_("To withdraw it send “cancel %llu”.")), id);
    case WS(FULFILLED):
        return g_strdup_printf(
            T(N_("If it is done, send “thanks %llu 5” (1-5 stars).")), id);
    default:
        return NULL;
    }
}

/* Say the wish's lines, the shop's phone (while it holds the claim, when
 * its listing has one) and the next step. */
static void shown_with(job_t *j, const char *phone)
{
    GString *g = g_string_new(j->wish_text);
    if (phone && *phone) {
        g_string_append_c(g, '\n');
        g_string_append_printf(g, T(N_("Phone: %s")), phone);
    }
    char *next = next_step(j);
    if (next)
        g_string_append_printf(g, "\n%s", next);
    g_free(next);
    say_text(j, g->str);
    g_string_free(g, TRUE);
    job_free(j);
}

static void got_wish(job_t *j, const Shangju__Reply *r)
{
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_WISH) {
        say_refusal(j, r);
        job_free(j);
        return;
    }
    const Shangju__Wish *w = r->wish;
    j->wish_state = w->state;
    j->wish_mine = w->owner_id == j->acting;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    if (j->cmd.kind == SJ_CMD_SHOW) {
        /* Lines as "label: value" whole, so Chinese needs no space after
         * its full-width colon. */
        char *state = g_strdup_printf(T(N_("State: %s")),
                                      sj_chat_state_name(j->lang, w->state));
        char *building = g_strdup_printf(T(N_("Building: %s")),
                                         *w->building ? w->building : "-");
        j->wish_text = g_strdup_printf("#%llu “%s”\n%s\n%s", (ull)w->id,
                                       w->title, state, building);
        g_free(state);
        g_free(building);
        if (!w->claim || !w->claim->merchant_id ||
            (w->state != WS(CLAIMED) && w->state != WS(FULFILLED) &&
             w->state != WS(CLOSED))) {
            shown_with(j, NULL);
            return;
        }
        Shangju__MemberGet mg = SHANGJU__MEMBER_GET__INIT;
        mg.id = w->claim->merchant_id;
        req.body_case = K(MEMBER_GET);
        req.member_get = &mg;
        ask(j, STEP_MERCHANT, &req);
        return;
    }
    /* cancel / thanks: only one's own wish (the bridge may act for every
     * resident linked to it, so the check is here). */
    if (!j->wish_mine) {
        say_text(j, T(N_("That is not your wish.")));
        job_free(j);
        return;
    }
    if (j->cmd.kind == SJ_CMD_CANCEL) {
        Shangju__WishCancel wc = SHANGJU__WISH_CANCEL__INIT;
        wc.id = w->id;
        req.body_case = K(WISH_CANCEL);
        req.wish_cancel = &wc;
        ask(j, STEP_MOVE, &req);
        return;
    }
    Shangju__WishConfirm wc = SHANGJU__WISH_CONFIRM__INIT;
    wc.id = w->id;
    wc.rating = j->cmd.rating;
    wc.thanks = j->cmd.text;
    req.body_case = K(WISH_CONFIRM);
    req.wish_confirm = &wc;
    ask(j, STEP_MOVE, &req);
}

/* Why a cancel or a thanks was refused, by the state the wish was seen
 * in, with what the resident can do instead; NULL when the refusal had
 * another cause (the broker's sentence is said then). */
static char *state_refusal(job_t *j, const Shangju__Reply *r)
{
    sj_reason_t why = sj_reason_parse(r->reason);
    ull id = (ull)j->cmd.id;
    bool cancel = j->cmd.kind == SJ_CMD_CANCEL;
    if (cancel ? why != SJ_R_WISH_NOT_OPEN : why != SJ_R_WISH_NOT_FULFILLED)
        return NULL;
    switch (j->wish_state) {
    case WS(OPEN):
        return cancel ? NULL
                      : g_strdup_printf(
                            T(N_("Wish #%llu is still waiting for a "
                                 "merchant. You can thank them once it is "
                                 "done.")),
                            id);
    case WS(CLAIMED):
        return g_strdup_printf(
            cancel ? T(N_("Wish #%llu has been taken on by a merchant, so it "
                          "can no longer be withdrawn here. Please tell the "
                          "merchant, or your neighbourhood committee."))
                   : T(N_("Wish #%llu is not done yet. The merchant will "
                          "mark it done, and I will tell you.")),
            id);
    case WS(FULFILLED):
        return cancel ? g_strdup_printf(
                            T(N_("Wish #%llu is already done. If it went "
                                 "well, send “thanks %llu 5” (1-5 stars).")),
                            id, id)
                      : NULL;
    default:
        /* TRANSLATORS: %s is a wish state: closed, cancelled, expired. */
        return g_strdup_printf(T(N_("Wish #%llu is %s already.")), id,
                               sj_chat_state_name(j->lang, j->wish_state));
    }
}

static void moved(job_t *j, const Shangju__Reply *r)
{
    char *why = r->status != ST(OK) ? state_refusal(j, r) : NULL;
    if (why)
        say_text(j, why);
    else if (r->status != ST(OK))
        say_refusal(j, r);
    else if (j->cmd.kind == SJ_CMD_CANCEL)
        say(j, T(N_("Wish #%llu is cancelled.")), (ull)j->cmd.id);
    else
        say(j,
            T(N_("Thank you! Wish #%llu is closed, and the merchant "
                 "earns points for it.")),
            (ull)j->cmd.id);
    g_free(why);
    job_free(j);
}

static void on_reply(void *vj, const Shangju__Reply *r, int err)
{
    job_t *j = vj;
    j->bot->in_flight--;
    if (err || !r) {
        say_text(j, T(N_("The service is not answering right now. Please "
                         "try again in a few minutes.")));
        job_free(j);
        return;
    }
    switch (j->step) {
    case STEP_RESOLVE: {
        resolved(j, r);
        return;
    }
    case STEP_JOIN: {
        joined(j, r);
        return;
    }
    case STEP_POST: {
        posted(j, r);
        return;
    }
    case STEP_MINE: {
        listed(j, r);
        return;
    }
    case STEP_GET: {
        got_wish(j, r);
        return;
    }
    case STEP_MERCHANT: {
        if (r->status != ST(OK) ||
            r->body_case != SHANGJU__REPLY__BODY_MEMBER) {
            shown_with(j, NULL);
            return;
        }
        char *with = g_strdup_printf(T(N_("Merchant: %s")), r->member->name);
        char *text = g_strconcat(j->wish_text, "\n", with, NULL);
        g_free(with);
        g_free(j->wish_text);
        j->wish_text = text;
        if (j->wish_state != WS(CLAIMED)) {
            shown_with(j, NULL);
            return;
        }
        Shangju__ListingGet lg = SHANGJU__LISTING_GET__INIT;
        lg.merchant_id = r->member->id;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(LISTING_GET);
        req.listing_get = &lg;
        ask(j, STEP_SHOP, &req);
        return;
    }
    case STEP_SHOP: {
        shown_with(j, r->status == ST(OK) &&
                              r->body_case == SHANGJU__REPLY__BODY_LISTING
                          ? r->listing->phone
                          : NULL);
        return;
    }
    case STEP_MOVE: {
        moved(j, r);
        return;
    }
    case STEP_POINTS:
        /* A bridge reads the points of the residents linked to it; a
         * refusal (a broker of another mind) says where to ask instead. */
        if (r->status == ST(PERMISSION_DENIED))
            say_text(j, T(N_("Your points are private: only you (in the "
                             "app) and your neighbourhood committee can see "
                             "them, not this chat. Please ask the "
                             "committee.")));
        else if (r->status != ST(OK) ||
                 r->body_case != SHANGJU__REPLY__BODY_ACCOUNT)
            say_refusal(j, r);
        else
            say(j, T(N_("Points: %lld (earned %llu in all).")),
                (long long)r->account->balance, (ull)r->account->earned);
        job_free(j);
        return;
    case STEP_LANG:
        if (r->status != ST(OK)) {
            say_refusal(j, r);
        } else {
            j->lang = j->cmd.lang;
            say_text(j, T(N_("All right, I will write in English from now "
                             "on.")));
        }
        job_free(j);
        return;
    }
}

/* ------------------------------------------------------------ the bot */

sj_chat_bot_t *sj_chat_bot_new(const sj_chat_broker_t *broker,
                               const sj_chat_transport_t *out,
                               const sj_chat_bot_opts_t *opts)
{
    sj_chat_bot_t *b = g_try_new0(sj_chat_bot_t, 1);
    if (!b)
        return NULL;
    b->broker = *broker;
    b->out = *out;
    if (opts)
        b->opt = *opts;
    b->opt.burst = opts && opts->burst ? opts->burst : 6;
    b->opt.refill_ms = opts && opts->refill_ms ? opts->refill_ms : 2000;
    b->opt.dialogue_ms =
        opts && opts->dialogue_ms ? opts->dialogue_ms : 10 * 60 * 1000;
    b->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    b->jobs = g_hash_table_new(g_direct_hash, g_direct_equal);
    return b;
}

void sj_chat_bot_destroy(sj_chat_bot_t **self)
{
    if (!self || !*self)
        return;
    /* Jobs still waiting for a broker that will never answer now, or for
     * their turn. */
    (*self)->closing = true;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, (*self)->peers);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_queue_clear(&((peer_t *)v)->waiting);
    GList *left = g_hash_table_get_keys((*self)->jobs);
    for (GList *l = left; l; l = l->next)
        job_free(l->data);
    g_list_free(left);
    g_hash_table_destroy((*self)->jobs);
    g_hash_table_destroy((*self)->peers);
    g_free(*self);
    *self = NULL;
}

bool sj_chat_bot_busy(const sj_chat_bot_t *b)
{
    return b->in_flight > 0;
}

static gboolean idle_peer(gpointer k, gpointer v, gpointer now)
{
    (void)k;
    const peer_t *p = v;
    return !p->dialogue_at && !p->cur &&
           *(int64_t *)now - p->seen > PEER_IDLE_MS;
}

void sj_chat_bot_tick(sj_chat_bot_t *b, int64_t now)
{
    g_hash_table_foreach_remove(b->peers, idle_peer, &now);
}

/* Take one token from handle's bucket; false when it is empty. */
static bool admit(sj_chat_bot_t *b, const char *handle, int64_t now, bool *tell)
{
    peer_t *p = peer_of(b, handle);
    *tell = false;
    if (!p) {
        if (g_hash_table_size(b->peers) >= MAX_PEERS)
            sj_chat_bot_tick(b, now);
        if (g_hash_table_size(b->peers) >= MAX_PEERS)
            return false; /* under attack by many handles: stay silent */
        p = g_new0(peer_t, 1);
        p->tokens = b->opt.burst;
        p->refilled = now;
        g_hash_table_insert(b->peers, g_strdup(handle), p);
    }
    p->seen = now;
    if (now > p->refilled) {
        p->tokens += (double)(now - p->refilled) / (double)b->opt.refill_ms;
        if (p->tokens > b->opt.burst)
            p->tokens = b->opt.burst;
        p->refilled = now;
    }
    if (p->tokens >= 1) {
        p->tokens -= 1;
        p->told_slow = false;
        return true;
    }
    *tell = !p->told_slow;
    p->told_slow = true;
    return false;
}

/* FNV-1a over handle NUL msg_id: the same message, the same key. */
static uint64_t msg_key(const char *handle, const char *msg_id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = handle;; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        if (!*p)
            break;
    }
    for (const char *p = msg_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h ? h : 1;
}

void sj_chat_bot_message(sj_chat_bot_t *b, const char *handle, const char *text,
                         size_t len, int64_t now, const char *msg_id)
{
    if (!handle || !*handle || strlen(handle) > SJ_MAX_HANDLE)
        return;
    job_t *j = g_try_new0(job_t, 1);
    if (!j)
        return;
    j->bot = b;
    g_hash_table_add(b->jobs, j);
    j->now = now;
    sj_chat_parse(text, len, &j->cmd);
    if (j->cmd.kind == SJ_CMD_NONE) {
        job_free(j);
        return;
    }
    j->lang = j->cmd.lang_known ? j->cmd.said_in : b->opt.lang;
    j->handle = g_strdup(handle);
    if (msg_id && *msg_id)
        j->msg_key = msg_key(handle, msg_id);
    bool tell;
    if (!admit(b, handle, now, &tell)) {
        if (tell)
            say_text(j, T(N_("You are sending messages very fast. Please "
                             "wait a minute, then send again.")));
        job_free(j);
        return;
    }
    peer_t *p = peer_of(b, handle);
    if (p->cur) {
        g_queue_push_tail(&p->waiting, j);
        return;
    }
    p->cur = j;
    start(j);
}

/* Handle a message in its turn: first, who is writing. */
static void start(job_t *j)
{
    Shangju__ChatResolve cr = SHANGJU__CHAT_RESOLVE__INIT;
    cr.handle = j->handle;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_RESOLVE);
    req.chat_resolve = &cr;
    ask(j, STEP_RESOLVE, &req);
}
