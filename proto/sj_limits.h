/* The limits of the contract: how large each field of a request may be.
 * One definition for the broker, which enforces them, and every client,
 * which checks early and says so in its help (SJ_STR makes a number a
 * string for help texts). */
#ifndef SJ_SJ_LIMITS_H
#define SJ_SJ_LIMITS_H

#define SJ_STR_(x) #x
#define SJ_STR(x) SJ_STR_(x)

/* Field size limits, in characters (Unicode code points, counted by
 * sj_text_chars after the broker has put the text in NFC): a name holds
 * 100 Chinese characters as well as 100 Latin letters (issue 15). Stored,
 * a field of n characters takes at most SJ_UTF8_BYTES(n) bytes; buffers
 * and byte budgets are sized with it.
 * SJ_MAX_HANDLE is the exception, in bytes: a handle is the chat
 * network's id of a person (usually ASCII), and it is part of a store key,
 * whose room is bytes. */
#define SJ_UTF8_BYTES(chars) (4 * (chars))
#define SJ_MAX_NAME 100
#define SJ_MAX_COMMUNITY 100
#define SJ_MAX_BUILDING 100
#define SJ_MAX_CONTACT 200
#define SJ_MAX_HANDLE 200 /* bytes, see above */
#define SJ_MAX_TITLE 200
#define SJ_MAX_DETAILS 2000
#define SJ_MAX_CATEGORY 50
#define SJ_MAX_NOTE 500
#define SJ_MAX_ADDRESS 200
#define SJ_MAX_HOURS 100
#define SJ_MAX_PHONE 24 /* a listing's public phone (web, issue 10): ASCII */
#define SJ_MAX_SPECIALTY 100
#define SJ_MAX_SPECIALTIES 12
#define SJ_MAX_SERVICES 20
#define SJ_MAX_POINTS 100000
#define SJ_MAX_PAGE 500
#define SJ_DEFAULT_PAGE 50

/* Compacts. */
#define SJ_MAX_PARTIES 50
#define SJ_MAX_ITEMS 50
#define SJ_MAX_WHAT 200
#define SJ_MAX_HOW_OFTEN 50
#define SJ_MAX_COVENANT 4000
#define SJ_MAX_COMPLAINT 1000
#define SJ_MAX_RESOLUTION 1000
#define SJ_MAX_PERFORMANCES 1000 /* per compact: bounds the record */
#define SJ_MAX_COMPLAINTS 200
/* Most bytes of a compact record (issue 15). Its texts are limited in
 * characters, up to 4 bytes each, so the lists that grow (performances,
 * complaints, ratings: 50 parties rate one another) could pass the
 * clients' 4 MiB reply limit, and compact get returns the whole record:
 * an addition that would take it past this is refused (compact.full). */
#define SJ_MAX_COMPACT_BYTES (3u * 1024 * 1024)
/* issue 9 (privacy): an item's frequency, and complaints per complainer
 * (the last SJ_COMPLAINTS_FOR_PARTIES places of a compact's complaints
 * are kept for its parties, so outsiders cannot fill the budget). */
#define SJ_MAX_ITEM_TIMES 100         /* performances of an item per period */
#define SJ_MAX_OPEN_COMPLAINTS_EACH 3 /* neither resolved nor dismissed */
#define SJ_MAX_COMPLAINTS_EACH 10     /* per complainer per compact */
#define SJ_COMPLAINTS_FOR_PARTIES 50

/* Added with the CLI's option tables (issue 8), so the help and the early
 * checks of clients use the broker's own numbers. */
#define SJ_MAX_TOP 100         /* points top --limit */
#define SJ_MAX_STARS 5         /* a wish's rating, a compact rating */
#define SJ_HANDOVER_CODE_LEN 8 /* the hand-over code of a claimed wish */
#define SJ_MAX_BACKUP_NAME 64  /* admin backup NAME */
#define SJ_MAX_QR_MODULE_PX 40 /* pixels per QR module */
#define SJ_MIN_QR_QUIET 4      /* QR quiet zone, in modules: the standard's */
#define SJ_MAX_QR_QUIET 10
#define SJ_MIN_PARTIES 2        /* parties of a compact */
#define SJ_MAX_RANKING 1000     /* members a closed year's ranking keeps */
#define SJ_MAX_REPLAY 1000      /* events per Replay reply */
#define SJ_MAX_INVITE_HOURS 720 /* a chat invite code lives at most 30 days */

/* Most bytes of records one page (a list, a Replay) carries, besides its
 * count limit (issue 13): however large the records, a reply stays far
 * under the clients' limit (16 x SJ_MAX_FRAME) and an unread reply is
 * small; a page always holds at least one record. */
#define SJ_MAX_PAGE_BYTES (512u * 1024)

#endif
