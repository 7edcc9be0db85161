/* The committee's yearly report, computed from the event log: every change
 * is an event stamped with its time, so counts and medians come from one
 * scan of the year's events (plus the later claims and fulfilments of
 * wishes posted in it). Compacts are counted from their own state history:
 * every compact in force or in progress during the year, by its state at
 * the year's end. The ranking comes from the points ledger. A past year's
 * report never changes. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compacts.h"
#include "ledger.h"
#include "points.h"
#include "validate.h"
#include "sj_zone.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define PAGE_EVENTS 1000
#define RANKING_SIZE 10

/* A wish posted in the year: when, and its first claim and fulfilment. */
typedef struct {
    uint64_t id;
    int64_t posted, claimed, fulfilled; /* 0 = not (yet) */
} wish_times_t;

/* Sorted sets of ids (merchants active, compacts seen), with a value. */
typedef struct {
    uint64_t id;
    int value;
} idval_t;

typedef struct {
    int64_t start, end; /* the year, [start, end) in Unix ms */
    Shangju__Report *r;
    wish_times_t *wishes;
    size_t n_wishes, cap_wishes;
    idval_t *merchants, *compacts;
    size_t n_merchants, cap_merchants, n_compacts, cap_compacts;
    uint64_t issued, spent;
} scan_t;

/* The year in the community's zone: 1 January 07:00 in Beijing is in it. */
static int64_t year_start_ms(uint32_t year)
{
    return sj_zone_year_start_ms(year);
}

/* Find or insert id in the sorted set; *slot gets its entry. */
static int set_put(idval_t **set, size_t *n, size_t *cap, uint64_t id,
                   idval_t **slot)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((*set)[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && (*set)[lo].id == id) {
        *slot = &(*set)[lo];
        return SJ_OK;
    }
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        idval_t *p = realloc(*set, ncap * sizeof *p);
        if (!p)
            return SJ_ENOMEM;
        *set = p;
        *cap = ncap;
    }
    memmove(*set + lo + 1, *set + lo, (*n - lo) * sizeof **set);
    (*set)[lo] = (idval_t){.id = id};
    (*n)++;
    *slot = &(*set)[lo];
    return SJ_OK;
}

static wish_times_t *find_wish(scan_t *s, uint64_t id)
{
    size_t lo = 0, hi = s->n_wishes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->wishes[mid].id < id)
            lo = mid + 1;
        else if (s->wishes[mid].id > id)
            hi = mid;
        else
            return &s->wishes[mid];
    }
    return NULL;
}

static int add_wish(scan_t *s, uint64_t id, int64_t at)
{
    if (s->n_wishes == s->cap_wishes) {
        size_t ncap = s->cap_wishes ? s->cap_wishes * 2 : 256;
        wish_times_t *p = realloc(s->wishes, ncap * sizeof *p);
        if (!p)
            return SJ_ENOMEM;
        s->wishes = p;
        s->cap_wishes = ncap;
    }
    /* Wish ids and event seqs grow together: the array stays sorted. */
    s->wishes[s->n_wishes++] = (wish_times_t){.id = id, .posted = at};
    return SJ_OK;
}

static int merchant_active(scan_t *s, const Shangju__Wish *w)
{
    if (!w->claim || !w->claim->merchant_id)
        return SJ_OK;
    idval_t *slot;
    return set_put(&s->merchants, &s->n_merchants, &s->cap_merchants,
                   w->claim->merchant_id, &slot);
}

