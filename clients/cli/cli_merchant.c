/* `shangju merchant ...`, `shangju qr ...` and `shangju placard ...`:
 * merchant listings (赋码) and the QR codes and printable placards the
 * broker renders for listings, wishes and hand-overs. */
#include "cli.h"
#include "cli_enums.h"
#include "i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pbjson.h"

/* ------------------------------------------------------------- listings */

typedef struct {
    const char *name, *category, *address, *hours, *phone;
    sj_cli_list_t specialties, services;
} listing_args_t;

/* Parse "NAME:POINTS[:DESCRIPTION]" into s (strings point into text,
 * which is modified). The separators may be full-width ('：') and POINTS
 * full-width digits, as a Chinese input method types them; NAME and
 * DESCRIPTION are kept as typed. */
static int parse_service(const char *path, char *text, Shangju__Service *s)
{
    shangju__service__init(s);
    char *points = sj_cli_split(text);
    if (!points)
        return sj_cli_usage(path,
                            _("--service wants NAME:POINTS[:DESCRIPTION]"));
    char *desc = sj_cli_split(points);
    if (sj_cli_u32(points, &s->points) != 0)
        return sj_cli_usage(path, _("--service %s: points must be a number"),
                            text);
    if (s->points > SJ_MAX_POINTS)
        return sj_cli_usage(path, _("--service %s: at most %d points"), text,
                            SJ_MAX_POINTS);
    int rc;
    if ((rc = sj_cli_text(path, "--service NAME", text, SJ_MAX_NAME, true)) ||
        (rc = sj_cli_text(path, "--service DESCRIPTION", desc, SJ_MAX_NOTE,
                          false)))
        return rc;
    s->name = text;
    s->description = desc ? desc : (char *)"";
    return SJ_CLI_OK;
}

/* Send l (create or replace) with the fields given in a applied over it. */
static int put_listing(sj_cli_t *cli, const char *path, Shangju__Listing *l,
                       listing_args_t *a, bool create)
{
    Shangju__Service svc[SJ_CLI_MAX_LIST], *svcp[SJ_CLI_MAX_LIST];
    if (a->name)
        l->name = (char *)a->name;
    if (a->category)
        l->category = (char *)a->category;
    if (a->address)
        l->address = (char *)a->address;
    if (a->hours)
        l->hours = (char *)a->hours;
    if (a->phone)
        l->phone = (char *)a->phone;
    if (a->specialties.n) {
        l->specialties = a->specialties.items;
        l->n_specialties = a->specialties.n;
    }
    if (a->services.n) {
        for (size_t i = 0; i < a->services.n; i++) {
            int rc = parse_service(path, a->services.items[i], &svc[i]);
            if (rc != SJ_CLI_OK)
                return rc;
            svcp[i] = &svc[i];
        }
        l->services = svcp;
        l->n_services = a->services.n;
    }
    Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
    put.listing = l;
    put.create = create;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &put;
    return sj_cli_run(cli, &req);
}

