/* The one key encoder of store_internal.h: every key of every table is
 * appended field by field into a capped buffer (curl's dynbuf habit: a
 * failed append leaves the key as it was, marked), and read back with the
 * big-endian helpers. No LMDB here: the cap is LMDB's limit made ours. */
#include "store_internal.h"

#include <string.h>

_Static_assert(STORE_KEY_MAX < 511, "LMDB's default key limit is 511 bytes");

static void key_append(store__key_t *k, const void *p, size_t n)
{
    if (k->over || n > STORE_KEY_MAX - k->len) {
        k->over = true; /* k->len and the bytes stay as they were */
        return;
    }
    memcpy(k->b + k->len, p, n);
    k->len += n;
}

void store__key_init(store__key_t *k)
{
    k->len = 0;
    k->over = false;
}

void store__key_id(store__key_t *k, uint64_t id)
{
    store__key_init(k);
    store__key_u64(k, id);
}

void store__key_u8(store__key_t *k, uint8_t v)
{
    key_append(k, &v, 1);
}

void store__key_u32(store__key_t *k, uint32_t v)
{
    uint8_t b[4];
    for (int i = 3; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
    key_append(k, b, sizeof b);
}

void store__key_u64(store__key_t *k, uint64_t v)
{
    uint8_t b[8];
    store__be64(b, v);
    key_append(k, b, sizeof b);
}

void store__key_str(store__key_t *k, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n >= STORE_KEY_MAX - k->len) { /* room for the bytes and the NUL */
        k->over = true;
        return;
    }
    key_append(k, s, n);
    key_append(k, "", 1);
}

void store__key_bytes(store__key_t *k, const void *p, size_t n)
{
    key_append(k, p, n);
}

bool store__key_eq(const store__key_t *a, const store__key_t *b)
{
    return !a->over && !b->over && a->len == b->len &&
           memcmp(a->b, b->b, a->len) == 0;
}

void store__be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

uint64_t store__get_be64(const uint8_t *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

uint32_t store__get_be32(const uint8_t *in)
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
           (uint32_t)in[2] << 8 | in[3];
}
