/* shangju-chat: the chat bridge. Options like the `shangju` CLI's for the
 * broker connection (the key is the bridge's), then one transport: the
 * console (--console --as HANDLE), XMPP (--xmpp-jid ...), or WeChat / WeCom
 * (--wechat-listen ...). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "runtime.h"
#include "sj_zone.h"

/* --help in the operator's language, one piece an option or heading (a
 * changed option leaves the others translated); in English help2man makes
 * the man page from it. The pieces after the broker's defaults: */
static const char *const help_rest[] = {
    /* TRANSLATORS: shangju-chat --help. Keep option names, metavariables
     * (DIR, FILE, JID, MS ...), file and environment names, product names
     * and values as they are and start each description in the English
     * column; keep lines within 79 columns (a Chinese character takes
     * two). */
    N_("  --timeout MS          per attempt (default 3000)\n"),
    N_("Console:\n"),
    N_("  --console             read messages from stdin, print replies\n"),
    N_("  --as HANDLE           the chat handle the messages come from\n"),
    N_("XMPP:\n"),
    N_("  --xmpp-jid JID        the bridge's account\n"),
    N_("  --xmpp-password-file FILE  its password (first line)\n"),
    N_("  --xmpp-host HOST      server (default: from the JID's domain)\n"),
    N_("  --xmpp-port PORT      port (default 5222)\n"),
    N_("  --room ROOM_JID       community room for new wishes (MUC)\n"),
    N_("  --room-nick NICK      the bridge's nick there (default shangju)\n"),
    N_("  --xmpp-trust-tls      accept a server certificate that does not\n"
       "                        verify (self-signed); TLS is used whenever\n"
       "                        offered either way\n"),
    N_("WeChat Official Account (or, with --wecom-corpid, a WeCom "
       "application):\n"),
    N_("  --wechat-listen ADDR:PORT  serve the message callback here "
       "(loopback,\n"
       "                        behind the HTTPS proxy)\n"),
    N_("  --wechat-token-file FILE   the callback Token (first line)\n"),
    N_("  --wechat-aes-key-file FILE the EncodingAESKey: safe mode (AES)\n"),
    N_("  --wechat-appid ID     the account's AppID\n"),
    N_("  --wechat-secret-file FILE  its AppSecret: replies after 5 s and\n"
       "                        notifications by customer-service message\n"),
    N_("  --wechat-api URL      API base (default https://api.weixin.qq.com,\n"
       "                        https://qyapi.weixin.qq.com for WeCom)\n"),
    N_("  --wechat-state DIR    outboxes and handled messages (default\n"
       "                        DIR/wechat or DIR/wecom)\n"),
    N_("  --wechat-reply-ms MS  answer passively within MS (default 4500)\n"),
    N_("  --wecom-corpid ID     the WeCom corporation (the callback's "
       "ReceiveId)\n"),
    N_("  --wecom-agentid N     the application's AgentId\n"),
    N_("  --wecom-secret-file FILE   the application's Secret\n"),
    N_("  --wecom-webhook-file FILE  the group robot's webhook URL: new "
       "wishes\n"
       "                        and thanks announced there, at most 20 a "
       "minute\n"),
    N_("  --wecom-webhook-interval-ms MS  between two (default 3000)\n"),
    N_("  --wecom-webhook-backoff-ms MS   after errcode 130101 (default "
       "60000)\n"),
    N_("Common:\n"),
    N_("  --room-lang zh|en     language of room announcements (default: "
       "the\n"
       "                        locale's, as for messages in no language)\n"),
    N_("  --burst N             messages a handle may send at once (6)\n"),
    N_("  --refill-ms MS        one more message allowed every MS (2000)\n"),
    N_("  -h, --help            this help\n"
       "      --version         the version\n"),
};

