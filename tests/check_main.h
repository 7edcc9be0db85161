/* The main() every Check suite shares: run the suite built by `fn`, exit
 * non-zero when any check failed. */
#ifndef SJ_CHECK_MAIN_H
#define SJ_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define SJ_CHECK_MAIN(fn)                                                      \
    int main(void)                                                             \
    {                                                                          \
        SRunner *sr = srunner_create(fn());                                    \
        srunner_run_all(sr, CK_NORMAL);                                        \
        int failed = srunner_ntests_failed(sr);                                \
        srunner_free(sr);                                                      \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                           \
    }

#endif
