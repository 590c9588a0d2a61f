/**
 * The embedded broker's process: `cometmq start` with its arguments, plus one duty — when the
 * parent's end of stdin closes (the bench exited, even by SIGKILL), it shuts itself down, so a
 * benchmark never leaves a broker behind. Runs in its own process group, so a Ctrl-C at the
 * terminal reaches only the bench, which then stops this broker after writing its report.
 */
import { main } from '../cli/main';

process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();

main(['start', ...process.argv.slice(2)]).then(
  (code) => {
    process.exitCode = code;
    // stdin keeps the loop alive once the broker has shut down.
    process.stdin.destroy();
  },
  (err: unknown) => {
    console.error(`cometmq: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    process.stdin.destroy();
  },
);
