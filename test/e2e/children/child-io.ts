/**
 * What the e2e client children share: their JSON configuration from argv[2], their events as JSON
 * lines on stdout, and a graceful stop on SIGTERM that the parent can see.
 */

/** The child's configuration (argv[2], JSON); without one, a usage line and exit code 2. */
export function childConfig<T>(childName: string): T {
  const config = JSON.parse(process.argv[2] ?? 'null') as T | null;
  if (config === null) {
    console.error(`usage: ${childName} <json config>`);
    process.exit(2);
  }
  return config;
}

/** One event, one JSON line on stdout. */
export function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** On SIGTERM: `shutdown()`, then {"event":"stopped"} and exit 0; a failed shutdown says why and exits 1. */
export function stopOnSigterm(shutdown: () => Promise<void>, emitEvent: (event: Record<string, unknown>) => void = emit): void {
  process.on('SIGTERM', () => {
    shutdown().then(() => {
      emitEvent({ event: 'stopped' });
      process.exit(0);
    }, (err: Error) => {
      console.error(`shutdown failed: ${err.message}`);
      process.exit(1);
    });
  });
}
