/* A small MPI program for tests/slurm/mpi.sh: an allreduce over all ranks
 * and a token passed around the ring, then one line per rank.  Built by
 * the test with Debian's mpicc.mpich or mpicc.openmpi. */
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        int rank, size, sum = 0, one, token = -1;

        MPI_Init(&argc, &argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        one = rank + 1;
        MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        if (size > 1 && rank == 0) {
                token = 42;
                MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
                MPI_Recv(&token, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (size > 1) {
                MPI_Recv(&token, 1, MPI_INT, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
        }
        printf("rank %d of %d: sum %d token %d pid %d\n", rank, size, sum, token, (int)getpid());
        MPI_Finalize();
        return 0;
}
