import { domainToASCII } from "node:url";
import type { InstanceSettings } from "../../domain/instance.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { DomainBlockRecord } from "../../ports/repositories/domain-moderation.ts";

/** What federation with one remote domain may do, from the instance's domain blocks and allows. */
export interface DomainPolicy {
  /** Refuse everything: inbox, delivery, fetches; its accounts are suspended. */
  readonly suspended: boolean;
  /** Its accounts are silenced (hidden from public timelines and from people who do not follow them). */
  readonly silenced: boolean;
  /** Do not fetch or keep its media. */
  readonly rejectMedia: boolean;
  /** Ignore its reports (Flag activities). */
  readonly rejectReports: boolean;
  /** False under LIMITED_FEDERATION_MODE for a domain not allowed: refuse it as if suspended. */
  readonly allowed: boolean;
  /**
   * When the block that applies was made, or null when none does: the value to put in suspended_at / silenced_at
   * of an account newly discovered on the domain, so that lifting the block lifts it too.
   */
  readonly blockedAt: number | null;
}

/** What the policy lookup reads. */
export interface DomainPolicyDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly instance: Pick<InstanceSettings, "localDomain" | "webDomain" | "limitedFederationMode">;
}

const OPEN: DomainPolicy = { suspended: false, silenced: false, rejectMedia: false, rejectReports: false, allowed: true, blockedAt: null };

/** Results are kept this long per process; a change made in another process (the CLI) applies within it. */
export const DOMAIN_POLICY_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Facts {
  readonly block: DomainBlockRecord | null;
  /** Only looked up under LIMITED_FEDERATION_MODE; null when not yet. */
  readonly allowListed: boolean | null;
  readonly at: number;
}

/**
 * One cache per database, so that two instances in one process (federation tests) never see each other's blocks.
 * The generation makes a lookup that started before an invalidation drop its result instead of storing it.
 */
interface PolicyCache {
  generation: number;
  readonly entries: Map<string, Facts>;
}
const caches = new WeakMap<Database, PolicyCache>();

function cacheOf(db: Database): PolicyCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = { generation: 0, entries: new Map() }));
  return c;
}

/** Drops the cached policies of this database (call after a block or allow changed, once it committed). */
export function forgetDomainPolicies(db: Database): void {
  const c = cacheOf(db);
  c.generation++;
  c.entries.clear();
}

export type DomainProblem = { readonly kind: "invalid_domain"; readonly message: string };

/**
 * A domain as the operator typed it, as Herd stores domains: lower-case, IDN in punycode, no trailing dot, with
 * `:port` kept. A leading `*.` is dropped (a block covers subdomains anyway). Refuses URLs, paths, handles.
 */
export function normalizeDomain(input: string): { ok: true; domain: string } | { ok: false; error: DomainProblem } {
  const bad = (message: string) => ({ ok: false as const, error: { kind: "invalid_domain" as const, message } });
  let s = input.trim();
  if (s === "") return bad("the domain is empty");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let host = "";
    try {
      host = new URL(s).host;
    } catch {
      // Fall through to the generic message.
    }
    return bad(`give the domain alone, without a scheme or path${host ? ` (${JSON.stringify(host)}?)` : ""}`);
  }
  if (/[/?#@\s\\]/.test(s)) return bad("a domain holds no path, query, user name or spaces, e.g. example.com");
  if (s.startsWith("*.")) s = s.slice(2);
  let host = s;
  let port: string | null = null;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(s);
  if (v6) {
    host = `[${v6[1].toLowerCase()}]`;
    port = v6[2] ?? null;
    if (!/^[0-9a-f:.]*:[0-9a-f:.]*$/i.test(v6[1])) return bad(`${JSON.stringify(input)} is not an IPv6 address`);
  } else {
    const m = /^([^:]+)(?::(\d+))?$/.exec(s);
    if (!m) return bad(`${JSON.stringify(input)} is not a domain (a port is written domain:1234)`);
    host = m[1].replace(/\.$/, "");
    port = m[2] ?? null;
    const ascii = domainToASCII(host);
    if (!ascii) return bad(`${JSON.stringify(input)} is not a valid domain name`);
    host = ascii.toLowerCase();
    if (host.length > 253) return bad("the domain is longer than 253 characters");
    const labels = host.split(".");
    if (labels.some((l) => !/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l)))
      return bad(`${JSON.stringify(input)} is not a valid domain name (labels are letters, digits and inner hyphens, at most 63 long)`);
  }
  if (port !== null) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return bad(`the port in ${JSON.stringify(input)} is not between 1 and 65535`);
    port = String(n);
  }
  return { ok: true, domain: port === null ? host : `${host}:${port}` };
}

