/* The WeChat / WeCom callback protocol (wxproto.h): signatures, XML,
 * WXBizMsgCrypt. OpenSSL and libxml2 are used here only. */
#include "wxproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* ---------------------------------------------------------- signatures */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sj_wx_sha1_sorted(const char *const *parts, size_t n, char out[41])
{
    const char *sorted[8];
    if (n > 8)
        n = 8;
    memcpy(sorted, parts, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdl = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(c, sorted[i], strlen(sorted[i])) == 1;
    ok = ok && EVP_DigestFinal_ex(c, md, &mdl) == 1 && mdl == 20;
    EVP_MD_CTX_free(c);
    if (!ok) { /* out of memory: a signature nothing matches */
        memset(out, 'x', 40);
        out[40] = 0;
        return;
    }
    for (size_t i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool sj_wx_check(const char *sig, const char *token, const char *timestamp,
                 const char *nonce, const char *encrypt)
{
    if (!sig || !token || !timestamp || !nonce || strlen(sig) != 40)
        return false;
    const char *parts[4] = {token, timestamp, nonce, encrypt};
    char want[41];
    sj_wx_sha1_sorted(parts, encrypt ? 4 : 3, want);
    return CRYPTO_memcmp(want, sig, 40) == 0;
}

/* --------------------------------------------------------------- AES */

bool sj_wx_key(const char *aes_key, uint8_t key[32])
{
    if (!aes_key || strlen(aes_key) != SJ_WX_KEY_CHARS)
        return false;
    char b64[SJ_WX_KEY_CHARS + 2];
    memcpy(b64, aes_key, SJ_WX_KEY_CHARS);
    b64[SJ_WX_KEY_CHARS] = '=';
    b64[SJ_WX_KEY_CHARS + 1] = 0;
    unsigned char out[36];
    int n = EVP_DecodeBlock(out, (const unsigned char *)b64, 44);
    /* EVP_DecodeBlock counts the padding as a zero byte: 33 for 32. */
    if (n != 33)
        return false;
    memcpy(key, out, 32);
    return true;
}

/* AES-256-CBC with IV = key[0..16), no padding by OpenSSL (PKCS#7 to 32
 * is applied here). Returns the output length or -1. */
static int aes(const uint8_t key[32], bool enc, const unsigned char *in,
               int len, unsigned char *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    bool ok = c && EVP_CipherInit_ex(c, EVP_aes_256_cbc(), NULL, key, key,
                                     enc ? 1 : 0) == 1;
    ok = ok && EVP_CIPHER_CTX_set_padding(c, 0) == 1;
    ok = ok && EVP_CipherUpdate(c, out, &n, in, len) == 1;
    ok = ok && EVP_CipherFinal_ex(c, out + n, &m) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? n + m : -1;
}

int sj_wx_decrypt(const uint8_t key[32], const char *b64, const char *appid,
                  char **msg, size_t *len)
{
    *msg = NULL;
    *len = 0;
    size_t bl = strlen(b64);
    if (bl == 0 || bl % 4 || bl > SJ_WX_MAX_BODY)
        return SJ_WX_EBASE64;
    unsigned char *raw = malloc(bl);
    unsigned char *plain = malloc(bl);
    int rc = SJ_WX_ENOMEM;
    if (!raw || !plain)
        goto out;
    rc = SJ_WX_EBASE64;
    int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)bl);
    if (n < 0)
        goto out;
    n -= (b64[bl - 1] == '=') + (b64[bl - 2] == '=');
    if (n <= 0 || n % 16)
        goto out;
    rc = SJ_WX_EDECRYPT;
    int pn = aes(key, false, raw, n, plain);
    if (pn != n)
        goto out;
    unsigned pad = plain[pn - 1];
    if (pad < 1 || pad > 32 || (int)pad > pn)
        goto out;
    for (unsigned i = 0; i < pad; i++)
        if (plain[pn - 1 - i] != pad)
            goto out;
    pn -= (int)pad;
    if (pn < 20)
        goto out;
    uint32_t ml = (uint32_t)plain[16] << 24 | (uint32_t)plain[17] << 16 |
                  (uint32_t)plain[18] << 8 | plain[19];
    if (ml > (uint32_t)(pn - 20))
        goto out;
    const char *id = (const char *)plain + 20 + ml;
    size_t idl = (size_t)pn - 20 - ml;
    rc = SJ_WX_EAPPID;
    if (appid && (strlen(appid) != idl || memcmp(id, appid, idl) != 0))
        goto out;
    rc = SJ_WX_ENOMEM;
    *msg = malloc(ml + 1);
    if (!*msg)
        goto out;
    memcpy(*msg, plain + 20, ml);
    (*msg)[ml] = 0;
    *len = ml;
    rc = SJ_WX_OK;
out:
    free(raw);
    free(plain);
    return rc;
}

char *sj_wx_encrypt(const uint8_t key[32], const uint8_t *random16,
                    const char *msg, size_t len, const char *appid)
{
    size_t idl = strlen(appid);
    if (len > SJ_WX_MAX_BODY || idl > 256)
        return NULL;
    size_t pn = 20 + len + idl;
    size_t pad = 32 - pn % 32;
    unsigned char *plain = malloc(pn + pad);
    unsigned char *enc = malloc(pn + pad);
    char *b64 = malloc(4 * ((pn + pad + 2) / 3) + 1);
    char *ret = NULL;
    if (!plain || !enc || !b64)
        goto out;
    if (random16)
        memcpy(plain, random16, 16);
    else if (RAND_bytes(plain, 16) != 1)
        goto out;
    plain[16] = (unsigned char)(len >> 24);
    plain[17] = (unsigned char)(len >> 16);
    plain[18] = (unsigned char)(len >> 8);
    plain[19] = (unsigned char)len;
    memcpy(plain + 20, msg, len);
    memcpy(plain + 20 + len, appid, idl);
    memset(plain + pn, (int)pad, pad);
    if (aes(key, true, plain, (int)(pn + pad), enc) != (int)(pn + pad))
        goto out;
    EVP_EncodeBlock((unsigned char *)b64, enc, (int)(pn + pad));
    ret = b64;
    b64 = NULL;
out:
    free(plain);
    free(enc);
    free(b64);
    return ret;
}

/* --------------------------------------------------------------- XML */

static void copy_text(xmlNode *n, char *out, size_t cap)
{
    xmlChar *t = xmlNodeGetContent(n);
    size_t l = t ? strlen((const char *)t) : 0;
    if (l >= cap) /* keep it over-long: the bot refuses it as too long */
        l = cap - 1;
    if (l)
        memcpy(out, t, l);
    out[l] = 0;
    xmlFree(t);
}

static int64_t to_i64(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return *s && !*end ? (int64_t)v : 0;
}

int sj_wx_parse(const char *body, size_t len, sj_wx_msg_t *m)
{
    memset(m, 0, sizeof *m);
    if (len == 0 || len > SJ_WX_MAX_BODY)
        return SJ_WX_EXML;
    xmlDoc *doc = xmlReadMemory(body, (int)len, "callback.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    if (!doc)
        return SJ_WX_EXML;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset || !root ||
        xmlStrcmp(root->name, (const xmlChar *)"xml") != 0) {
        xmlFreeDoc(doc);
        return SJ_WX_EXML;
    }
    char num[32], voice_text[sizeof m->content] = "";
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)n->name;
        if (!strcmp(name, "ToUserName"))
            copy_text(n, m->to, sizeof m->to);
        else if (!strcmp(name, "FromUserName"))
            copy_text(n, m->from, sizeof m->from);
        else if (!strcmp(name, "MsgType"))
            copy_text(n, m->type, sizeof m->type);
        else if (!strcmp(name, "Content"))
            copy_text(n, m->content, sizeof m->content);
        else if (!strcmp(name, "Recognition"))
            copy_text(n, voice_text, sizeof voice_text);
        else if (!strcmp(name, "Event"))
            copy_text(n, m->event, sizeof m->event);
        else if (!strcmp(name, "EventKey"))
            copy_text(n, m->event_key, sizeof m->event_key);
        else if (!strcmp(name, "Encrypt"))
            copy_text(n, m->encrypt, sizeof m->encrypt);
        else if (!strcmp(name, "MsgId"))
            copy_text(n, m->msg_id, sizeof m->msg_id);
        else if (!strcmp(name, "CreateTime")) {
            copy_text(n, num, sizeof num);
            m->create_time = to_i64(num);
        } else if (!strcmp(name, "AgentID")) {
            copy_text(n, num, sizeof num);
            m->agent_id = to_i64(num);
        }
    }
    xmlFreeDoc(doc);
    if (!strcmp(m->type, "voice"))
        memcpy(m->content, voice_text, sizeof m->content);
    return SJ_WX_OK;
}

