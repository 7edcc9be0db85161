/* An in-process test world for the domain rules: a fresh store in a temp
 * directory, a cast of members of every role, and a helper that runs one
 * request through sj_dispatch in its own committed transaction. */
#ifndef SJ_TEST_WORLD_H
#define SJ_TEST_WORLD_H

#include <stdint.h>

#include "call.h"
#include "config.h"
#include "dispatch.h"
#include "store.h"

typedef struct {
    char dir[256];
    sj_store_t *store;
    sj_config_t cfg;
    sj_signer_t *signer; /* the notice key: NULL until a test makes one */
    int64_t now;
    /* the cast: ids of members */
    uint64_t committee, resident, resident2, merchant, merchant2, bridge;
    /* the last reply, decoded (freed by the next call / world_end) */
    Shangju__Reply *reply;
    unsigned events; /* events emitted by the last call */
    char *tz_saved;  /* world_tz: the TZ to restore (NULL: none was set) */
    int tz_set;      /* world_tz was called */
} world_t;

/* Create the store (map_size 0 = default) and the cast. resident is linked
 * to bridge; resident2 is not. */
void world_init(world_t *w, size_t map_size);
void world_end(world_t *w);

/* Run req as member `as` at w->now; returns the reply status. On OK the
 * change is committed. w->reply holds the decoded reply. */
int world_call(world_t *w, uint64_t as, Shangju__Request *req);

/* Add a member of role (committee acting) in community "Jinqiao";
 * returns its id. */
uint64_t world_add(world_t *w, Shangju__Role role, const char *name,
                   uint64_t bridge_id);
/* The same in community (no bridge). */
uint64_t world_add_in(world_t *w, Shangju__Role role, const char *name,
                      const char *community);

/* Shorthands for common requests; each returns the reply status. */
int world_post(world_t *w, uint64_t as, const char *title, uint64_t for_member,
               uint64_t *wish_id);
int world_move(world_t *w, uint64_t as, Shangju__Request__BodyCase kind,
               uint64_t wish_id);
Shangju__WishState world_state(world_t *w, uint64_t wish_id);
/* Post a wish of category (NULL: none) as resident `as`. */
int world_post_in(world_t *w, uint64_t as, const char *title,
                  const char *category, uint64_t *wish_id);

/* Create listing l as `as` (the merchant, or the committee with
 * l->merchant_id), or replace it when there is one. */
int world_listing_put(world_t *w, uint64_t as, Shangju__Listing *l);

/* Run in the community time zone tz (e.g. "Asia/Shanghai": setenv TZ,
 * tzset) until world_end, which restores the TZ there was. */
void world_tz(world_t *w, const char *tz);

/* Compacts: draft d as the committee, sign it as each of its parties and
 * publish it (making w->signer when there is none); asserts each step and
 * returns the compact's id. */
uint64_t world_compact(world_t *w, Shangju__CompactDraft *d);
/* Record a performance of item (date 0: now); confirm one (by
 * its number). Each returns the reply status. */
int world_perform(world_t *w, uint64_t as, uint64_t compact, uint32_t item,
                  int64_t date);
int world_confirm(world_t *w, uint64_t as, uint64_t compact,
                  uint32_t performance);

/* Fire every timer due at w->now (a wish's, a compact's term...);
 * returns the events they emitted. */
unsigned world_tick(world_t *w);

#endif