/* An event inside the year. */
static int count(scan_t *s, const Shangju__Event *e)
{
    Shangju__Report *r = s->r;
    sj_topic_t t = sj_topic_parse(e->topic);
    const Shangju__Wish *w =
        e->body_case == SHANGJU__EVENT__BODY_WISH ? e->wish : NULL;
    const Shangju__LedgerEntry *le =
        e->body_case == SHANGJU__EVENT__BODY_ENTRY ? e->entry : NULL;
    int err = SJ_OK;
    switch (t) {
    case SJ_TOPIC_WISH_POSTED:
        if (w) {
            r->wishes_posted++;
            err = add_wish(s, w->id, e->at);
        }
        break;
    case SJ_TOPIC_WISH_CLAIMED:
        if (w) {
            r->wishes_claimed++;
            err = merchant_active(s, w);
        }
        break;
    case SJ_TOPIC_WISH_FULFILLED:
        if (w) {
            r->wishes_fulfilled++;
            err = merchant_active(s, w);
        }
        break;
    case SJ_TOPIC_WISH_EXPIRED:
        r->wishes_expired += w != NULL;
        break;
    case SJ_TOPIC_WISH_CLOSED:
        r->wishes_closed += w != NULL;
        break;
    case SJ_TOPIC_WISH_CANCELLED:
        r->wishes_cancelled += w != NULL;
        break;
    case SJ_TOPIC_COMPACT_COMPLAINED:
        r->complaints_filed++;
        break;
    case SJ_TOPIC_COMPACT_RESOLVED:
        r->complaints_resolved++;
        break;
    case SJ_TOPIC_POINTS_EARNED:
        if (le && le->amount > 0)
            s->issued += (uint64_t)le->amount;
        break;
    case SJ_TOPIC_POINTS_TRANSFERRED:
        if (le)
            s->spent += (uint64_t)(le->amount < 0 ? -le->amount : le->amount);
        break;
    default:
        break;
    }
    if (err)
        return err;
    if (e->body_case == SHANGJU__EVENT__BODY_COMPACT && e->compact) {
        idval_t *slot; /* its state as of the year's last event about it */
        err = set_put(&s->compacts, &s->n_compacts, &s->cap_compacts,
                      e->compact->id, &slot);
        if (err)
            return err;
        slot->value = e->compact->state;
    }
    return SJ_OK;
}

/* First claim / fulfilment of a wish posted in the year (any time). */
static void follow(scan_t *s, const Shangju__Event *e)
{
    if (e->body_case != SHANGJU__EVENT__BODY_WISH || !e->wish)
        return;
    wish_times_t *wt = find_wish(s, e->wish->id);
    if (!wt)
        return;
    sj_topic_t t = sj_topic_parse(e->topic);
    if (!wt->claimed && t == SJ_TOPIC_WISH_CLAIMED)
        wt->claimed = e->at;
    if (!wt->fulfilled && t == SJ_TOPIC_WISH_FULFILLED)
        wt->fulfilled = e->at;
}

/* The first seq whose event is at or after t (events are in time order). */
static int first_at(sj_txn_t *t, uint64_t last, int64_t at, uint64_t *seq)
{
    uint64_t lo = 1, hi = last + 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        Shangju__Event **items;
        size_t n;
        int err = sj_event_range(t, mid, 1, &items, &n);
        if (err)
            return err;
        bool before = n && items[0]->at < at;
        uint64_t found = n ? items[0]->seq : hi;
        sj_event_page_free(items, n);
        if (before)
            lo = found + 1;
        else
            hi = mid;
    }
    *seq = lo;
    return SJ_OK;
}

static int scan(sj_txn_t *t, scan_t *s)
{
    uint64_t last, seq;
    int err = sj_txn_last_id(t, SJ_COUNTER_EVENT, &last);
    if (!err)
        err = first_at(t, last, s->start, &seq);
    while (!err && seq <= last) {
        Shangju__Event **items;
        size_t n;
        err = sj_event_range(t, seq, PAGE_EVENTS, &items, &n);
        if (err || n == 0)
            break;
        for (size_t i = 0; i < n && !err; i++) {
            if (items[i]->at < s->end)
                err = count(s, items[i]);
            follow(s, items[i]);
        }
        seq = items[n - 1]->seq + 1;
        /* Past the year only the wishes posted in it still matter. */
        bool done = items[n - 1]->at >= s->end && s->n_wishes == 0;
        sj_event_page_free(items, n);
        if (done)
            break;
    }
    return err;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median of the delays (the mean of the two middle ones for an even
 * count, rounded down), over wishes that reached the later time. */
static int median(scan_t *s, bool fulfilled, Shangju__MedianMs *m)
{
    int64_t *d = malloc((s->n_wishes ? s->n_wishes : 1) * sizeof *d);
    if (!d)
        return SJ_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < s->n_wishes; i++) {
        int64_t to = fulfilled ? s->wishes[i].fulfilled : s->wishes[i].claimed;
        if (to)
            d[n++] = to - s->wishes[i].posted;
    }
    qsort(d, n, sizeof *d, cmp_i64);
    m->samples = (uint32_t)n;
    m->ms = n == 0 ? 0 : n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    free(d);
    return SJ_OK;
}

