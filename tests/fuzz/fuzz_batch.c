/* libFuzzer target: a hostile batch of raw frames through sj_batch_apply,
 * the group commit the server loop runs: decode, request_id,
 * the dedup table, the caller looked up by CURVE key, the rule table and
 * the handler in a nested transaction, refusals remembered, one commit.
 *
 * Input: byte 0 bits 0-1 pick the time (fuzz_world.h fw_time), bits 2-3
 * the map size: the usual one, or only 64 KiB, 256 KiB or 1 MiB more than
 * the store, so writes fill it (the RESOURCE_EXHAUSTED paths and the
 * read-only second pass of a batch whose commit did not fit); then up to
 * MAX_ITEMS frames, each a header byte (bits 0-2 the sender's key,
 * fw_caller_t; bit 3 "more frames followed", which the server refuses), a
 * 16-bit little-endian length, and that many payload bytes (fewer when
 * the input ends). Each input runs on a fresh copy of the seeded store, so
 * a reproducer is one file.
 *
 * Oracles beyond ASan/UBSan/LSan: the batch commits (even with a full
 * map, batch.h promises a read-only second pass); every item has a
 * reply that the client can decode and that names its request; events are
 * clean and their seqs gapless; the store verifies; and a retry (same key,
 * same request_id) of a write that reached the handler and was remembered
 * (not refused for want of space) gets the first reply byte for byte. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "codec.h"
#include "dispatch.h"
#include "fuzz_oracle.h"
#include "fuzz_world.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 16
#define MULTIPART 0x08

static fw_t world;
static uint8_t *pristine; /* the seeded store's data.mdb */
static size_t pristine_len;
static uint64_t pristine_seq; /* its last event */
static char work[256];        /* where each input's copy lives */
static bool verbose; /* SJ_FUZZ_VERBOSE set: print each item's outcome */

static void cleanup(void)
{
    fw_rmdir(work);
    free(pristine);
}

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        fw_die("cannot read %s", path);
    long n = ftell(f);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    rewind(f);
    if (!buf || n <= 0 || fread(buf, 1, (size_t)n, f) != (size_t)n)
        fw_die("cannot read %s", path);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fw_init(&world);
    /* One batch answers every item here: the time budget (which leaves the
     * rest for the next batch, in the server loop) would cut a batch short
     * under a slow sanitizer build and the properties are per batch. */
    world.cfg.batch_budget_ms = 0;
    sj_store_stats_t st;
    if (sj_store_stats(world.store, &st))
        fw_die("setup: no stats");
    pristine_seq = st.last_seq;
    char copy[256], path[300];
    fw_mkdtemp(copy, sizeof copy);
    uint64_t bytes;
    if (sj_store_backup(world.store, copy, &bytes))
        fw_die("setup: cannot copy the store");
    snprintf(path, sizeof path, "%s/data.mdb", copy);
    pristine = slurp(path, &pristine_len);
    fw_rmdir(copy);
    fw_end(&world); /* keeps the ids and keys */
    fw_mkdtemp(work, sizeof work);
    verbose = getenv("SJ_FUZZ_VERBOSE") != NULL;
    atexit(cleanup);
    return 0;
}

/* A fresh store: the pristine copy written over the last input's. */
static sj_store_t *fresh_store(size_t map_size)
{
    char path[300];
    snprintf(path, sizeof path, "%s/data.mdb", work);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, pristine, pristine_len) != (ssize_t)pristine_len)
        fw_die("cannot write %s", path);
    close(fd);
    sj_store_t *s;
    if (sj_store_open(work, map_size, &s, NULL))
        fw_die("cannot open the copy in %s", work);
    return s;
}

typedef struct {
    fw_caller_t who;
    uint64_t request_id; /* 0 when the frame is refused before dispatch */
    bool writes;
} frame_t;

/* Split the input into items; returns how many. */
static size_t split(const uint8_t *p, size_t n, sj_batch_item_t *items,
                    frame_t *frames)
{
    size_t k = 0;
    while (n >= 3 && k < MAX_ITEMS) {
        size_t len = (size_t)p[1] | (size_t)p[2] << 8;
        if (len > n - 3)
            len = n - 3;
        frame_t *f = &frames[k];
        f->who = (fw_caller_t)(p[0] & 7);
        sj_batch_item_t *it = &items[k];
        memset(it, 0, sizeof *it);
        memcpy(it->client_key, world.key[f->who], 32);
        it->multipart = p[0] & MULTIPART;
        it->payload = p + 3;
        it->len = len;
        f->request_id = 0;
        f->writes = false;
        Shangju__Request *req =
            it->multipart ? NULL
                          : sj_codec_request_decode(it->payload, it->len);
        if (req) {
            const sj_rule_t *rule = sj_rule_find(req->body_case);
            f->request_id = req->request_id;
            f->writes = rule && rule->writes;
            shangju__request__free_unpacked(req, NULL);
        }
        p += 3 + len;
        n -= 3 + len;
        k++;
    }
    return k;
}