static void print_help(void)
{
    fputs(_("usage: shangju-chat [BROKER OPTIONS] --console --as HANDLE\n"
            "       shangju-chat [BROKER OPTIONS] --xmpp-jid JID "
            "--xmpp-password-file FILE\n"
            "                    [--xmpp-host HOST] [--xmpp-port PORT] "
            "[--room ROOM_JID]\n"
            "       shangju-chat [BROKER OPTIONS] --wechat-listen ADDR:PORT "
            "--wechat-token-file FILE\n"
            "                    [--wechat-aes-key-file FILE] [--wechat-appid "
            "ID --wechat-secret-file FILE]\n"
            "                    [--wecom-corpid ID --wecom-agentid N "
            "--wecom-secret-file FILE]\n"
            "                    [--wecom-webhook-file FILE]\n"
            "\n"
            "The Shangju chat bridge: residents post and follow wishes from "
            "chat.\n"
            "\n"),
          stdout);
    printf(_("Broker options (also SHANGJU_DATA, SHANGJU_KEY, "
             "SHANGJU_SERVER_KEY,\n"
             "SHANGJU_REQUESTS, SHANGJU_EVENTS; SHANGJU_TIME_ZONE, default\n"
             "%s, is the community's zone of the log's times):\n"),
           SJ_ZONE_DEFAULT);
    printf(_("  --data DIR            data directory (default %s)\n"),
           SJ_DEFAULT_DATA);
    fputs(_("  --key FILE            the bridge's secret key (default "
            "DIR/bridge.key,\n"
            "                        else the demo's DIR/demo/bridge.key)\n"),
          stdout);
    fputs(_("  --server-key FILE     the broker's public key (default "
            "DIR/server.pub)\n"),
          stdout);
    printf(_("  --requests EP         request endpoint (default %s)\n"),
           SJ_CLIENT_REQUESTS);
    printf(_("  --events EP           event endpoint (default %s)\n"),
           SJ_CLIENT_EVENTS);
    for (size_t i = 0; i < sizeof help_rest / sizeof help_rest[0]; i++)
        fputs(_(help_rest[i]), stdout);
}

enum {
    O_DATA = 256,
    O_KEY,
    O_SKEY,
    O_REQ,
    O_EV,
    O_TIMEOUT,
    O_CONSOLE,
    O_AS,
    O_JID,
    O_PWFILE,
    O_HOST,
    O_PORT,
    O_ROOM,
    O_NICK,
    O_ROOMLANG,
    O_BURST,
    O_REFILL,
    O_TRUST,
    O_WX_LISTEN,
    O_WX_TOKEN,
    O_WX_AES,
    O_WX_APPID,
    O_WX_SECRET,
    O_WX_API,
    O_WX_STATE,
    O_WX_REPLY,
    O_WC_CORP,
    O_WC_AGENT,
    O_WC_SECRET,
    O_WC_HOOK,
    O_WC_HOOK_GAP,
    O_WC_HOOK_BACKOFF,
};

static const struct option opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"key", required_argument, NULL, O_KEY},
    {"server-key", required_argument, NULL, O_SKEY},
    {"requests", required_argument, NULL, O_REQ},
    {"events", required_argument, NULL, O_EV},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"console", no_argument, NULL, O_CONSOLE},
    {"as", required_argument, NULL, O_AS},
    {"xmpp-jid", required_argument, NULL, O_JID},
    {"xmpp-password-file", required_argument, NULL, O_PWFILE},
    {"xmpp-host", required_argument, NULL, O_HOST},
    {"xmpp-port", required_argument, NULL, O_PORT},
    {"room", required_argument, NULL, O_ROOM},
    {"room-nick", required_argument, NULL, O_NICK},
    {"room-lang", required_argument, NULL, O_ROOMLANG},
    {"burst", required_argument, NULL, O_BURST},
    {"refill-ms", required_argument, NULL, O_REFILL},
    {"xmpp-trust-tls", no_argument, NULL, O_TRUST},
    {"wechat-listen", required_argument, NULL, O_WX_LISTEN},
    {"wechat-token-file", required_argument, NULL, O_WX_TOKEN},
    {"wechat-aes-key-file", required_argument, NULL, O_WX_AES},
    {"wechat-appid", required_argument, NULL, O_WX_APPID},
    {"wechat-secret-file", required_argument, NULL, O_WX_SECRET},
    {"wechat-api", required_argument, NULL, O_WX_API},
    {"wechat-state", required_argument, NULL, O_WX_STATE},
    {"wechat-reply-ms", required_argument, NULL, O_WX_REPLY},
    {"wecom-corpid", required_argument, NULL, O_WC_CORP},
    {"wecom-agentid", required_argument, NULL, O_WC_AGENT},
    {"wecom-secret-file", required_argument, NULL, O_WC_SECRET},
    {"wecom-webhook-file", required_argument, NULL, O_WC_HOOK},
    {"wecom-webhook-interval-ms", required_argument, NULL, O_WC_HOOK_GAP},
    {"wecom-webhook-backoff-ms", required_argument, NULL, O_WC_HOOK_BACKOFF},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* A usage error: why is an N_() string. */
