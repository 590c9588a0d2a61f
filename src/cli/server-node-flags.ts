/**
 * Node (V8) flags a server process runs with, as RocketMQ's launch scripts set the JVM's. They
 * must be on the node command line (V8 reads them when it sizes the heap), so they are written out
 * where servers are launched: the `cometmq` bin's shebang, `npm start`, and the benchmark harness,
 * which takes them from here. A test keeps those copies equal to this list.
 *
 * --initial-old-space-size=64: after a burst of traffic V8 grows the young generation to its
 * maximum while the old generation of a broker stays ~8 MB; whenever the old
 * generation's headroom is smaller than the young generation, V8 starts incremental marking, so
 * the broker ran a mark-compact every 300-400 ms for the rest of its life (end-to-end p99 at 10,000
 * msgs/s 4.5-11 ms against 3.8-4.1 ms with the flag, p99.9 11-22 ms against 6.8-7.6). Starting
 * the old generation's limit at 64 MB keeps the headroom above it.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
