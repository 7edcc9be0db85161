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
#include "i18n.h" /* _() for what the CLI prints */
#include "sj_limits.h"

/* Exit codes; `shangju --help` documents them. */
enum {
    SJ_CLI_OK = 0,
    SJ_CLI_EREPLY = 1,  /* the broker replied with an error status */
    SJ_CLI_EUSAGE = 2,  /* bad command line */
    SJ_CLI_EREACH = 3,  /* no reply from the broker */
    SJ_CLI_ELOCAL = 4,  /* local failure: key file, memory, ... */
    SJ_CLI_EVERIFY = 5, /* admin verify found problems */
    /* compact verify: the signature holds, but no trusted key */
    SJ_CLI_EUNVERIFIED = 6,
    SJ_CLI_CONTINUE = -1,
};

#define SJ_CLI_DATA_DEFAULT SJ_DEFAULT_DATA

/* The global options after flags and environment are merged. The strings
 * point into argv, the environment, or the buffers below. */
typedef struct {
    const char *data;
    const char *key;
    const char *server_key;
    const char *requests;
    const char *events;
    const char *time_zone; /* tzdata name; dates typed and shown */
    int timeout_ms;        /* 0: the library default */
    bool json;
    char key_buf[PATH_MAX];
    char server_key_buf[PATH_MAX];
} sj_cli_opts_t;

/* Looks up an environment variable; getenv() in the program, a table in
 * tests. */
typedef const char *sj_cli_env_fn(const char *name);

/* Marks a help text for translation, as N_() does (xgettext -kSJ_HELP):
 * the text itself, translated where it is printed. It must be one literal
 * (string pieces only, no macros inside: xgettext cannot expand them, so
 * the printed text would miss the catalogue). */
#define SJ_HELP(s) s

/* What an option's value is, and what its max limit means. */
typedef enum {
    SJ_CLI_STR,   /* text sent to the broker (char *); max: its SJ_MAX_*
                     limit in characters, refused here when longer */
    SJ_CLI_LOCAL, /* text used on this machine (file, endpoint, format) */
    SJ_CLI_U32,   /* uint32_t; max: the largest value (0: any) */
    SJ_CLI_U64,   /* uint64_t; max: as for U32 */
    SJ_CLI_FLAG,  /* protobuf_c_boolean (or bool-sized int), no value */
    SJ_CLI_ENUM,  /* int, parsed by sj_cli_enum_parse over en (either
                     language); 0 refused */
    SJ_CLI_LIST,  /* repeatable text, dst an sj_cli_list_t; at most count
                     values, each at most max characters */
} sj_cli_kind_t;

#define SJ_CLI_MAX_LIST 64 /* room for the longest list the broker takes */
_Static_assert(SJ_CLI_MAX_LIST >= SJ_MAX_PARTIES &&
                   SJ_CLI_MAX_LIST >= SJ_MAX_ITEMS &&
                   SJ_CLI_MAX_LIST >= SJ_MAX_SPECIALTIES &&
                   SJ_CLI_MAX_LIST >= SJ_MAX_SERVICES,
               "a list option could not hold what the broker accepts");

/* The values of a repeatable option, in order (pointing into argv). */
typedef struct {
    char *items[SJ_CLI_MAX_LIST];
    size_t n;
} sj_cli_list_t;

/* One option of a command (git's parse-options): the option carries its
 * value's name, its help and its limit, and both the parser and the help
 * read them from here, so help cannot drift from the code:
 *   {"note", SJ_CLI_STR, &b.note, "TEXT", SJ_HELP("what was done"),
 *    SJ_MAX_NOTE}
 * The help adds the limit itself ("up to 500 characters", "one of: ...",
 * "required"). */
typedef struct {
    const char *name; /* long name, without "--" */
    sj_cli_kind_t kind;
    void *dst;
    const char *meta; /* the value in help ("TEXT", "N"); NULL for FLAG */
    const char *help; /* one sentence, SJ_HELP() */
    uint64_t max;
    const ProtobufCEnumDescriptor *en; /* ENUM */
    unsigned count;                    /* LIST: most values */
    bool required;
    char shrt; /* a short alias ('o' for -o), or 0 */
    /* STR: max counts UTF-8 bytes, not characters (a chat handle, which
     * the broker keeps in a store key: SJ_MAX_HANDLE). */
    bool bytes;
} sj_cli_arg_t;

