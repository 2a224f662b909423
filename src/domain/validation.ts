/** Mastodon's validation error codes (methods/accounts.md, "Register an account"). */
export type ValidationCode =
  | "ERR_BLANK"
  | "ERR_INVALID"
  | "ERR_TAKEN"
  | "ERR_RESERVED"
  | "ERR_ACCEPTED"
  | "ERR_TOO_LONG"
  | "ERR_TOO_SHORT"
  | "ERR_INCLUSION"
  | "ERR_BLOCKED"
  | "ERR_UNREACHABLE";

/** One problem with one input field, worded as Rails words it ("can't be blank"). */
export interface FieldError {
  readonly field: string;
  readonly code: ValidationCode;
  readonly description: string;
}

const LABELS: Record<string, string> = {
  redirect_uri: "Redirect URI",
  email: "Email",
};

function label(field: string): string {
  return LABELS[field] ?? field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, " ");
}

/** Rails' full message: "Validation failed: Username has already been taken, Password can't be blank". */
export function validationMessage(errors: readonly FieldError[]): string {
  return `Validation failed: ${errors.map((e) => `${label(e.field)} ${e.description}`).join(", ")}`;
}

/** The `details` object of a Mastodon 422: field → [{ error, description }]. */
export function validationDetails(errors: readonly FieldError[]): Record<string, { error: string; description: string }[]> {
  const details: Record<string, { error: string; description: string }[]> = {};
  for (const e of errors) (details[e.field] ??= []).push({ error: e.code, description: e.description });
  return details;
}

/** Shorthands for the messages Rails uses. */
export const fieldError = {
  blank: (field: string): FieldError => ({ field, code: "ERR_BLANK", description: "can't be blank" }),
  invalid: (field: string, description = "is invalid"): FieldError => ({ field, code: "ERR_INVALID", description }),
  taken: (field: string): FieldError => ({ field, code: "ERR_TAKEN", description: "has already been taken" }),
  reserved: (field: string): FieldError => ({ field, code: "ERR_RESERVED", description: "is reserved" }),
  accepted: (field: string): FieldError => ({ field, code: "ERR_ACCEPTED", description: "must be accepted" }),
  tooLong: (field: string, max: number): FieldError => ({ field, code: "ERR_TOO_LONG", description: `is too long (maximum is ${max} characters)` }),
  tooShort: (field: string, min: number): FieldError => ({ field, code: "ERR_TOO_SHORT", description: `is too short (minimum is ${min} characters)` }),
  inclusion: (field: string): FieldError => ({ field, code: "ERR_INCLUSION", description: "is not included in the list" }),
};
