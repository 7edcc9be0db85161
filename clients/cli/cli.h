/* Shared pieces of the `shangju` command-line tool: the global options, the
 * per-run context handed to every subcommand, exit codes, and the helpers
 * for calling the broker and printing records (human or --json). */
#ifndef SJ_CLI_H
#define SJ_CLI_H

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"

/* Exit codes; `shangju --help` documents them. */
enum {
    SJ_CLI_OK = 0,
    SJ_CLI_EREPLY = 1,  /* the broker replied with an error status */
    SJ_CLI_EUSAGE = 2,  /* bad command line */
    SJ_CLI_EREACH = 3,  /* no reply from the broker */
    SJ_CLI_ELOCAL = 4,  /* local failure: key file, memory, ... */
    SJ_CLI_EVERIFY = 5, /* admin verify found problems */
    SJ_CLI_CONTINUE = -1,
};

#define SJ_CLI_DATA_DEFAULT "./var/shangju"

/* The global options after flags and environment are merged. The strings
 * point into argv, the environment, or the buffers below. */
typedef struct {
    const char *data;
    const char *key;
    const char *server_key;
    const char *requests;
    const char *events;
    int timeout_ms; /* 0: the library default */
    bool json;
    char key_buf[PATH_MAX];
    char server_key_buf[PATH_MAX];
} sj_cli_opts_t;

/* Looks up an environment variable; getenv() in the program, a table in
 * tests. */
typedef const char *sj_cli_env_fn(const char *name);

/* Parse the global options in argv[1..] up to the subcommand: flags win
 * over SHANGJU_* variables from env, which win over the defaults. Returns
 * SJ_CLI_CONTINUE with *next set to the subcommand's index in argv (argc
 * if there is none), or an exit code: SJ_CLI_OK after --help / --version
 * (printed to out), SJ_CLI_EUSAGE after a one-line reason on err. */
int sj_cli_parse_globals(sj_cli_opts_t *o, int argc, char **argv,
                         sj_cli_env_fn *env, FILE *out, FILE *err, int *next);

/* The context of one run. The client is created on the first call. */
typedef struct {
    sj_cli_opts_t opts;
    sj_client_t *client;
} sj_cli_t;

typedef int sj_cli_cmd_fn(sj_cli_t *cli, int argc, char **argv);

typedef struct {
    const char *name;
    sj_cli_cmd_fn *fn;
    const char *summary;
} sj_cli_cmd_t;

/* Run the entry of table (NULL-name terminated) named argv[0] with the
 * rest, or print the level's help. `path` names the level ("wish"). */
int sj_cli_dispatch(sj_cli_t *cli, const char *path, const sj_cli_cmd_t *table,
                    int argc, char **argv);

/* Print "shangju: <path>: <reason> (see 'shangju <path> --help')" to
 * stderr and return SJ_CLI_EUSAGE. */
