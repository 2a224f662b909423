import { err, ok, type Result } from "../../domain/result.ts";
import type { Cache } from "../../ports/cache.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database, Tx } from "../../ports/database.ts";
import type { FilterAction, FilterChanges, FilterKeywordRecord, FilterRecord, FilterStatusRecord, FilterWithRules } from "../../ports/repositories/filters.ts";
import { findVisibleStatus } from "../statuses/read-statuses.ts";
import { FILTER_CONTEXTS } from "./apply-filters.ts";
import { forgetFilters } from "./filter-cache.ts";
import { jobRequest } from "../../ports/job-queue.ts";
import { streamFiltersChangedJob } from "../streaming/stream-jobs.ts";

/** What managing filters uses. */
export interface FilterDeps {
  readonly db: Database;
  readonly cache: Cache;
  readonly clock: Clock;
}

/** Why a filter change was refused (routes map each kind to Mastodon's status and message). */
export type FilterError = { readonly kind: "not_found" } | { readonly kind: "invalid"; readonly message: string };

/** Mastodon's CustomFilter::TITLE_LENGTH_LIMIT and CustomFilterKeyword::KEYWORD_LENGTH_LIMIT. */
export const TITLE_MAX = 256;
export const KEYWORD_MAX = 512;
const ACTIONS: readonly FilterAction[] = ["warn", "hide", "blur"];
/** Mastodon's message when the v1 API would change a filter that has several keywords. */
export const V1_MULTIPLE_KEYWORDS =
  "These parameters cannot be changed from this application because they apply to more than one filter keyword. Use a more recent application or the web interface.";

const notFound = () => err<FilterError>({ kind: "not_found" });
const invalid = (problems: readonly string[]) => err<FilterError>({ kind: "invalid", message: `Validation failed: ${problems.join(", ")}` });

/** One entry of `keywords_attributes` as Rails' nested attributes read it. */
export interface KeywordAttributes {
  readonly id?: string;
  readonly keyword?: string;
  readonly wholeWord?: boolean;
  readonly destroy: boolean;
  /** Every attribute but `_destroy` is blank: Rails' `reject_if: :all_blank` skips the entry. */
  readonly allBlank: boolean;
}

/** A filter's fields as the client sent them; absent ones are left alone on update. */
export interface FilterInput {
  readonly title?: string;
  readonly context?: readonly string[];
  readonly action?: string;
  /** Seconds from now; "" (or null in JSON) means never; absent leaves it. */
  readonly expiresIn?: string;
  readonly keywords?: readonly KeywordAttributes[];
}

/** Rails' `interval.to_i.seconds.from_now`, or null (never) for a blank interval. */
function expiryFrom(now: number, expiresIn: string): number | null {
  if (expiresIn.trim() === "") return null;
  const seconds = Number.parseInt(expiresIn.trim(), 10);
  return now + (Number.isFinite(seconds) ? seconds : 0) * 1000;
}

/** The furthest instant from 1970 a Date can hold (±8.64e15 ms); an expiry beyond it cannot be rendered. */
const MAX_DATE_MS = 8.64e15;

/**
 * Mastodon's Expireable would hand such an interval to the database, which refuses it (a 500 there): here the
 * value is refused as a validation problem instead.
 */
function expiryProblems(now: number, expiresIn: string | undefined): string[] {
  if (expiresIn === undefined) return [];
  const at = expiryFrom(now, expiresIn);
  return at === null || Math.abs(at) <= MAX_DATE_MS ? [] : ["Expires at is out of range"];
}

/** Mastodon normalizes contexts (strip, drop blanks), then requires at least one, all known. */
function normalizeContext(context: readonly string[]): string[] {
  return context.map((c) => c.trim()).filter((c) => c !== "");
}

function contextProblems(context: readonly string[]): string[] {
  if (context.length === 0) return ["Context can't be blank", "Context None or invalid context supplied"];
  if (context.some((c) => !(FILTER_CONTEXTS as readonly string[]).includes(c))) return ["Context None or invalid context supplied"];
  return [];
}

