/**
 * Many benchmark topics created in a few UPDATE_AND_CREATE_TOPIC_LIST requests instead of one
 * request (and one synced topics.json rewrite on the broker) per topic: 10,000 topics take seconds,
 * not minutes. Chunked so a request body stays around a megabyte.
 */
import { createRequest, RequestCode, ResponseCode } from '../../protocol';
import type { RemotingClient } from '../../remoting';

export const TOPICS_PER_REQUEST = 5000;
const TIMEOUT_MS = 30_000;

export interface TopicListOptions {
  readQueueNums: number;
  writeQueueNums: number;
  perm?: number;
}

export async function createTopicList(client: RemotingClient, brokerAddr: string, topics: readonly string[], o: TopicListOptions): Promise<void> {
  for (let start = 0; start < topics.length; start += TOPICS_PER_REQUEST) {
    const topicConfigList = topics.slice(start, start + TOPICS_PER_REQUEST).map((topicName) => ({
      topicName, readQueueNums: o.readQueueNums, writeQueueNums: o.writeQueueNums, perm: o.perm ?? 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
    }));
    const body = Buffer.from(JSON.stringify({ topicConfigList }), 'utf8');
    const response = await client.invokeSync(brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, {}, body), TIMEOUT_MS);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new Error(`creating ${topicConfigList.length} topics at ${brokerAddr} failed: ${response.remark ?? `response code ${response.code}`}`);
    }
  }
}
