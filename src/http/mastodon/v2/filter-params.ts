import type { FilterError, FilterInput, KeywordAttributes } from "../../../services/filters/manage-filters.ts";
import { HttpError } from "../../errors.ts";
import { bool, list, str, type ParamValue, type Params } from "../params.ts";

/** Turns a refused filter change into Mastodon's status and message. */
export function filterFailure(error: FilterError): never {
  if (error.kind === "not_found") throw new HttpError(404, "Record not found");
  throw new HttpError(422, error.message);
}

/** A parameter that may be absent (undefined) or given, also empty (JSON null arrives as ""). */
export function present(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === "string" ? v : undefined;
}

/** `context[]` (or `context`) when the client sent it; undefined when absent. */
export function contextParam(params: Params): string[] | undefined {
  return params.context === undefined ? undefined : list(params, "context");
}

const isHash = (v: ParamValue | undefined): v is Params => typeof v === "object" && v !== null && !(v instanceof File) && !Array.isArray(v);

/**
 * `keywords_attributes` as Rails' nested attributes accept it: an array (`[][keyword]`, JSON) or a hash keyed by
 * index (`[0][keyword]`). Entries whose values (but `_destroy`) are all blank are kept with allBlank set.
 */
export function keywordAttributes(params: Params): KeywordAttributes[] | undefined {
  const raw = params.keywords_attributes;
  if (raw === undefined || raw === "") return undefined;
  const entries = Array.isArray(raw) ? raw : isHash(raw) ? Object.values(raw) : [];
  return entries.filter(isHash).map((e) => ({
    id: str(e, "id"),
    keyword: str(e, "keyword"),
    wholeWord: bool(e, "whole_word"),
    destroy: bool(e, "_destroy") ?? false,
    allBlank: Object.entries(e).every(([k, v]) => k === "_destroy" || (typeof v === "string" && v.trim() === "")),
  }));
}

/** The v2 filter fields of a create or update. */
export function filterInput(params: Params): FilterInput {
  return {
    title: present(params, "title"),
    context: contextParam(params),
    action: present(params, "filter_action"),
    expiresIn: present(params, "expires_in"),
    keywords: keywordAttributes(params),
  };
}

