/**
 * Enum values of the Parquet format (parquet.thrift) and of Thrift's compact protocol that the
 * pipeline's writer (parquet-writer.ts) and footer reader (parquet-footer.ts, used by verify)
 * both need: defined once, from the specifications.
 */

/** Thrift compact protocol: field and element types. */
export const THRIFT = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

/** Parquet physical types used by the extracts. */
export const TYPE = { INT32: 1, DOUBLE: 5, BYTE_ARRAY: 6 } as const;

/** Parquet converted types used by the extracts. */
export const CONVERTED = { UTF8: 0, LIST: 3, DATE: 6, INT_32: 17 } as const;

/** Parquet field repetition. */
export const REPETITION = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
