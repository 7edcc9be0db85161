/* A probe for the layering test (tests/layering.cmake): it includes <cairo.h>,
 * which some targets are forbidden to use. Building it with the include
 * path of such a target must fail. */
#include <cairo.h>

int sj_layering_probe_cairo(void);
int sj_layering_probe_cairo(void)
{
    return 0;
}
