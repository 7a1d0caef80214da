/* /etc/passwd and /etc/group inside the sandbox: the image's entries plus
 * the job's user and groups, so that id, whoami, ls -l and $HOME work.
 * The files are written to the staging tmpfs and bound over the image's
 * (which is never modified). */
#ifndef JC_PASSWD_H
#define JC_PASSWD_H

#include "job.h"
#include "userns.h"

/* Build both files' text from the image root IMAGEFD (its etc/passwd and
 * etc/group, read inside the image root) and the job. */
int jc_passwd_build(int imagefd, const struct jc_job *job, const struct jc_ids *ids, char **passwd,
                    char **group, struct jc_error *err);

#endif
