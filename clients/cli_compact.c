/* SCAFFOLD (being replaced): shangju compact commands. */
#include "cli.h"

int sj_cli_compact(sj_cli_t *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return sj_cli_fail(SJ_CLI_EUSAGE, "compact: not available yet");
}