static void count_state(Shangju__Report *r, int state)
{
    switch (state) {
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_NEGOTIATING:
        r->compacts_negotiating++;
        break;
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_SIGNED:
        r->compacts_signed++;
        break;
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_PUBLISHED:
        r->compacts_published++;
        break;
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE:
        r->compacts_active++;
        break;
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_EVALUATING:
        r->compacts_evaluating++;
        break;
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_CLOSED:
        r->compacts_closed++;
        break;
    default:
        break;
    }
}

/* cp's state at the year's end, from its history; 0 when it did not exist
 * yet or was closed before the year began. A record from before histories
 * were kept counts by the year's last event about it (0 without one). */
static int state_at_end(const scan_t *s, const Shangju__Compact *cp)
{
    if (cp->n_history == 0) {
        for (size_t i = 0; i < s->n_compacts; i++)
            if (s->compacts[i].id == cp->id)
                return s->compacts[i].value;
        return 0;
    }
    const Shangju__CompactStateChange *last = NULL;
    for (size_t i = 0; i < cp->n_history && cp->history[i]->at < s->end; i++)
        last = cp->history[i];
    if (!last || (last->state == SHANGJU__COMPACT_STATE__COMPACT_STATE_CLOSED &&
                  last->at < s->start))
        return 0;
    return last->state;
}

static int compact_states(sj_txn_t *t, scan_t *s)
{
    uint64_t after = 0;
    do {
        Shangju__Compact **items;
        size_t n;
        int err = sj_compact_list(t, 0, after, 100, &items, &n, &after);
        if (err)
            return err;
        for (size_t i = 0; i < n; i++)
            count_state(s->r, state_at_end(s, items[i]));
        sj_compact_page_free(items, n);
    } while (after);
    return SJ_OK;
}

int sj_h_report_get(sj_call_t *c, const Shangju__Request *req)
{
    uint32_t year = req->report_get->year;
    if (year == 0)
        year = sj_ledger_year(c->now);
    int rc = sj_check_year(c, year);
    if (rc)
        return rc;
    Shangju__Report *r = sj_call_alloc(c, sizeof *r);
    Shangju__MedianMs *m1 = sj_call_alloc(c, sizeof *m1);
    Shangju__MedianMs *m2 = sj_call_alloc(c, sizeof *m2);
    if (!r || !m1 || !m2)
        return sj_call_store_fail(c, SJ_ENOMEM, "report");
    shangju__report__init(r);
    shangju__median_ms__init(m1);
    shangju__median_ms__init(m2);
    r->year = year;
    scan_t s = {
        .start = year_start_ms(year), .end = year_start_ms(year + 1), .r = r};
    int err = scan(c->txn, &s);
    if (!err)
        err = median(&s, false, m1);
    if (!err)
        err = median(&s, true, m2);
    r->posted_to_claimed = m1;
    r->posted_to_fulfilled = m2;
    r->active_merchants = (uint32_t)s.n_merchants;
    if (!err)
        err = compact_states(c->txn, &s);
    r->points_issued = s.issued;
    r->points_spent = s.spent;
    free(s.wishes);
    free(s.merchants);
    free(s.compacts);
    if (err)
        return sj_call_store_fail(c, err, "event log");
    err = sj_points_ranking(c, year, RANKING_SIZE, &r->ranking);
    if (err)
        return sj_call_store_fail(c, err, "ranking");
    c->reply.body_case = SHANGJU__REPLY__BODY_REPORT;
    c->reply.report = r;
    return 0;
}
