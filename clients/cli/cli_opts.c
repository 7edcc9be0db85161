/* Command-line plumbing of `shangju`: the option parser that reads the
 * option tables (values checked against their limits before anything is
 * sent), the global options merged with the SHANGJU_* environment, the
 * command tree's dispatch, strict numbers and the one-line error reports. */
#include "cli.h"
#include "cli_enums.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "sj_zone.h"
#include "text.h"

/* Print "shangju: [path: ]reason (see 'shangju [path ]--help')" on err. */
static int usage_to(FILE *err, const char *path, const char *fmt, va_list ap)
{
    fprintf(err, "shangju: %s%s", path ? path : "", path ? ": " : "");
    vfprintf(err, fmt, ap);
    /* TRANSLATORS: after a usage error; %s%s is " wish post" or "". */
    char see[256];
    snprintf(see, sizeof see, _("(see 'shangju%s%s --help')"), path ? " " : "",
             path ? path : "");
    fprintf(err, "%s%s\n", (unsigned char)see[0] & 0x80 ? "" : " ", see);
    return SJ_CLI_EUSAGE;
}

static int usage_f(FILE *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int usage_f(FILE *err, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    usage_to(err, path, fmt, ap);
    va_end(ap);
    return SJ_CLI_EUSAGE;
}

int sj_cli_usage(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    usage_to(stderr, path, fmt, ap);
    va_end(ap);
    return SJ_CLI_EUSAGE;
}

/* The length of text as the broker's limits count it: characters (code
 * points) after NFC (text.h). */
static size_t text_len(const char *s)
{
    return s ? sj_text_nfc_chars(s) : 0;
}

int sj_cli_text(const char *path, const char *what, const char *arg, size_t max,
                bool required)
{
    size_t n = text_len(arg);
    if (required && n == 0)
        return sj_cli_usage(path, _("missing %s"), what);
    if (n > max)
        return sj_cli_usage(path,
                            _("%s is too long: %zu characters, at most %zu"),
                            what, n, max);
    return SJ_CLI_OK;
}

/* Store value v of option a, checked against its limit. */
static int store_arg(FILE *err, const char *path, const sj_cli_arg_t *a,
                     const char *v)
{
    uint64_t num;
    size_t len = text_len(v);
    switch (a->kind) {
    case SJ_CLI_STR:
        if (a->bytes && strlen(v) > a->max)
            return usage_f(err, path,
                           _("--%s is too long: %zu bytes, at most %llu"),
                           a->name, strlen(v), (unsigned long long)a->max);
        if (len > a->max)
            return usage_f(err, path,
                           _("--%s is too long: %zu characters, at most %llu"),
                           a->name, len, (unsigned long long)a->max);
        /* fall through */
    case SJ_CLI_LOCAL:
        *(const char **)a->dst = v;
        return SJ_CLI_OK;
    case SJ_CLI_U32:
    case SJ_CLI_U64:
        if (sj_cli_u64(v, &num) != 0 ||
            (a->kind == SJ_CLI_U32 && num > UINT32_MAX))
            return usage_f(err, path, _("--%s wants a number, not '%s'"),
                           a->name, v);
        if (a->max && num > a->max)
            return usage_f(err, path,
                           _("--%s is too large: %llu, at most %llu"), a->name,
                           (unsigned long long)num, (unsigned long long)a->max);
        if (a->kind == SJ_CLI_U32)
            *(uint32_t *)a->dst = (uint32_t)num;
        else
            *(uint64_t *)a->dst = num;
        return SJ_CLI_OK;
    case SJ_CLI_FLAG:
        *(protobuf_c_boolean *)a->dst = 1;
        return SJ_CLI_OK;
    case SJ_CLI_ENUM: {
        char choices[512];
        if (sj_cli_enum_parse(a->en, v, a->dst) == 0)
            return SJ_CLI_OK;
        return usage_f(err, path, _("--%s: unknown value '%s' (one of: %s)"),
                       a->name, v,
                       sj_cli_enum_choices(a->en, choices, sizeof choices));
    }
    case SJ_CLI_LIST: {
        sj_cli_list_t *l = a->dst;
        unsigned most =
            a->count && a->count < SJ_CLI_MAX_LIST ? a->count : SJ_CLI_MAX_LIST;
        if (l->n >= most)
            return usage_f(err, path, _("--%s given more than %u times"),
                           a->name, most);
        if (a->max && len > a->max)
            return usage_f(err, path,
                           _("--%s is too long: %zu characters, at most %llu"),
                           a->name, len, (unsigned long long)a->max);
        l->items[l->n++] = (char *)v;
        return SJ_CLI_OK;
    }
    }
    return SJ_CLI_EUSAGE;
}

/* The global options while they are parsed: before COMMAND by
 * sj_cli_parse_globals, and after it (`shangju wish list --json`) by the
 * command's own parser, which finds them through `late` (set by
 * sj_cli_main for its one run; the CLI is single-threaded). */
typedef struct {
    sj_cli_opts_t *o;
    protobuf_c_boolean json, version;
    uint32_t timeout; /* not given: UINT32_MAX, above the option's max */
    sj_cli_arg_t args[9];
    size_t n;      /* args */
    size_t n_late; /* the first n_late of args may follow COMMAND */
} globals_t;

static globals_t *late;

/* The parser behind sj_cli_args and the global options: stop at the first
 * positional argument when stop (the global options end at COMMAND). A
 * command's parser (not stop) also takes the global options of `late`
 * (the command's own options win on a name both have). */
static void global_help(FILE *out, const sj_cli_spec_t *spec);
static int finish_globals(globals_t *g, FILE *err);
static size_t distance(const char *a, const char *b);

/* The option of spec (or of g) nearest to the mistyped "--word[=v]", or
 * NULL: at most two edits, fewer than half of its characters. */
static const char *nearest_option(const sj_cli_spec_t *spec, const globals_t *g,
                                  const char *bad)
{
    char word[64];
    if (strncmp(bad, "--", 2) != 0)
        return NULL;
    snprintf(word, sizeof word, "%.*s", (int)strcspn(bad + 2, "="), bad + 2);
    const char *best = NULL;
    size_t best_d = SIZE_MAX, len = strlen(word);
    for (size_t i = 0; i < spec->n + (g ? g->n_late : 0); i++) {
        const char *name =
            i < spec->n ? spec->opts[i].name : g->args[i - spec->n].name;
        size_t d = distance(word, name);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best_d <= 2 && best_d * 2 < len ? best : NULL;
}

static int parse(const sj_cli_spec_t *spec, int argc, char **argv, bool stop,
                 FILE *out, FILE *err, int *first)
{
    struct option opts[SJ_CLI_MAX_ARGS + 12];
    char shorts[2 * SJ_CLI_MAX_ARGS + 8] = "";
    bool seen[SJ_CLI_MAX_ARGS] = {false}, late_seen = false;
    size_t n = spec->n, k = 0, o = 0;
    globals_t *g = stop ? NULL : late;
    if (n > SJ_CLI_MAX_ARGS) /* a programming error: the test catches it */
        n = SJ_CLI_MAX_ARGS;
    shorts[k++] = stop ? '+' : ':';
    if (stop)
        shorts[k++] = ':';
    shorts[k++] = 'h';
    for (size_t i = 0; i < n; i++) {
        const sj_cli_arg_t *a = &spec->opts[i];
        bool arg = a->kind != SJ_CLI_FLAG;
        opts[o++] = (struct option){
            a->name, arg ? required_argument : no_argument, NULL, 256 + (int)i};
        if (a->shrt) {
            shorts[k++] = a->shrt;
            if (arg)
                shorts[k++] = ':';
        }
    }
    for (size_t j = 0; g && j < g->n_late; j++)
        opts[o++] = (struct option){
            g->args[j].name,
            g->args[j].kind != SJ_CLI_FLAG ? required_argument : no_argument,
            NULL, 512 + (int)j};
    shorts[k] = '\0';
    opts[o] = (struct option){"help", no_argument, NULL, 'h'};
    opts[o + 1] = (struct option){NULL, 0, NULL, 0};
    optind = 0; /* GNU: reinitialise for a fresh argv */
    opterr = 0; /* our own messages */
    int ch;
    while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
        if (ch == 'h') {
            if (spec->path)
                sj_cli_help(out, spec);
            else /* the whole program's help, commands included */
                global_help(out, spec);
            return SJ_CLI_OK;
        }
        if (g && ch >= 512 && ch < 512 + (int)g->n_late) {
            int rc = store_arg(err, NULL, &g->args[ch - 512], optarg);
            if (rc != SJ_CLI_OK)
                return rc;
            late_seen = true;
            continue;
        }
        size_t i = n;
        if (ch >= 256 && ch < 256 + (int)n)
            i = (size_t)(ch - 256);
        else
            for (size_t s = 0; s < n && ch != '?' && ch != ':'; s++)
                if (spec->opts[s].shrt == ch)
                    i = s;
        if (i == n) {
            const char *bad = argv[optind - 1];
            if (ch == ':')
                return usage_f(err, spec->path, _("missing value for '%s'"),
                               bad);
            const char *near = nearest_option(spec, g, bad);
            if (near)
                return usage_f(err, spec->path,
                               _("unknown option '%s'; did you mean '--%s'?"),
                               bad, near);
            return usage_f(err, spec->path, _("unknown option '%s'"), bad);
        }
        int rc = store_arg(err, spec->path, &spec->opts[i], optarg);
        if (rc != SJ_CLI_OK)
            return rc;
        seen[i] = true;
    }
    for (size_t i = 0; i < n; i++)
        if (spec->opts[i].required && !seen[i])
            return usage_f(err, spec->path, _("--%s is required"),
                           spec->opts[i].name);
    if (late_seen) {
        int rc = finish_globals(g, err);
        if (rc != SJ_CLI_CONTINUE)
            return rc;
    }
    *first = optind;
    return SJ_CLI_CONTINUE;
}

int sj_cli_args(const sj_cli_spec_t *spec, int argc, char **argv, int *first)
{
    return parse(spec, argc, argv, false, stdout, stderr, first);
}

int sj_cli_run_on_id(sj_cli_t *cli, const sj_cli_spec_t *spec, int argc,
                     char **argv, uint64_t *id, Shangju__Request *req)
{
    int first;
    int rc = sj_cli_args(spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(spec->path, argc, argv, first, id)) != 0)
        return rc;
    return sj_cli_run(cli, req);
}

