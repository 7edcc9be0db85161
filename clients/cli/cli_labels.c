/* The labels `shangju` prints before values: each field of the records
 * (the .proto field name, which --json keeps) with its display name,
 * marked for translation with the context "field", so a record, a table
 * header and the report all say the same words in the user's language. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

/* A display name with its context, as gettext keys it: "ctx\004name".
 * xgettext finds these with -kNC_:1c,2. */
#define NC_(ctx, s) ctx "\004" s

typedef struct {
    const char *key;   /* the field's name */
    const char *label; /* NC_("field", English label) */
} label_t;

/* Sorted by key, for bsearch. */
static const label_t labels[] = {
    {"active_merchants", NC_("field", "active merchants")},
    {"actor_id", NC_("field", "by member")},
    {"address", NC_("field", "address")},
    {"against_id", NC_("field", "against")},
    {"amount", NC_("field", "amount")},
    {"at", NC_("field", "time")},
    {"auth_failures", NC_("field", "refused connections")},
    {"auto_closed", NC_("field", "closed automatically")},
    {"average_rating", NC_("field", "average rating")},
    {"balance", NC_("field", "balance")},
    {"batches", NC_("field", "group commits")},
    {"bridge_id", NC_("field", "bridge")},
    {"building", NC_("field", "building")},
    {"by_id", NC_("field", "by")},
    {"bytes", NC_("field", "bytes")},
    {"category", NC_("field", "category")},
    {"chat_cursor", NC_("field", "chat position")},
    {"chat_handle", NC_("field", "chat account")},
    {"chat_lang", NC_("field", "chat language")},
    {"claim", NC_("field", "claim")},
    {"claimed_at", NC_("field", "claimed on")},
    {"claims_lapsed", NC_("field", "lapsed claims")},
    {"closed_at", NC_("field", "closed on")},
    {"code", NC_("field", "code")},
    {"comment", NC_("field", "comment")},
    {"commit_ms_max", NC_("field", "longest commit (ms)")},
    {"commit_ms_mean", NC_("field", "mean commit (ms)")},
    {"community", NC_("field", "community")},
    {"compact", NC_("field", "compact")},
    {"compact_average_rating", NC_("field", "compact rating")},
    {"compact_rating_sum", NC_("field", "compact stars in total")},
    {"compact_ratings", NC_("field", "compact ratings")},
    {"compacts", NC_("field", "compacts")},
    {"compacts_active", NC_("field", "compacts active")},
    {"compacts_closed", NC_("field", "closed compacts")},
    {"compacts_evaluating", NC_("field", "compacts evaluating")},
    {"compacts_negotiating", NC_("field", "compacts negotiating")},
    {"compacts_published", NC_("field", "compacts published")},
    {"compacts_signed", NC_("field", "compacts signed")},
    {"complaints", NC_("field", "complaints")},
    {"complaints_filed", NC_("field", "complaints filed")},
    {"complaints_resolved", NC_("field", "complaints resolved")},
    {"confirmed", NC_("field", "confirmed")},
    {"confirmed_at", NC_("field", "confirmed on")},
    {"confirmed_by", NC_("field", "confirmed by")},
    {"connections", NC_("field", "open connections")},
    {"connections_refused", NC_("field", "connections over the cap")},
    {"connections_silent_closed", NC_("field", "silent connections closed")},
    {"contact", NC_("field", "contact")},
    {"count", NC_("field", "count")},
    {"covenant", NC_("field", "covenant")},
    {"created_at", NC_("field", "created on")},
    {"created_by", NC_("field", "created by")},
    {"data", NC_("field", "data")},
    {"date", NC_("field", "date")},
    {"dedup_entries", NC_("field", "kept replies")},
    {"description", NC_("field", "description")},
    {"details", NC_("field", "details")},
    {"dismissed", NC_("field", "dismissed")},
    {"dispute", NC_("field", "dispute")},
    {"disputed", NC_("field", "disputed")},
    {"disputed_at", NC_("field", "disputed on")},
    {"due_at", NC_("field", "due")},
    {"earned", NC_("field", "earned")},
    {"entries", NC_("field", "entries")},
    {"entry", NC_("field", "points entry")},
    {"events", NC_("field", "events")},
    {"expires_at", NC_("field", "expires")},
    {"fingerprint", NC_("field", "fingerprint")},
    {"frozen", NC_("field", "final")},
    {"frozen_at", NC_("field", "final since")},
    {"fulfilled_at", NC_("field", "fulfilled on")},
    {"giver_id", NC_("field", "giver")},
    {"handover_code", NC_("field", "hand-over code")},
    {"handover_failures", NC_("field", "wrong hand-over codes")},
    {"handover_locked", NC_("field", "hand-over locked")},
    {"hash", NC_("field", "hash")},
    {"head_hash", NC_("field", "head hash")},
    {"history", NC_("field", "history")},
    {"hours", NC_("field", "opening hours")},
    {"how_often", NC_("field", "how often")},
    {"id", NC_("field", "number")},
    {"invite_bridge_id", NC_("field", "invite bridge")},
    {"invite_expires_at", NC_("field", "invite expires")},
    {"invite_failures", NC_("field", "wrong invite codes")},
    {"invite_hash", NC_("field", "invite hash")},
    {"item_id", NC_("field", "item")},
    {"items", NC_("field", "items")},
    {"kind", NC_("field", "kind")},
    {"lapses", NC_("field", "lapsed claims")},
    {"last_backup_at", NC_("field", "last backup")},
    {"last_seq", NC_("field", "last event")},
    {"ledger_entries", NC_("field", "points entries")},
    {"listing", NC_("field", "listing")},
    {"listings", NC_("field", "listings")},
    {"map_max", NC_("field", "store ceiling")},
    {"map_size", NC_("field", "store size")},
    {"map_used", NC_("field", "store used")},
    {"max_batch", NC_("field", "largest batch")},
    {"mean_batch", NC_("field", "mean batch")},
    {"media_type", NC_("field", "media type")},
    {"member", NC_("field", "member")},
    {"member_id", NC_("field", "member")},
    {"members", NC_("field", "members")},
    {"memo", NC_("field", "memo")},
    {"merchant_id", NC_("field", "merchant")},
    {"ms", NC_("field", "milliseconds")},
    {"name", NC_("field", "name")},
    {"note", NC_("field", "note")},
    {"notice", NC_("field", "public notice")},
    {"now", NC_("field", "now")},
    {"of_id", NC_("field", "rated member")},
    {"ok", NC_("field", "all good")},
    {"owner_contact", NC_("field", "owner contact")},
    {"owner_id", NC_("field", "owner")},
    {"owner_name", NC_("field", "owner name")},
    {"parties", NC_("field", "parties")},
    {"party_id", NC_("field", "party")},
    {"path", NC_("field", "path")},
    {"performances", NC_("field", "services given")},
    {"period", NC_("field", "period")},
    {"phone", NC_("field", "phone")},
    {"placard_cache_hits", NC_("field", "placards from cache")},
    {"points", NC_("field", "points")},
    {"points_issued", NC_("field", "points issued")},
    {"points_spent", NC_("field", "points spent")},
    {"posted_by", NC_("field", "posted by")},
    {"posted_to_claimed", NC_("field", "posting to claim")},
    {"posted_to_fulfilled", NC_("field", "posting to fulfilment")},
    {"prev_hash", NC_("field", "previous hash")},
    {"problem_count", NC_("field", "problems")},
    {"problems", NC_("field", "problems found")},
    {"public_key", NC_("field", "public key")},
    {"published_at", NC_("field", "published on")},
    {"rank", NC_("field", "rank")},
    {"ranking", NC_("field", "ranking")},
    {"rate_limited", NC_("field", "rate-limited requests")},
    {"rating", NC_("field", "rating")},
    {"rating_sum", NC_("field", "stars in total")},
    {"ratings", NC_("field", "ratings")},
    {"ratings_received", NC_("field", "ratings received")},
    {"reads_offloaded", NC_("field", "reads in the background")},
    {"received", NC_("field", "received")},
    {"receiver_id", NC_("field", "receiver")},
    {"ref", NC_("field", "concerns")},
    {"request_counts", NC_("field", "requests by kind")},
    {"requests", NC_("field", "requests")},
    {"resolution", NC_("field", "resolution")},
    {"resolved", NC_("field", "resolved")},
    {"resolved_at", NC_("field", "resolved on")},
    {"resolved_by", NC_("field", "resolved by")},
    {"results", NC_("field", "results")},
    {"retries_answered", NC_("field", "retries answered")},
    {"reveals", NC_("field", "contact shown to")},
    {"role", NC_("field", "role")},
    {"samples", NC_("field", "samples")},
    {"seq", NC_("field", "event")},
    {"services", NC_("field", "services")},
    {"signature", NC_("field", "signature")},
    {"signatures", NC_("field", "signatures")},
    {"specialties", NC_("field", "specialties")},
    {"spent", NC_("field", "spent")},
    {"stars", NC_("field", "stars")},
    {"started_at", NC_("field", "started")},
    {"state", NC_("field", "state")},
    {"status", NC_("field", "status")},
    {"subject", NC_("field", "subject")},
    {"subject_id", NC_("field", "subject number")},
    {"term_end", NC_("field", "term ends")},
    {"term_start", NC_("field", "term starts")},
    {"text", NC_("field", "text")},
    {"thanks", NC_("field", "thanks")},
    {"time_zone", NC_("field", "time zone")},
    {"times", NC_("field", "times")},
    {"title", NC_("field", "title")},
    {"took_ms", NC_("field", "took (ms)")},
    {"topic", NC_("field", "topic")},
    {"transfer_id", NC_("field", "transfer")},
    {"updated_at", NC_("field", "updated on")},
    {"updated_by", NC_("field", "updated by")},
    {"url", NC_("field", "web address")},
    {"verified", NC_("field", "verified")},
    {"version", NC_("field", "version")},
    {"version_hash", NC_("field", "version hash")},
    {"what", NC_("field", "service")},
    {"wish", NC_("field", "wish")},
    {"wish_id", NC_("field", "wish")},
    {"wishes", NC_("field", "wishes")},
    {"wishes_cancelled", NC_("field", "wishes cancelled")},
    {"wishes_claimed", NC_("field", "wishes claimed")},
    {"wishes_closed", NC_("field", "wishes closed")},
    {"wishes_expired", NC_("field", "wishes expired")},
    {"wishes_fulfilled", NC_("field", "wishes fulfilled")},
    {"wishes_posted", NC_("field", "wishes posted")},
    {"withheld", NC_("field", "withheld")},
    {"year", NC_("field", "year")},
};

