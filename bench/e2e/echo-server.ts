/**
 * The bare-Node ceiling's server: a net server that answers every length-prefixed frame with the
 * same bytes, one write per frame. Run as its own process (`node echo-server.js`); it prints
 * "listening <port>" and serves until SIGTERM.
 */
import * as net from 'node:net';

/** Frames are [u32 length][payload]; the echo returns each complete frame unchanged. */
function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const end = at + 4 + pending.readUInt32BE(at);
      if (end > pending.length) break;
      socket.write(pending.subarray(at, end));
      at = end;
    }
    pending = pending.subarray(at);
  });
  socket.on('error', () => socket.destroy());
}

const server = net.createServer(serve);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
