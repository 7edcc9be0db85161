/* placeholder */
#include "runtime.h"
int sj_chat_xmpp_run(const sj_chat_opts_t *o)
{
    (void)o;
    return 1;
}