/* Event topics (proto/sj_topics.h) and ledger entry kinds, the codes the
 * topic and kind fields hold. Sorted by code. */
static const label_t codes[] = {
    {"compact.activated", NC_("event or entry", "compact in force")},
    {"compact.closed", NC_("event or entry", "compact closed")},
    {"compact.complained", NC_("event or entry", "complaint filed")},
    {"compact.confirmed", NC_("event or entry", "service confirmed")},
    {"compact.dismissed", NC_("event or entry", "complaint dismissed")},
    {"compact.drafted", NC_("event or entry", "compact drafted")},
    {"compact.edited", NC_("event or entry", "compact edited")},
    {"compact.evaluating", NC_("event or entry", "compact under evaluation")},
    {"compact.performed", NC_("event or entry", "service recorded")},
    {"compact.published", NC_("event or entry", "compact published")},
    {"compact.rated", NC_("event or entry", "compact rated")},
    {"compact.resolved", NC_("event or entry", "complaint resolved")},
    {"compact.signed", NC_("event or entry", "compact signed")},
    {"earn.compact", NC_("event or entry", "earned for a compact")},
    {"earn.wish", NC_("event or entry", "earned for a wish")},
    {"member.added", NC_("event or entry", "member added")},
    {"member.linked", NC_("event or entry", "member linked to chat")},
    {"member.rekeyed", NC_("event or entry", "member's key replaced")},
    {"member.suspended", NC_("event or entry", "member suspended")},
    {"member.unlinked", NC_("event or entry", "member unlinked from chat")},
    {"member.unsuspended", NC_("event or entry", "member restored")},
    {"merchant.registered", NC_("event or entry", "merchant registered")},
    {"merchant.updated", NC_("event or entry", "merchant updated")},
    {"points.earned", NC_("event or entry", "points earned")},
    {"points.transferred", NC_("event or entry", "points paid")},
    {"points.year_closed", NC_("event or entry", "points year closed")},
    {"receive", NC_("event or entry", "received for a service")},
    {"spend", NC_("event or entry", "paid for a service")},
    {"wish.cancelled", NC_("event or entry", "wish cancelled")},
    {"wish.claimed", NC_("event or entry", "wish claimed")},
    {"wish.closed", NC_("event or entry", "wish closed")},
    {"wish.disputed", NC_("event or entry", "wish disputed")},
    {"wish.expired", NC_("event or entry", "wish expired")},
    {"wish.expiring", NC_("event or entry", "wish about to expire")},
    {"wish.fulfilled", NC_("event or entry", "wish fulfilled")},
    {"wish.handover_locked", NC_("event or entry", "hand-over locked")},
    {"wish.handover_refused", NC_("event or entry", "wrong hand-over code")},
    {"wish.handover_reissued", NC_("event or entry", "new hand-over code")},
    {"wish.lapsed", NC_("event or entry", "claim lapsed")},
    {"wish.posted", NC_("event or entry", "wish posted")},
    {"wish.released", NC_("event or entry", "wish released")},
};

