/* Refusal reasons: the stable code every refusal carries in Reply.reason
 * (besides its status and English message), so each client can say it in
 * its user's language. Each code is listed once, with the sentence for
 * users (proto/sj_reasons.c, translated in po/); codes never change
 * meaning, new ones are added at the end of a group. */
#ifndef SJ_REASONS_H
#define SJ_REASONS_H

typedef enum {
    SJ_R_NONE = 0,              /* not a refusal (OK replies carry no reason) */
    SJ_R_BROKER_INTERNAL,       /* broker.internal */
    SJ_R_BROKER_NO_NOTICE_KEY,  /* broker.no_notice_key */
    SJ_R_BROKER_BAD_PUBLIC_URL, /* broker.bad_public_url */
    SJ_R_BROKER_BUSY,           /* broker.busy */
    SJ_R_STORE_FULL,            /* store.full */
    SJ_R_STORE_NOT_FOUND,       /* store.not_found */
    SJ_R_STORE_EXISTS,          /* store.exists */
    SJ_R_ARG_MALFORMED,         /* arg.malformed */
    SJ_R_ARG_NO_REQUEST_ID,     /* arg.no_request_id */
    SJ_R_ARG_UNKNOWN_REQUEST,   /* arg.unknown_request */
    SJ_R_ARG_INVALID,           /* arg.invalid */
    SJ_R_ARG_REQUIRED,          /* arg.required */
    SJ_R_ARG_TOO_LONG,          /* arg.too_long */
    SJ_R_ARG_BAD_TEXT,          /* arg.bad_text */
    SJ_R_ARG_OUT_OF_RANGE,      /* arg.out_of_range */
    SJ_R_ARG_UNKNOWN_VALUE,     /* arg.unknown_value */
    SJ_R_ARG_BAD_KEY,           /* arg.bad_key */
    SJ_R_ARG_BAD_CURSOR,        /* arg.bad_cursor */
    SJ_R_AUTH_UNKNOWN_KEY,      /* auth.unknown_key */
    SJ_R_AUTH_SUSPENDED,        /* auth.suspended */
    SJ_R_AUTH_ROLE,             /* auth.role */
    SJ_R_AUTH_NOT_YOURS,        /* auth.not_yours */
    SJ_R_AUTH_NOT_LINKED,       /* auth.not_linked */
    SJ_R_MEMBER_NOT_FOUND,      /* member.not_found */
    SJ_R_MEMBER_KEY_TAKEN,      /* member.key_taken */
    SJ_R_MEMBER_NOT_RESIDENT,   /* member.not_resident */
    SJ_R_MEMBER_NOT_MERCHANT,   /* member.not_merchant */
    SJ_R_MEMBER_NOT_BRIDGE,     /* member.not_bridge */
    SJ_R_MEMBER_SUSPENDED,      /* member.suspended */
    SJ_R_MEMBER_ALREADY_SUSPENDED, /* member.already_suspended */
    SJ_R_MEMBER_SELF,              /* member.self */
    SJ_R_MEMBER_NOT_SUSPENDED,     /* member.not_suspended */
    SJ_R_MEMBER_REKEY_COMMITTEE,   /* member.rekey_committee */
    SJ_R_WISH_NOT_FOUND,           /* wish.not_found */
    SJ_R_WISH_NOT_OPEN,            /* wish.not_open */
    SJ_R_WISH_NOT_CLAIMED,         /* wish.not_claimed */
    SJ_R_WISH_NOT_FULFILLED,       /* wish.not_fulfilled */
    SJ_R_WISH_NOT_OWNER,           /* wish.not_owner */
    SJ_R_WISH_NOT_CLAIMANT,        /* wish.not_claimant */
    SJ_R_WISH_PAST_DUE,            /* wish.past_due */
    SJ_R_WISH_NO_CLAIM,            /* wish.no_claim */
    SJ_R_WISH_HANDOVER_WRONG,      /* wish.handover_wrong */
    SJ_R_WISH_HANDOVER_LOCKED,     /* wish.handover_locked */
    SJ_R_CLAIM_LIMIT_REACHED,      /* claim.limit_reached */
    SJ_R_WISH_VERIFIED,            /* wish.verified */
    SJ_R_WISH_DISPUTED,            /* wish.disputed */
    SJ_R_COMPACT_NOT_FOUND,        /* compact.not_found */
    SJ_R_COMPACT_NOT_NEGOTIATING,  /* compact.not_negotiating */
    SJ_R_COMPACT_NOT_SIGNED,       /* compact.not_signed */
    SJ_R_COMPACT_NOT_PUBLISHED,    /* compact.not_published */
    SJ_R_COMPACT_NOT_ACTIVE,       /* compact.not_active */
    SJ_R_COMPACT_NOT_EVALUATING,   /* compact.not_evaluating */
    SJ_R_COMPACT_WRONG_STATE,      /* compact.wrong_state */
    SJ_R_COMPACT_NOT_PARTY,        /* compact.not_party */
    SJ_R_COMPACT_BAD_PARTY,        /* compact.bad_party */
    SJ_R_COMPACT_SELF,             /* compact.self */
    SJ_R_COMPACT_OLD_VERSION,      /* compact.old_version */
    SJ_R_COMPACT_ALREADY_SIGNED,   /* compact.already_signed */
    SJ_R_COMPACT_ALREADY_RATED,    /* compact.already_rated */
    SJ_R_COMPACT_NO_ITEM,          /* compact.no_item */
    SJ_R_COMPACT_NOT_GIVER,        /* compact.not_giver */
    SJ_R_COMPACT_MAY_NOT_COMPLAIN, /* compact.may_not_complain */
    SJ_R_COMPACT_NO_COMPLAINT,     /* compact.no_complaint */
    SJ_R_COMPACT_ALREADY_RESOLVED, /* compact.already_resolved */
    SJ_R_COMPACT_FULL,             /* compact.full */
    SJ_R_COMPACT_OUT_OF_TERM,      /* compact.out_of_term */
    SJ_R_COMPACT_TOO_OFTEN,        /* compact.too_often */
    SJ_R_COMPACT_NO_PERFORMANCE,   /* compact.no_performance */
    SJ_R_COMPACT_NOT_RECEIVER,     /* compact.not_receiver */
    /* compact.already_confirmed */
    SJ_R_COMPACT_ALREADY_CONFIRMED,
    SJ_R_COMPACT_COMPLAINT_LIMIT, /* compact.complaint_limit */
    SJ_R_LISTING_NOT_FOUND,       /* listing.not_found */
    SJ_R_LISTING_EXISTS,          /* listing.exists */
    SJ_R_IMAGE_TOO_LARGE,         /* image.too_large */
    SJ_R_PLACARD_LAYOUT,          /* placard.layout */
    SJ_R_POINTS_NOT_ENOUGH,       /* points.not_enough */
    SJ_R_POINTS_NO_SERVICE,       /* points.no_service */
    SJ_R_POINTS_FREE_SERVICE,     /* points.free_service */
    SJ_R_POINTS_SELF,             /* points.self */
    SJ_R_POINTS_YEAR_CLOSED,      /* points.year_closed */
    SJ_R_TRANSFER_PRICE_CHANGED,  /* transfer.price_changed */
    SJ_R_BACKUP_EXISTS,           /* backup.exists */
    SJ_R_CHAT_UNLINKED,           /* chat.unlinked */
    SJ_R_CHAT_INVITE_INVALID,     /* chat.invite_invalid */
    SJ_R_CHAT_HANDLE_TAKEN,       /* chat.handle_taken */
    SJ_R_CHAT_NOT_LINKABLE,       /* chat.not_linkable */
    SJ_R_CHAT_NOT_LINKED,         /* chat.not_linked */
    SJ_R_CHAT_NO_BRIDGE,          /* chat.no_bridge */
    SJ_R_CHAT_BRIDGE_AMBIGUOUS,   /* chat.bridge_ambiguous */
    SJ_R_CHAT_CURSOR_AHEAD,       /* chat.cursor_ahead */
    /* issue 13 (load): budgets, quotas and a store that keeps room */
    SJ_R_RATE_LIMITED,     /* rate.limited */
    SJ_R_QUOTA_EXCEEDED,   /* quota.exceeded */
    SJ_R_STORE_RESERVED,   /* store.reserved */
    SJ_R_STORE_DISK_FULL,  /* store.disk_full */
    SJ_R_RATE_CONNECTIONS, /* rate.connections */
    SJ_R_COUNT
} sj_reason_t;

/* "wish.not_open" for SJ_R_WISH_NOT_OPEN; NULL for SJ_R_NONE or a value out
 * of range. The string is static. */
const char *sj_reason_code(sj_reason_t r);

/* The English sentence for users, an msgid of the "shangju" catalogue
 * (clients show its translation: proto/i18n.h). NULL for SJ_R_NONE
 * or a value out of range. The string is static. */
const char *sj_reason_text(sj_reason_t r);

/* The reason whose code is exactly code, or SJ_R_NONE (NULL, unknown: a
 * newer broker's code; show the reply's message then). */
sj_reason_t sj_reason_parse(const char *code);

#endif
