/* Command-line plumbing of `shangju`: global options merged with the
 * SHANGJU_* environment, subcommand dispatch and help, getopt_long helpers,
 * strict number parsing and the one-line error reports. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char global_help[] =
    "usage: shangju [OPTIONS] COMMAND [ARGS...]\n"
    "\n"
    "Talk to a Shangju broker: members, wishes and the live event feed.\n"
    "\n"
    "Options (before COMMAND; each also read from the environment variable\n"
    "shown; a flag wins over the environment):\n"
    "  --data DIR         data directory holding server.pub and the default\n"
    "                     key (SHANGJU_DATA; default " SJ_CLI_DATA_DEFAULT ")\n"
    "  --key FILE         your secret key file (SHANGJU_KEY;\n"
    "                     default DIR/committee.key)\n"
    "  --server-key FILE  the broker's public key file (SHANGJU_SERVER_KEY;\n"
    "                     default DIR/server.pub)\n"
    "  --requests EP      request endpoint (SHANGJU_REQUESTS;\n"
    "                     default " SJ_CLIENT_REQUESTS ")\n"
    "  --events EP        event endpoint (SHANGJU_EVENTS;\n"
    "                     default " SJ_CLIENT_EVENTS ")\n"
    "  --timeout MS       wait per attempt before a retry (default 3000;\n"
    "                     3 retries under the same request id)\n"
    "  --json             print one JSON object (watch: one per line)\n"
    "  -h, --help         this help;  --version  the version\n"
    "\n"
    "Commands:\n"
    "  ping               check the broker answers, show its last event seq\n"
    "  whoami             the member your key belongs to\n"
    "  member ...         add, list, show, suspend members\n"
    "  wish ...           post, list, show, cancel, claim, release, fulfil,\n"
    "                     confirm wishes\n"
    "  watch              follow the event feed (replay, then live)\n"
    "Run 'shangju COMMAND --help' for a command's options.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the broker replied with an error (e.g. NOT_FOUND)\n"
    "  2  usage error\n"
    "  3  no reply from the broker (not running, unreachable, or your key\n"
    "     is not registered)\n"
    "  4  local error (key file unreadable or exists, out of memory, ...)\n"
    "  5  admin verify found problems in the store\n";

enum {
    OPT_DATA = 256,
    OPT_KEY,
    OPT_SKEY,
    OPT_REQ,
    OPT_EV,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_VERSION
};

static const struct option global_opts[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"key", required_argument, NULL, OPT_KEY},
    {"server-key", required_argument, NULL, OPT_SKEY},
    {"requests", required_argument, NULL, OPT_REQ},
    {"events", required_argument, NULL, OPT_EV},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

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

static int global_flag(sj_cli_opts_t *o, int ch, FILE *out, FILE *err,
                       char **argv)
{
    uint32_t ms;
    switch (ch) {
    case OPT_DATA:
        o->data = optarg;
        break;
    case OPT_KEY:
        o->key = optarg;
        break;
    case OPT_SKEY:
        o->server_key = optarg;
        break;
    case OPT_REQ:
        o->requests = optarg;
        break;
    case OPT_EV:
        o->events = optarg;
        break;
    case OPT_JSON:
        o->json = true;
        break;
    case OPT_TIMEOUT:
        if (sj_cli_u32(optarg, &ms) != 0 || ms == 0 || ms > INT32_MAX) {
            fprintf(err,
                    "shangju: --timeout wants milliseconds > 0, not "
                    "'%s' (see 'shangju --help')\n",
                    optarg);
            return SJ_CLI_EUSAGE;
        }
        o->timeout_ms = (int)ms;
        break;
    case 'h':
        fputs(global_help, out);
        return SJ_CLI_OK;
    case OPT_VERSION:
        fprintf(out, "shangju %s\n", SJ_VERSION);
        return SJ_CLI_OK;
    default:
        fprintf(err, "shangju: %s '%s' (see 'shangju --help')\n",
                ch == ':' ? "missing value for" : "unknown option",
                argv[optind - 1]);
        return SJ_CLI_EUSAGE;
    }
    return SJ_CLI_CONTINUE;
}

int sj_cli_parse_globals(sj_cli_opts_t *o, int argc, char **argv,
                         sj_cli_env_fn *env, FILE *out, FILE *err, int *next)
{
    memset(o, 0, sizeof *o);
    o->data = SJ_CLI_DATA_DEFAULT;
    from_env(o, env);
    sj_cli_getopt_reset();
    int ch;
    while ((ch = getopt_long(argc, argv, "+:h", global_opts, NULL)) != -1) {
        int rc = global_flag(o, ch, out, err, argv);
        if (rc != SJ_CLI_CONTINUE)
            return rc;
    }
    *next = optind;
    return derive_paths(o, err);
}

void sj_cli_getopt_reset(void)
{
    optind = 0;
    opterr = 0;
}

int sj_cli_bad_option(const char *path, int ch, char **argv)
{
    const char *arg = argv[optind - 1];
    if (ch == ':')
        return sj_cli_usage(path, "missing value for '%s'", arg);
    return sj_cli_usage(path, "unknown option '%s'", arg);
}

bool sj_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

static void level_help(const char *path, const sj_cli_cmd_t *table)
{
    printf("usage: shangju %s COMMAND [ARGS...]\n\nCommands:\n", path);
    for (const sj_cli_cmd_t *t = table; t->name; t++)
        printf("  %-10s %s\n", t->name, t->summary);
    printf("Run 'shangju %s COMMAND --help' for a command's options.\n", path);
}

int sj_cli_dispatch(sj_cli_t *cli, const char *path, const sj_cli_cmd_t *table,
                    int argc, char **argv)
{
    if (argc < 1)
        return sj_cli_usage(path, "missing command");
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        level_help(path, table);
        return SJ_CLI_OK;
    }
    for (const sj_cli_cmd_t *t = table; t->name; t++)
        if (strcmp(t->name, argv[0]) == 0)
            return t->fn(cli, argc, argv);
    return sj_cli_usage(path, "unknown command '%s'", argv[0]);
}

int sj_cli_usage(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "shangju: %s%s", path ? path : "", path ? ": " : "");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'shangju%s%s --help')\n", path ? " " : "",
            path ? path : "");
    va_end(ap);
    return SJ_CLI_EUSAGE;
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

int sj_cli_opt_u32(const char *path, const char *opt, const char *s,
                   uint32_t *out)
{
    if (sj_cli_u32(s, out) != 0)
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

static int store_arg(const char *path, const sj_cli_arg_t *a, const char *v)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", a->name);
    switch (a->kind) {
    case SJ_CLI_STR:
        *(char **)a->dst = (char *)v;
        return SJ_CLI_OK;
    case SJ_CLI_U32:
        return sj_cli_opt_u32(path, opt, v, a->dst);
    case SJ_CLI_U64:
        return sj_cli_opt_u64(path, opt, v, a->dst);
    case SJ_CLI_FLAG:
        *(protobuf_c_boolean *)a->dst = 1;
        return SJ_CLI_OK;
    case SJ_CLI_ENUM:
        if (sj_enum_parse(a->en, v, a->dst) != 0 || *(int *)a->dst == 0)
            return sj_cli_usage(path, "%s: unknown value '%s'", opt, v);
        return SJ_CLI_OK;
    case SJ_CLI_LIST: {
        sj_cli_list_t *l = a->dst;
        if (l->n == SJ_CLI_MAX_LIST)
            return sj_cli_usage(path, "%s given more than %d times", opt,
                                SJ_CLI_MAX_LIST);
        l->items[l->n++] = (char *)v;
        return SJ_CLI_OK;
    }
    }
    return SJ_CLI_EUSAGE;
}

int sj_cli_args(const char *path, const char *help, const sj_cli_arg_t *args,
                size_t n, int argc, char **argv, int *first)
{
    struct option opts[SJ_CLI_MAX_ARGS + 2];
    if (n > SJ_CLI_MAX_ARGS)
        n = SJ_CLI_MAX_ARGS;
    for (size_t i = 0; i < n; i++)
        opts[i] = (struct option){
            args[i].name,
            args[i].kind == SJ_CLI_FLAG ? no_argument : required_argument, NULL,
            256 + (int)i};
    opts[n] = (struct option){"help", no_argument, NULL, 'h'};
    opts[n + 1] = (struct option){NULL, 0, NULL, 0};
    sj_cli_getopt_reset();
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return SJ_CLI_OK;
        }
        if (ch < 256 || ch >= 256 + (int)n)
            return sj_cli_bad_option(path, ch, argv);
        int rc = store_arg(path, &args[ch - 256], optarg);
        if (rc != SJ_CLI_OK)
            return rc;
    }
    *first = optind;
    return SJ_CLI_CONTINUE;
}

int sj_cli_run_on_id(sj_cli_t *cli, const char *path, const char *help,
                     const sj_cli_arg_t *args, size_t n, int argc, char **argv,
                     uint64_t *id, Shangju__Request *req)
{
    int first;
    int rc = sj_cli_args(path, help, args, n, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, id)) != 0)
        return rc;
    return sj_cli_run(cli, req);
}
