/**
 * Child process: an ali-ons clustering consumer whose listener never finishes, so it holds its
 * queues and acknowledges nothing. Prints `received <body>` per delivery and `ready` once started;
 * the parent kills it with SIGKILL. argv: <namesrvAddr> <topic> <consumerGroup>.
 */
import { Consumer } from 'ali-ons';

const [namesrvAddr, topic, group] = process.argv.slice(2);
if (namesrvAddr === undefined || topic === undefined || group === undefined) {
  console.error('usage: ali-ons-stuck-consumer <namesrvAddr> <topic> <consumerGroup>');
  process.exit(2);
}
const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: (...args: unknown[]) => console.error(...args) };
const consumer = new Consumer({
  nameSrv: namesrvAddr, httpclient: {}, clientIP: '127.0.0.1', instanceName: 'stuck-consumer', logger: quiet,
  consumerGroup: group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  pollNameServerInteval: 500, heartbeatBrokerInterval: 1000, persistConsumerOffsetInterval: 500, rebalanceInterval: 1000,
});
consumer.on('error', (err: Error) => console.error(`consumer error: ${err.message}`));
consumer.subscribe(topic, '*', async (message) => {
  console.log(`received ${message.body.toString('utf8')}`);
  // Never settles: the message stays unacknowledged until this process dies. The interval keeps
  // the event loop alive, like a listener stuck on real work would.
  await new Promise(() => setInterval(() => undefined, 60_000));
});
consumer.ready().then(() => console.log('ready'), (err: Error) => {
  console.error(`ready failed: ${err.message}`);
  process.exit(1);
});
