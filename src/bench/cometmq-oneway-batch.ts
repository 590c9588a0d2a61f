/**
 * A one-way batch: the SDK has one-way single sends and awaited batches but no one-way batch, so
 * the bench builds the SEND_MESSAGE_V2 batch request itself from the SDK's own encoders and hands
 * it to the producer's client instance one-way. Queues are taken round-robin, as the producer does.
 */
import { encodeBatchBody } from '../protocol/batch-body';
import { mqError } from '../protocol/errors';
import { MessageClientIdGenerator } from '../client/message-client-id';
import type { Producer } from '../client/producer/producer';
import { prepareMessage, sendBatchRequest } from '../client/producer/send-request';

const ids = new MessageClientIdGenerator('127.0.0.1', process.pid, () => Date.now());
let nextQueue = 0;

export async function sendBatchOneway(producer: Producer, topic: string, bodies: readonly Buffer[]): Promise<void> {
  const queues = await producer.publishQueues(topic);
  const queue = queues[nextQueue++ % queues.length]!;
  const instance = producer.clientInstance;
  const address = instance.masterAddress(queue.brokerName);
  if (address === undefined) throw mqError('ERR_BROKER_NOT_EXIST', `the master of broker ${queue.brokerName} is not known`);
  const entries = bodies.map((body) => {
    const prepared = prepareMessage({ topic, body }, body, ids.next(), undefined);
    return { flag: prepared.flag, body: prepared.body, properties: prepared.properties };
  });
  const target = {
    producerGroup: producer.config.groupName, topic, queueId: queue.queueId, defaultTopic: producer.config.createTopicKey,
    defaultTopicQueueNums: producer.config.defaultTopicQueueNums,
  };
  await instance.invokeOneway(address, sendBatchRequest(target, encodeBatchBody(entries), Date.now()), producer.config.sendMsgTimeoutMs);
}
