/**
 * One subscription as HEART_BEAT's HeartbeatData carries it (SubscriptionData.java): what a
 * consumer sends and what the broker keeps per group. Field names are the wire's.
 */
export interface SubscriptionData {
  readonly topic: string;
  /** The expression as written ("TagA || TagB", "*"). */
  readonly subString: string;
  readonly tagsSet: readonly string[];
  /** Java String.hashCode of each tag: what the broker filters ConsumeQueue units by. */
  readonly codeSet: readonly number[];
  readonly subVersion: number;
  readonly expressionType: string;
  readonly classFilterMode: boolean;
}