function titleProblems(title: string, label = "Title"): string[] {
  if (title.trim() === "") return [`${label} can't be blank`];
  if ([...title].length > TITLE_MAX) return [`${label} is too long (maximum is ${TITLE_MAX} characters)`];
  return [];
}

function keywordProblems(keyword: string, label: string): string[] {
  if (keyword.trim() === "") return [`${label} can't be blank`];
  if ([...keyword].length > KEYWORD_MAX) return [`${label} is too long (maximum is ${KEYWORD_MAX} characters)`];
  return [];
}

/** The filter's own fields from the input, validated; `current` is the filter being updated. */
function filterChanges(input: FilterInput, now: number, current: FilterRecord | null): { changes: FilterChanges; problems: string[] } {
  const problems: string[] = [];
  const changes: { -readonly [K in keyof FilterChanges]: FilterChanges[K] } = {};
  if (input.title !== undefined || !current) {
    changes.title = input.title ?? "";
    problems.push(...titleProblems(changes.title));
  }
  if (input.context !== undefined || !current) {
    changes.context = normalizeContext(input.context ?? []);
    problems.push(...contextProblems(changes.context));
  }
  if (input.action !== undefined && input.action !== "") {
    if ((ACTIONS as readonly string[]).includes(input.action)) changes.action = input.action as FilterAction;
    else problems.push("Filter action is not included in the list");
  } else if (!current) changes.action = "warn";
  if (input.expiresIn !== undefined) changes.expiresAt = expiryFrom(now, input.expiresIn);
  else if (!current) changes.expiresAt = null;
  problems.push(...expiryProblems(now, input.expiresIn));
  return { changes, problems };
}

type KeywordPlan =
  | { readonly op: "add"; readonly keyword: string; readonly wholeWord: boolean }
  | { readonly op: "update"; readonly id: bigint; readonly keyword?: string; readonly wholeWord?: boolean }
  | { readonly op: "delete"; readonly id: bigint };

/** Rails' nested attributes over the filter's keywords: an id names one of them (else 404), `_destroy` removes. */
function planKeywords(attrs: readonly KeywordAttributes[], existing: readonly FilterKeywordRecord[]): { plan: KeywordPlan[]; problems: string[] } | null {
  const plan: KeywordPlan[] = [];
  const problems: string[] = [];
  for (const a of attrs) {
    if (a.allBlank) continue;
    const id = a.id?.trim();
    if (id !== undefined && id !== "") {
      const found = existing.find((k) => String(k.id) === id);
      if (!found) return null;
      if (a.destroy) plan.push({ op: "delete", id: found.id });
      else {
        if (a.keyword !== undefined) problems.push(...keywordProblems(a.keyword, "Keywords keyword"));
        plan.push({ op: "update", id: found.id, keyword: a.keyword, wholeWord: a.wholeWord });
      }
      continue;
    }
    if (a.destroy) continue;
    const keyword = a.keyword ?? "";
    problems.push(...keywordProblems(keyword, "Keywords keyword"));
    // The column's default, as Mastodon's: a keyword is whole-word unless the client says otherwise.
    plan.push({ op: "add", keyword, wholeWord: a.wholeWord ?? true });
  }
  return { plan, problems };
}

async function applyKeywordPlan(tx: Tx, filterId: bigint, plan: readonly KeywordPlan[], now: number): Promise<void> {
  for (const p of plan) {
    if (p.op === "delete") await tx.filters.deleteKeyword(p.id);
    else if (p.op === "update") await tx.filters.updateKeyword(p.id, { keyword: p.keyword, wholeWord: p.wholeWord }, now);
    else await tx.filters.addKeyword({ id: await tx.nextId(), filterId, keyword: p.keyword, wholeWord: p.wholeWord, now });
  }
}

/** Runs a change of `accountId`'s filters in a transaction and forgets their cached filters once it commits. */
async function changing<T>(deps: FilterDeps, accountId: bigint, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const result = await fn(tx);
    tx.afterCommit(() => forgetFilters(deps.cache, [accountId]));
    // Open user streams learn of it (Mastodon's filters_changed) once the change has committed.
    await tx.enqueue([jobRequest(streamFiltersChangedJob, { accountId: String(accountId) })]);
    return result;
  });
}

