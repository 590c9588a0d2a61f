/**
 * Java's String.hashCode() of a JS string. Both languages index strings by UTF-16 code units, so
 * the loop is the same: h = 31*h + c over the code units, in 32-bit two's complement.
 * This is the ConsumeQueue tag code of a TAGS value.
 */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
  return hash;
}

/** The ConsumeQueue tags code of a TAGS value (0 when there is none). */
export function tagsHashCode(tags: string | undefined): number {
  return tags === undefined || tags.length === 0 ? 0 : javaStringHash(tags);
}
