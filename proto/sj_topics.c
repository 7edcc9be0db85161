/* The name tables of event topics and ledger entry kinds (sj_topics.h),
 * generated from the one list of each so that enum and name cannot drift. */
#include "sj_topics.h"

#include <stddef.h>
#include <string.h>

#define NAME_(e, name) [SJ_TOPIC_##e] = name,
static const char *const topic_names[SJ_TOPIC_COUNT] = {SJ_TOPICS(NAME_)};
#undef NAME_

#define NAME_(e, name) [SJ_ENTRY_##e] = name,
static const char *const kind_names[SJ_ENTRY_COUNT] = {SJ_ENTRY_KINDS(NAME_)};
#undef NAME_

const char *sj_topic_name(sj_topic_t t)
{
    return t > SJ_TOPIC_NONE && t < SJ_TOPIC_COUNT ? topic_names[t] : NULL;
}

/* A linear scan: 30 short names, and parsing is rare (the report and the
 * clients' event handlers), so no index is worth its upkeep. */
sj_topic_t sj_topic_parse(const char *name)
{
    if (!name)
        return SJ_TOPIC_NONE;
    for (int t = SJ_TOPIC_NONE + 1; t < SJ_TOPIC_COUNT; t++)
        if (strcmp(topic_names[t], name) == 0)
            return (sj_topic_t)t;
    return SJ_TOPIC_NONE;
}

const char *sj_entry_kind_name(sj_entry_kind_t k)
{
    return k > SJ_ENTRY_NONE && k < SJ_ENTRY_COUNT ? kind_names[k] : NULL;
}

sj_entry_kind_t sj_entry_kind_parse(const char *name)
{
    if (!name)
        return SJ_ENTRY_NONE;
    for (int k = SJ_ENTRY_NONE + 1; k < SJ_ENTRY_COUNT; k++)
        if (strcmp(kind_names[k], name) == 0)
            return (sj_entry_kind_t)k;
    return SJ_ENTRY_NONE;
}

bool sj_entry_kind_is_earning(sj_entry_kind_t k)
{
    return k == SJ_ENTRY_EARN_WISH || k == SJ_ENTRY_EARN_COMPACT;
}
