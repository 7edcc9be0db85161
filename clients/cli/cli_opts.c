/* Command-line plumbing of `shangju`: the option parser that reads the
 * option tables (values checked against their limits before anything is
 * sent), the global options merged with the SHANGJU_* environment, the
 * command tree's dispatch, strict numbers and the one-line error reports. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sj_zone.h"
#include "text.h"

/* Print "shangju: [path: ]reason (see 'shangju [path ]--help')" on err. */
static int usage_to(FILE *err, const char *path, const char *fmt, va_list ap)
{
    fprintf(err, "shangju: %s%s", path ? path : "", path ? ": " : "");
    vfprintf(err, fmt, ap);
    fprintf(err, " (see 'shangju%s%s --help')\n", path ? " " : "",
            path ? path : "");
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

int sj_cli_text(const char *path, const char *what, const char *arg, size_t max,
                bool required)
{
    size_t n = sj_text_nfc_chars(arg); /* as the broker counts (issue 15) */
    if (required && n == 0)
        return sj_cli_usage(path, "missing %s", what);
    if (n > max)
        return sj_cli_usage(path, "%s is too long: %zu characters, at most %zu",
                            what, n, max);
    return SJ_CLI_OK;
}

/* Store value v of option a, checked against its limit. */
static int store_arg(FILE *err, const char *path, const sj_cli_arg_t *a,
                     const char *v)
{
    uint64_t num;
    /* Text limits count characters as the broker does (issue 15). */
    size_t len = a->kind == SJ_CLI_STR || a->kind == SJ_CLI_LIST
                     ? sj_text_nfc_chars(v)
                     : 0;
    switch (a->kind) {
    case SJ_CLI_STR:
        if (len > a->max)
            return usage_f(err, path,
                           "--%s is too long: %zu characters, at most %llu",
                           a->name, len, (unsigned long long)a->max);
        /* fall through */
    case SJ_CLI_LOCAL:
        *(const char **)a->dst = v;
        return SJ_CLI_OK;
    case SJ_CLI_U32:
    case SJ_CLI_U64:
        if (sj_cli_u64(v, &num) != 0 ||
            (a->kind == SJ_CLI_U32 && num > UINT32_MAX))
            return usage_f(err, path, "--%s wants a number, not '%s'", a->name,
                           v);
        if (a->max && num > a->max)
            return usage_f(err, path, "--%s is too large: %llu, at most %llu",
                           a->name, (unsigned long long)num,
                           (unsigned long long)a->max);
        if (a->kind == SJ_CLI_U32)
            *(uint32_t *)a->dst = (uint32_t)num;
        else
            *(uint64_t *)a->dst = num;
        return SJ_CLI_OK;
    case SJ_CLI_FLAG:
        *(protobuf_c_boolean *)a->dst = 1;
        return SJ_CLI_OK;
    case SJ_CLI_ENUM:
        if (sj_enum_parse(a->en, v, a->dst) != 0 || *(int *)a->dst == 0)
            return usage_f(err, path, "--%s: unknown value '%s'", a->name, v);
        return SJ_CLI_OK;
    case SJ_CLI_LIST: {
        sj_cli_list_t *l = a->dst;
        unsigned most =
            a->count && a->count < SJ_CLI_MAX_LIST ? a->count : SJ_CLI_MAX_LIST;
        if (l->n >= most)
            return usage_f(err, path, "--%s given more than %u times", a->name,
                           most);
        if (a->max && len > a->max)
            return usage_f(err, path,
                           "--%s is too long: %zu characters, at most %llu",
                           a->name, len, (unsigned long long)a->max);
        l->items[l->n++] = (char *)v;
        return SJ_CLI_OK;
    }
    }
    return SJ_CLI_EUSAGE;
}

/* The parser behind sj_cli_args and the global options: stop at the first
 * positional argument when stop (the global options end at COMMAND). */
static void global_help(FILE *out, const sj_cli_spec_t *spec);

static int parse(const sj_cli_spec_t *spec, int argc, char **argv, bool stop,
                 FILE *out, FILE *err, int *first)
{
    struct option opts[SJ_CLI_MAX_ARGS + 2];
    char shorts[2 * SJ_CLI_MAX_ARGS + 8] = "";
    bool seen[SJ_CLI_MAX_ARGS] = {false};
    size_t n = spec->n, k = 0;
    if (n > SJ_CLI_MAX_ARGS) /* a programming error: the test catches it */
        n = SJ_CLI_MAX_ARGS;
    shorts[k++] = stop ? '+' : ':';
    if (stop)
        shorts[k++] = ':';
    shorts[k++] = 'h';
    for (size_t i = 0; i < n; i++) {
        const sj_cli_arg_t *a = &spec->opts[i];
        bool arg = a->kind != SJ_CLI_FLAG;
        opts[i] = (struct option){
            a->name, arg ? required_argument : no_argument, NULL, 256 + (int)i};
        if (a->shrt) {
            shorts[k++] = a->shrt;
            if (arg)
                shorts[k++] = ':';
        }
    }
    shorts[k] = '\0';
    opts[n] = (struct option){"help", no_argument, NULL, 'h'};
    opts[n + 1] = (struct option){NULL, 0, NULL, 0};
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
                return usage_f(err, spec->path, "missing value for '%s'", bad);
            return usage_f(err, spec->path, "unknown option '%s'", bad);
        }
        int rc = store_arg(err, spec->path, &spec->opts[i], optarg);
        if (rc != SJ_CLI_OK)
            return rc;
        seen[i] = true;
    }
    for (size_t i = 0; i < n; i++)
        if (spec->opts[i].required && !seen[i])
            return usage_f(err, spec->path, "--%s is required",
                           spec->opts[i].name);
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
    "points, reports and the live event feed. Each option before COMMAND "
    "may also come from the environment variable its help names; a flag "
    "wins over the environment. Text limits count characters: a Chinese "
    "character counts one, like a letter.");

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

