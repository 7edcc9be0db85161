/* `shangju merchant ...`, `shangju qr ...` and `shangju placard ...`:
 * merchant listings (赋码) and the QR codes and printable placards the
 * broker renders for listings, wishes and hand-overs. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pbjson.h"

#define NARGS(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------- listings */

static const char put_help[] =
    "usage: shangju merchant register [ID] --name NAME --category C\n"
    "                                 [--specialty S]... [--address A]\n"
    "                                 [--hours H] [--service NAME:POINTS[:"
    "DESCRIPTION]]...\n"
    "       shangju merchant update [ID] [same options]\n"
    "\n"
    "Register a merchant's listing, or update it (only the options given\n"
    "change; --specialty or --service given replace the whole list). ID is\n"
    "the merchant member; a merchant leaves it out for its own listing, the\n"
    "committee names it.\n"
    "\n"
    "  --name NAME        shop name (up to 100 bytes)\n"
    "  --category C       e.g. bakery, photo, repair (up to 50 bytes)\n"
    "  --specialty S      what the shop is known for (repeat, up to 12)\n"
    "  --address A        street address (up to 200 bytes)\n"
    "  --hours H          opening hours (up to 100 bytes)\n"
    "  --service N:P[:D]  a service offered for P points (repeat, up to 20)\n";

typedef struct {
    const char *name, *category, *address, *hours;
    sj_cli_list_t specialties, services;
} listing_args_t;

/* Parse "NAME:POINTS[:DESCRIPTION]" into s (strings point into text,
 * which is modified). */
