#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "teststop.h"

void jc_test_stop(const char *phase)
{
        const char *want = getenv("JOBCELL_TEST_STOP");

        if (want != NULL && strcmp(want, phase) == 0)
                raise(SIGSTOP);
}
