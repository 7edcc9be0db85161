/* The preloader of bench_preload.h: members and wishes put into a stopped
 * broker's data directory through sj_dispatch, many requests per synced
 * commit. No dedup entries are written: they only answer retries, and the
 * broker prunes them after a day anyway. */
#include "bench_preload.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "codec.h"
#include "datadir.h"
#include "dispatch.h"
#include "keyfile.h"
#include "log.h"

#define DEFAULT_RESIDENTS 1000
#define DEFAULT_MERCHANTS 50
#define DEFAULT_COMMUNITIES 10
#define FIRST_COMMITTEE 1 /* the member sj_datadir_init creates */

typedef unsigned long long ull;

/* One write transaction at a time, committed every per_txn requests. */
typedef struct {
    sj_store_t *store;
    sj_config_t cfg;
    sj_txn_t *txn;
    unsigned in_txn, per_txn;
    int64_t now;
    uint64_t request_id;
} loader_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flush(loader_t *l)
{
    if (!l->txn)
        return 0;
    l->in_txn = 0;
    int err = sj_txn_commit(&l->txn);
    if (err) {
        fprintf(stderr, "preload: commit: %s%s\n", sj_strerror(err),
                err == SJ_EFULL ? " (raise --map-size)" : "");
        return -1;
    }
    return 0;
}

static int begin(loader_t *l)
{
    if (l->txn)
        return 0;
    int err = sj_txn_begin(l->store, true, &l->txn);
    if (err) {
        fprintf(stderr, "preload: begin: %s\n", sj_strerror(err));
        return -1;
    }
    l->now = sj_now_ms();
    return 0;
}

/* The id of the member or wish a reply carries (0: neither). */
static uint64_t reply_id(const Shangju__Reply *r)
{
    if (r->body_case == SHANGJU__REPLY__BODY_MEMBER)
        return r->member->id;
    if (r->body_case == SHANGJU__REPLY__BODY_WISH)
        return r->wish->id;
    return 0;
}

/* Run req as caller `as` in the open transaction; *id (if not NULL) gets
 * the id of the member or wish in the reply. Returns 0, or -1 with a
 * message on stderr when the request is refused. */
static int call(loader_t *l, const Shangju__Member *as, Shangju__Request *req,
                uint64_t *id)
{
    if (begin(l) != 0)
        return -1;
    sj_call_t c;
    sj_call_init(&c, l->txn, as, l->now, &l->cfg);
    req->request_id = ++l->request_id;
    int rc = sj_dispatch(&c, req);
    if (rc == 0 && id)
        *id = reply_id(&c.reply);
    if (rc)
        fprintf(stderr, "preload: %s refused: %s %s\n", sj_request_kind(req),
                sj_status_name(c.reply.status),
                c.reply.message ? c.reply.message : "");
    sj_call_end(&c);
    if (rc)
        return -1;
    return ++l->in_txn >= l->per_txn ? flush(l) : 0;
}

/* Load member id as a caller record (owned by the caller of this). */
static Shangju__Member *load_member(loader_t *l, uint64_t id)
{
    Shangju__Member *m = NULL;
    if (begin(l) != 0)
        return NULL;
    int err = sj_member_get(l->txn, id, &m);
    if (err) {
        fprintf(stderr, "preload: member %llu: %s\n", (ull)id,
                sj_strerror(err));
        return NULL;
    }
    return m;
}

/* Add a member of role and load it into *out. */
static int add_member(loader_t *l, const Shangju__Member *committee,
                      Shangju__Role role, unsigned i, unsigned communities,
                      Shangju__Member **out)
{
    sj_keypair_t kp;
    if (sj_keyfile_generate(&kp) != 0) {
        fprintf(stderr, "preload: cannot generate a key pair\n");
        return -1;
    }
    char name[48], community[32], building[32];
    snprintf(name, sizeof name, "Preload %s %u",
             role == SHANGJU__ROLE__ROLE_MERCHANT ? "merchant" : "resident", i);
    snprintf(community, sizeof community, "Preload %u", i % communities);
    snprintf(building, sizeof building, "Building %u", i % 20);
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = role;
    a.name = name;
    a.community = community;
    a.building = building;
    a.contact = "138-0000-0000";
    a.public_key.data = kp.public_key;
    a.public_key.len = SJ_KEY_BYTES;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &a;
    uint64_t id = 0;
    if (call(l, committee, &req, &id) != 0)
        return -1;
    *out = load_member(l, id);
    return *out ? 0 : -1;
}

static int post(loader_t *l, const Shangju__Member *owner, uint64_t n,
                uint64_t *id)
{
    static const char *const categories[] = {"groceries", "repairs", "errands",
                                             "company", "medicine"};
    char title[48];
    snprintf(title, sizeof title, "Preloaded wish %llu", (ull)n);
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = title;
    p.details = "Two bags of rice and a bottle of soy sauce, delivered to "
                "the door after six in the evening, please.";
    p.category = (char *)categories[n % 5];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &p;
    return call(l, owner, &req, id);
}

static int claim(loader_t *l, const Shangju__Member *merchant, uint64_t id)
{
    Shangju__WishClaim cl = SHANGJU__WISH_CLAIM__INIT;
    cl.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &cl;
    return call(l, merchant, &req, NULL);
}

