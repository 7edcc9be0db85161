/* The rule table and sj_dispatch. The table is the single statement of who
 * may do what; it is checked before any handler runs and tested for every
 * request type x role. */
#include "dispatch.h"

#include "codec.h"
#include "log.h"

#define R(role) SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_##role)
#define K(kind) SHANGJU__REQUEST__BODY_##kind

static const sj_rule_t rules[] = {
    {K(PING), SJ_ANYONE, false, sj_h_ping},
    {K(WHOAMI), SJ_ANYONE, false, sj_h_whoami},
    {K(REPLAY), SJ_ANYONE, false, sj_h_replay},
    {K(MEMBER_ADD), R(COMMITTEE), true, sj_h_member_add},
    {K(MEMBER_LIST), R(COMMITTEE), false, sj_h_member_list},
    {K(MEMBER_GET), SJ_ANYONE, false, sj_h_member_get},
    {K(MEMBER_SUSPEND), R(COMMITTEE), true, sj_h_member_suspend},
    {K(MEMBER_REKEY), SJ_ANYONE, true, sj_h_member_rekey},
    {K(WISH_POST), R(RESIDENT) | R(COMMITTEE) | R(BRIDGE), true,
     sj_h_wish_post},
    {K(WISH_LIST), SJ_ANYONE, false, sj_h_wish_list},
    {K(WISH_GET), SJ_ANYONE, false, sj_h_wish_get},
    {K(WISH_CANCEL), R(RESIDENT) | R(COMMITTEE) | R(BRIDGE), true,
     sj_h_wish_cancel},
    {K(WISH_CLAIM), R(MERCHANT), true, sj_h_wish_claim},
    {K(WISH_RELEASE), R(MERCHANT) | R(COMMITTEE), true, sj_h_wish_release},
    {K(WISH_FULFIL), R(MERCHANT), true, sj_h_wish_fulfil},
    {K(WISH_CONFIRM), R(RESIDENT) | R(COMMITTEE) | R(BRIDGE), true,
     sj_h_wish_confirm},
    {K(LISTING_PUT), R(MERCHANT) | R(COMMITTEE), true, sj_h_listing_put},
    {K(LISTING_GET), SJ_ANYONE, false, sj_h_listing_get},
    {K(LISTING_LIST), SJ_ANYONE, false, sj_h_listing_list},
    {K(QR_GET), SJ_ANYONE, false, sj_h_qr_get},
    {K(PLACARD_GET), SJ_ANYONE, false, sj_h_placard_get},
    {K(HANDOVER_REISSUE), R(COMMITTEE), true, sj_h_handover_reissue},
    /* compacts: party checks inside the handlers */
    {K(COMPACT_DRAFT), R(COMMITTEE), true, sj_h_compact_draft},
    {K(COMPACT_EDIT), SJ_ANYONE, true, sj_h_compact_edit},
    {K(COMPACT_SIGN), SJ_ANYONE, true, sj_h_compact_sign},
    {K(COMPACT_PUBLISH), R(COMMITTEE), true, sj_h_compact_publish},
    {K(COMPACT_PERFORM), SJ_ANYONE, true, sj_h_compact_perform},
    {K(COMPACT_COMPLAIN), SJ_ANYONE, true, sj_h_compact_complain},
    {K(COMPACT_RESOLVE), R(COMMITTEE), true, sj_h_compact_resolve},
    {K(COMPACT_RATE), SJ_ANYONE, true, sj_h_compact_rate},
    {K(COMPACT_CLOSE), R(COMMITTEE), true, sj_h_compact_close},
    {K(COMPACT_GET), SJ_ANYONE, false, sj_h_compact_get},
    {K(COMPACT_LIST), SJ_ANYONE, false, sj_h_compact_list},
    /* points */
    {K(POINTS_BALANCE), SJ_ANYONE, false, sj_h_points_balance},
    {K(POINTS_HISTORY), SJ_ANYONE, false, sj_h_points_history},
    {K(POINTS_TRANSFER), R(RESIDENT) | R(MERCHANT) | R(COMMITTEE), true,
     sj_h_points_transfer},
    {K(POINTS_TOP), SJ_ANYONE, false, sj_h_points_top},
    {K(POINTS_CLOSE_YEAR), R(COMMITTEE), true, sj_h_points_close_year},
    {K(REPORT_GET), R(COMMITTEE), false, sj_h_report_get},
    {K(ADMIN_STATS), R(COMMITTEE), false, sj_h_admin_stats},
    {K(ADMIN_BACKUP), R(COMMITTEE), false, sj_h_admin_backup},
    {K(ADMIN_VERIFY), R(COMMITTEE), false, sj_h_admin_verify},
    /* the chat bridge (links.c) */
    {K(MEMBER_LINK), R(COMMITTEE), true, sj_h_member_link},
    {K(MEMBER_UNLINK), R(COMMITTEE), true, sj_h_member_unlink},
    {K(MEMBER_INVITE), R(COMMITTEE), true, sj_h_member_invite},
    {K(CHAT_JOIN), R(BRIDGE), true, sj_h_chat_join},
    {K(CHAT_RESOLVE), R(BRIDGE), false, sj_h_chat_resolve},
    {K(CHAT_CURSOR_GET), R(BRIDGE), false, sj_h_chat_cursor_get},
    {K(CHAT_CURSOR_SET), R(BRIDGE), true, sj_h_chat_cursor_set},
    {K(CHAT_LANG_SET), R(BRIDGE) | R(COMMITTEE), true, sj_h_chat_lang_set},
    {K(CHAT_REMIND), R(BRIDGE), true, sj_h_chat_remind},
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
    c->reply.status = SHANGJU__STATUS__STATUS_OK;
    int rc = rule->handler(c, req);
    c->reply.request_id = req->request_id;
    return rc;
}
