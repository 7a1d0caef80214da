/* A hook for the cleanup tests: with JOBCELL_TEST_STOP=PHASE in its
 * environment the runner stops itself (SIGSTOP) where PHASE begins, so a
 * test can kill -9 it there and check that nothing is left.  Harmless in
 * production: it only ever stops the runner itself, and the Slurm
 * hand-over starts the runner with an empty environment. */
#ifndef JC_TESTSTOP_H
#define JC_TESTSTOP_H

void jc_test_stop(const char *phase);

#endif