static int by_key(const void *k, const void *row)
{
    return strcmp(k, ((const label_t *)row)->key);
}

const char *sj_cli_tr_ctx(const char *key)
{
    const char *t = _(key);
    if (t != key)
        return t;
    const char *eot = strchr(key, '\004');
    return eot ? eot + 1 : key;
}

const char *sj_cli_label(const char *key)
{
    const label_t *l = bsearch(key, labels, sizeof labels / sizeof *labels,
                               sizeof *labels, by_key);
    return l ? sj_cli_tr_ctx(l->label) : key;
}

char *sj_cli_label_path(const char *path, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    while (*path) {
        char part[64];
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        int w = snprintf(buf + used, cap - used, "%s%s", used ? "·" : "",
                         sj_cli_label(part));
        if (w < 0 || (size_t)w >= cap - used) {
            buf[used] = '\0'; /* cut at a whole label */
            break;
        }
        used += (size_t)w;
        path += n + (path[n] == '.');
    }
    return buf;
}

const char *sj_cli_code_label(const char *code)
{
    const label_t *l = bsearch(code, codes, sizeof codes / sizeof *codes,
                               sizeof *codes, by_key);
    return l ? sj_cli_tr_ctx(l->label) : code;
}

const char *sj_cli_yes_no(bool v)
{
    return v ? _("yes") : _("no");
}