static void global_help(FILE *out, const sj_cli_spec_t *spec)
{
    sj_cli_help(out, spec);
    fputs("\nCommands:\n", out);
    for (const sj_cli_cmd_t *t = sj_cli_commands; t->name; t++)
        fprintf(out, "  %-10s %s\n", t->name, t->summary);
    fputs("Run 'shangju COMMAND --help' for a command's options.\n\n", out);
    fputs(exit_codes, out);
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

/* Key paths not given explicitly live in the data directory. */
static int derive_paths(sj_cli_opts_t *o, FILE *err)
{
    int n;
    if (!o->key) {
        n = snprintf(o->key_buf, sizeof o->key_buf, "%s/committee.key",
                     o->data);
        if (n < 0 || (size_t)n >= sizeof o->key_buf)
            goto toolong;
        o->key = o->key_buf;
    }
    if (!o->server_key) {
        n = snprintf(o->server_key_buf, sizeof o->server_key_buf,
                     "%s/server.pub", o->data);
        if (n < 0 || (size_t)n >= sizeof o->server_key_buf)
            goto toolong;
        o->server_key = o->server_key_buf;
    }
    return SJ_CLI_CONTINUE;
toolong:
    fprintf(err, "shangju: --data path too long\n");
    return SJ_CLI_EUSAGE;
}

int sj_cli_parse_globals(sj_cli_opts_t *o, int argc, char **argv,
                         sj_cli_env_fn *env, FILE *out, FILE *err, int *next)
{
    protobuf_c_boolean json = 0, version = 0;
    uint32_t timeout = UINT32_MAX; /* not given: above the option's max */
    memset(o, 0, sizeof *o);
    o->data = SJ_CLI_DATA_DEFAULT;
    o->time_zone = SJ_ZONE_DEFAULT;
    from_env(o, env);
    const sj_cli_arg_t args[] = {
        {"data", SJ_CLI_LOCAL, &o->data, "DIR",
         SJ_HELP("data directory holding server.pub and the default key "
                 "(SHANGJU_DATA; default " SJ_CLI_DATA_DEFAULT ")")},
        {"key", SJ_CLI_LOCAL, &o->key, "FILE",
         SJ_HELP("your secret key file (SHANGJU_KEY; default "
                 "DIR/committee.key)")},
        {"server-key", SJ_CLI_LOCAL, &o->server_key, "FILE",
         SJ_HELP("the broker's public key file (SHANGJU_SERVER_KEY; "
                 "default DIR/server.pub)")},
        {"requests", SJ_CLI_LOCAL, &o->requests, "EP",
         SJ_HELP(
             "request endpoint (SHANGJU_REQUESTS; default " SJ_CLIENT_REQUESTS
             ")")},
        {"events", SJ_CLI_LOCAL, &o->events, "EP",
         SJ_HELP("event endpoint (SHANGJU_EVENTS; default " SJ_CLIENT_EVENTS
                 ")")},
        {"timeout", SJ_CLI_U32, &timeout, "MS",
         SJ_HELP("wait per attempt before a retry (default " SJ_STR(
             SJ_CLIENT_TIMEOUT_MS) "; " SJ_STR(SJ_CLIENT_RETRIES) " retries "
                                                                  "under the "
                                                                  "same "
                                                                  "request "
                                                                  "id)")},
        {"time-zone", SJ_CLI_LOCAL, &o->time_zone, "ZONE",
         SJ_HELP("the community's time zone, for the dates you type and "
                 "the times shown (SHANGJU_TIME_ZONE; default " SJ_ZONE_DEFAULT
                 ")")},
        {"json", SJ_CLI_FLAG, &json, NULL,
         SJ_HELP("print one JSON object (watch: one per line)")},
        {"version", SJ_CLI_FLAG, &version, NULL, SJ_HELP("the version")},
    };
    const sj_cli_spec_t spec = {NULL, "COMMAND [ARGS...]", global_about, args,
                                sizeof args / sizeof *args};
    int rc = parse(&spec, argc, argv, true, out, err, next);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (version) {
        fprintf(out, "shangju %s\n", SJ_VERSION);
        return SJ_CLI_OK;
    }
    if (timeout == 0 || (timeout > INT32_MAX && timeout != UINT32_MAX))
        return usage_f(err, NULL, "--timeout wants milliseconds, 1 to %d",
                       INT32_MAX);
    o->timeout_ms = timeout == UINT32_MAX ? 0 : (int)timeout;
    if (sj_zone_use(o->time_zone) != 0)
        return usage_f(err, NULL,
                       "--time-zone: unknown zone '%s' (a tzdata name such "
                       "as Asia/Shanghai or UTC)",
                       o->time_zone);
    o->json = json;
    return derive_paths(o, err);
}

/* ------------------------------------------------------ the command tree */

static void level_help(const char *path, const sj_cli_cmd_t *table)
{
    printf("usage: shangju %s COMMAND [ARGS...]\n\nCommands:\n", path);
    for (const sj_cli_cmd_t *t = table; t->name; t++)
        printf("  %-12s %s\n", t->name, t->summary);
    printf("Run 'shangju %s COMMAND --help' for a command's options.\n", path);
}

int sj_cli_dispatch(sj_cli_t *cli, const char *path, const sj_cli_cmd_t *table,
                    int argc, char **argv)
{
    if (argc < 1)
        return sj_cli_usage(path, "missing command");
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
    return sj_cli_usage(path, "unknown command '%s'", argv[0]);
}

const sj_cli_cmd_t sj_cli_commands[] = {
    {"ping", sj_cli_ping, "check the broker answers", NULL},
    {"whoami", sj_cli_whoami, "the member your key belongs to", NULL},
    {"member", NULL, "add, list, show, suspend, unsuspend, rekey members",
     sj_cli_member_cmds},
    {"wish", NULL, "post, list, claim, fulfil, ... wishes", sj_cli_wish_cmds},
    {"merchant", NULL, "register, update, show, list listings",
     sj_cli_merchant_cmds},
    {"qr", sj_cli_qr, "QR code of a merchant, a wish or a hand-over", NULL},
    {"placard", sj_cli_placard, "printable placard of a merchant", NULL},
    {"compact", NULL, "the six steps of a partnership compact",
     sj_cli_compact_cmds},
    {"points", NULL, "reciprocity points: balance, transfer, top",
     sj_cli_points_cmds},
    {"report", sj_cli_report, "the committee's yearly report", NULL},
    {"watch", sj_cli_watch, "follow the event feed", NULL},
    {"admin", NULL, "statistics, backups and checks (committee)",
     sj_cli_admin_cmds},
    {NULL, NULL, NULL, NULL},
};

int sj_cli_main(int argc, char **argv, sj_cli_env_fn *env)
{
    sj_cli_t cli = {0};
    int next = argc;
    int rc =
        sj_cli_parse_globals(&cli.opts, argc, argv, env, stdout, stderr, &next);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (next >= argc)
        return sj_cli_usage(NULL, "missing command");
    rc = sj_cli_dispatch(&cli, NULL, sj_cli_commands, argc - next, argv + next);
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

int sj_cli_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
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
        return sj_cli_usage(path, "%s wants a number, not '%s'", opt, s);
    return SJ_CLI_OK;
}

int sj_cli_one_id(const char *path, int argc, char **argv, int first,
                  uint64_t *id)
{
    if (first >= argc)
        return sj_cli_usage(path, "missing ID");
    if (first + 1 < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first + 1]);
    if (sj_cli_u64(argv[first], id) != 0 || *id == 0)
        return sj_cli_usage(path, "ID must be a positive number, not '%s'",
                            argv[first]);
    return SJ_CLI_OK;
}
