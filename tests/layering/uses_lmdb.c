/* A probe for the layering test (tests/layering.cmake): it includes <lmdb.h>,
 * which some targets are forbidden to use. Building it with the include
 * path of such a target must fail. */
#include <lmdb.h>

int sj_layering_probe_lmdb(void);
int sj_layering_probe_lmdb(void)
{
    return 0;
}