async function reload(deps: FilterDeps, accountId: bigint, filterId: bigint): Promise<Result<FilterWithRules, FilterError>> {
  const filter = await deps.db.repos.filters.findById(accountId, filterId);
  return filter ? ok(filter) : notFound();
}

/** Every filter of the account, with keywords and statuses (v2 index). */
export function listFilters(deps: FilterDeps, accountId: bigint): Promise<FilterWithRules[]> {
  return deps.db.repos.filters.listByAccount(accountId);
}

/** One of the account's filters, or null. */
export function findFilter(deps: FilterDeps, accountId: bigint, filterId: bigint): Promise<FilterWithRules | null> {
  return deps.db.repos.filters.findById(accountId, filterId);
}

/**
 * Creates a filter with its keywords (v2 create), with Mastodon's validations. A keyword attribute with an id
 * names nothing on a new filter: not found, as Mastodon answers.
 */
export async function createFilter(deps: FilterDeps, accountId: bigint, input: FilterInput): Promise<Result<FilterWithRules, FilterError>> {
  const now = deps.clock.now();
  const { changes, problems } = filterChanges(input, now, null);
  const keywords = planKeywords(input.keywords ?? [], []);
  if (!keywords) return notFound();
  problems.push(...keywords.problems);
  if (problems.length > 0) return invalid(problems);
  const id = await changing(deps, accountId, async (tx) => {
    const id = await tx.nextId();
    await tx.filters.create({
      id,
      accountId,
      title: changes.title!,
      context: changes.context!,
      action: changes.action!,
      expiresAt: changes.expiresAt ?? null,
      now,
    });
    await applyKeywordPlan(tx, id, keywords.plan, now);
    return id;
  });
  return reload(deps, accountId, id);
}

/** Changes a filter and its keywords (v2 update); absent fields stay. */
export async function updateFilter(deps: FilterDeps, accountId: bigint, filterId: bigint, input: FilterInput): Promise<Result<FilterWithRules, FilterError>> {
  const current = await deps.db.repos.filters.findById(accountId, filterId);
  if (!current) return notFound();
  const now = deps.clock.now();
  const { changes, problems } = filterChanges(input, now, current);
  const keywords = planKeywords(input.keywords ?? [], current.keywords);
  if (!keywords) return notFound();
  problems.push(...keywords.problems);
  if (problems.length > 0) return invalid(problems);
  await changing(deps, accountId, async (tx) => {
    await tx.filters.update(filterId, changes, now);
    await applyKeywordPlan(tx, filterId, keywords.plan, now);
  });
  return reload(deps, accountId, filterId);
}

/** Deletes a filter with its keywords and statuses. */
export async function deleteFilter(deps: FilterDeps, accountId: bigint, filterId: bigint): Promise<Result<void, FilterError>> {
  const current = await deps.db.repos.filters.findById(accountId, filterId);
  if (!current) return notFound();
  await changing(deps, accountId, (tx) => tx.filters.delete(filterId));
  return ok(undefined);
}

/** Adds a keyword to one of the account's filters (whole_word defaults to true, as Mastodon's column). */
export async function addKeyword(
  deps: FilterDeps,
  accountId: bigint,
  filterId: bigint,
  input: { readonly keyword?: string; readonly wholeWord?: boolean },
): Promise<Result<FilterKeywordRecord, FilterError>> {
  const filter = await deps.db.repos.filters.findById(accountId, filterId);
  if (!filter) return notFound();
  const keyword = input.keyword ?? "";
  const problems = keywordProblems(keyword, "Keyword");
  if (problems.length > 0) return invalid(problems);
  const record = { id: 0n, filterId, keyword, wholeWord: input.wholeWord ?? true };
  const id = await changing(deps, accountId, async (tx) => {
    const id = await tx.nextId();
    await tx.filters.addKeyword({ ...record, id, now: deps.clock.now() });
    return id;
  });
  return ok({ ...record, id });
}

/** One keyword of the account's filters, or null. */
export async function findKeyword(deps: FilterDeps, accountId: bigint, keywordId: bigint): Promise<FilterKeywordRecord | null> {
  return (await deps.db.repos.filters.findKeyword(accountId, keywordId))?.keyword ?? null;
}

