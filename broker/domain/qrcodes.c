/* QR code and placard handlers: build the URL for a merchant, a wish or a
 * wish's hand-over (only for its owner's side and the committee), or a
 * published compact's public page, render it
 * with qr.c or placard.c, and return the image in the reply. */
#include "dispatch.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "compacts.h"
#include "placard.h"
#include "placard_cache.h"
#include "qr.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define SUBJ(x) SHANGJU__QR_SUBJECT__QR_SUBJECT_##x
#define FMT(x) SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_##x

/* Largest image a reply carries; clients accept replies up to 4 MiB. */
#define MAX_IMAGE (3u << 20)

typedef unsigned long long ull;

static const char *media_type(Shangju__ImageFormat f)
{
    return f == FMT(SVG)    ? "image/svg+xml"
           : f == FMT(TEXT) ? "text/plain; charset=utf-8"
           : f == FMT(PDF)  ? "application/pdf"
                            : "image/png";
}

/* Attach data (malloc'd; ownership taken) as the reply's image. */
static int reply_image(sj_call_t *c, uint8_t *data, size_t len,
                       Shangju__ImageFormat f, const char *url)
{
    if (!sj_call_own_mem(c, data))
        return sj_call_store_fail(c, SJ_ENOMEM, "image");
    if (len > MAX_IMAGE)
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_IMAGE_TOO_LARGE,
                            "image too large (%zu bytes); ask for a smaller "
                            "module size",
                            len);
    Shangju__Image *img = sj_call_alloc(c, sizeof *img);
    char *u = sj_call_strdup(c, url);
    if (!img || !u)
        return sj_call_store_fail(c, SJ_ENOMEM, "image");
    shangju__image__init(img);
    img->data.data = data;
    img->data.len = len;
    img->media_type = (char *)media_type(f);
    img->url = u;
    c->reply.body_case = SHANGJU__REPLY__BODY_IMAGE;
    c->reply.image = img;
    return 0;
}

static int need_listing(sj_call_t *c, uint64_t id, Shangju__Listing **l)
{
    int err = sj_listing_get(c->txn, id, l);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_LISTING_NOT_FOUND,
                            "merchant %llu has no listing", (ull)id);
    if (err || !sj_call_own(c, *l))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "listing");
    return 0;
}

/* A compact has a public page (and a QR code) once it is published. */
static int need_published(sj_call_t *c, uint64_t id)
{
    Shangju__Compact *cp;
    int err = sj_compact_get(c->txn, id, &cp);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_COMPACT_NOT_FOUND,
                            "no compact %llu", (ull)id);
    if (err || !sj_call_own(c, cp))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "compact");
    if (cp->state < SHANGJU__COMPACT_STATE__COMPACT_STATE_PUBLISHED)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_COMPACT_NOT_PUBLISHED,
                            "compact %llu is not published yet", (ull)id);
    return 0;
}

/* The URL for q, checking the subject exists and the caller may see it. */
static int subject_url(sj_call_t *c, const Shangju__QrGet *q, char *url,
                       size_t cap)
{
    Shangju__Listing *l;
    Shangju__Wish *w = NULL;
    const char *code = NULL;
    char kind;
    int rc, err;
    switch (q->subject) {
    case SUBJ(MERCHANT):
        if ((rc = need_listing(c, q->id, &l)))
            return rc;
        kind = 'm';
        break;
    case SUBJ(WISH):
    case SUBJ(HANDOVER):
        err = sj_wish_get(c->txn, q->id, &w);
        if (err == SJ_ENOTFOUND)
            return sj_call_fail(c, ST(NOT_FOUND), SJ_R_WISH_NOT_FOUND,
                                "no wish %llu", (ull)q->id);
        if (err || !sj_call_own(c, w))
            return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "wish");
        kind = 'w';
        if (q->subject == SUBJ(WISH))
            break;
        /* The hand-over code proves the wish reached its resident: only
         * the resident's side and the committee may hold it. */
        if (!sj_wish_acts_for_owner(c, w))
            return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_WISH_NOT_OWNER,
                                "only the wish's owner or the committee may "
                                "fetch its hand-over code");
        if (w->state != WS(CLAIMED) || !w->handover_code || !*w->handover_code)
            return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_NO_CLAIM,
                                "wish %llu has no live claim, so no "
                                "hand-over code",
                                (ull)q->id);
        if (w->handover_locked)
            return sj_call_fail(c, ST(FAILED_PRECONDITION),
                                SJ_R_WISH_HANDOVER_LOCKED,
                                "the hand-over code of wish %llu is locked; "
                                "ask the committee to reissue it",
                                (ull)q->id);
        kind = 'h';
        code = w->handover_code;
        break;
    case SUBJ(COMPACT):
        if ((rc = need_published(c, q->id)))
            return rc;
        kind = 'c';
        break;
    default:
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "subject must be merchant, wish, handover or "
                            "compact");
    }
    if (sj_qr_url(url, cap, c->cfg->public_url, kind, q->id, code) != 0)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_BROKER_BAD_PUBLIC_URL,
                            "the broker's --public-url '%s' cannot make a "
                            "link; the operator must fix it",
                            c->cfg->public_url);
    return 0;
}