/* ------------------------------------------------------ global options */

static const char global_about[] = SJ_HELP(
    "Talk to a Shangju broker: members, wishes, merchants, compacts, "
    "points, reports and the live event feed. Each option below may also "
    "come after COMMAND, and from the environment variable its help names; "
    "a flag wins over the environment. Text limits count characters (a "
    "Chinese character is one). Numbers, dates and ids may be typed with "
    "full-width digits, and values such as roles and states in English or "
    "Chinese.");

static const char exit_codes[] = SJ_HELP(
    "Exit codes:\n"
    "  0  success\n"
    "  1  the broker replied with an error (e.g. NOT_FOUND); with --json\n"
    "     also one object {\"status\", \"message\", \"reason\"} on stdout\n"
    "  2  usage error (nothing was sent)\n"
    "  3  no reply from the broker (not running, unreachable, or your key\n"
    "     is not registered)\n"
    "  4  local error (key file unreadable or exists, out of memory, ...)\n"
    "  5  admin verify or compact verify found problems\n"
    "  6  compact verify: the signature holds but no trusted notice key\n"
    "     was at hand to check the signer (unverified)\n");

/* The commands of a level, name and summary, the names padded to one
 * display width. */
static void command_list(FILE *out, const sj_cli_cmd_t *table)
{
    int w = 0;
    for (const sj_cli_cmd_t *t = table; t->name; t++)
        if ((int)strlen(t->name) > w)
            w = (int)strlen(t->name);
    fprintf(out, "\n%s\n", _("Commands:"));
    for (const sj_cli_cmd_t *t = table; t->name; t++)
        fprintf(out, "  %-*s  %s\n", w, t->name, _(t->summary));
}

