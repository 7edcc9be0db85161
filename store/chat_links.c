/* The chat handle index: (bridge, handle) -> member, so the chat bridge
 * finds the resident behind a handle with one range lookup and the
 * committee cannot give one handle on a bridge to two members. */
#include "store_internal.h"

#include <string.h>

size_t store__handle_key(uint8_t *k, uint64_t bridge, const char *handle,
                         uint64_t id)
{
    size_t n = handle ? strlen(handle) : 0;
    if (!bridge || n == 0 || 8 + n + 1 + 8 > STORE_MAX_INDEX_KEY)
        return 0;
    store__be64(k, bridge);
    memcpy(k + 8, handle, n);
    k[8 + n] = 0;
    if (!id)
        return 8 + n + 1;
    store__be64(k + 8 + n + 1, id);
    return 8 + n + 1 + 8;
}

static int first_id(void *ctx, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    if (key->mv_size < 8)
        return SJ_EIO;
    *(uint64_t *)ctx =
        store__get_be64((const uint8_t *)key->mv_data + key->mv_size - 8);
    return 1;
}

int sj_member_by_handle(sj_txn_t *t, uint64_t bridge, const char *handle,
                        Shangju__Member **out)
{
    uint8_t k[STORE_MAX_INDEX_KEY];
    size_t n = store__handle_key(k, bridge, handle, 0);
    if (!n)
        return SJ_ENOTFOUND;
    uint64_t id = 0;
    int err = store__scan(t, DB_MEMBER_BY_HANDLE, k, n, k, n, first_id, &id);
    if (err)
        return err;
    if (!id)
        return SJ_ENOTFOUND;
    return sj_member_get(t, id, out);
}