static int qr_options(sj_call_t *c, const Shangju__QrGet *q, sj_qr_opts_t *o,
                      sj_qr_format_t *fmt)
{
    const sj_qr_opts_t defaults = SJ_QR_OPTS_INIT;
    *o = defaults;
    if (q->level && *q->level && sj_qr_level_parse(q->level, &o->level) != 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "level must be L, M, Q or H");
    if (q->module_px)
        o->module_px = q->module_px;
    if (q->quiet)
        o->quiet = q->quiet;
    switch (q->format) {
    case FMT(UNSPECIFIED):
    case FMT(PNG):
        *fmt = SJ_QR_PNG;
        break;
    case FMT(SVG):
        *fmt = SJ_QR_SVG;
        break;
    case FMT(TEXT):
        *fmt = SJ_QR_TEXT;
        break;
    default:
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "format must be png, svg or text");
    }
    return 0;
}

int sj_h_qr_get(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__QrGet *q = req->qr_get;
    char url[SJ_QR_MAX_URL + 1], why[160];
    sj_qr_opts_t o;
    sj_qr_format_t fmt = SJ_QR_PNG;
    int rc;
    if ((rc = qr_options(c, q, &o, &fmt)) ||
        (rc = subject_url(c, q, url, sizeof url)))
        return rc;
    if (sj_qr_check(url, &o, fmt, why, sizeof why) != 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID, "%s",
                            why);
    uint8_t *img;
    size_t len;
    int err = sj_qr_render(url, &o, fmt, &img, &len);
    if (err == SJ_EINVAL)
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_IMAGE_TOO_LARGE,
                            "the image would be too large; ask for a smaller "
                            "module size");
    if (err)
        return sj_call_store_fail(c, err, "QR code");
    return reply_image(c, img, len, q->format ? q->format : FMT(PNG), url);
}

/* Hash one field into h, its length first, so that fields cannot run
 * into each other. */
static void key_field(crypto_generichash_state *h, const char *f)
{
    uint64_t n = f ? strlen(f) : 0;
    crypto_generichash_update(h, (const unsigned char *)&n, sizeof n);
    if (n)
        crypto_generichash_update(h, (const unsigned char *)f, n);
}

/* The cache key of a placard: everything printed on it and its format. */
static void placard_key(const sj_placard_t *pl, Shangju__ImageFormat f,
                        uint8_t key[SJ_PLACARD_KEY])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, SJ_PLACARD_KEY);
    key_field(&h, f == FMT(SVG) ? "svg" : f == FMT(PDF) ? "pdf" : "png");
    key_field(&h, pl->name);
    key_field(&h, pl->category);
    key_field(&h, pl->address);
    key_field(&h, pl->hours);
    key_field(&h, pl->url);
    for (size_t i = 0; i < pl->n_specialties; i++)
        key_field(&h, pl->specialties[i]);
    crypto_generichash_final(&h, key, SJ_PLACARD_KEY);
}

int sj_h_placard_get(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__PlacardGet *p = req->placard_get;
    Shangju__ImageFormat f = p->format ? p->format : FMT(PNG);
    sj_placard_format_t fmt;
    switch (f) {
    case FMT(PNG):
        fmt = SJ_PLACARD_PNG;
        break;
    case FMT(SVG):
        fmt = SJ_PLACARD_SVG;
        break;
    case FMT(PDF):
        fmt = SJ_PLACARD_PDF;
        break;
    default:
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "a placard is png, svg or pdf");
    }
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    q.subject = SUBJ(MERCHANT);
    q.id = p->merchant_id;
    char url[SJ_QR_MAX_URL + 1];
    Shangju__Listing *l;
    int rc;
    if ((rc = need_listing(c, p->merchant_id, &l)) ||
        (rc = subject_url(c, &q, url, sizeof url)))
        return rc;
    sj_placard_t pl = {
        .name = l->name,
        .category = l->category,
        .specialties = (const char *const *)l->specialties,
        .n_specialties = l->n_specialties,
        .address = l->address,
        .hours = l->hours,
        .url = url,
    };
    uint8_t *img;
    size_t len;
    uint8_t key[SJ_PLACARD_KEY];
    placard_key(&pl, f, key);
    if (c->placards && sj_placard_cache_get(c->placards, key, &img, &len) == 0)
        return reply_image(c, img, len, f, url);
    int err = sj_placard_render(&pl, fmt, &img, &len);
    if (err == 0 && c->placards)
        sj_placard_cache_put(c->placards, key, img, len);
    if (err == SJ_EINVAL)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_PLACARD_LAYOUT,
                            "this listing cannot be laid out on a placard");
    if (err)
        return sj_call_store_fail(c, err, "placard");
    return reply_image(c, img, len, f, url);
}
