/** Row value conversions shared by repositories: each engine returns integers and booleans its own way. */
export const toId = (v: bigint | string | number): bigint => BigInt(v);
export const toIdOrNull = (v: bigint | string | number | null): bigint | null => (v === null ? null : BigInt(v));
export const toNum = (v: bigint | string | number): number => Number(v);
export const toNumOrNull = (v: bigint | string | number | null): number | null => (v === null ? null : Number(v));
export const toBool = (v: boolean | number | bigint | string): boolean => v === true || v === 1 || v === 1n || v === "1" || v === "t";
