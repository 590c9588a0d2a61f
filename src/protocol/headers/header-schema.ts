import { mqError } from '../errors';

/**
 * Typed request/response headers over `extFields`. A header is declared once as a schema (property
 * name -> wire key, type, mandatory); the same schema decodes (strings -> typed object, with
 * ERR_HEADER_FIELD_MISSING / ERR_HEADER_FIELD_MALFORMED, both answered SYSTEM_ERROR as RocketMQ
 * does) and encodes (typed object -> strings). Parsing follows Java's header decoding: Integer.parseInt
 * for int, Long.parseLong for long, Boolean.parseBoolean (anything but "true" is false) for boolean.
 */
export type FieldType = 'string' | 'int' | 'long' | 'boolean';

export interface FieldSpec<T extends FieldType = FieldType, R extends boolean = boolean> {
  readonly type: T;
  readonly isRequired: R;
  /** The extFields key when it differs from the property name (V2 letters, MSG_REGION, ...). */
  readonly wire?: string;
}

export type HeaderSchema = Readonly<Record<string, FieldSpec>>;

type FieldValue<T extends FieldType> = T extends 'string' ? string : T extends 'boolean' ? boolean : number;

/** The typed header a schema describes: mandatory fields required, the others optional. */
export type HeaderOf<S extends HeaderSchema> = {
  -readonly [K in keyof S as S[K]['isRequired'] extends true ? K : never]: FieldValue<S[K]['type']>;
} & {
  -readonly [K in keyof S as S[K]['isRequired'] extends true ? never : K]?: FieldValue<S[K]['type']> | undefined;
};

export function required<T extends FieldType>(type: T, wire?: string): FieldSpec<T, true> {
  return wire === undefined ? { type, isRequired: true } : { type, isRequired: true, wire };
}

export function optional<T extends FieldType>(type: T, wire?: string): FieldSpec<T, false> {
  return wire === undefined ? { type, isRequired: false } : { type, isRequired: false, wire };
}

export interface HeaderCodec<S extends HeaderSchema> {
  /** Name used in error messages (the Java header class). */
  readonly name: string;
  readonly schema: S;
  decode(extFields: Readonly<Record<string, string>>): HeaderOf<S>;
  encode(header: HeaderOf<S>): Record<string, string>;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export function defineHeader<S extends HeaderSchema>(name: string, schema: S): HeaderCodec<S> {
  const entries = Object.entries(schema).map(([property, spec]) => ({
    property,
    wire: spec.wire ?? property,
    type: spec.type,
    isRequired: spec.isRequired,
  }));
  return Object.freeze({
    name,
    schema,
    decode(extFields: Readonly<Record<string, string>>): HeaderOf<S> {
      const out: Record<string, string | number | boolean> = {};
      for (const field of entries) {
        const text = Object.hasOwn(extFields, field.wire) ? extFields[field.wire] : undefined;
        if (text === undefined) {
          if (field.isRequired) {
            throw mqError('ERR_HEADER_FIELD_MISSING', `the custom field <${field.wire}> is null (${name})`);
          }
          continue;
        }
        out[field.property] = parseField(text, field.type, field.wire, name);
      }
      return out as HeaderOf<S>;
    },
    encode(header: HeaderOf<S>): Record<string, string> {
      const out: Record<string, string> = {};
      const values = header as Record<string, string | number | boolean | undefined>;
      for (const field of entries) {
        const value = values[field.property];
        if (value === undefined) {
          if (field.isRequired) throw new TypeError(`${name}.${field.property} is required`);
          continue;
        }
        out[field.wire] = String(value);
      }
      return out;
    },
  });
}

function parseField(text: string, type: FieldType, wire: string, header: string): string | number | boolean {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return text.toLowerCase() === 'true';
    case 'int': {
      const n = INTEGER_TEXT.test(text) ? Number(text) : Number.NaN;
      if (!(n >= INT32_MIN && n <= INT32_MAX)) throw malformed(text, 'an int', wire, header);
      return n;
    }
    case 'long': {
      if (!INTEGER_TEXT.test(text)) throw malformed(text, 'a long', wire, header);
      const n = Number(text);
      // Beyond 2^53 only sentinels occur (Long.MAX_VALUE as an open end time); keep their sign.
      if (!Number.isSafeInteger(n)) {
        if (text.replace(/^[+-]/, '').replace(/^0+/, '').length > 19) throw malformed(text, 'a long', wire, header);
        return n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
      }
      return n;
    }
  }
}

function malformed(text: string, what: string, wire: string, header: string): Error {
  return mqError(
    'ERR_HEADER_FIELD_MALFORMED',
    `the custom field <${wire}> is not ${what}: ${JSON.stringify(text.slice(0, 64))} (${header})`,
  );
}