/* The member behind item i's key after the batch (a member added in the
 * batch may hold a key), else the one the world gave it. */
static Shangju__Member *sender(sj_txn_t *txn, const sj_batch_item_t *it,
                               fw_caller_t who)
{
    Shangju__Member *m = NULL;
    if (sj_member_by_key(txn, it->client_key, &m) == 0)
        return m;
    return fw_caller(&world, txn, who);
}

static void check(sj_store_t *s, const sj_batch_item_t *items,
                  const frame_t *frames, size_t n, const sj_batch_out_t *out)
{
    sj_txn_t *txn;
    if (sj_txn_begin(s, false, &txn))
        fw_die("cannot read after the batch");
    bool reached[MAX_ITEMS], active[MAX_ITEMS];
    for (size_t i = 0; i < n; i++) {
        if (!items[i].reply)
            fw_die("item %zu has no reply", i);
        Shangju__Member *m = sender(txn, &items[i], frames[i].who);
        Shangju__Member *now_m = NULL;
        active[i] =
            sj_member_by_key(txn, items[i].client_key, &now_m) == 0 &&
            now_m->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
        if (now_m)
            shangju__member__free_unpacked(now_m, NULL);
        Shangju__Reply *r = fw_check_reply(txn, m, items[i].request_id,
                                           items[i].reply, items[i].reply_len);
        if (verbose)
            fprintf(stderr, "fuzz: item %zu by %d: %s id %llu: %s %s\n", i,
                    frames[i].who, frames[i].writes ? "write" : "read",
                    (unsigned long long)frames[i].request_id,
                    sj_status_name(r->status), r->message ? r->message : "");
        /* Remembered: a write that reached the handler. Refusals for want
         * of space are remembered best effort (ARCHITECTURE.md), and in
         * the read-only pass not at all. */
        reached[i] = frames[i].writes && frames[i].request_id &&
                     r->status != SHANGJU__STATUS__STATUS_UNAUTHENTICATED &&
                     r->status != SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED;
        shangju__reply__free_unpacked(r, NULL);
        if (m)
            shangju__member__free_unpacked(m, NULL);
    }
    /* A retry of a remembered write gets its reply, byte for byte -- while
     * its key is an active member's: a key rekeyed away or suspended
     * during the batch is refused instead (issue 9). */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; reached[i] && active[i] && j < n; j++)
            if (frames[j].request_id == frames[i].request_id &&
                !memcmp(items[j].client_key, items[i].client_key, 32) &&
                (items[j].reply_len != items[i].reply_len ||
                 memcmp(items[j].reply, items[i].reply, items[i].reply_len)))
                fw_die("item %zu, a retry of item %zu, got another reply", j,
                       i);
    for (size_t i = 0; i < out->n_events; i++) {
        if (out->events[i].seq != pristine_seq + 1 + i)
            fw_die("event %zu has seq %llu, not %llu: a gap", i,
                   (unsigned long long)out->events[i].seq,
                   (unsigned long long)(pristine_seq + 1 + i));
        fw_check_event(out->events[i].data, out->events[i].len);
    }
    fw_check_store(txn, "a batch");
    sj_txn_abort(&txn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static sj_batch_item_t items[MAX_ITEMS];
    frame_t frames[MAX_ITEMS];
    size_t n = split(data + 1, size - 1, items, frames);
    int64_t now = fw_time(&world, data[0] & 3);
    static const size_t room[4] = {0, 64 << 10, 256 << 10, 1 << 20};
    unsigned tight = (data[0] >> 2) & 3;
    sj_store_t *s =
        fresh_store(tight ? pristine_len + room[tight] : FW_MAP_SIZE);
    sj_batch_out_t out;
    memset(&out, 0, sizeof out);
    sj_batch_env_t env = {
        .store = s, .cfg = &world.cfg, .signer = world.signer};
    int err = sj_batch_apply(&env, now, items, n, &out);
    if (err)
        fw_die("the batch did not commit: %s", sj_strerror(err));
    check(s, items, frames, n, &out);
    sj_batch_clear(items, n, &out);
    free(out.events);
    sj_store_close(&s);
    return 0;
}
