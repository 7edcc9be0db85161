/* libFuzzer target: the CLI printing whatever a broker (or a man in the
 * middle of a misconfigured deployment) sends back. A frame is decoded as
 * the client library decodes it (sj_codec_reply_decode / _event_decode)
 * and printed by `shangju` (sj_cli_print_reply / sj_cli_print_event), as
 * JSON or for humans: clients/pbjson.c, the tables and the record view of
 * clients/cli_out.c (display widths of UTF-8 text, dates).
 *
 * Input: byte 0 bit 0 picks Reply (0) or Event (1), bit 1 --json; the
 * rest is the frame. Output goes to /dev/null. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "codec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!freopen("/dev/null", "w", stdout))
        abort();
    setenv("TZ", "Asia/Shanghai", 1); /* dates print in a fixed zone */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    sj_cli_t cli = {.opts = {.json = (data[0] & 2) != 0}};
    if (data[0] & 1) {
        Shangju__Event *ev = sj_codec_event_decode(data + 1, size - 1);
        if (ev) {
            sj_cli_print_event(&cli, ev);
            shangju__event__free_unpacked(ev, NULL);
        }
    } else {
        Shangju__Reply *r = sj_codec_reply_decode(data + 1, size - 1);
        if (r) {
            sj_cli_print_reply(&cli, r);
            shangju__reply__free_unpacked(r, NULL);
        }
    }
    return 0;
}
