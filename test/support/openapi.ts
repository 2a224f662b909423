import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** The Mastodon OpenAPI document (test/fixtures), compiled once per test process. */
const spec = JSON.parse(readFileSync(new URL("../fixtures/mastodon-openapi.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The spec uses this non-standard format for language codes.
ajv.addFormat("iso-639-1", /^[a-z]{2,3}$/);
ajv.addSchema(spec, "mastodon");
const compiled = new Map<string, ValidateFunction>();

function validator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (!v) {
    v = ajv.getSchema(ref);
    if (!v) throw new Error(`no schema at ${ref}`);
    compiled.set(ref, v);
  }
  return v;
}

function explain(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`).join("\n");
}

/** Throws unless `value` is a valid `components.schemas[name]` (Account, Relationship, Application, Token…). */
export function assertEntity(name: string, value: unknown): void {
  const v = validator(`mastodon#/components/schemas/${name}`);
  if (!v(value)) throw new Error(`not a valid ${name}:\n${explain(v)}\n${JSON.stringify(value).slice(0, 1500)}`);
}

/** Throws unless each item is a valid `name`. */
export function assertEntities(name: string, values: unknown): void {
  if (!Array.isArray(values)) throw new Error(`expected an array of ${name}, got ${JSON.stringify(values).slice(0, 300)}`);
  for (const v of values) assertEntity(name, v);
}

const routes = Object.keys(spec.paths)
  .map((p: string) => ({
    p,
    re: new RegExp("^" + p.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, "[^/]+") + "$"),
    literal: !p.includes("{"),
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal) || b.p.length - a.p.length);

/**
 * Throws unless `body` matches the documented response of `method path` with `status` (the operation's own
 * schema, found by path template, literal paths first).
 */
export function assertResponse(method: string, path: string, status: number, body: unknown): void {
  const pathOnly = path.split("?")[0];
  const route = routes.find((r) => r.re.test(pathOnly));
  if (!route) throw new Error(`no documented path matches ${pathOnly}`);
  const op = spec.paths[route.p][method.toLowerCase()];
  if (!op) throw new Error(`no documented ${method} for ${route.p}`);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`status ${status} is not documented for ${method} ${route.p}`);
  if (!response.content?.["application/json"]?.schema) return;
  const ptr = `mastodon#/paths/${route.p.replace(/~/g, "~0").replace(/\//g, "~1")}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const v = validator(ptr);
  if (!v(body)) throw new Error(`${method} ${route.p} ${status} does not match the spec:\n${explain(v)}\n${JSON.stringify(body).slice(0, 1500)}`);
}
