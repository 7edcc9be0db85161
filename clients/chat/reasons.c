/* Texts the bridge shares between replies and notifications: the broker's
 * refusals by reason code (a small table of the codes the bridge meets,
 * until proto/sj_reasons lands; unknown codes fall back to the status,
 * then to one polite sentence), wish state names, language codes. */
#include "bot.h"

#include <string.h>

typedef struct {
    const char *reason;
    const char *text;
} reason_t;

static const reason_t reasons[] = {
    {"chat.unlinked", N_("This chat is not linked to a member.")},
    {"chat.invite_invalid",
     N_("That invite code is not valid. Please check it, or ask your "
        "neighbourhood committee for a new one.")},
    {"chat.handle_taken",
     N_("This chat account is already linked to someone else. Please ask "
        "your neighbourhood committee.")},
    {"member.suspended",
     N_("Your membership is paused. Please ask your neighbourhood "
        "committee.")},
    {"member.not_found", N_("There is no such member.")},
    {"wish.not_found", N_("There is no wish with that number.")},
    {"wish.not_open", N_("That wish is no longer open.")},
    {"wish.not_fulfilled",
     N_("That wish has not been fulfilled yet, so it cannot be confirmed.")},
    {"wish.not_owner", N_("That is not your wish.")},
    {"store.full",
     N_("The service is short of space right now. Please try again later.")},
};

const char *sj_chat_refusal(sj_lang_t lang, const Shangju__Reply *r)
{
    if (r && r->reason && *r->reason)
        for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
            if (strcmp(r->reason, reasons[i].reason) == 0)
                return sj_tr(lang, reasons[i].text);
    switch (r ? r->status : SHANGJU__STATUS__STATUS_INTERNAL) {
    case SHANGJU__STATUS__STATUS_NOT_FOUND:
        return sj_tr(lang, N_("Not found. Please check the number."));
    case SHANGJU__STATUS__STATUS_FAILED_PRECONDITION:
        return sj_tr(lang, N_("That cannot be done in the wish's present "
                              "state."));
    case SHANGJU__STATUS__STATUS_PERMISSION_DENIED:
        return sj_tr(lang, N_("Sorry, that is not allowed."));
    case SHANGJU__STATUS__STATUS_INVALID_ARGUMENT:
        return sj_tr(lang, N_("Sorry, something in that message is not "
                              "right (too long, or an odd character?)."));
    case SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED:
        return sj_tr(lang, N_("The service is busy. Please try again "
                              "later."));
    default:
        return sj_tr(lang, N_("Sorry, that did not work. Please try again "
                              "later, or ask your neighbourhood committee."));
    }
}

const char *sj_chat_state_name(sj_lang_t lang, Shangju__WishState state)
{
    switch (state) {
    case SHANGJU__WISH_STATE__WISH_STATE_OPEN:
        return sj_tr(lang, N_("waiting for a merchant"));
    case SHANGJU__WISH_STATE__WISH_STATE_CLAIMED:
        return sj_tr(lang, N_("taken on by a merchant"));
    case SHANGJU__WISH_STATE__WISH_STATE_FULFILLED:
        return sj_tr(lang, N_("done, waiting for your thanks"));
    case SHANGJU__WISH_STATE__WISH_STATE_CLOSED:
        return sj_tr(lang, N_("closed"));
    case SHANGJU__WISH_STATE__WISH_STATE_CANCELLED:
        return sj_tr(lang, N_("cancelled"));
    case SHANGJU__WISH_STATE__WISH_STATE_EXPIRED:
        return sj_tr(lang, N_("expired"));
    default:
        return "?";
    }
}

sj_lang_t sj_chat_lang_of(const char *code)
{
    return code && strcmp(code, "en") == 0 ? SJ_LANG_EN : SJ_LANG_ZH;
}

const char *sj_chat_lang_code(sj_lang_t lang)
{
    return lang == SJ_LANG_EN ? "en" : "zh";
}
