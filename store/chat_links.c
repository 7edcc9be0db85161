/* The chat handle index: (bridge, handle) -> member, so the chat bridge
 * finds the resident behind a handle with one range lookup and the
 * committee cannot give one handle on a bridge to two members. */
#include "store_internal.h"

bool store__handle_key(store__key_t *k, uint64_t bridge, const char *handle,
                       uint64_t id)
{
    store__key_init(k);
    if (!bridge || !handle || !*handle)
        return false;
    store__key_u64(k, bridge);
    store__key_str(k, handle);
    if (id)
        store__key_u64(k, id);
    return true;
}

int sj_member_by_handle(sj_txn_t *t, uint64_t bridge, const char *handle,
                        Shangju__Member **out)
{
    store__key_t prefix;
    /* An over-long handle was never stored: not found, and no sticky
     * error on t for a stranger's odd input. */
    if (!store__handle_key(&prefix, bridge, handle, 0) || prefix.over)
        return SJ_ENOTFOUND;
    uint64_t id = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_MEMBER_BY_HANDLE, &prefix) {
        if (it.key.len != prefix.len + 8) {
            store__iter_fail(&it, SJ_EIO, "member_by_handle: bad key");
            break;
        }
        id = store__get_be64(it.key.data + prefix.len);
        break;
    }
    int err = store__iter_end(&it);
    if (err)
        return err;
    if (!id)
        return SJ_ENOTFOUND;
    return sj_member_get(t, id, out);
}
