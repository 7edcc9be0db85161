/* The WeChat Official Account and WeCom application callback protocol,
 * without sockets: the SHA-1 signatures over sorted strings, the XML
 * messages in and out (libxml2), and the AES-256-CBC message encryption of
 * the published WXBizMsgCrypt scheme (OpenSSL). wechat.c serves it over
 * HTTP; tests/test_wechat.c checks it against the published vectors. */
#ifndef SJ_CHAT_WXPROTO_H
#define SJ_CHAT_WXPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest callback body read, in bytes (a text message is at most 2048
 * bytes of content; encrypted and base64'd it stays far below). */
#define SJ_WX_MAX_BODY 65536
/* An EncodingAESKey is 43 base64 characters: 32 bytes of key. */
#define SJ_WX_KEY_CHARS 43

enum {
    SJ_WX_OK = 0,
    SJ_WX_EBADSIG = -1,  /* signature does not match */
    SJ_WX_EBASE64 = -2,  /* ciphertext is not base64 of whole blocks */
    SJ_WX_EDECRYPT = -3, /* bad padding or length inside */
    SJ_WX_EAPPID = -4,   /* the AppId / CorpId inside is not ours */
    SJ_WX_EXML = -5,     /* not the XML expected */
    SJ_WX_ENOMEM = -6,
};

/* "signature" of the URL check and of every plaintext-mode callback: SHA-1
 * in lower hex of the n strings sorted bytewise and concatenated. out gets
 * 40 hex digits and a NUL. */
void sj_wx_sha1_sorted(const char *const *parts, size_t n, char out[41]);

/* Whether sig equals the SHA-1 of sorted (token, timestamp, nonce[, encrypt])
 * (encrypt NULL: the three only); compared in constant time. */
bool sj_wx_check(const char *sig, const char *token, const char *timestamp,
                 const char *nonce, const char *encrypt);

/* A 43-character EncodingAESKey into its 32 bytes. false when it is not. */
bool sj_wx_key(const char *aes_key, uint8_t key[32]);

/* Decrypt b64 (the Encrypt element) with key: random(16) | len(4, big
 * endian) | message | receive id, PKCS#7 to 32. When appid is not NULL the
 * trailing id must equal it. On success *msg gets the message, NUL
 * terminated, malloc'd (the caller frees it), *len its length. */
int sj_wx_decrypt(const uint8_t key[32], const char *b64, const char *appid,
                  char **msg, size_t *len);

/* Encrypt msg[0..len) for appid; random16 NULL takes 16 random bytes
 * (tests pin them). Returns the base64 text, malloc'd, or NULL. */
char *sj_wx_encrypt(const uint8_t key[32], const uint8_t *random16,
                    const char *msg, size_t len, const char *appid);

/* One inbound callback message; every string is "" when absent. */
typedef struct {
    char to[128], from[128], type[32], event[64];
    char content[8192]; /* Content, or Recognition for voice */
    char event_key[256];
    char encrypt[SJ_WX_MAX_BODY];
    char msg_id[32];
    int64_t create_time;
    int64_t agent_id;
} sj_wx_msg_t;

/* Parse a callback body (len bytes). No DTD, no entities, no network:
 * a body with a DOCTYPE is refused. Returns SJ_WX_OK or SJ_WX_EXML. */
int sj_wx_parse(const char *body, size_t len, sj_wx_msg_t *m);

/* The passive text reply (ToUserName to, FromUserName from); the caller
 * frees it with g_free. */
char *sj_wx_text_reply(const char *to, const char *from, int64_t now,
                       const char *text);

/* The encrypted envelope of a reply: Encrypt, MsgSignature, TimeStamp,
 * Nonce; the caller frees it with g_free. */
char *sj_wx_envelope(const char *token, const char *encrypt,
                     const char *timestamp, const char *nonce);

#endif