static int usage(const char *why)
{
    fprintf(stderr, _("shangju-chat: %s (see 'shangju-chat --help')\n"),
            _(why));
    return 2;
}

/* Strict decimal in [lo, hi]. */
static bool number(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static char key_buf[4096], skey_buf[4096];

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

int main(int argc, char **argv)
{
    /* Help, usage errors, start-up failures and the default language of
     * replies follow the locale; log lines and numbers stay in the C
     * locale (see i18n.h). */
    sj_i18n_init_messages();
    sj_chat_opts_t o = {0};
    o.data = env_or("SHANGJU_DATA", SJ_DEFAULT_DATA);
    o.key = env_or("SHANGJU_KEY", NULL);
    o.server_key = env_or("SHANGJU_SERVER_KEY", NULL);
    o.requests = env_or("SHANGJU_REQUESTS", NULL);
    o.events = env_or("SHANGJU_EVENTS", NULL);
    o.nick = "shangju";
    /* The locale (LANGUAGE=zh_CN / en) picks the language for messages
     * that show none and for the room; each resident's own is remembered. */
    o.bot.lang = o.room_lang = sj_i18n_current();
    long v;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_DATA:
            o.data = optarg;
            break;
        case O_KEY:
            o.key = optarg;
            break;
        case O_SKEY:
            o.server_key = optarg;
            break;
        case O_REQ:
            o.requests = optarg;
            break;
        case O_EV:
            o.events = optarg;
            break;
        case O_TIMEOUT:
            if (!number(optarg, 1, 600000, &v))
                return usage(N_("--timeout wants milliseconds"));
            o.timeout_ms = (int)v;
            break;
        case O_CONSOLE:
            o.console = true;
            break;
        case O_AS:
            o.as = optarg;
            break;
        case O_JID:
            o.jid = optarg;
            break;
        case O_PWFILE:
            o.password_file = optarg;
            break;
        case O_HOST:
            o.host = optarg;
            break;
        case O_PORT:
            if (!number(optarg, 1, 65535, &v))
                return usage(N_("--xmpp-port wants a port number"));
            o.port = (unsigned short)v;
            break;
        case O_ROOM:
            o.room = optarg;
            break;
        case O_NICK:
            o.nick = optarg;
            break;
        case O_ROOMLANG:
            if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0)
                return usage(N_("--room-lang is zh or en"));
            o.room_lang = sj_chat_lang_of(optarg);
            break;
        case O_BURST:
            if (!number(optarg, 1, 1000, &v))
                return usage(N_("--burst wants 1..1000"));
            o.bot.burst = (unsigned)v;
            break;
        case O_REFILL:
            if (!number(optarg, 1, 3600000, &v))
                return usage(N_("--refill-ms wants milliseconds"));
            o.bot.refill_ms = v;
            break;
        case O_TRUST:
            o.trust_tls = true;
            break;
        case O_WX_LISTEN:
            o.wechat_listen = optarg;
            break;
        case O_WX_TOKEN:
            o.wechat_token_file = optarg;
            break;
        case O_WX_AES:
            o.wechat_aes_key_file = optarg;
            break;
        case O_WX_APPID:
            o.wechat_appid = optarg;
            break;
        case O_WX_SECRET:
            o.wechat_secret_file = optarg;
            break;
        case O_WX_API:
            o.wechat_api = optarg;
            break;
        case O_WX_STATE:
            o.wechat_state = optarg;
            break;
        case O_WX_REPLY:
            if (!number(optarg, 100, 4900, &v))
                return usage(N_("--wechat-reply-ms wants 100..4900"));
            o.wechat_reply_ms = (int)v;
            break;
        case O_WC_CORP:
            o.wecom_corpid = optarg;
            break;
        case O_WC_AGENT:
            if (!number(optarg, 1, 2147483647L, &v))
                return usage(N_("--wecom-agentid wants a number"));
            o.wecom_agentid = v;
            break;
        case O_WC_SECRET:
            o.wecom_secret_file = optarg;
            break;
        case O_WC_HOOK:
            o.wecom_webhook_file = optarg;
            break;
        case O_WC_HOOK_GAP:
            if (!number(optarg, 1, 600000, &v))
                return usage(
                    N_("--wecom-webhook-interval-ms wants milliseconds"));
            o.webhook_interval_ms = v;
            break;
        case O_WC_HOOK_BACKOFF:
            if (!number(optarg, 1, 600000, &v))
                return usage(
                    N_("--wecom-webhook-backoff-ms wants milliseconds"));
            o.webhook_backoff_ms = v;
            break;
        case 'h':
            print_help();
            return fflush(stdout) == 0 ? 0 : 1;
        case 'V':
            printf("shangju-chat %s\n", SJ_VERSION);
            return fflush(stdout) == 0 ? 0 : 1;
        default:
            return usage(N_("unknown option"));
        }
    }
    if (optind < argc)
        return usage(N_("unexpected argument"));
    /* Before any thread: log lines carry the community's time. */
    if (sj_zone_use(env_or("SHANGJU_TIME_ZONE", SJ_ZONE_DEFAULT)) != 0)
        return usage(
            N_("SHANGJU_TIME_ZONE: unknown zone (a tzdata name such as "
               "Asia/Shanghai or UTC)"));
    if (!o.key)
        o.key = sj_keyfile_default(key_buf, sizeof key_buf, o.data, "bridge");
    if (!o.server_key) {
        snprintf(skey_buf, sizeof skey_buf, "%s/server.pub", o.data);
        o.server_key = skey_buf;
    }
    sj_chat_rt_signals();
    if (o.console) {
        if (o.jid)
            return usage(N_("--console and --xmpp-jid exclude each other"));
        if (!o.as || !*o.as)
            return usage(N_("--console needs --as HANDLE"));
        return sj_chat_console_run(&o);
    }
    if (o.wechat_listen) {
        if (o.jid)
            return usage(N_("--console, --xmpp-jid and --wechat-listen exclude "
                            "each other"));
        if (!o.wechat_token_file)
            return usage(N_("--wechat-listen needs --wechat-token-file"));
        if (o.wechat_secret_file && !o.wechat_appid)
            return usage(N_("--wechat-secret-file needs --wechat-appid"));
        if (o.wecom_corpid && (!o.wecom_secret_file || !o.wecom_agentid))
            return usage(N_("--wecom-corpid needs --wecom-agentid and "
                            "--wecom-secret-file"));
        return sj_chat_wechat_run(&o);
    }
    if (o.wecom_webhook_file)
        return usage(N_("--wecom-webhook-file goes with --wechat-listen"));
    if (!o.jid || !o.password_file)
        return usage(N_("give --console --as HANDLE, or --xmpp-jid JID and "
                        "--xmpp-password-file FILE"));
    return sj_chat_xmpp_run(&o);
}