/* Append <name>s</name> with s as CDATA ("]]>" inside is split across two
 * sections, so any text survives). */
static void cdata(GString *g, const char *name, const char *s)
{
    g_string_append_printf(g, "<%s><![CDATA[", name);
    for (const char *p = s; *p; p++) {
        if (p[0] == ']' && p[1] == ']' && p[2] == '>') {
            g_string_append(g, "]]]]><![CDATA[>");
            p += 2;
        } else {
            g_string_append_c(g, *p);
        }
    }
    g_string_append_printf(g, "]]></%s>", name);
}

char *sj_wx_text_reply(const char *to, const char *from, int64_t now,
                       const char *text)
{
    GString *g = g_string_new("<xml>");
    cdata(g, "ToUserName", to);
    cdata(g, "FromUserName", from);
    g_string_append_printf(g, "<CreateTime>%lld</CreateTime>", (long long)now);
    cdata(g, "MsgType", "text");
    cdata(g, "Content", text);
    g_string_append(g, "</xml>");
    return g_string_free(g, FALSE);
}

char *sj_wx_envelope(const char *token, const char *encrypt,
                     const char *timestamp, const char *nonce)
{
    const char *parts[4] = {token, timestamp, nonce, encrypt};
    char sig[41];
    sj_wx_sha1_sorted(parts, 4, sig);
    GString *g = g_string_new("<xml>");
    cdata(g, "Encrypt", encrypt);
    cdata(g, "MsgSignature", sig);
    g_string_append_printf(g, "<TimeStamp>%s</TimeStamp>", timestamp);
    cdata(g, "Nonce", nonce);
    g_string_append(g, "</xml>");
    return g_string_free(g, FALSE);
}