/** Changes a keyword's text and/or whole_word. */
export async function updateKeyword(
  deps: FilterDeps,
  accountId: bigint,
  keywordId: bigint,
  input: { readonly keyword?: string; readonly wholeWord?: boolean },
): Promise<Result<FilterKeywordRecord, FilterError>> {
  const found = await deps.db.repos.filters.findKeyword(accountId, keywordId);
  if (!found) return notFound();
  if (input.keyword !== undefined) {
    const problems = keywordProblems(input.keyword, "Keyword");
    if (problems.length > 0) return invalid(problems);
  }
  await changing(deps, accountId, (tx) => tx.filters.updateKeyword(keywordId, input, deps.clock.now()));
  return ok({ ...found.keyword, keyword: input.keyword ?? found.keyword.keyword, wholeWord: input.wholeWord ?? found.keyword.wholeWord });
}

/** Removes a keyword from its filter. */
export async function deleteKeyword(deps: FilterDeps, accountId: bigint, keywordId: bigint): Promise<Result<void, FilterError>> {
  const found = await deps.db.repos.filters.findKeyword(accountId, keywordId);
  if (!found) return notFound();
  await changing(deps, accountId, (tx) => tx.filters.deleteKeyword(keywordId));
  return ok(undefined);
}

/**
 * Adds a status to one of the account's filters. The status must exist and be visible to the account
 * (Mastodon's CustomFilterStatus validations), and be in the filter once.
 */
export async function addFilterStatus(
  deps: FilterDeps,
  accountId: bigint,
  filterId: bigint,
  statusId: bigint | null,
): Promise<Result<FilterStatusRecord, FilterError>> {
  const filter = await deps.db.repos.filters.findById(accountId, filterId);
  if (!filter) return notFound();
  if (statusId === null) return invalid(["Status must exist"]);
  const status = await deps.db.repos.statuses.findById(statusId);
  if (!status) return invalid(["Status must exist"]);
  if (!(await findVisibleStatus(deps, statusId, accountId))) return invalid(["Status is invalid"]);
  const id = await changing(deps, accountId, async (tx) => {
    const id = await tx.nextId();
    return (await tx.filters.addStatus({ id, filterId, statusId, now: deps.clock.now() })) ? id : null;
  });
  if (id === null) return invalid(["Status has already been taken"]);
  return ok({ id, filterId, statusId });
}

/** One status entry of the account's filters, or null. */
export function findFilterStatus(deps: FilterDeps, accountId: bigint, filterStatusId: bigint): Promise<FilterStatusRecord | null> {
  return deps.db.repos.filters.findStatus(accountId, filterStatusId);
}

/** Removes a status from its filter. */
export async function removeFilterStatus(deps: FilterDeps, accountId: bigint, filterStatusId: bigint): Promise<Result<void, FilterError>> {
  const found = await deps.db.repos.filters.findStatus(accountId, filterStatusId);
  if (!found) return notFound();
  await changing(deps, accountId, (tx) => tx.filters.deleteStatus(filterStatusId));
  return ok(undefined);
}

/** A v1 filter: one keyword seen with its filter's settings (the id is the keyword's, as in Mastodon). */
export interface V1Filter {
  readonly keyword: FilterKeywordRecord;
  readonly filter: FilterRecord;
}

/** The v1 API's input. */
export interface V1FilterInput {
  readonly phrase?: string;
  readonly context?: readonly string[];
  readonly irreversible?: boolean;
  readonly wholeWord?: boolean;
  readonly expiresIn?: string;
}

/** Every keyword of the account's filters as a v1 filter. */
export function listV1Filters(deps: FilterDeps, accountId: bigint): Promise<V1Filter[]> {
  return deps.db.repos.filters.keywordsByAccount(accountId);
}

/** One v1 filter (a keyword id), or null. */
export function findV1Filter(deps: FilterDeps, accountId: bigint, keywordId: bigint): Promise<V1Filter | null> {
  return deps.db.repos.filters.findKeyword(accountId, keywordId);
}