static void global_help(FILE *out, const sj_cli_spec_t *spec)
{
    sj_cli_help(out, spec);
    command_list(out, sj_cli_commands);
    fprintf(out, "%s\n\n",
            _("Run 'shangju COMMAND --help' for a command's "
              "options."));
    fputs(_(exit_codes), out);
}

static void from_env(sj_cli_opts_t *o, sj_cli_env_fn *env)
{
    const char *v;
    if (!env)
        return;
    if ((v = env("SHANGJU_DATA")) && *v)
        o->data = v;
    if ((v = env("SHANGJU_KEY")) && *v)
        o->key = v;
    if ((v = env("SHANGJU_SERVER_KEY")) && *v)
        o->server_key = v;
    if ((v = env("SHANGJU_REQUESTS")) && *v)
        o->requests = v;
    if ((v = env("SHANGJU_EVENTS")) && *v)
        o->events = v;
    if ((v = env("SHANGJU_TIME_ZONE")) && *v)
        o->time_zone = v;
}

/* Key paths not given explicitly live in the data directory (derived
 * again when --data comes after COMMAND). */
static int derive_paths(sj_cli_opts_t *o, FILE *err)
{
    int n;
    if (!o->key || o->key == o->key_buf) {
        n = snprintf(o->key_buf, sizeof o->key_buf, "%s/committee.key",
                     o->data);
        if (n < 0 || (size_t)n >= sizeof o->key_buf)
            goto toolong;
        o->key = o->key_buf;
    }
    if (!o->server_key || o->server_key == o->server_key_buf) {
        n = snprintf(o->server_key_buf, sizeof o->server_key_buf,
                     "%s/server.pub", o->data);
        if (n < 0 || (size_t)n >= sizeof o->server_key_buf)
            goto toolong;
        o->server_key = o->server_key_buf;
    }
    return SJ_CLI_CONTINUE;
toolong:
    fprintf(err, "shangju: %s\n", _("--data path too long"));
    return SJ_CLI_EUSAGE;
}

