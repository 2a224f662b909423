import type { ColumnType } from "kysely";

/**
 * Column types as both engines return them: 64-bit integers come back as bigint from SQLite (read-bigints mode)
 * and as string from pg, so repositories convert with BigInt()/Number(); booleans are 0/1 on SQLite.
 * Timestamps are milliseconds since the epoch in a bigint column.
 */
export type Int64 = ColumnType<bigint | string, bigint | string | number, bigint | string | number>;
export type NullableInt64 = ColumnType<bigint | string | null, bigint | string | number | null, bigint | string | number | null>;
export type Int = ColumnType<number | bigint, number, number>;
export type Bool = ColumnType<boolean | number | bigint, boolean, boolean>;
export type NullableBool = ColumnType<boolean | number | bigint | null, boolean | null, boolean | null>;
/** Columns with a database default: optional on insert. */
export type DefaultBool = ColumnType<boolean | number | bigint, boolean | undefined, boolean>;
export type DefaultInt64 = ColumnType<bigint | string, bigint | string | number | undefined, bigint | string | number>;
export type DefaultText = ColumnType<string, string | undefined, string>;