/**
 * Creates a v1 filter the way Mastodon maps it: a filter titled with the phrase (`irreversible` → hide) holding
 * that one keyword. whole_word defaults to false here, as the v1 documentation says.
 */
export async function createV1Filter(deps: FilterDeps, accountId: bigint, input: V1FilterInput): Promise<Result<V1Filter, FilterError>> {
  const now = deps.clock.now();
  const phrase = input.phrase ?? "";
  const context = normalizeContext(input.context ?? []);
  const problems = [...titleProblems(phrase, "Phrase"), ...contextProblems(context)];
  if (problems.length === 0) problems.push(...keywordProblems(phrase, "Phrase"));
  problems.push(...expiryProblems(now, input.expiresIn));
  if (problems.length > 0) return invalid(problems);
  const keywordId = await changing(deps, accountId, async (tx) => {
    const filterId = await tx.nextId();
    await tx.filters.create({
      id: filterId,
      accountId,
      title: phrase,
      context,
      action: input.irreversible ? "hide" : "warn",
      expiresAt: input.expiresIn === undefined ? null : expiryFrom(now, input.expiresIn),
      now,
    });
    const keywordId = await tx.nextId();
    await tx.filters.addKeyword({ id: keywordId, filterId, keyword: phrase, wholeWord: input.wholeWord ?? false, now });
    return keywordId;
  });
  const created = await deps.db.repos.filters.findKeyword(accountId, keywordId);
  return created ? ok(created) : notFound();
}

/**
 * Updates a v1 filter: the phrase and whole_word change the keyword; the phrase (as title), contexts,
 * irreversible and expiry change its filter, which Mastodon refuses when that filter has other keywords too.
 */
export async function updateV1Filter(deps: FilterDeps, accountId: bigint, keywordId: bigint, input: V1FilterInput): Promise<Result<V1Filter, FilterError>> {
  const found = await deps.db.repos.filters.findKeyword(accountId, keywordId);
  if (!found) return notFound();
  const now = deps.clock.now();
  const { filter } = found;
  const problems: string[] = [];
  const changes: { -readonly [K in keyof FilterChanges]: FilterChanges[K] } = {};
  if (input.phrase !== undefined) {
    problems.push(...keywordProblems(input.phrase, "Phrase"));
    if (input.phrase !== filter.title) changes.title = input.phrase;
  }
  if (input.context !== undefined) {
    const context = normalizeContext(input.context);
    problems.push(...contextProblems(context));
    if (JSON.stringify(context) !== JSON.stringify(filter.context)) changes.context = context;
  }
  if (input.irreversible !== undefined) {
    const action: FilterAction = input.irreversible ? "hide" : "warn";
    if (action !== filter.action) changes.action = action;
  }
  if (input.expiresIn !== undefined) changes.expiresAt = expiryFrom(now, input.expiresIn);
  problems.push(...expiryProblems(now, input.expiresIn));
  if (problems.length > 0) return invalid(problems);
  const refused = await changing(deps, accountId, async (tx) => {
    await tx.filters.updateKeyword(keywordId, { keyword: input.phrase, wholeWord: input.wholeWord }, now);
    if (Object.keys(changes).length === 0) return false;
    if ((await tx.filters.countKeywords(filter.id)) > 1) throw new MultipleKeywords();
    await tx.filters.update(filter.id, changes, now);
    return false;
  }).catch((e: unknown) => {
    if (e instanceof MultipleKeywords) return true;
    throw e;
  });
  if (refused) return invalid([V1_MULTIPLE_KEYWORDS]);
  const updated = await deps.db.repos.filters.findKeyword(accountId, keywordId);
  return updated ? ok(updated) : notFound();
}

/** Rolls the v1 update back (the keyword change too) when it would change a filter shared by other keywords. */
class MultipleKeywords extends Error {}

/** Deletes a v1 filter: the keyword (its filter stays, as in Mastodon). */
export function deleteV1Filter(deps: FilterDeps, accountId: bigint, keywordId: bigint): Promise<Result<void, FilterError>> {
  return deleteKeyword(deps, accountId, keywordId);
}
