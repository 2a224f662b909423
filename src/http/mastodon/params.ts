import type { Context } from "hono";
import { HttpError } from "../errors.ts";

export type ParamValue = string | File | ParamValue[] | { [key: string]: ParamValue };
export type Params = { [key: string]: ParamValue };

const MAX_KEYS = 1_000;
/** Deepest JSON nesting read; Mastodon's parameters go three levels deep, and recursion must not exhaust the stack. */
const MAX_JSON_DEPTH = 32;

/**
 * The request's parameters as Mastodon reads them: JSON bodies as they are; form and multipart bodies (and the
 * query string) with Rails' bracket keys turned into nesting: `id[]=1&id[]=2` → `{ id: ["1","2"] }`,
 * `fields_attributes[0][name]=x` → `{ fields_attributes: { "0": { name: "x" } } }`. Body values win over query
 * values. Hand-written because no library does Rails' exact rules over both URLSearchParams and FormData.
 */
export async function readParams(c: Context): Promise<Params> {
  const params: Params = {};
  const query = new URL(c.req.url).searchParams;
  let count = 0;
  for (const [k, v] of query) {
    if (++count > MAX_KEYS) throw new HttpError(400, "Too many parameters");
    assign(params, k, v);
  }
  const method = c.req.method;
  if (method === "GET" || method === "HEAD") return params;
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) {
    let body: unknown;
    try {
      const text = await c.req.text();
      body = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      throw new HttpError(400, "The request body is not valid JSON");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "The request body must be a JSON object");
    return { ...params, ...(fromJson(body) as Params) };
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    let form: Iterable<[string, string | File]>;
    try {
      // A urlencoded form (what browsers and most clients send) is read as Request.formData() reads one, by
      // URLSearchParams, without building a FormData: a measurable part of a small POST's cost.
      form = type === "multipart/form-data" ? ((await c.req.formData()) as Iterable<[string, string | File]>) : new URLSearchParams(await c.req.text());
    } catch {
      throw new HttpError(400, "The request body could not be read as a form");
    }
    const body: Params = {};
    for (const [k, v] of form) {
      if (++count > MAX_KEYS) throw new HttpError(400, "Too many parameters");
      assign(body, k, v);
    }
    return { ...params, ...body };
  }
  return params;
}

/** JSON values are kept, but numbers and booleans become strings, as form values are, so one parser serves all. */
function fromJson(value: unknown, depth = 0): ParamValue {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return String(value);
  if (depth >= MAX_JSON_DEPTH) throw new HttpError(400, "The request body is nested too deeply");
  if (Array.isArray(value)) return value.map((v) => fromJson(v, depth + 1));
  const out: Params = {};
  // As for form keys: "__proto__" would set the object's prototype instead of a parameter.
  for (const [k, v] of Object.entries(value)) if (k !== "__proto__") out[k] = fromJson(v, depth + 1);
  return out;
}

/** Whether `path` (bracket parts, "" for an array) already leads to a value in `node`. */
function hasPath(node: ParamValue, path: readonly string[]): boolean {
  let cur: ParamValue | undefined = node;
  for (const part of path) {
    if (part === "") return Array.isArray(cur);
    if (cur === undefined || typeof cur !== "object" || cur instanceof File || Array.isArray(cur) || !Object.hasOwn(cur, part)) return false;
    cur = cur[part];
  }
  return true;
}

function assign(target: Params, key: string, value: string | File): void {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m) {
    target[key] = value;
    return;
  }
  const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])];
  let node: Params | ParamValue[] = target;
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const last = i === path.length - 1;
    if (part === "") {
      if (!Array.isArray(node)) return;
      if (last) node.push(value);
      else {
        // Rails: `a[][k]=1&a[][j]=2&a[][k]=3` is [{k:1, j:2}, {k:3}]: a key joins the last hash until it repeats.
        const prev = node[node.length - 1];
        const reuse = typeof prev === "object" && !(prev instanceof File) && !Array.isArray(prev) && !hasPath(prev, path.slice(i + 1));
        const child: Params = reuse ? (prev as Params) : {};
        if (!reuse) node.push(child);
        node = child;
      }
      continue;
    }
    if (Array.isArray(node)) return;
    if (part === "__proto__" || part === "constructor" || part === "prototype") return;
    if (last) {
      node[part] = value;
    } else {
      const nextIsArray = path[i + 1] === "";
      const existing: ParamValue | undefined = node[part];
      if (nextIsArray ? !Array.isArray(existing) : typeof existing !== "object" || existing instanceof File || Array.isArray(existing))
        node[part] = nextIsArray ? [] : {};
      node = node[part] as Params | ParamValue[];
    }
  }
}

/** A string parameter, or undefined when absent or not a string. */
export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === "string" ? v : undefined;
}

/** A boolean the way Rails casts it: "1", "true", "t", "on", "yes" are true; absent is undefined. */
export function bool(params: Params, key: string): boolean | undefined {
  const v = str(params, key);
  if (v === undefined || v === "") return undefined;
  return ["1", "true", "t", "on", "yes", "y"].includes(v.toLowerCase());
}

/** An array parameter (`id[]=1&id[]=2`, a JSON array, or a single value). */
export function list(params: Params, key: string): string[] {
  const v = params[key];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  if (typeof v === "string") return [v];
  if (v && typeof v === "object" && !(v instanceof File)) return Object.values(v).filter((x): x is string => typeof x === "string");
  return [];
}

/** An uploaded file parameter. */
export function file(params: Params, key: string): File | undefined {
  const v = params[key];
  return v instanceof File ? v : undefined;
}