int sj_cli_usage(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "shangju: <reason>" to stderr; return code. */
int sj_cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reset getopt_long for a fresh argv (GNU: optind = 0) and silence its
 * own messages; every subcommand calls this before its getopt_long loop,
 * whose optstring starts with ':' so a missing argument returns ':'. */
void sj_cli_getopt_reset(void);

/* The usage line for getopt_long's '?' or ':' result `ch` over argv.
 * Returns SJ_CLI_EUSAGE. */
int sj_cli_bad_option(const char *path, int ch, char **argv);

/* A declarative option of a subcommand: --name VALUE stored in dst,
 * which points to a char * (STR), uint32_t (U32), uint64_t (U64),
 * protobuf_c_boolean (FLAG, no value) or int (ENUM, parsed by
 * sj_enum_parse over en; 0 / "unspecified" refused). */
typedef enum {
    SJ_CLI_STR,
    SJ_CLI_U32,
    SJ_CLI_U64,
    SJ_CLI_FLAG,
    SJ_CLI_ENUM,
    SJ_CLI_LIST, /* repeatable; dst is an sj_cli_list_t */
} sj_cli_kind_t;

#define SJ_CLI_MAX_LIST 32

/* The values of a repeatable option, in order (pointing into argv). */
typedef struct {
    char *items[SJ_CLI_MAX_LIST];
    size_t n;
} sj_cli_list_t;

typedef struct {
    const char *name;
    sj_cli_kind_t kind;
    void *dst;
    const ProtobufCEnumDescriptor *en;
} sj_cli_arg_t;

#define SJ_CLI_MAX_ARGS 15

/* Parse argv (argv[0] is the subcommand) against the n (at most
 * SJ_CLI_MAX_ARGS) options in args, plus -h/--help which prints help to
 * stdout. Returns SJ_CLI_CONTINUE with *first set to the index of the
 * first positional argument, SJ_CLI_OK after help, or SJ_CLI_EUSAGE after
 * a usage line on stderr. */
int sj_cli_args(const char *path, const char *help, const sj_cli_arg_t *args,
                size_t n, int argc, char **argv, int *first);

/* Strict unsigned decimal (ids, counts). Returns 0 or SJ_EINVAL. */
int sj_cli_u64(const char *s, uint64_t *out);
int sj_cli_u32(const char *s, uint32_t *out);

/* Parse option value s for option name opt of path; on error print the
 * usage line. Returns 0 or SJ_CLI_EUSAGE. */
int sj_cli_opt_u64(const char *path, const char *opt, const char *s,
                   uint64_t *out);
int sj_cli_opt_u32(const char *path, const char *opt, const char *s,
                   uint32_t *out);

/* The single positional ID of `path ID`; prints a usage line on error. */
int sj_cli_one_id(const char *path, int argc, char **argv, int first,
                  uint64_t *id);

/* Send req and wait. Returns SJ_CLI_OK with *reply (status OK; the caller
 * frees it with shangju__reply__free_unpacked) or an exit code after one
 * line on stderr: EREPLY ("shangju: NOT_FOUND: no wish 42"), EREACH
 * (timeout), ELOCAL (keys, memory). */
int sj_cli_call(sj_cli_t *cli, Shangju__Request *req, Shangju__Reply **reply);

/* sj_cli_call() with note appended to the timeout line. */
int sj_cli_call_note(sj_cli_t *cli, Shangju__Request *req,
                     Shangju__Reply **reply, const char *note);

/* Call, print the reply's record or page, free it. Returns an exit code. */
int sj_cli_run(sj_cli_t *cli, Shangju__Request *req);

/* The common shape `PATH ID [options]`: parse the n options in args (help
 * on -h), store the one positional ID in *id (a field of req's body), then
 * sj_cli_run(req). Returns an exit code. */
int sj_cli_run_on_id(sj_cli_t *cli, const char *path, const char *help,
                     const sj_cli_arg_t *args, size_t n, int argc, char **argv,
                     uint64_t *id, Shangju__Request *req);

/* Make the client if not yet made. Returns SJ_CLI_OK or an exit code after
 * a line on stderr. */
int sj_cli_connect(sj_cli_t *cli);

/* Print the record or page carried by reply, as JSON (one object) with
 * --json, else for humans. Returns an exit code. */
int sj_cli_print_reply(sj_cli_t *cli, const Shangju__Reply *reply);

/* Print one event as one line (JSON or human) and flush. */
int sj_cli_print_event(sj_cli_t *cli, const Shangju__Event *ev);

/* Human output helpers (cli_out.c). */
void sj_cli_show(FILE *out, json_object *rec);
void sj_cli_table(FILE *out, json_object *page, const char *const *cols,
                  size_t ncols);
void sj_cli_time(int64_t ms, char *buf, size_t cap);

/* Subcommands. */
int sj_cli_ping(sj_cli_t *cli, int argc, char **argv);
int sj_cli_whoami(sj_cli_t *cli, int argc, char **argv);
int sj_cli_member(sj_cli_t *cli, int argc, char **argv);
int sj_cli_wish(sj_cli_t *cli, int argc, char **argv);
int sj_cli_admin(sj_cli_t *cli, int argc, char **argv);
int sj_cli_merchant(sj_cli_t *cli, int argc, char **argv);
int sj_cli_qr(sj_cli_t *cli, int argc, char **argv);
int sj_cli_placard(sj_cli_t *cli, int argc, char **argv);
int sj_cli_compact(sj_cli_t *cli, int argc, char **argv);
int sj_cli_points(sj_cli_t *cli, int argc, char **argv);
int sj_cli_report(sj_cli_t *cli, int argc, char **argv);
int sj_cli_watch(sj_cli_t *cli, int argc, char **argv);
/* member link / unlink / invite (cli_link.c) */
int sj_cli_member_link(sj_cli_t *cli, int argc, char **argv);
int sj_cli_member_unlink(sj_cli_t *cli, int argc, char **argv);
int sj_cli_member_invite(sj_cli_t *cli, int argc, char **argv);

/* True when argv[1..] asks for help ("--help" or "-h" first). */
bool sj_cli_wants_help(int argc, char **argv);

#endif