static int parse_service(const char *path, char *text, Shangju__Service *s)
{
    shangju__service__init(s);
    char *colon = strchr(text, ':');
    if (!colon)
        return sj_cli_usage(path, "--service wants NAME:POINTS[:DESCRIPTION]");
    *colon = '\0';
    char *points = colon + 1, *desc = strchr(points, ':');
    if (desc)
        *desc++ = '\0';
    if (sj_cli_u32(points, &s->points) != 0)
        return sj_cli_usage(path, "--service %s: points must be a number",
                            text);
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
    const char *path = create ? "merchant register" : "merchant update";
    listing_args_t a = {0};
    int first;
    const sj_cli_arg_t args[] = {
        {"name", SJ_CLI_STR, &a.name, NULL},
        {"category", SJ_CLI_STR, &a.category, NULL},
        {"specialty", SJ_CLI_LIST, &a.specialties, NULL},
        {"address", SJ_CLI_STR, &a.address, NULL},
        {"hours", SJ_CLI_STR, &a.hours, NULL},
        {"service", SJ_CLI_LIST, &a.services, NULL},
    };
    int rc = sj_cli_args(path, put_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    uint64_t id = 0;
    if (first < argc && (rc = sj_cli_one_id(path, argc, argv, first, &id)))
        return rc;
    if (create) {
        if (!a.name || !a.category)
            return sj_cli_usage(path, "--name and --category are required");
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

static const char show_help[] = "usage: shangju merchant show ID\n"
                                "\n"
                                "Show merchant ID's listing.\n";

static int merchant_show(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "merchant show";
    Shangju__ListingGet get = SHANGJU__LISTING_GET__INIT;
    int first;
    int rc = sj_cli_args(path, show_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &get.merchant_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_GET;
    req.listing_get = &get;
    return sj_cli_run(cli, &req);
}

static const char list_help[] =
    "usage: shangju merchant list [--category C] [--limit N] [--after "
    "CURSOR]\n"
    "\n"
    "List merchant listings, by category when given, a page at a time.\n";

static int merchant_list(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "merchant list";
    Shangju__ListingList l = SHANGJU__LISTING_LIST__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"category", SJ_CLI_STR, &l.category, NULL},
        {"limit", SJ_CLI_U32, &l.limit, NULL},
        {"after", SJ_CLI_U64, &l.after, NULL},
    };
    int rc =
        sj_cli_args(path, list_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_LIST;
    req.listing_list = &l;
    return sj_cli_run(cli, &req);
}

static const sj_cli_cmd_t merchant_cmds[] = {
    {"register", merchant_register, "create a merchant's listing"},
    {"update", merchant_update, "change a merchant's listing"},
    {"show", merchant_show, "show a listing"},
    {"list", merchant_list, "list listings, by category"},
    {NULL, NULL, NULL},
};

int sj_cli_merchant(sj_cli_t *cli, int argc, char **argv)
{
    return sj_cli_dispatch(cli, "merchant", merchant_cmds, argc - 1, argv + 1);
}

/* ---------------------------------------------------------- images out */

/* getopt_long here knows long options only: let -o mean --output. */
static void short_output(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-o") == 0)
            argv[i] = (char *)"--output";
}

/* Write the image of reply to file (or stdout when file is NULL: only text
 * goes to a terminal). Prints a summary (or JSON) when a file was given. */
static int save_image(sj_cli_t *cli, const Shangju__Reply *reply,
                      const char *file)
{
    const Shangju__Image *img = reply->image;
    if (reply->body_case != SHANGJU__REPLY__BODY_IMAGE || !img)
        return sj_cli_fail(SJ_CLI_EREPLY, "the broker sent no image");
    bool text = strncmp(img->media_type, "text/", 5) == 0;
    if (!file) {
        if (!text && isatty(STDOUT_FILENO))
            return sj_cli_fail(SJ_CLI_EUSAGE,
                               "not writing an image to a terminal; give "
                               "-o FILE");
        if (fwrite(img->data.data, 1, img->data.len, stdout) != img->data.len)
            return sj_cli_fail(SJ_CLI_ELOCAL, "cannot write the image");
        return SJ_CLI_OK;
    }
    FILE *f = fopen(file, "wb");
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot create '%s': %s", file,
                           strerror(errno));
    size_t n = fwrite(img->data.data, 1, img->data.len, f);
    if (fclose(f) != 0 || n != img->data.len)
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot write '%s'", file);
    if (cli->opts.json) {
        json_object *j = json_object_new_object();
        if (j && (sj_pbjson_add_string(j, "file", file) != 0 ||
                  json_object_object_add(
                      j, "bytes", json_object_new_uint64(img->data.len)) != 0 ||
                  sj_pbjson_add_string(j, "media_type", img->media_type) ||
                  sj_pbjson_add_string(j, "url", img->url) != 0)) {
            json_object_put(j);
            j = NULL;
        }
        return sj_cli_emit(j);
    }
    printf("%s: %zu bytes, %s\n", file, img->data.len, img->url);
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

static const char qr_help[] =
    "usage: shangju qr merchant|wish|handover|compact ID\n"
    "                  [--format png|svg|text]\n"
    "                  [-o FILE] [--level L|M|Q|H] [--module-px N] [--quiet "
    "N]\n"
    "\n"
    "Get the QR code of a merchant's listing (<public-url>/m/ID), a wish\n"
    "(/w/ID), a wish's hand-over (/w/ID?code=CODE: only for the wish's\n"
    "owner, their bridge and the committee; the merchant scans it at\n"
    "hand-over to prove the wish reached its resident), or a published\n"
    "compact (/c/ID). Without -o, text is printed (scan it off the\n"
    "screen) and images go to a pipe.\n"
    "\n"
    "  --format F       png (default), svg or text\n"
    "  -o, --output F   write the image to F\n"
    "  --level L        error correction: L, M (default), Q, H\n"
    "  --module-px N    pixels per module, 1..40 (default 8)\n"
    "  --quiet N        quiet zone in modules, 4..10 (default 4)\n";

int sj_cli_qr(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "qr";
    Shangju__QrGet q = SHANGJU__QR_GET__INIT;
    const char *format = NULL, *file = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"format", SJ_CLI_STR, &format, NULL},
        {"output", SJ_CLI_STR, &file, NULL},
        {"level", SJ_CLI_STR, &q.level, NULL},
        {"module-px", SJ_CLI_U32, &q.module_px, NULL},
        {"quiet", SJ_CLI_U32, &q.quiet, NULL},
    };
    short_output(argc, argv);
    int rc = sj_cli_args(path, qr_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first >= argc)
        return sj_cli_usage(path, "say merchant, wish, handover or compact");
    const char *what = argv[first];
    if (strcmp(what, "merchant") == 0)
        q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_MERCHANT;
    else if (strcmp(what, "wish") == 0)
        q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_WISH;
    else if (strcmp(what, "handover") == 0)
        q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_HANDOVER;
    else if (strcmp(what, "compact") == 0)
        q.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_COMPACT;
    else
        return sj_cli_usage(path, "unknown subject '%s'", what);
    if ((rc = sj_cli_one_id(path, argc, argv, first + 1, &q.id)))
        return rc;
    int f = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
    if (format &&
        (sj_enum_parse(&shangju__image_format__descriptor, format, &f) != 0 ||
         f == 0))
        return sj_cli_usage(path, "--format must be png, svg or text");
    q.format = (Shangju__ImageFormat)f;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_QR_GET;
    req.qr_get = &q;
    return fetch_image(cli, &req, file);
}

static const char placard_help[] =
    "usage: shangju placard ID -o FILE.svg|FILE.png\n"
    "\n"
    "Get the printable placard (A5) of merchant ID's listing: shop name,\n"
    "category, specialties, address, hours and the QR code of the listing.\n"
    "The format follows FILE's extension.\n";

int sj_cli_placard(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "placard";
    Shangju__PlacardGet p = SHANGJU__PLACARD_GET__INIT;
    const char *file = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"output", SJ_CLI_STR, &file, NULL},
    };
    short_output(argc, argv);
    int rc =
        sj_cli_args(path, placard_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &p.merchant_id)))
        return rc;
    if (!file)
        return sj_cli_usage(path, "-o FILE.svg or FILE.png is required");
    const char *dot = strrchr(file, '.');
    if (dot && strcasecmp(dot, ".svg") == 0)
        p.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG;
    else if (dot && strcasecmp(dot, ".png") == 0)
        p.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
    else
        return sj_cli_usage(path, "FILE must end in .svg or .png");
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PLACARD_GET;
    req.placard_get = &p;
    return fetch_image(cli, &req, file);
}
