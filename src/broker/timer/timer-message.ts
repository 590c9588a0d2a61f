/**
 * The send side of 5.x timer messages (RIP-43): a message carrying TIMER_DELIVER_MS (absolute ms),
 * TIMER_DELAY_SEC or TIMER_DELAY_MS (first present wins, as RocketMQ's HookUtils) is stored in
 * rmq_sys_wheel_timer queue 0 with its real topic and queue in REAL_TOPIC / REAL_QID and its due
 * time in TIMER_OUT_MS; the timer wheel (timer-wheel-service.ts) re-puts it when due. A due time
 * already reached is stored straight in the real topic. A DELAY level takes precedence.
 */
import { MessageConst, MessageSysFlag, transactionType } from '../../message/message-const';
import { mqError } from '../../protocol/errors';

/** The internal topic timer messages wait in (RocketMQ TimerMessageStore.TIMER_TOPIC). */
export const TIMER_TOPIC = 'rmq_sys_wheel_timer';
/** The due time the broker computed, ms since the epoch (RocketMQ PROPERTY_TIMER_OUT_MS). */
export const TIMER_OUT_MS = 'TIMER_OUT_MS';

export interface TimerSettings {
  readonly timerWheelEnable: boolean;
  readonly timerMaxDelaySec: number;
}

/** Cheap pre-check on the wire form of the properties (runs on every send). */
export function mayHaveTimer(propertiesText: string): boolean {
  return propertiesText.includes('TIMER_');
}

/**
 * The due time of a message with timer properties, or undefined when it has none (or a DELAY level,
 * or a transaction type the schedule does not apply to). Bad values throw MESSAGE_ILLEGAL; a broker
 * with timerWheelEnable=false answers SYSTEM_ERROR as RocketMQ does (WHEEL_TIMER_NOT_ENABLE).
 */
export function timerDueTime(properties: Readonly<Record<string, string>>, sysFlag: number, now: number, settings: TimerSettings): number | undefined {
  const deliverMs = properties[MessageConst.TIMER_DELIVER_MS];
  const delaySec = properties[MessageConst.TIMER_DELAY_SEC];
  const delayMs = properties[MessageConst.TIMER_DELAY_MS];
  if (deliverMs === undefined && delaySec === undefined && delayMs === undefined) return undefined;
  if (Number(properties[MessageConst.DELAY] ?? '0') > 0) return undefined;
  const tranType = transactionType(sysFlag);
  if (tranType !== MessageSysFlag.TRANSACTION_NOT_TYPE && tranType !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) return undefined;
  if (!settings.timerWheelEnable) {
    throw mqError('ERR_SYSTEM_ERROR', 'accurate timer message is not enabled, timerWheelEnable is false');
  }
  let due: number;
  if (deliverMs !== undefined) due = parseLong(MessageConst.TIMER_DELIVER_MS, deliverMs);
  else if (delaySec !== undefined) due = now + parseLong(MessageConst.TIMER_DELAY_SEC, delaySec) * 1000;
  else due = now + parseLong(MessageConst.TIMER_DELAY_MS, delayMs as string);
  const maxDelayMs = settings.timerMaxDelaySec * 1000;
  if (!Number.isSafeInteger(due) || due - now > maxDelayMs) {
    throw mqError('ERR_MESSAGE_ILLEGAL',
      `timer message illegal, the delay time should not be bigger than the max delay ${maxDelayMs}ms (timerMaxDelaySec=${settings.timerMaxDelaySec}); due time ${due} is ${due - now} ms away`);
  }
  return due;
}

/**
 * The properties of the parked record: REAL_TOPIC, REAL_QID and TIMER_OUT_MS FIRST, then the
 * message's own (so the wheel finds the due time at once and strips its bookkeeping with one slice).
 */
export function parkedProperties(properties: Readonly<Record<string, string>>, target: { topic: string; queueId: number }, due: number): Record<string, string> {
  const parked: Record<string, string> = {
    [MessageConst.REAL_TOPIC]: target.topic, [MessageConst.REAL_QID]: String(target.queueId), [TIMER_OUT_MS]: String(due),
  };
  for (const name in properties) if (!(name in parked)) parked[name] = properties[name] as string;
  return parked;
}

/**
 * What a delivered timer message carries: the stored properties minus the broker's bookkeeping and
 * the relative delays (a delivered message sent again, e.g. from a DLQ, must not wait again; an
 * absolute TIMER_DELIVER_MS stays: it is in the past by then and tells consumers the due time).
 */
export function deliveredTimerProperties(stored: Readonly<Record<string, string>>): Record<string, string> {
  const properties = { ...stored };
  delete properties[MessageConst.REAL_TOPIC];
  delete properties[MessageConst.REAL_QID];
  delete properties[TIMER_OUT_MS];
  delete properties[MessageConst.TIMER_DELAY_SEC];
  delete properties[MessageConst.TIMER_DELAY_MS];
  return properties;
}

/** A Java long in decimal (Long.parseLong), refused with the property's name otherwise. */
function parseLong(name: string, value: string): number {
  if (!/^-?\d{1,19}$/.test(value)) throw mqError('ERR_MESSAGE_ILLEGAL', `timer message illegal: ${name} must be an integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw mqError('ERR_MESSAGE_ILLEGAL', `timer message illegal: ${name}=${value} is out of range`);
  return n;
}
