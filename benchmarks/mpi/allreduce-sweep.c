/* An MPI_Allreduce size sweep as `weft bench allreduce -b MIN -e MAX -f FACTOR` runs one:
 * float32 sum, one timed call per size (weft's -n 1 -w 0), each after a barrier; rank 0
 * prints "bytes seconds" per size: from the last rank's start to the last rank's end. Ranks
 * leave a barrier up to a link latency apart (SMPI's linear barrier: rank 0 releases the others
 * by messages), and the time from a common start is what weft reports; the clocks are one
 * simulated clock, so the ends and starts of different ranks compare.
 * Built with smpicc and run under SimGrid's smpirun by benchmarks/smpi-vs-weft.mjs, so the
 * times are SMPI's simulated seconds (MPI_Wtime is the simulated clock there).
 * Buffers come from SMPI_SHARED_MALLOC when SMPI provides it: every rank maps the same pages,
 * so 8 ranks × 2 × 256 MiB do not need 4 GiB, and SMPI skips copying message payloads out of
 * shared blocks (the closest SMPI comes to weft's ghost mode). -DPLAIN_MALLOC: malloc instead.
 * -DNOOP_OP: reduce with a user MPI_Op that does nothing, so SMPI computes no sums either
 * (with smpi/simulate-computation:no the simulated times are identical in all three builds). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(SMPI_SHARED_MALLOC) && !defined(PLAIN_MALLOC)
#define BUFFER_ALLOC(bytes) SMPI_SHARED_MALLOC(bytes)
#define BUFFER_FREE(p) SMPI_SHARED_FREE(p)
#else
#define BUFFER_ALLOC(bytes) malloc(bytes)
#define BUFFER_FREE(p) free(p)
#endif

#define MAX_SIZES 64

#ifdef NOOP_OP
static void no_reduction(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)in, (void)inout, (void)len, (void)type;
}
#endif

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
#ifdef NOOP_OP
  MPI_Op op;
  MPI_Op_create(no_reduction, 1, &op);
#else
  MPI_Op op = MPI_SUM;
#endif
  const long min_bytes = argc > 1 ? atol(argv[1]) : 4;
  const long max_bytes = argc > 2 ? atol(argv[2]) : 256L << 20;
  const long factor = argc > 3 ? atol(argv[3]) : 4;
  if (min_bytes < 4 || max_bytes < min_bytes || factor < 2) {
    if (rank == 0) fprintf(stderr, "usage: allreduce-sweep MIN_BYTES MAX_BYTES FACTOR (MIN >= 4, FACTOR >= 2)\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  float *in = BUFFER_ALLOC(max_bytes), *out = BUFFER_ALLOC(max_bytes);
  long sizes[MAX_SIZES];
  double mine[2 * MAX_SIZES], latest[2 * MAX_SIZES]; /* [2i]: start of size i, [2i+1]: its end */
  int n = 0;
  for (long bytes = min_bytes; bytes <= max_bytes && n < MAX_SIZES; bytes *= factor) {
    const int count = (int)(bytes / 4);
    MPI_Barrier(MPI_COMM_WORLD);
    mine[2 * n] = MPI_Wtime();
    MPI_Allreduce(in, out, count, MPI_FLOAT, op, MPI_COMM_WORLD);
    mine[2 * n + 1] = MPI_Wtime();
    sizes[n++] = bytes;
  }
  /* One reduction of all the times at the end, so the timed calls run back to back. */
  MPI_Reduce(mine, latest, 2 * n, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0)
    for (int i = 0; i < n; i++) printf("%ld %.9e\n", sizes[i], latest[2 * i + 1] - latest[2 * i]);
  BUFFER_FREE(in);
  BUFFER_FREE(out);
  MPI_Finalize();
  return 0;
}