static void progress(const preload_opts_t *o, uint64_t done, double t0,
                     double *next)
{
    double t = now_s();
    if (o->progress_every <= 0 || t < *next)
        return;
    *next = t + o->progress_every;
    fprintf(stderr, "preload: %llu/%llu wishes in %.0f s (%.0f wishes/s)\n",
            (ull)done, (ull)o->wishes, t - t0,
            (double)done / (t - t0 > 0 ? t - t0 : 1));
}

/* Members first, then the wishes; every PRELOAD_CLAIM_EVERY-th claimed. */
static int fill(loader_t *l, const preload_opts_t *o, Shangju__Member **people,
                unsigned residents, unsigned merchants, preload_result_t *r,
                double t0)
{
    unsigned communities =
        o->communities ? o->communities : DEFAULT_COMMUNITIES;
    Shangju__Member *committee = load_member(l, FIRST_COMMITTEE);
    if (!committee)
        return -1;
    int rc = committee->role == SHANGJU__ROLE__ROLE_COMMITTEE ? 0 : -1;
    if (rc)
        fprintf(stderr, "preload: member %d is not the committee\n",
                FIRST_COMMITTEE);
    for (unsigned i = 0; rc == 0 && i < residents + merchants; i++)
        rc = add_member(l, committee,
                        i < residents ? SHANGJU__ROLE__ROLE_RESIDENT
                                      : SHANGJU__ROLE__ROLE_MERCHANT,
                        i, communities, &people[i]);
    if (rc == 0)
        r->members = residents + merchants;
    shangju__member__free_unpacked(committee, NULL);
    double next = t0 + o->progress_every;
    for (uint64_t n = 1; rc == 0 && n <= o->wishes; n++) {
        uint64_t id = 0;
        if (o->stop && *o->stop) {
            fprintf(stderr, "preload: interrupted\n");
            return -1;
        }
        if ((rc = post(l, people[(n - 1) % residents], n, &id)) != 0)
            break;
        if (id != n) {
            fprintf(stderr,
                    "preload: got wish id %llu, expected %llu (was "
                    "the store empty?)\n",
                    (ull)id, (ull)n);
            return -1;
        }
        r->wishes++;
        if (id % PRELOAD_CLAIM_EVERY == 0) {
            const Shangju__Member *m =
                people[residents + (id / PRELOAD_CLAIM_EVERY) % merchants];
            if ((rc = claim(l, m, id)) != 0)
                break;
            r->claims++;
        }
        if (n % 1024 == 0)
            progress(o, n, t0, &next);
    }
    return rc == 0 ? flush(l) : -1;
}

static int empty_store(sj_store_t *store)
{
    sj_store_stats_t st;
    int err = sj_store_stats(store, &st);
    if (err) {
        fprintf(stderr, "preload: stats: %s\n", sj_strerror(err));
        return -1;
    }
    if (st.wishes) {
        fprintf(stderr, "preload: the store already holds %llu wishes\n",
                (ull)st.wishes);
        return -1;
    }
    return 0;
}

int preload_run(const char *dir, const preload_opts_t *o, preload_result_t *r)
{
    memset(r, 0, sizeof *r);
    unsigned residents = o->residents ? o->residents : DEFAULT_RESIDENTS;
    unsigned merchants = o->merchants ? o->merchants : DEFAULT_MERCHANTS;
    double t0 = now_s();
    Shangju__Member **people = calloc(residents + merchants, sizeof *people);
    if (!people) {
        fprintf(stderr, "preload: out of memory\n");
        return -1;
    }
    sj_log_set_level(SJ_LOG_WARN); /* the data dir's first-start lines */
    sj_datadir_t dd;
    if (sj_datadir_init(dir, o->map_size, false, &dd) != 0) {
        fprintf(stderr, "preload: cannot open the data directory %s\n", dir);
        free(people);
        return -1;
    }
    loader_t l = {.store = dd.store,
                  .per_txn = o->per_txn ? o->per_txn : PRELOAD_PER_TXN};
    sj_config_defaults(&l.cfg);
    l.cfg.data_dir = dir;
    l.cfg.max_live_claims = 1u << 30; /* a big store's merchants hold many */
    int rc = empty_store(dd.store);
    if (rc == 0)
        rc = fill(&l, o, people, residents, merchants, r, t0);
    sj_txn_abort(&l.txn); /* left open by a failure */
    for (unsigned i = 0; i < residents + merchants; i++)
        if (people[i])
            shangju__member__free_unpacked(people[i], NULL);
    free(people);
    sj_store_stats_t st;
    if (rc == 0 && sj_store_stats(dd.store, &st) == 0)
        r->last_seq = st.last_seq;
    sj_datadir_close(&dd);
    r->seconds = now_s() - t0;
    return rc;
}

unsigned long preload_map_mib(uint64_t wishes)
{
    /* About 1.5 KiB per wish on disk (record, four indexes, timer, event,
     * B-tree slack); twice that, plus 1 GiB for the run on top. The map is
     * only address space: the file grows with what is used. */
    return (unsigned long)(wishes * 3 / 1024) + 1024;
}
