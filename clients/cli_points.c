/* SCAFFOLD (being replaced): shangju points commands. */
#include "cli.h"

int sj_cli_points(sj_cli_t *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return sj_cli_fail(SJ_CLI_EUSAGE, "points: not available yet");
}

int sj_cli_report(sj_cli_t *cli, int argc, char **argv)
{
    (void)cli, (void)argc, (void)argv;
    return sj_cli_fail(SJ_CLI_EUSAGE, "report: not available yet");
}
