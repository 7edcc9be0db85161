/* `shangju`: the command-line client of the Shangju broker. main() hands
 * the command line and the environment to sj_cli_main (cli_opts.c), which
 * tests drive in-process; see `shangju --help`. */
#include "cli.h"
#include "i18n.h"

#include <stdlib.h>

static const char *env(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    sj_i18n_init(); /* the user's language: LANGUAGE, LC_ALL, LANG */
    return sj_cli_main(argc, argv, env);
}