/* The global options' table over g (its values start unset). The ones a
 * command may also take come first. */
static void global_args(globals_t *g, sj_cli_opts_t *o)
{
    const sj_cli_arg_t args[] = {
        {"data", SJ_CLI_LOCAL, &o->data, "DIR",
         SJ_HELP("data directory holding server.pub and the default key "
                 "(SHANGJU_DATA; default {DATA_DIR})")},
        {"key", SJ_CLI_LOCAL, &o->key, "FILE",
         SJ_HELP("your secret key file (SHANGJU_KEY; default "
                 "DIR/committee.key)")},
        {"server-key", SJ_CLI_LOCAL, &o->server_key, "FILE",
         SJ_HELP("the broker's public key file (SHANGJU_SERVER_KEY; "
                 "default DIR/server.pub)")},
        {"requests", SJ_CLI_LOCAL, &o->requests, "EP",
         SJ_HELP("request endpoint (SHANGJU_REQUESTS; default {REQUESTS})")},
        {"events", SJ_CLI_LOCAL, &o->events, "EP",
         SJ_HELP("event endpoint (SHANGJU_EVENTS; default {EVENTS})")},
        {"timeout", SJ_CLI_U32, &g->timeout, "MS",
         SJ_HELP("wait per attempt before a retry (default {TIMEOUT_MS}; "
                 "{RETRIES} retries under the same request id)")},
        {"time-zone", SJ_CLI_LOCAL, &o->time_zone, "ZONE",
         SJ_HELP("the community's time zone, for the dates you type and the "
                 "times shown (SHANGJU_TIME_ZONE; default {TIME_ZONE})")},
        {"json", SJ_CLI_FLAG, &g->json, NULL,
         SJ_HELP("print one JSON object (watch: one per line)")},
        {"version", SJ_CLI_FLAG, &g->version, NULL, SJ_HELP("the version")},
    };
    _Static_assert(sizeof args == sizeof g->args, "globals_t.args");
    memcpy(g->args, args, sizeof args);
    g->n = sizeof args / sizeof *args;
    g->n_late = g->n - 1; /* --version: before COMMAND only */
    g->o = o;
    g->json = g->version = 0;
    g->timeout = UINT32_MAX;
}

/* Check and apply what the global options of g say. Returns
 * SJ_CLI_CONTINUE or SJ_CLI_EUSAGE after a line on err. */
static int finish_globals(globals_t *g, FILE *err)
{
    sj_cli_opts_t *o = g->o;
    if (g->timeout == 0 || (g->timeout > INT32_MAX && g->timeout != UINT32_MAX))
        return usage_f(err, NULL, _("--timeout wants milliseconds, 1 to %d"),
                       INT32_MAX);
    if (g->timeout != UINT32_MAX)
        o->timeout_ms = (int)g->timeout;
    if (sj_zone_use(o->time_zone) != 0)
        return usage_f(err, NULL,
                       _("--time-zone: unknown zone '%s' (a tzdata name such "
                         "as Asia/Shanghai or UTC)"),
                       o->time_zone);
    o->json = o->json || g->json;
    return derive_paths(o, err);
}

