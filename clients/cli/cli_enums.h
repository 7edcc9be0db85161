/* The names of the enum values `shangju` reads and prints (roles, member
 * statuses, wish and compact states, item periods, QR and event subjects)
 * in both languages, from one table: the input side accepts any of them
 * (`--role 居民`, `--state open`) and the output side prints the display
 * name, so what the CLI prints is what it accepts.
 *
 * Each value has its short name (the wire/--json form, sj_enum_short:
 * "open") and a display name marked for translation with a context (the
 * English display name is the short name; "closed" of a wish and "closed"
 * of a compact may read differently in Chinese). */
#ifndef SJ_CLI_ENUMS_H
#define SJ_CLI_ENUMS_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "i18n.h"

/* The display name of value of enum d in the user's language (gettext: "待认领"
 * under LANGUAGE=zh_CN, "open" in English). An enum without a table, or a
 * value missing from it, gives sj_enum_short's name; a value the schema
 * does not know gives NULL. The string is static. */
const char *sj_cli_enum_name(const ProtobufCEnumDescriptor *d, int value);

/* The same in language lang (sj_tr), whatever the locale. */
const char *sj_cli_enum_name_in(sj_lang_t lang,
                                const ProtobufCEnumDescriptor *d, int value);

/* Parse s as a value of d: the short name (ASCII case-insensitive), its
 * display name in English, in Chinese or in the user's language, or the
 * value's number. The UNSPECIFIED value (0) is never accepted. Surrounding
 * spaces (ASCII and U+3000) are ignored. Returns 0 and sets *value, or
 * SJ_EINVAL and leaves *value. */
int sj_cli_enum_parse(const ProtobufCEnumDescriptor *d, const char *s,
                      int *value);

/* The accepted values of d for a message, in the user's language:
 * "resident, merchant, ..." in English, "居民、商户、……" in Chinese
 * (display names, UNSPECIFIED left out). Writes at most cap bytes, always
 * NUL-terminated (cut at a whole name). Returns buf. */
char *sj_cli_enum_choices(const ProtobufCEnumDescriptor *d, char *buf,
                          size_t cap);

#endif
