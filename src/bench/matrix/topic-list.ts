/**
 * Many benchmark topics created in a few UPDATE_AND_CREATE_TOPIC_LIST requests instead of one
 * request (and one synced topics.json rewrite on the broker, ~15 ms) per topic: 10,000 topics take
 * about a second, not minutes. Chunked so a request body stays around a megabyte. A broker without
 * the code (RocketMQ 4.x) answers REQUEST_CODE_NOT_SUPPORTED: the caller then creates one by one.
 */
import type { RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';

export const TOPICS_PER_REQUEST = 5000;

/** What sends a request to a broker (the CLI's AdminClient has this shape). */
export interface BrokerCaller {
  call(address: string, code: number, extFields: Record<string, string>, body?: Buffer): Promise<RemotingCommand>;
}

export interface TopicListOptions {
  readQueueNums: number;
  writeQueueNums: number;
  perm?: number;
}

/** Creates (or updates) `topics` on one broker; false when the broker does not support lists. */
export async function createTopicList(client: BrokerCaller, brokerAddr: string, topics: readonly string[], o: TopicListOptions): Promise<boolean> {
  for (let start = 0; start < topics.length; start += TOPICS_PER_REQUEST) {
    const topicConfigList = topics.slice(start, start + TOPICS_PER_REQUEST).map((topicName) => ({
      topicName, readQueueNums: o.readQueueNums, writeQueueNums: o.writeQueueNums, perm: o.perm ?? 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
    }));
    const body = Buffer.from(JSON.stringify({ topicConfigList }), 'utf8');
    const response = await client.call(brokerAddr, RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, {}, body);
    if (response.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED && start === 0) return false;
    if (response.code !== ResponseCode.SUCCESS) {
      throw new Error(`creating ${topicConfigList.length} topics at ${brokerAddr} failed: ${response.remark ?? `response code ${response.code}`}`);
    }
  }
  return true;
}