#define SJ_CLI_MAX_ARGS 15

/* A command's interface: its path ("wish post"), the positional part of
 * its usage line ("ID", "TITLE", NULL for none), what it does (paragraphs,
 * SJ_HELP()), and its n options. */
typedef struct {
    const char *path;
    const char *args;
    const char *about;
    const sj_cli_arg_t *opts;
    size_t n;
} sj_cli_spec_t;

/* A spec over a local array of options. */
#define SJ_CLI_SPEC(path, args, about, opts)                                   \
    {                                                                          \
        (path), (args), (about), (opts), sizeof(opts) / sizeof *(opts)         \
    }

/* Parse argv (argv[0] is the command's name) against spec, plus -h/--help
 * which prints sj_cli_help() to stdout. Values are checked against their
 * limits as they are stored; required options must be present. Returns
 * SJ_CLI_CONTINUE with *first set to the index of the first positional
 * argument, SJ_CLI_OK after help, or SJ_CLI_EUSAGE after one line on
 * stderr naming the option ("--note is too long: 612 characters, at most
 * 500"). On EUSAGE some destinations may have been set. */
int sj_cli_args(const sj_cli_spec_t *spec, int argc, char **argv, int *first);

/* Write spec's help to out: the usage line (generated from the options:
 * required ones bare, the others in brackets, wrapped at 80 columns), the
 * about text, and one line per option with its help and limit. */
void sj_cli_help(FILE *out, const sj_cli_spec_t *spec);

/* text with each "{NAME}" of a number or default the help names
 * ("{MAX_TITLE}", "{DEFAULT_PAGE}", "{REQUESTS}", ...; see cli_help.c)
 * replaced by its value, into buf (cut to cap bytes). Help texts are
 * single literals for xgettext, so they name numbers this way. Returns buf.
 */
const char *sj_cli_expand(const char *text, char *buf, size_t cap);

/* The space after word before what follows it ("usage: shangju"), or
 * none when word ends in a full-width character ("用法：shangju"). */
const char *sj_cli_glue(const char *word);

/* Tests only: fn sees every spec whose help is printed (NULL: none). */
void sj_cli_on_help(void (*fn)(const sj_cli_spec_t *spec));

/* Check the positional text arg (named what, e.g. "TITLE") against limit
 * max characters (code points); prints the usage line when it is empty (and
 * required) or longer. Returns SJ_CLI_OK or SJ_CLI_EUSAGE. */
int sj_cli_text(const char *path, const char *what, const char *arg, size_t max,
                bool required);

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

/* A level of commands: a leaf runs fn with argv[0] its own name; a family
 * (fn NULL) hands the rest of the line to its own table sub. */
typedef struct sj_cli_cmd {
    const char *name;
    sj_cli_cmd_fn *fn;
    const char *summary;
    const struct sj_cli_cmd *sub;
} sj_cli_cmd_t;

/* Every command of `shangju`, NULL-name terminated: the tree that help
 * and dispatch walk. */
extern const sj_cli_cmd_t sj_cli_commands[];

/* The whole program: global options, then the command. Returns the exit
 * status. main() is this with getenv. */
int sj_cli_main(int argc, char **argv, sj_cli_env_fn *env);

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

/* s with the full-width forms of ASCII a Chinese input method types
 * (digits "１２", "：", "－", letters, U+FF01..U+FF5E) and the ideographic
 * space made ASCII, into buf. For numbers, ids, dates and separators only,
 * never for free text. Returns buf, or NULL when it does not fit cap. */
char *sj_cli_halfwidth(const char *s, char *buf, size_t cap);

/* Cut s at its first field separator, ':' or the full-width '：' (which
 * a Chinese input method types), and return what follows it, or NULL
 * when s has none (s unchanged). */
