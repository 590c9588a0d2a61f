/** LanguageCode (LanguageCode.java): JSON headers carry the name, ROCKETMQ binary headers the byte. */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;

export type LanguageName = keyof typeof LanguageCode;

const LANGUAGE_BY_BYTE: readonly LanguageName[] = Object.freeze(
  (Object.keys(LanguageCode) as LanguageName[]).sort((a, b) => LanguageCode[a] - LanguageCode[b]),
);

/** A peer's language byte as a name; unknown bytes read as OTHER (the field is informative only). */
export function languageFromByte(byte: number): LanguageName {
  return LANGUAGE_BY_BYTE[byte] ?? 'OTHER';
}

/** A peer's language name; unknown names read as OTHER. */
export function languageFromName(name: unknown): LanguageName {
  return typeof name === 'string' && Object.hasOwn(LanguageCode, name) ? (name as LanguageName) : 'OTHER';
}

/**
 * Ordinals of MQVersion.Version that change server behaviour. Responses carry a modern version
 * (Java clients refuse SQL92 against brokers older than V4_1_0_SNAPSHOT).
 */
export const MQVersion = {
  V3_0_6: 27,
  V3_4_9: 121,
  V4_0_0: 213,
  V4_1_0_SNAPSHOT: 232,
  V4_5_0: 313,
  V4_9_0: 393,
  /** From here on the name server answers routes in standard JSON (quoted integer keys). */
  V4_9_4: 401,
  V5_0_0: 413,
  V5_1_0: 433,
  V5_2_0: 453,
  V5_3_0: 473,
  V5_3_1: 475,
  V5_3_2: 477,
  V5_3_3: 479,
} as const;

/** The version CometMQ puts in every command it sends. */
export const CURRENT_VERSION = MQVersion.V5_3_3;
