/* An OpenMP program for test_seccomp, which runs it under the built-in
 * filter: libgomp's thread pool (clone with CLONE_THREAD, futexes,
 * sched_getaffinity) must work there.  Exit 77 when built without OpenMP. */
#include "config.h"

#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif

int main(void)
{
#ifdef _OPENMP
        long sum = 0, tasks = 0;
        int threads = 0, i;

        omp_set_num_threads(8);
#pragma omp parallel reduction(+ : threads)
        {
                threads += 1;
#pragma omp barrier
        }
#pragma omp parallel for reduction(+ : sum) schedule(dynamic, 7)
        for (i = 1; i <= 100000; i++)
                sum += i;
#pragma omp parallel
#pragma omp single
        for (i = 0; i < 64; i++) {
#pragma omp task shared(tasks)
                {
#pragma omp atomic
                        tasks++;
                }
        }
        if (threads != 8 || sum != 5000050000L || tasks != 64) {
                printf("omp wrong: threads %d sum %ld tasks %ld\n", threads, sum, tasks);
                return 1;
        }
        printf("omp ok\n");
        return 0;
#else
        return 77;
#endif
}