char *sj_cli_split(char *s);

/* Strict unsigned decimal (ids, counts), full-width digits accepted
 * ("１２"). Returns 0 or SJ_EINVAL. */
int sj_cli_u64(const char *s, uint64_t *out);
int sj_cli_u32(const char *s, uint32_t *out);

/* Parse option value s for option name opt of path; on error print the
 * usage line. Returns 0 or SJ_CLI_EUSAGE. */
int sj_cli_opt_u64(const char *path, const char *opt, const char *s,
                   uint64_t *out);

/* The single positional ID of `path ID`; prints a usage line on error. */
int sj_cli_one_id(const char *path, int argc, char **argv, int first,
                  uint64_t *id);

/* The hand-over code in arg: the code itself ("AB12cd34", full-width
 * letters and digits accepted) or the URL of the wish's hand-over QR code
 * as a phone's scanner gives it ("https://HOST/w/ID?code=CODE"; then *id
 * is ID, else 0). Writes the code to code (cap bytes). Returns 0 or
 * SJ_EINVAL (not a code: too long, odd characters, no code parameter). */
int sj_cli_handover_code(const char *arg, uint64_t *id, char *code, size_t cap);

/* Send req and wait. Returns SJ_CLI_OK with *reply (status OK; the caller
 * frees it with shangju__reply__free_unpacked) or an exit code after one
 * line on stderr: EREPLY ("shangju: NOT_FOUND: no wish 42"), EREACH
 * (timeout), ELOCAL (keys, memory). */
int sj_cli_call(sj_cli_t *cli, Shangju__Request *req, Shangju__Reply **reply);

/* Report the error reply r: with --json one object {"status", "message",
 * "reason"} on stdout; always "shangju: STATUS: message [reason]" on
 * stderr for people. Returns SJ_CLI_EREPLY (or SJ_CLI_ELOCAL when the
 * output could not be written). */
int sj_cli_print_refusal(sj_cli_t *cli, const Shangju__Reply *r);

/* A refusal decided here rather than by the broker (the reply had no
 * body of the expected kind, a compact has no notice), reported like one
 * with status and the formatted message and no reason: fmt is the English
 * msgid (marked N_()), the --json message is in English, the line on
 * stderr in the user's language. Returns SJ_CLI_EREPLY (or
 * SJ_CLI_ELOCAL). */
