/* The chat bridge's command reader: one message of a resident, as typed on
 * a phone (Chinese or English, full-width or half-width, Chinese numerals,
 * typos), into one command. Pure: no sockets, no broker, no state, so the
 * test suite can check input -> command by the hundred. bot.c acts on it. */
#ifndef SJ_CHAT_INTERP_H
#define SJ_CHAT_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "sj_limits.h"

/* Largest message read, in characters as received: a wish's title and
 * details fit (SJ_MAX_TITLE + SJ_MAX_DETAILS, counted in characters like
 * every limit), a flood does not. In bytes it is at most
 * SJ_CHAT_MAX_INPUT_BYTES, checked first. */
#define SJ_CHAT_MAX_INPUT 2400
#define SJ_CHAT_MAX_INPUT_BYTES SJ_UTF8_BYTES(SJ_CHAT_MAX_INPUT)
_Static_assert(SJ_CHAT_MAX_INPUT >= SJ_MAX_TITLE + SJ_MAX_DETAILS + 100,
               "a wish's title and details fit one message");

typedef enum {
    SJ_CMD_NONE = 0, /* empty or only blanks: nothing to answer */
    SJ_CMD_UNKNOWN,  /* not a command (text: the message, normalised) */
    SJ_CMD_SUGGEST,  /* a near miss of a command that changes something:
                        ask "did you mean <suggest>?", never run it */
    SJ_CMD_USAGE,    /* a command (in `of`) with missing or bad arguments */
    SJ_CMD_BAD_TEXT, /* not valid UTF-8 */
    SJ_CMD_TOO_LONG, /* over SJ_CHAT_MAX_INPUT characters */
    SJ_CMD_WISH,     /* text: the wish (first line title); "" starts the
                        two-step dialogue */
    SJ_CMD_MINE,
    SJ_CMD_SHOW,   /* id */
    SJ_CMD_CANCEL, /* id; 0 = a bare 取消 (ends a dialogue) */
    SJ_CMD_THANKS, /* id, rating (0 = none), text (words of thanks) */
    SJ_CMD_POINTS,
    SJ_CMD_JOIN, /* text: the code, canonical "ID-NNNNNN" */
    SJ_CMD_LANG, /* lang, or has_lang false: which languages there are */
    SJ_CMD_HELP,
    SJ_CMD__COUNT
} sj_cmd_kind_t;

typedef struct {
    sj_cmd_kind_t kind;
    sj_cmd_kind_t of;  /* SUGGEST, USAGE: the command meant */
    sj_cmd_kind_t alt; /* SUGGEST: a second, equally near command, or NONE */
    uint64_t id;       /* SHOW, CANCEL, THANKS */
    uint32_t rating;   /* THANKS: 1..5, 0 = none */
    uint64_t for_id;   /* "代 ID …" / "for ID …": acting for a resident */
    bool has_lang;     /* LANG */
    sj_lang_t lang;
    bool guessed;      /* a near-miss word read as this command */
    bool lang_known;   /* the message shows its language: */
    sj_lang_t said_in; /* Chinese if it has Han characters, else
                          English if it has Latin letters */
    char text[SJ_CHAT_MAX_INPUT_BYTES * 3 + 64]; /* normalised argument
                                                    text */
    char suggest[128]; /* SUGGEST: the corrected command, e.g. "cancel 3" */
    /* The whole message, normalised like text (empty for BAD_TEXT and
     * TOO_LONG): the answer to "what is your wish?" may start with a
     * command word (看望老人 …) and is still the wish. */
    char plain[SJ_CHAT_MAX_INPUT_BYTES * 3 + 64];
} sj_cmd_t;

/* Read one message (len bytes, need not be NUL-terminated) into *cmd.
 * Never fails: whatever the input, *cmd says what it is. Normalisation:
 * control characters become spaces, bidirectional overrides and
 * zero-width characters are dropped, NFKC (full-width -> half-width),
 * 。、，：as separators, Chinese numerals as numbers. */
void sj_chat_parse(const char *msg, size_t len, sj_cmd_t *cmd);

/* Whether kind changes something in the broker (a guess of such a command
 * is only ever suggested). */
bool sj_chat_cmd_changes(sj_cmd_kind_t kind);

/* The command word of kind in lang ("心愿", "wish"), for replies. */
const char *sj_chat_cmd_word(sj_cmd_kind_t kind, sj_lang_t lang);

/* Parse a number as residents write it: ASCII digits, or Chinese numerals
 * (一二三 = 123, 十二 = 12, 二十三 = 23, 两 = 2, 一百零五 = 105), with an
 * optional leading '#' or 第 and trailing 号/个/条. On success returns true,
 * *out gets the value and *end the first byte after it; s must be NFKC. */
bool sj_chat_number(const char *s, const char **end, uint64_t *out);

#endif
