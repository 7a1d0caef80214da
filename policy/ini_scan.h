/* A read of a policy file's layout that iniparser does not give: the
 * section and key names as written (iniparser folds their case), the line
 * each stands on, and each duplicate (iniparser keeps the last value of a
 * repeated key without a word).  Values are still taken from iniparser;
 * this only names what is where, so that errors can say file:line. */
#ifndef JC_INI_SCAN_H
#define JC_INI_SCAN_H

#include "util.h"

/* iniparser 4.1 reads a line into a 1024-byte buffer and refuses longer. */
#define JC_INI_LINE_MAX 1022

struct jc_ini_entry {
        int line;
        char *section; /* as written, NULL before any section header */
        char *key;     /* NULL for a section header */
        char *value;   /* as written (blanks trimmed), NULL for a section header */
};

struct jc_ini_scan {
        struct jc_ini_entry *v;
        size_t n;
};

/* Scan PATH; problems iniparser would hide (line too long, key outside a
 * section, a line that is neither) go to DIAGS as "PATH:LINE: text".
 * Returns -1 with ERR only when the file cannot be read at all. */
int jc_ini_scan(const char *path, struct jc_ini_scan *scan, struct jc_strv *diags,
                struct jc_error *err);
void jc_ini_scan_free(struct jc_ini_scan *scan);

#endif
