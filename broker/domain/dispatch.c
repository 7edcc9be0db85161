/* The rule table and sj_dispatch. The table is the single statement of who
 * may do what; it is checked before any handler runs and tested for every
 * request type x role. */
#include "dispatch.h"

#include "codec.h"
#include "log.h"
#include "text.h"

#define R(role) SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_##role)
#define K(kind) SHANGJU__REQUEST__BODY_##kind

static const sj_rule_t rules[] = {
#define SJ_RULE(kind, roles, writes, handler) {K(kind), roles, writes, handler},
#include "rules.def"
#undef SJ_RULE
};

/* Which family's lifecycle a due timer belongs to. */
static const struct {
    sj_timer_kind_t kind;
    int (*fire)(sj_call_t *c, const sj_timer_t *tm);
} timers[] = {
    {SJ_TIMER_WISH_EXPIRE, sj_wish_timer_fire},
    {SJ_TIMER_CLAIM_DUE, sj_wish_timer_fire},
    {SJ_TIMER_AUTO_CLOSE, sj_wish_timer_fire},
    {SJ_TIMER_COMPACT_START, sj_compact_timer_fire},
    {SJ_TIMER_COMPACT_END, sj_compact_timer_fire},
    {SJ_TIMER_WISH_REMIND, sj_chat_remind_fire}, /* links.c */
};

int sj_dispatch_timer(sj_call_t *c, const sj_timer_t *tm)
{
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++)
        if (timers[i].kind == tm->kind)
            return timers[i].fire(c, tm);
    /* Written by a newer broker, or corrupt: it can never fire here. */
    sj_log(SJ_LOG_WARN, "event=timer_dropped kind=%d id=%llu", (int)tm->kind,
           (unsigned long long)tm->id);
    return sj_timer_clear(c->txn, tm);
}

const sj_rule_t *sj_rules(size_t *n)
{
    *n = sizeof rules / sizeof rules[0];
    return rules;
}

const sj_rule_t *sj_rule_find(Shangju__Request__BodyCase kind)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].kind == kind)
            return &rules[i];
    return NULL;
}

int sj_dispatch(sj_call_t *c, const Shangju__Request *req)
{
    c->reply.request_id = req->request_id;
    const Shangju__Member *me = c->caller;
    if (!me)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_UNAUTHENTICATED,
                            SJ_R_AUTH_UNKNOWN_KEY, "unknown caller");
    if (me->status != SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_PERMISSION_DENIED,
                            SJ_R_AUTH_SUSPENDED, "member %llu is suspended",
                            (unsigned long long)me->id);
    const sj_rule_t *rule = sj_rule_find(req->body_case);
    if (!rule)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            SJ_R_ARG_UNKNOWN_REQUEST,
                            "unknown or missing request type");
    if (!(rule->roles & SJ_ROLE_BIT(me->role))) {
        const char *role = sj_enum_short(&shangju__role__descriptor, me->role);
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_PERMISSION_DENIED,
                            SJ_R_AUTH_ROLE, "a %s may not %s",
                            role ? role : "member", sj_request_kind(req));
    }
    /* Handlers see the text in NFC (issue 15), so what is stored, counted
     * against the limits and compared is one form whatever the sender's
     * keyboard made of it. Only strings change (keys, signatures and
     * hashes are bytes); the dedup of a retry goes by request id. The copy
     * lives until sj_call_end: the reply may point into it. */
    ProtobufCMessage *nfc;
    if (sj_text_nfc_message(&req->base, &nfc) != 0 ||
        (nfc && !sj_call_own(c, nfc)))
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INTERNAL,
                            SJ_R_BROKER_INTERNAL, "out of memory");
    if (nfc)
        req = (const Shangju__Request *)nfc;
    c->reply.status = SHANGJU__STATUS__STATUS_OK;
    int rc = rule->handler(c, req);
    c->reply.request_id = req->request_id;
    return rc;
}
