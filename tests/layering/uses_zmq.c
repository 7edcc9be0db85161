/* A probe for the layering test (tests/layering.cmake): it includes <zmq.h>,
 * which some targets are forbidden to use. Building it with the include
 * path of such a target must fail. */
#include <zmq.h>

int sj_layering_probe_zmq(void);
int sj_layering_probe_zmq(void)
{
    return 0;
}
