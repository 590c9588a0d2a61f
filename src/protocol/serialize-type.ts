/** Header serialization, the high byte of the frame's header-length word. */
export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const;

export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType];
