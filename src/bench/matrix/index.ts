export { runFlushMatrixCommand, FLUSH_MATRIX_USAGE, EXIT_BAD_GRID, EXIT_INTERRUPTED } from './flush-matrix-command';
export { runTopicScalingCommand, TOPIC_SCALING_USAGE } from './topic-scaling-command';
export { DEFAULT_GRID, QUICK_GRID, expandGrid, loadGrid, parseGrid, GridError, type Grid, type GridPlan, type MatrixCell } from './grid';
export { runCells, type CellPlan, type CellsOutcome } from './run-cells';
export { startBrokerProcess, type BrokerProcess } from './broker-process';
export { runProducerProcess, readBenchResult, type ProducerWorkload } from './producer-process';
