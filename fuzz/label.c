/*
 * Fuzz target: the CCA key label parser (backend/label.c), which reads
 * labels from ibm4767: URIs, CCA KEY LABEL files and the ibm4767-keys
 * command line.  The input is "PATTERN\nLABEL" (or only LABEL).  Beyond
 * "no crash" it checks the properties the key storage relies on: a
 * canonical label parses to itself, matches itself and the pattern "*",
 * and survives the round trip through CCA's 64-byte label field.
 */
#include <config.h>

#include <string.h>

#include <ibm4767/keystore.h>

#include "fuzz.h"

/* Longer than any label, so that the length checks are reached. */
#define TEXT_MAX 256
#define DETAIL_LEN 512

static int canonical_chars(const char *label)
{
    for (const char *p = label; *p != '\0'; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '#' || *p == '$' || *p == '@' || *p == '.'))
            return 0;
    }
    return 1;
}

static void check_label(const char *text)
{
    char label[CCA_LABEL_TEXT_MAX + 1], again[CCA_LABEL_TEXT_MAX + 1];
    char field[CCA_LABEL_LEN + 1];
    char detail[DETAIL_LEN];

    if (!cca_label_parse(text, label, detail, sizeof(detail))) {
        FUZZ_CHECK(memchr(detail, '\0', sizeof(detail)) != NULL);
        return;
    }
    FUZZ_CHECK(strlen(label) >= 1 && strlen(label) <= CCA_LABEL_TEXT_MAX);
    FUZZ_CHECK(canonical_chars(label));
    FUZZ_CHECK(cca_label_parse(label, again, detail, sizeof(detail)));
    FUZZ_CHECK(strcmp(label, again) == 0);
    FUZZ_CHECK(cca_label_match(label, label));
    FUZZ_CHECK(cca_label_match("*", label));

    cca_label_to_field(label, field);
    field[CCA_LABEL_LEN] = '\0';
    FUZZ_CHECK(cca_label_parse(field, again, detail, sizeof(detail)));
    FUZZ_CHECK(strcmp(label, again) == 0);
}

static void check_pattern(const char *pattern_text, const char *label_text)
{
    char pattern[CCA_LABEL_TEXT_MAX + 1], label[CCA_LABEL_TEXT_MAX + 1];
    char detail[DETAIL_LEN];

    if (!cca_label_pattern_parse(pattern_text, pattern, detail,
                                 sizeof(detail)))
        return;
    if (!cca_label_parse(label_text, label, detail, sizeof(detail)))
        return;
    /* The result does not matter here, only that matching any pair of
     * parsed values is safe. */
    (void)cca_label_match(pattern, label);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[TEXT_MAX + 1];
    char *newline;

    if (size > TEXT_MAX)
        size = TEXT_MAX;
    memcpy(text, data, size);
    text[size] = '\0';

    newline = strchr(text, '\n');
    if (newline == NULL) {
        check_label(text);
        check_pattern(text, text);
        return 0;
    }
    *newline = '\0';
    check_label(newline + 1);
    check_pattern(text, newline + 1);
    return 0;
}
