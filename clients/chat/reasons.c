/* Texts the bridge shares between replies and notifications: the broker's
 * refusals by reason code (proto/sj_reasons; a code this bridge does not
 * know falls back to the status, then to one polite sentence), wish state
 * names, language codes. */
#include "bot.h"

#include <string.h>

#include "sj_reasons.h"

const char *sj_chat_refusal(sj_lang_t lang, const Shangju__Reply *r)
{
    /* The shared table of proto/sj_reasons: one sentence per code, the
     * same in every client, translated in po/. */
    const char *text = sj_reason_text(sj_reason_parse(r ? r->reason : NULL));
    if (text)
        return sj_tr(lang, text);
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
