/* The table of refusal reasons (sj_reasons.h): each code with the English
 * sentence clients translate. The sentences are marked for xgettext; the
 * translations live in po/. */
#include "sj_reasons.h"

#include <stddef.h>
#include <string.h>

#define N_(s) s /* marked for the catalogue, translated by the clients */

static const struct {
    const char *code, *text;
} reasons[SJ_R_COUNT] = {
    [SJ_R_BROKER_INTERNAL] =
        {"broker.internal", N_("Something went wrong inside the broker. Please "
                               "try again later, or tell the committee.")},
    [SJ_R_BROKER_NO_NOTICE_KEY] = {"broker.no_notice_key",
                                   N_("The broker has no key to sign public "
                                      "notices. Please tell the operator.")},
    [SJ_R_BROKER_BAD_PUBLIC_URL] =
        {"broker.bad_public_url",
         N_("The broker's public web address is not set up correctly. Please "
            "tell the operator.")},
    [SJ_R_BROKER_BUSY] = {"broker.busy",
                          N_("The broker is busy with a backup or a check. "
                             "Try again when it ends.")},
    [SJ_R_STORE_FULL] = {"store.full",
                         N_("The broker's storage is full. The operator must "
                            "enlarge it; reading still works.")},
    [SJ_R_STORE_NOT_FOUND] = {"store.not_found",
                              N_("What you asked for was not found.")},
    [SJ_R_STORE_EXISTS] = {"store.exists", N_("This already exists.")},
    [SJ_R_ARG_MALFORMED] = {"arg.malformed",
                            N_("The request could not be read.")},
    [SJ_R_ARG_NO_REQUEST_ID] = {"arg.no_request_id",
                                N_("The request has no request number.")},
    [SJ_R_ARG_UNKNOWN_REQUEST] = {"arg.unknown_request",
                                  N_("This kind of request is not known.")},
    [SJ_R_ARG_INVALID] = {"arg.invalid", N_("The request is not valid.")},
    [SJ_R_ARG_REQUIRED] = {"arg.required", N_("A required field is missing.")},
    [SJ_R_ARG_TOO_LONG] = {"arg.too_long", N_("A field is too long.")},
    [SJ_R_ARG_BAD_TEXT] =
        {"arg.bad_text",
         N_("A field contains characters that are not allowed.")},
    [SJ_R_ARG_OUT_OF_RANGE] = {"arg.out_of_range",
                               N_("A number is outside the allowed range.")},
    [SJ_R_ARG_UNKNOWN_VALUE] = {"arg.unknown_value",
                                N_("A value is not one of the known choices.")},
    [SJ_R_ARG_BAD_KEY] = {"arg.bad_key", N_("The public key is not valid.")},
    [SJ_R_ARG_BAD_CURSOR] = {"arg.bad_cursor",
                             N_("The page position asked for is not valid.")},
    [SJ_R_AUTH_UNKNOWN_KEY] =
        {"auth.unknown_key",
         N_("Your key is not registered with the alliance.")},
    [SJ_R_AUTH_SUSPENDED] = {"auth.suspended",
                             N_("Your membership is suspended.")},
    [SJ_R_AUTH_ROLE] = {"auth.role",
                        N_("Your role may not make this request.")},
    [SJ_R_AUTH_NOT_YOURS] =
        {"auth.not_yours",
         N_("Only the member concerned, or the committee, may do this.")},
    [SJ_R_AUTH_NOT_LINKED] =
        {"auth.not_linked", N_("That resident is not linked to this bridge.")},
    [SJ_R_MEMBER_NOT_FOUND] = {"member.not_found",
                               N_("There is no such member.")},
    [SJ_R_MEMBER_KEY_TAKEN] =
        {"member.key_taken", N_("That key is already registered to a member.")},
    [SJ_R_MEMBER_NOT_RESIDENT] = {"member.not_resident",
                                  N_("That member is not a resident.")},
    [SJ_R_MEMBER_NOT_MERCHANT] = {"member.not_merchant",
                                  N_("That member is not a merchant.")},
    [SJ_R_MEMBER_NOT_BRIDGE] = {"member.not_bridge",
                                N_("That member is not a chat bridge.")},
    [SJ_R_MEMBER_SUSPENDED] = {"member.suspended",
                               N_("That member is suspended.")},
    [SJ_R_MEMBER_ALREADY_SUSPENDED] = {"member.already_suspended",
                                       N_("That member is already suspended.")},
    [SJ_R_MEMBER_SELF] = {"member.self", N_("You cannot do this to yourself.")},
    [SJ_R_MEMBER_NOT_SUSPENDED] = {"member.not_suspended",
                                   N_("This member is not suspended.")},
    [SJ_R_MEMBER_REKEY_COMMITTEE] =
        {"member.rekey_committee",
         N_("Only a committee member themself, or the founding committee "
            "member, may change a committee member's key.")},
    [SJ_R_WISH_NOT_FOUND] = {"wish.not_found", N_("There is no such wish.")},
    [SJ_R_WISH_NOT_OPEN] = {"wish.not_open", N_("The wish is not open.")},
    [SJ_R_WISH_NOT_CLAIMED] = {"wish.not_claimed",
                               N_("The wish is not claimed.")},
    [SJ_R_WISH_NOT_FULFILLED] = {"wish.not_fulfilled",
                                 N_("The wish has not been fulfilled yet.")},
    [SJ_R_WISH_NOT_OWNER] =
        {"wish.not_owner",
         N_("Only the wish's owner or the committee may do this.")},
    [SJ_R_WISH_NOT_CLAIMANT] =
        {"wish.not_claimant",
         N_("Another merchant holds the claim on this wish.")},
    [SJ_R_WISH_PAST_DUE] = {"wish.past_due",
                            N_("The claim is past its due date.")},
    [SJ_R_WISH_NO_CLAIM] =
        {"wish.no_claim",
         N_("The wish has no live claim, so there is no hand-over code.")},
    [SJ_R_WISH_HANDOVER_WRONG] = {"wish.handover_wrong",
                                  N_("The hand-over code is wrong.")},
    [SJ_R_WISH_HANDOVER_LOCKED] =
        {"wish.handover_locked",
         N_("The hand-over code is locked after too many wrong tries. Ask the "
            "committee to reissue it.")},
    [SJ_R_CLAIM_LIMIT_REACHED] =
        {"claim.limit_reached",
         N_("You already hold as many claimed wishes as allowed. Fulfil or "
            "release one first.")},
    [SJ_R_WISH_VERIFIED] =
        {"wish.verified",
         N_("This wish was handed over with its code; it cannot be "
            "disputed.")},
    [SJ_R_WISH_DISPUTED] = {"wish.disputed",
                            N_("This wish is already disputed; the committee "
                               "will decide.")},
    [SJ_R_COMPACT_NOT_FOUND] = {"compact.not_found",
                                N_("There is no such compact.")},
    [SJ_R_COMPACT_NOT_NEGOTIATING] =
        {"compact.not_negotiating",
         N_("The compact is no longer being negotiated.")},
    [SJ_R_COMPACT_NOT_SIGNED] =
        {"compact.not_signed",
         N_("The compact has not been signed by every party.")},
    [SJ_R_COMPACT_NOT_PUBLISHED] = {"compact.not_published",
                                    N_("The compact is not published.")},
    [SJ_R_COMPACT_NOT_ACTIVE] = {"compact.not_active",
                                 N_("The compact is not in force.")},
    [SJ_R_COMPACT_NOT_EVALUATING] = {"compact.not_evaluating",
                                     N_("The compact is not being evaluated.")},
    [SJ_R_COMPACT_WRONG_STATE] =
        {"compact.wrong_state",
         N_("The compact is not at a step where this can be done.")},
    [SJ_R_COMPACT_NOT_PARTY] = {"compact.not_party",
                                N_("You are not a party to this compact.")},
    [SJ_R_COMPACT_BAD_PARTY] =
        {"compact.bad_party",
         N_("A member named is not a party to the compact, or cannot be one.")},
    [SJ_R_COMPACT_SELF] = {"compact.self",
                           N_("A party cannot do this to itself.")},
    [SJ_R_COMPACT_OLD_VERSION] =
        {"compact.old_version", N_("The compact has changed since you read it. "
                                   "Read the current version and sign that.")},
    [SJ_R_COMPACT_ALREADY_SIGNED] =
        {"compact.already_signed", N_("You have already signed this version.")},
    [SJ_R_COMPACT_ALREADY_RATED] = {"compact.already_rated",
                                    N_("You have already rated this party.")},
    [SJ_R_COMPACT_NO_ITEM] = {"compact.no_item",
                              N_("The compact has no such service item.")},
    [SJ_R_COMPACT_NOT_GIVER] = {"compact.not_giver",
                                N_("Only the giver of the service item, or the "
                                   "committee, records it.")},
    [SJ_R_COMPACT_MAY_NOT_COMPLAIN] =
        {"compact.may_not_complain",
         N_("Complaints come from residents and the compact's parties.")},
    [SJ_R_COMPACT_NO_COMPLAINT] = {"compact.no_complaint",
                                   N_("The compact has no such complaint.")},
    [SJ_R_COMPACT_ALREADY_RESOLVED] =
        {"compact.already_resolved", N_("The complaint is already resolved.")},
    [SJ_R_COMPACT_FULL] =
        {"compact.full",
         N_("The compact holds as many records of this kind as it can.")},
    [SJ_R_COMPACT_OUT_OF_TERM] =
        {"compact.out_of_term",
         N_("The date lies outside the compact's term.")},
    [SJ_R_COMPACT_TOO_OFTEN] =
        {"compact.too_often",
         N_("This service item is already recorded as often as its "
            "frequency allows in that period.")},
    [SJ_R_COMPACT_NO_PERFORMANCE] =
        {"compact.no_performance",
         N_("The compact has no such performance record.")},
    [SJ_R_COMPACT_NOT_RECEIVER] =
        {"compact.not_receiver",
         N_("Only the party who received the service (the committee for a "
            "community item) confirms it, and never its giver.")},
    [SJ_R_COMPACT_ALREADY_CONFIRMED] =
        {"compact.already_confirmed",
         N_("The performance is already confirmed.")},
    [SJ_R_COMPACT_COMPLAINT_LIMIT] =
        {"compact.complaint_limit",
         N_("You have filed as many complaints on this compact as allowed. "
            "Wait until the committee has handled them.")},
    [SJ_R_LISTING_NOT_FOUND] = {"listing.not_found",
                                N_("The merchant has no listing.")},
    [SJ_R_LISTING_EXISTS] =
        {"listing.exists",
         N_("The merchant already has a listing; update it instead.")},
    [SJ_R_IMAGE_TOO_LARGE] =
        {"image.too_large",
         N_("The image would be too large. Ask for a smaller size.")},
    [SJ_R_PLACARD_LAYOUT] =
        {"placard.layout", N_("This listing cannot be laid out on a placard.")},
    [SJ_R_POINTS_NOT_ENOUGH] = {"points.not_enough",
                                N_("There are not enough points for this.")},
    [SJ_R_POINTS_NO_SERVICE] = {"points.no_service",
                                N_("The member offers no such service.")},
    [SJ_R_POINTS_FREE_SERVICE] =
        {"points.free_service",
         N_("That service is free; there is nothing to pay.")},
    [SJ_R_POINTS_SELF] = {"points.self", N_("You cannot pay yourself.")},
    [SJ_R_POINTS_YEAR_CLOSED] = {"points.year_closed",
                                 N_("That year is already closed.")},
    [SJ_R_TRANSFER_PRICE_CHANGED] =
        {"transfer.price_changed",
         N_("The price of this service changed since you looked. Look again "
            "and pay the new price if you agree.")},
    [SJ_R_BACKUP_EXISTS] = {"backup.exists",
                            N_("A backup with that name already exists.")},
    /* The chat bridge (broker/domain/links.c); residents read these on
     * their phones, so they say what to do next. */
    [SJ_R_CHAT_UNLINKED] = {"chat.unlinked",
                            N_("This chat is not linked to a member.")},
    [SJ_R_CHAT_INVITE_INVALID] =
        {"chat.invite_invalid",
         N_("That invite code is not valid. Please check it, or ask your "
            "neighbourhood committee for a new one.")},
    [SJ_R_CHAT_HANDLE_TAKEN] =
        {"chat.handle_taken",
         N_("This chat account is already linked to someone else. Please ask "
            "your neighbourhood committee.")},
    [SJ_R_CHAT_NOT_LINKABLE] =
        {"chat.not_linkable",
         N_("Only residents and committee members can be linked to a chat "
            "account.")},
    [SJ_R_CHAT_NOT_LINKED] =
        {"chat.not_linked",
         N_("That member has no chat link and no open invite.")},
    [SJ_R_CHAT_NO_BRIDGE] = {"chat.no_bridge",
                             N_("There is no chat bridge yet. Register one "
                                "first.")},
    [SJ_R_CHAT_BRIDGE_AMBIGUOUS] =
        {"chat.bridge_ambiguous",
         N_("There are several chat bridges: say which one.")},
    [SJ_R_CHAT_CURSOR_AHEAD] = {"chat.cursor_ahead",
                                N_("That event does not exist yet.")},
    [SJ_R_RATE_LIMITED] = {"rate.limited",
                           N_("Too many requests at once. Please wait a "
                              "moment and try again.")},
    [SJ_R_QUOTA_EXCEEDED] =
        {"quota.exceeded",
         N_("You have reached your limit for this. Finish or cancel "
            "something first, or ask the committee.")},
    [SJ_R_STORE_RESERVED] =
        {"store.reserved",
         N_("The broker's storage is nearly full; only the committee can "
            "make changes now. Reading still works.")},
    [SJ_R_STORE_DISK_FULL] =
        {"store.disk_full",
         N_("The broker's disk is full. The operator must free space; "
            "reading still works.")},
    [SJ_R_RATE_CONNECTIONS] =
        {"rate.connections",
         N_("Too many connections open with your key. Close some "
            "programs and try again.")},
};

const char *sj_reason_code(sj_reason_t r)
{
    return r > SJ_R_NONE && r < SJ_R_COUNT ? reasons[r].code : NULL;
}

const char *sj_reason_text(sj_reason_t r)
{
    return r > SJ_R_NONE && r < SJ_R_COUNT ? reasons[r].text : NULL;
}

/* Linear: parsing happens once per refusal shown, over ~70 short codes. */
sj_reason_t sj_reason_parse(const char *code)
{
    if (!code)
        return SJ_R_NONE;
    for (int r = SJ_R_NONE + 1; r < SJ_R_COUNT; r++)
        if (reasons[r].code && strcmp(reasons[r].code, code) == 0)
            return (sj_reason_t)r;
    return SJ_R_NONE;
}
