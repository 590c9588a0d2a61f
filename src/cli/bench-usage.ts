/**
 * The bench command's line in `cometmq help`, apart from the command itself: the CLI loads the
 * benchmark harness (peers, histograms, workloads) only when `cometmq bench` runs.
 */
export const BENCH_COMMAND_USAGE = 'bench producer|consumer|e2e|store [--size B] [--threads N] [--rate N] [--namesrv ADDR] [--json FILE] ...\n' +
  '  bench flush-matrix [--grid quick|default|FILE] | topic-scaling [--topics 1,64,...]   many runs, one report (--help)';
