/* MPI_Allreduce wall-clock time, as nccl-tests times a collective: float32 sum of MIB MiB per
 * rank, one warm-up, then ITERS timed calls, each between barriers; prints the best time of
 * the slowest rank in ms. Built and run by benchmarks/runtime-vs-mpi.mjs. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const long mib = argc > 1 ? atol(argv[1]) : 64;
  const int iters = argc > 2 ? atoi(argv[2]) : 5;
  const long count = mib * 1024 * 1024 / 4;
  float *in = malloc(count * sizeof(float)), *out = malloc(count * sizeof(float));
  for (long i = 0; i < count; i++) in[i] = (float)((rank * 37 + i * 11 + 5) % 53);
  MPI_Allreduce(in, out, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  double best = 1e30;
  for (int it = 0; it < iters; it++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    MPI_Allreduce(in, out, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double mine = MPI_Wtime() - t0, slowest;
    MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (slowest < best) best = slowest;
  }
  if (rank == 0) printf("%.3f\n", best * 1e3);
  free(in);
  free(out);
  MPI_Finalize();
  return 0;
}
