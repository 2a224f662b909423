import { HttpError } from "../errors.ts";

/** The refusals most services share (statuses, relationships, polls…), whatever else each may add. */
export type CommonRefusal =
  | { readonly kind: "not_found" }
  | { readonly kind: "forbidden" }
  | { readonly kind: "conflict"; readonly message: string }
  | { readonly kind: "invalid"; readonly message: string };

/** Turns a refused change into Mastodon's status and message. */
export function refuse(error: CommonRefusal): never {
  switch (error.kind) {
    case "not_found":
      throw new HttpError(404, "Record not found");
    case "forbidden":
      throw new HttpError(403, "This action is not allowed");
    case "conflict":
      throw new HttpError(409, error.message);
    case "invalid":
      throw new HttpError(422, error.message);
  }
}