static int listing_cmd(sj_cli_t *cli, int argc, char **argv, bool create)
{
    listing_args_t a = {0};
    int first;
    const sj_cli_arg_t args[] = {
        {"name", SJ_CLI_STR, &a.name, "NAME", SJ_HELP("shop name"), SJ_MAX_NAME,
         .required = create},
        {"category", SJ_CLI_STR, &a.category, "C",
         SJ_HELP("e.g. bakery, photo, repair"), SJ_MAX_CATEGORY,
         .required = create},
        {"specialty", SJ_CLI_LIST, &a.specialties, "S",
         SJ_HELP("what the shop is known for"), SJ_MAX_SPECIALTY,
         .count = SJ_MAX_SPECIALTIES},
        {"address", SJ_CLI_STR, &a.address, "A", SJ_HELP("street address"),
         SJ_MAX_ADDRESS},
        {"hours", SJ_CLI_STR, &a.hours, "H", SJ_HELP("opening hours"),
         SJ_MAX_HOURS},
        {"phone", SJ_CLI_STR, &a.phone, "TEL",
         SJ_HELP("a phone number to publish on the shop's public page "
                 "(tap to call); \"\" removes it"),
         SJ_MAX_PHONE},
        {"service", SJ_CLI_LIST, &a.services, "N:P[:D]",
         SJ_HELP("a service N (up to {MAX_NAME} characters) offered for P "
                 "points (at most {MAX_POINTS}), described by D (up to "
                 "{MAX_NOTE} characters)"),
         .count = SJ_MAX_SERVICES},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        create ? "merchant register" : "merchant update", "[ID]",
        create ? SJ_HELP("Register a merchant's listing. ID is the merchant "
                         "member; a merchant leaves it out for its own "
                         "listing, the committee names it.")
               : SJ_HELP("Update a merchant's listing: only the options "
                         "given change; --specialty or --service given "
                         "replace the whole list. ID is the merchant member; "
                         "a merchant leaves it out for its own listing, the "
                         "committee names it."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    uint64_t id = 0;
    if (first < argc && (rc = sj_cli_one_id(path, argc, argv, first, &id)))
        return rc;
    if (create) {
        Shangju__Listing l = SHANGJU__LISTING__INIT;
        l.merchant_id = id;
        return put_listing(cli, path, &l, &a, true);
    }
    /* An update starts from the listing as it is. */
    Shangju__ListingGet get = SHANGJU__LISTING_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_GET;
    req.listing_get = &get;
    Shangju__Reply *cur = NULL;
    if (!id) { /* our own: whoami tells the id */
        Shangju__WhoAmI who = SHANGJU__WHO_AM_I__INIT;
        Shangju__Request wr = SHANGJU__REQUEST__INIT;
        wr.body_case = SHANGJU__REQUEST__BODY_WHOAMI;
        wr.whoami = &who;
        if ((rc = sj_cli_call(cli, &wr, &cur)) != SJ_CLI_OK)
            return rc;
        id = cur->member->id;
        shangju__reply__free_unpacked(cur, NULL);
    }
    get.merchant_id = id;
    if ((rc = sj_cli_call(cli, &req, &cur)) != SJ_CLI_OK)
        return rc;
    /* Edit a shallow copy: the unpacked reply must keep its own strings. */
    Shangju__Listing l = *cur->listing;
    rc = put_listing(cli, path, &l, &a, false);
    shangju__reply__free_unpacked(cur, NULL);
    return rc;
}

static int merchant_register(sj_cli_t *cli, int argc, char **argv)
{
    return listing_cmd(cli, argc, argv, true);
}

static int merchant_update(sj_cli_t *cli, int argc, char **argv)
{
    return listing_cmd(cli, argc, argv, false);
}

static int merchant_show(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "merchant show", "ID", SJ_HELP("Show merchant ID's listing."), NULL, 0};
    Shangju__ListingGet get = SHANGJU__LISTING_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_GET;
    req.listing_get = &get;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &get.merchant_id, &req);
}

static int merchant_list(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__ListingList l = SHANGJU__LISTING_LIST__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"category", SJ_CLI_STR, &l.category, "C",
         SJ_HELP("only listings of category C"), SJ_MAX_CATEGORY},
        {"limit", SJ_CLI_U32, &l.limit, "N",
         SJ_HELP("page size (default {DEFAULT_PAGE})"), SJ_MAX_PAGE},
        {"after", SJ_CLI_U64, &l.after, "CURSOR",
         SJ_HELP("continue after this cursor")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "merchant list", NULL,
        SJ_HELP("List merchant listings, by category when given, a page at a "
                "time."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_LIST;
    req.listing_list = &l;
    return sj_cli_run(cli, &req);
}

const sj_cli_cmd_t sj_cli_merchant_cmds[] = {
    {"register", merchant_register, SJ_HELP("create a merchant's listing"),
     NULL},
    {"update", merchant_update, SJ_HELP("change a merchant's listing"), NULL},
    {"show", merchant_show, SJ_HELP("show a listing"), NULL},
    {"list", merchant_list, SJ_HELP("list listings, by category"), NULL},
    {NULL, NULL, NULL, NULL},
};

/* ---------------------------------------------------------- images out */

/* {"file", "bytes", "media_type", "url"} for an image saved to file, or,
 * without a file, the image itself in "data" (base64) instead of "file".
 * NULL when memory runs out. */
static json_object *image_json(const Shangju__Image *img, const char *file)
{
    json_object *j = json_object_new_object();
    if (!j)
        return NULL;
    bool ok = (!file || sj_pbjson_add_string(j, "file", file) == 0) &&
              json_object_object_add(
                  j, "bytes", json_object_new_uint64(img->data.len)) == 0 &&
              sj_pbjson_add_string(j, "media_type", img->media_type) == 0 &&
              sj_pbjson_add_string(j, "url", img->url) == 0;
    if (ok && !file) {
        size_t cap = sodium_base64_ENCODED_LEN(img->data.len,
                                               sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(cap);
        ok = b64 != NULL;
        if (ok) {
            sodium_bin2base64(b64, cap, img->data.data, img->data.len,
                              sodium_base64_VARIANT_ORIGINAL);
            ok = sj_pbjson_add_string(j, "data", b64) == 0;
        }
        free(b64);
    }
    if (!ok) {
        json_object_put(j);
        return NULL;
    }
    return j;
}

/* Write the image of reply to file (or stdout when file is NULL: only text
 * goes to a terminal). Prints a summary (or JSON) when a file was given. */
static int save_image(sj_cli_t *cli, const Shangju__Reply *reply,
                      const char *file)
{
    const Shangju__Image *img = reply->image;
    if (reply->body_case != SHANGJU__REPLY__BODY_IMAGE || !img)
        return sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                             N_("the broker sent no image"));
    bool text = strncmp(img->media_type, "text/", 5) == 0;
    if (!file && cli->opts.json)
        return sj_cli_emit(image_json(img, NULL));
    if (!file) {
        if (!text && isatty(STDOUT_FILENO))
            return sj_cli_fail(SJ_CLI_EUSAGE, "%s",
                               _("not writing an image to a terminal; give "
                                 "-o FILE"));
        if (fwrite(img->data.data, 1, img->data.len, stdout) != img->data.len)
            return sj_cli_fail(SJ_CLI_ELOCAL, "%s",
                               _("cannot write the image"));
        return SJ_CLI_OK;
    }
    FILE *f = fopen(file, "wb");
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot create '%s': %s"), file,
                           strerror(errno));
    size_t n = fwrite(img->data.data, 1, img->data.len, f);
    if (fclose(f) != 0 || n != img->data.len)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write '%s'"), file);
    if (cli->opts.json)
        return sj_cli_emit(image_json(img, file));
    printf(_("%s: %zu bytes, %s\n"), file, img->data.len, img->url);
    return SJ_CLI_OK;
}