static int parse_globals(globals_t *g, sj_cli_opts_t *o, int argc, char **argv,
                         sj_cli_env_fn *env, FILE *out, FILE *err, int *next)
{
    memset(o, 0, sizeof *o);
    o->data = SJ_CLI_DATA_DEFAULT;
    o->time_zone = SJ_ZONE_DEFAULT;
    from_env(o, env);
    global_args(g, o);
    const sj_cli_spec_t spec = {NULL, "COMMAND [ARGS...]", global_about,
                                g->args, g->n};
    int rc = parse(&spec, argc, argv, true, out, err, next);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (g->version) {
        fprintf(out, "shangju %s\n", SJ_VERSION);
        return SJ_CLI_OK;
    }
    return finish_globals(g, err);
}

int sj_cli_parse_globals(sj_cli_opts_t *o, int argc, char **argv,
                         sj_cli_env_fn *env, FILE *out, FILE *err, int *next)
{
    globals_t g;
    return parse_globals(&g, o, argc, argv, env, out, err, next);
}

/* ------------------------------------------------------ the command tree */

static void level_help(const char *path, const sj_cli_cmd_t *table)
{
    const char *usage = _("usage:");
    printf("%s%sshangju %s COMMAND [ARGS...]\n", usage, sj_cli_glue(usage),
           path);
    command_list(stdout, table);
    printf(_("Run 'shangju %s COMMAND --help' for a command's options."), path);
    putchar('\n');
}

/* The edit distance of a and b in characters (a mistyped 许愿 is one
 * edit, not three), two neighbours swapped counting as one edit (optimal
 * string alignment); SIZE_MAX when either is too long to bother. */