/** The host without the port, and the port (null when none). */
function splitPort(domain: string): { host: string; port: string | null } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(domain);
  return m ? { host: m[1], port: m[2] ?? null } : { host: domain, port: null };
}

const isIp = (host: string) => host.startsWith("[") || /^\d+(\.\d+){3}$/.test(host);

/**
 * The block domains that would cover `domain`, most specific first: the domain and each parent domain, each with
 * the port (when the domain has one) before without. IP addresses have no parents.
 */
export function coveringDomains(domain: string): string[] {
  const { host, port } = splitPort(domain);
  const hosts: string[] = [];
  if (isIp(host)) hosts.push(host);
  else {
    const labels = host.split(".");
    for (let i = 0; i < labels.length; i++) hosts.push(labels.slice(i).join("."));
  }
  return hosts.flatMap((h) => (port === null ? [h] : [`${h}:${port}`, h]));
}

/** A domain as callers pass it (host or host:port, any case, maybe IDN), in stored form; null when unusable. */
function lookupForm(domain: string): string | null {
  const simple = domain.trim().toLowerCase();
  // Hosts from URLs and accounts.domain are ASCII already: skip the full check on the hot path.
  if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*(:\d{1,5})?$/.test(simple)) return simple;
  const n = normalizeDomain(domain);
  return n.ok ? n.domain : null;
}

async function facts(deps: DomainPolicyDeps, domain: string, needAllow: boolean): Promise<Facts> {
  const cache = cacheOf(deps.db);
  const now = deps.clock.now();
  const hit = cache.entries.get(domain);
  if (hit && now - hit.at < DOMAIN_POLICY_TTL_MS && (!needAllow || hit.allowListed !== null)) return hit;
  const generation = cache.generation;
  const candidates = coveringDomains(domain);
  const { host } = splitPort(domain);
  const repo = deps.db.repos.domainModeration;
  const [blocks, allows] = await Promise.all([
    repo.blocksAmong(candidates),
    needAllow ? repo.allowsAmong(domain === host ? [domain] : [domain, host]) : Promise.resolve(null),
  ]);
  const rank = new Map(candidates.map((c, i) => [c, i]));
  const block = blocks.sort((a, b) => rank.get(a.domain)! - rank.get(b.domain)!)[0] ?? null;
  const found: Facts = { block, allowListed: allows === null ? null : allows.length > 0, at: now };
  if (cache.generation === generation) {
    cache.entries.delete(domain);
    cache.entries.set(domain, found);
    if (cache.entries.size > MAX_ENTRIES) cache.entries.delete(cache.entries.keys().next().value!);
  }
  return found;
}

/**
 * The policy for a remote domain (`host` or `host:port`, as accounts.domain holds it): the most specific domain
 * block covering it (blocking example.com covers a.example.com and every port), and under LIMITED_FEDERATION_MODE
 * whether it is allowed (exactly, as Mastodon's allow-list: allowing example.com does not allow a.example.com;
 * an allow without a port covers every port). Cached per process for DOMAIN_POLICY_TTL_MS: cheap to call on
 * every activity. Null (a local account) and this instance's own domain get the open policy; a name that is no
 * domain at all is refused (allowed false).
 */
export async function domainPolicy(deps: DomainPolicyDeps, domain: string | null): Promise<DomainPolicy> {
  if (domain === null) return OPEN;
  const d = lookupForm(domain);
  if (d === null) return { ...OPEN, allowed: false };
  if (d === deps.instance.localDomain.toLowerCase() || d === deps.instance.webDomain.toLowerCase()) return OPEN;
  const limited = deps.instance.limitedFederationMode === true;
  const f = await facts(deps, d, limited);
  const b = f.block;
  return {
    suspended: b?.severity === "suspend",
    silenced: b?.severity === "silence",
    rejectMedia: b?.rejectMedia ?? false,
    rejectReports: b?.rejectReports ?? false,
    allowed: !limited || f.allowListed === true,
    blockedAt: b && b.severity !== "noop" ? b.createdAt : null,
  };
}

/** True when nothing may be exchanged with the domain (suspended, or not allowed): for the inbox and delivery. */
export async function isDomainRefused(deps: DomainPolicyDeps, domain: string | null): Promise<boolean> {
  const p = await domainPolicy(deps, domain);
  return p.suspended || !p.allowed;
}