static int fetch_image(sj_cli_t *cli, Shangju__Request *req, const char *file)
{
    Shangju__Reply *reply = NULL;
    int rc = sj_cli_call(cli, req, &reply);
    if (rc != SJ_CLI_OK)
        return rc;
    rc = save_image(cli, reply, file);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}

int sj_cli_qr(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    const char *format = NULL, *file = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"format", SJ_CLI_LOCAL, &format, "F",
         SJ_HELP("png (default), svg or text")},
        {"output", SJ_CLI_LOCAL, &file, "FILE",
         SJ_HELP("write the image to FILE"), .shrt = 'o'},
        {"level", SJ_CLI_STR, &q.level, "L",
         SJ_HELP("error correction: L, M (default), Q, H"), 1},
        {"module-px", SJ_CLI_U32, &q.module_px, "N",
         SJ_HELP("pixels per module (broker default when absent)"),
         SJ_MAX_QR_MODULE_PX},
        {"quiet", SJ_CLI_U32, &q.quiet, "N",
         SJ_HELP("quiet zone in modules, at least {MIN_QR_QUIET} (broker "
                 "default when absent)"),
         SJ_MAX_QR_QUIET},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "qr", "merchant|wish|handover|compact ID",
        SJ_HELP("Get the QR code of a merchant's listing (<public-url>/m/ID), "
                "a wish (/w/ID), a wish's hand-over (/w/ID?code=CODE: only "
                "for the wish's owner, their bridge and the committee; the "
                "merchant scans it at hand-over to prove the wish reached its "
                "resident), or a published compact (/c/ID). Without -o, text "
                "is printed (scan it off the screen) and images go to a "
                "pipe."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first >= argc) {
        char choices[256];
        return sj_cli_usage(
            path, _("say what the QR code is of: %s"),
            sj_cli_enum_choices(&shangju__qr_subject__descriptor, choices,
                                sizeof choices));
    }
    const char *what = argv[first];
    int subject;
    char choices[256];
    if (sj_cli_enum_parse(&shangju__qr_subject__descriptor, what, &subject))
        return sj_cli_usage(
            path, _("unknown subject '%s' (one of: %s)"), what,
            sj_cli_enum_choices(&shangju__qr_subject__descriptor, choices,
                                sizeof choices));
    q.subject = (Shangju__QrSubject)subject;
    if ((rc = sj_cli_one_id(path, argc, argv, first + 1, &q.id)))
        return rc;
    int f = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
    if (format &&
        (sj_enum_parse(&shangju__image_format__descriptor, format, &f) != 0 ||
         f == 0))
        return sj_cli_usage(path, _("--format must be png, svg or text"));
    q.format = (Shangju__ImageFormat)f;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_QR_GET;
    req.qr_get = &q;
    return fetch_image(cli, &req, file);
}

int sj_cli_placard(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__PlacardGet p = SHANGJU__PLACARD_GET__INIT;
    const char *file = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"output", SJ_CLI_LOCAL, &file, "FILE",
         SJ_HELP("write the placard to FILE.png, FILE.svg or FILE.pdf"),
         .shrt = 'o', .required = true},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "placard", "ID",
        SJ_HELP("Get the printable placard (A5) of merchant ID's listing: "
                "shop name, category, specialties, address, hours and the QR "
                "code of the listing. The format follows FILE's extension."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &p.merchant_id)))
        return rc;
    const char *dot = strrchr(file, '.');
    if (dot && strcasecmp(dot, ".svg") == 0)
        p.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG;
    else if (dot && strcasecmp(dot, ".png") == 0)
        p.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
    else if (dot && strcasecmp(dot, ".pdf") == 0)
        p.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PDF;
    else
        return sj_cli_usage(path, _("FILE must end in .png, .svg or .pdf"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PLACARD_GET;
    req.placard_get = &p;
    return fetch_image(cli, &req, file);
}