static size_t distance(const char *a, const char *b)
{
    ucs4_t ua[32], ub[32];
    size_t na = 0, nb = 0, d[33][33];
    const uint8_t *p;
    for (p = (const uint8_t *)a; *p && na < 32; na++)
        p += u8_mbtouc(&ua[na], p, strlen((const char *)p));
    if (*p)
        return SIZE_MAX;
    for (p = (const uint8_t *)b; *p && nb < 32; nb++)
        p += u8_mbtouc(&ub[nb], p, strlen((const char *)p));
    if (*p)
        return SIZE_MAX;
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t best = d[i - 1][j - 1] + (ua[i - 1] != ub[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] &&
                ua[i - 2] == ub[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[na][nb];
}

/* The command of table nearest to word, or NULL when none is near: at
 * most two edits, and fewer than half of word's characters. */
static const char *nearest(const sj_cli_cmd_t *table, const char *word)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t len = u8_mbsnlen((const uint8_t *)word, strlen(word));
    for (const sj_cli_cmd_t *t = table; t->name; t++) {
        size_t d = distance(word, t->name);
        if (d < best_d) {
            best_d = d;
            best = t->name;
        }
    }
    return best_d <= 2 && best_d * 2 < len + 1 ? best : NULL;
}

int sj_cli_dispatch(sj_cli_t *cli, const char *path, const sj_cli_cmd_t *table,
                    int argc, char **argv)
{
    if (argc < 1)
        return sj_cli_usage(path, _("missing command"));
    if (path &&
        (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        level_help(path, table);
        return SJ_CLI_OK;
    }
    for (const sj_cli_cmd_t *t = table; t->name; t++) {
        if (strcmp(t->name, argv[0]) != 0)
            continue;
        if (t->sub)
            return sj_cli_dispatch(cli, t->name, t->sub, argc - 1, argv + 1);
        return t->fn(cli, argc, argv);
    }
    const char *near = nearest(table, argv[0]);
    if (near)
        return sj_cli_usage(path, _("unknown command '%s'; did you mean '%s'?"),
                            argv[0], near);
    return sj_cli_usage(path, _("unknown command '%s'"), argv[0]);
}

const sj_cli_cmd_t sj_cli_commands[] = {
    {"ping", sj_cli_ping, SJ_HELP("check the broker answers"), NULL},
    {"whoami", sj_cli_whoami, SJ_HELP("the member your key belongs to"), NULL},
    {"member", NULL,
     SJ_HELP("add, list, show, suspend, unsuspend, rekey members"),
     sj_cli_member_cmds},
    {"wish", NULL, SJ_HELP("post, list, claim, fulfil, ... wishes"),
     sj_cli_wish_cmds},
    {"merchant", NULL, SJ_HELP("register, update, show, list listings"),
     sj_cli_merchant_cmds},
    {"qr", sj_cli_qr, SJ_HELP("QR code of a merchant, a wish or a hand-over"),
     NULL},
    {"placard", sj_cli_placard, SJ_HELP("printable placard of a merchant"),
     NULL},
    {"compact", NULL, SJ_HELP("the six steps of a partnership compact"),
     sj_cli_compact_cmds},
    {"points", NULL, SJ_HELP("reciprocity points: balance, transfer, top"),
     sj_cli_points_cmds},
    {"report", sj_cli_report, SJ_HELP("the committee's yearly report"), NULL},
    {"watch", sj_cli_watch, SJ_HELP("follow the event feed"), NULL},
    {"admin", NULL, SJ_HELP("statistics, backups and checks (committee)"),
     sj_cli_admin_cmds},
    {NULL, NULL, NULL, NULL},
};

int sj_cli_main(int argc, char **argv, sj_cli_env_fn *env)
{
    sj_cli_t cli = {0};
    globals_t g;
    int next = argc;
    int rc =
        parse_globals(&g, &cli.opts, argc, argv, env, stdout, stderr, &next);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (next >= argc)
        return sj_cli_usage(NULL, _("missing command"));
    late = &g;
    rc = sj_cli_dispatch(&cli, NULL, sj_cli_commands, argc - next, argv + next);
    late = NULL;
    sj_client_destroy(&cli.client);
    return rc;
}

int sj_cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("shangju: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

char *sj_cli_halfwidth(const char *s, char *buf, size_t cap)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = 0, left = strlen(s);
    while (left) {
        ucs4_t uc;
        int k = u8_mbtouc(&uc, p, left);
        if (uc >= 0xff01 && uc <= 0xff5e) { /* full-width forms of ASCII */
            uc -= 0xfee0;
        } else if (uc == 0x3000) { /* the ideographic space */
            uc = ' ';
        }
        if (uc < 0x80) {
            if (n + 1 >= cap)
                return NULL;
            buf[n++] = (char)uc;
        } else {
            if (n + (size_t)k >= cap)
                return NULL;
            memcpy(buf + n, p, (size_t)k);
            n += (size_t)k;
        }
        p += k;
        left -= (size_t)k;
    }
    if (!cap)
        return NULL;
    buf[n] = '\0';
    return buf;
}

int sj_cli_u64(const char *s, uint64_t *out)
{
    char buf[64];
    if (!s || !(s = sj_cli_halfwidth(s, buf, sizeof buf)) || *s < '0' ||
        *s > '9')
        return SJ_EINVAL;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return SJ_EINVAL;
    *out = v;
    return SJ_OK;
}

int sj_cli_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (sj_cli_u64(s, &v) != 0 || v > UINT32_MAX)
        return SJ_EINVAL;
    *out = (uint32_t)v;
    return SJ_OK;
}

int sj_cli_opt_u64(const char *path, const char *opt, const char *s,
                   uint64_t *out)
{
    if (sj_cli_u64(s, out) != 0)
        return sj_cli_usage(path, _("%s wants a number, not '%s'"), opt, s);
    return SJ_CLI_OK;
}

int sj_cli_one_id(const char *path, int argc, char **argv, int first,
                  uint64_t *id)
{
    if (first >= argc)
        return sj_cli_usage(path, _("missing ID"));
    if (first + 1 < argc)
        return sj_cli_usage(path, _("unexpected argument '%s'"),
                            argv[first + 1]);
    if (sj_cli_u64(argv[first], id) != 0 || *id == 0)
        return sj_cli_usage(path, _("ID must be a positive number, not '%s'"),
                            argv[first]);
    return SJ_CLI_OK;
}

char *sj_cli_split(char *s)
{
    char *a = strchr(s, ':'), *w = strstr(s, "\xef\xbc\x9a"); /* '：' */
    if (w && (!a || w < a)) {
        *w = '\0';
        return w + 3;
    }
    if (a)
        *a++ = '\0';
    return a;
}