int sj_cli_refuse(sj_cli_t *cli, Shangju__Status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print j as one line of JSON on stdout, flush, and release it. Every
 * --json output goes through here (or sj_cli_print_reply), so it is made
 * by json-c, never by hand. A NULL j means memory ran out. Returns an exit
 * code. */
int sj_cli_emit(json_object *j);

/* sj_cli_call() with note appended to the timeout line. */
int sj_cli_call_note(sj_cli_t *cli, Shangju__Request *req,
                     Shangju__Reply **reply, const char *note);

/* Call, print the reply's record or page, free it. Returns an exit code. */
int sj_cli_run(sj_cli_t *cli, Shangju__Request *req);

/* The common shape `PATH ID [options]`: parse spec (help on -h), store
 * the one positional ID in *id (a field of req's body), then
 * sj_cli_run(req). Returns an exit code. */
int sj_cli_run_on_id(sj_cli_t *cli, const sj_cli_spec_t *spec, int argc,
                     char **argv, uint64_t *id, Shangju__Request *req);

/* Make the client if not yet made. Returns SJ_CLI_OK or an exit code after
 * a line on stderr. */
int sj_cli_connect(sj_cli_t *cli);

/* Print the record or page carried by reply, as JSON (one object) with
 * --json, else for humans. Returns an exit code. */
int sj_cli_print_reply(sj_cli_t *cli, const Shangju__Reply *reply);

/* Print one event as one line (JSON or human) and flush. */
int sj_cli_print_event(sj_cli_t *cli, const Shangju__Event *ev);

/* Human output helpers (cli_out.c), in the user's language. A record
 * prints as aligned "label value" lines: labels by sj_cli_label, enum
 * values by their display names (cli_enums.h), yes/no, times in the
 * community's zone, plain numbers at 0 shown, lists one value a line. d
 * (the record's descriptor; NULL: go by the JSON alone) gives the field
 * order, enum names and defaults. */
void sj_cli_show_msg(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *rec);
/* A page {"items", "next"} as a table of the dotted-path columns cols,
 * headed by their labels, cells cut (never inside a character) at 40
 * display columns; d is the items' descriptor (or NULL). */
void sj_cli_table_of(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *page, const char *const *cols, size_t ncols);
void sj_cli_table(FILE *out, json_object *page, const char *const *cols,
                  size_t ncols);
void sj_cli_time(int64_t ms, char *buf, size_t cap);
/* Add to o (the JSON of a message of d) the plain number and yes/no
 * fields pbjson leaves out at 0 / false, recursively, so --json carries
 * "balance": 0. Moments, references to records (0: none) and text stay
 * out. Memory running out leaves a field out. */
void sj_cli_json_defaults(const ProtobufCMessageDescriptor *d, json_object *o);
/* sj_pbjson_message(m) with sj_cli_json_defaults: the JSON every --json
 * record prints. NULL when memory runs out; the caller puts it. */
json_object *sj_cli_message_json(const ProtobufCMessage *m);
/* Display columns of UTF-8 text s (CJK and emoji 2, combining marks 0). */
size_t sj_cli_width(const char *s);
/* Write s and spaces up to width display columns. */
void sj_cli_pad(FILE *out, const char *s, size_t width);
/* One "label  value" line on stdout: indent spaces, the label padded to
 * cols display columns, a space, then fmt (admin stats, the report). */
void sj_cli_row(size_t indent, const char *label, size_t cols, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

/* Labels (cli_labels.c): the display name of a record's field key
 * ("created_at"), translated; an unknown key is itself. The string is
 * static. */
const char *sj_cli_label(const char *key);
/* The label of a dotted path ("claim.merchant_id"): each part's label,
 * joined by "·", in buf (cut at a whole label). Returns buf. */
char *sj_cli_label_path(const char *path, char *buf, size_t cap);
/* The display name of an event topic ("wish.posted") or a ledger entry
 * kind ("earn.wish"), translated; an unknown code is itself. Static. */
const char *sj_cli_code_label(const char *code);
/* The translation of a context-keyed msgid ("ctx\004English", as NC_()
 * writes it), or its English part when the catalogue has none. */
const char *sj_cli_tr_ctx(const char *key);
/* "yes" / "no", translated. */
const char *sj_cli_yes_no(bool v);

/* The yearly report as CSV for Excel (cli_report.c): UTF-8 with a BOM,
 * CRLF rows, formula-like cells neutralised, the ranking's rank and name
 * in columns of their own. */
void sj_cli_report_csv(FILE *out, const Shangju__Report *r);

/* The command tables of each family and the leaf commands. */
extern const sj_cli_cmd_t sj_cli_member_cmds[];
extern const sj_cli_cmd_t sj_cli_wish_cmds[];
extern const sj_cli_cmd_t sj_cli_admin_cmds[];
extern const sj_cli_cmd_t sj_cli_merchant_cmds[];
extern const sj_cli_cmd_t sj_cli_compact_cmds[];
extern const sj_cli_cmd_t sj_cli_points_cmds[];
int sj_cli_ping(sj_cli_t *cli, int argc, char **argv);
int sj_cli_whoami(sj_cli_t *cli, int argc, char **argv);
int sj_cli_qr(sj_cli_t *cli, int argc, char **argv);
int sj_cli_placard(sj_cli_t *cli, int argc, char **argv);
int sj_cli_report(sj_cli_t *cli, int argc, char **argv);
int sj_cli_watch(sj_cli_t *cli, int argc, char **argv);
/* member link / unlink / invite (cli_link.c) */
int sj_cli_member_link(sj_cli_t *cli, int argc, char **argv);
int sj_cli_member_unlink(sj_cli_t *cli, int argc, char **argv);
int sj_cli_member_invite(sj_cli_t *cli, int argc, char **argv);

#endif
