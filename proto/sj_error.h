/* Error codes shared by every Shangju module.
 * Fallible functions return 0 or one of these negative codes; each foreign
 * error space (LMDB, ZeroMQ, errno) is translated at its own boundary. */
#ifndef SJ_ERROR_H
#define SJ_ERROR_H

enum {
    SJ_OK = 0,
    SJ_EINVAL = -1,     /* bad argument or malformed input */
    SJ_ENOTFOUND = -2,  /* no such record */
    SJ_EEXIST = -3,     /* record already exists */
    SJ_EFULL = -4,      /* the store's map is full */
    SJ_ENOMEM = -5,     /* out of memory */
    SJ_EIO = -6,        /* I/O or system error; see errno / log */
    SJ_ESCHEMA = -7,    /* store written by another schema version */
    SJ_ETIMEOUT = -8,   /* no reply in time */
    SJ_EPROTO = -9,     /* peer broke the protocol */
    SJ_EBUSY = -10,     /* resource in use (e.g. store locked) */
    SJ_EPERM = -11,     /* a secret file others may read: refused */
    SJ_EMISMATCH = -12, /* two halves of a key pair do not belong together */
    SJ_ENOTREG = -13,   /* not a regular file (a FIFO, a directory...) */
    SJ_ENOSPC = -14,    /* the disk (not the map) is full */
};

/* A short English description of code; never NULL. The texts are in the
 * catalogue: logs print them as they are, a message for a person passes
 * them through gettext (the CLI's and desk's underscore macro, sj_tr). */
const char *sj_strerror(int code);

#endif
