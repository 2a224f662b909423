import type { StatusRecord } from "../../ports/repositories/statuses.ts";
import type { StatusDeps } from "./deps.ts";
import { findVisibleStatus } from "./read-statuses.ts";
import { visibleAmong } from "./status-visibility.ts";

// Mastodon's StatusesController limits: anonymous viewers get a short thread, signed-in ones (nearly) all of it.
const ANONYMOUS = { ancestors: 40, descendants: 60, depth: 20 };
const SIGNED_IN = { ancestors: 4_096, descendants: 4_096, depth: 4_096 };

/** A status's thread around it. */
export interface StatusThread {
  readonly status: StatusRecord;
  /** Up the reply chain, the thread's root first. */
  readonly ancestors: StatusRecord[];
  /** The replies below it, depth first, each level in reply order. */
  readonly descendants: StatusRecord[];
}

async function ancestorsOf(deps: StatusDeps, status: StatusRecord, limit: number): Promise<StatusRecord[]> {
  const chain: StatusRecord[] = [];
  const seen = new Set<bigint>([status.id]);
  let parentId = status.inReplyToId;
  while (parentId !== null && chain.length < limit && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = await deps.db.repos.statuses.findById(parentId);
    if (!parent) break;
    chain.push(parent);
    parentId = parent.inReplyToId;
  }
  return chain.reverse();
}

async function descendantsOf(deps: StatusDeps, status: StatusRecord, limit: number, depth: number): Promise<StatusRecord[]> {
  const links = await deps.db.repos.interactions.descendantLinks(status.id, limit, depth);
  if (links.length === 0) return [];
  const byId = new Map((await deps.db.repos.statuses.findByIds(links.map((l) => l.id))).map((s) => [s.id, s]));
  const children = new Map<bigint, bigint[]>();
  for (const l of links) {
    const list = children.get(l.inReplyToId) ?? [];
    list.push(l.id);
    children.set(l.inReplyToId, list);
  }
  const out: StatusRecord[] = [];
  // Depth first without recursion (threads can be thousands deep); children in id (reply) order.
  const stack = [...(children.get(status.id) ?? [])].sort(compare).reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    const s = byId.get(id);
    if (s) out.push(s);
    stack.push(...[...(children.get(id) ?? [])].sort(compare).reverse());
  }
  return out;
}

const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * GET /statuses/:id/context: the thread around a status the viewer may see (null when they may not). Every
 * status in it passes the visibility policy as in a feed, and statuses by accounts the viewer blocks, mutes or
 * is blocked by are left out, as Mastodon's StatusFilter does.
 */
export async function statusThread(deps: StatusDeps, viewerId: bigint | null, statusId: bigint): Promise<StatusThread | null> {
  const found = await findVisibleStatus(deps, statusId, viewerId);
  if (!found) return null;
  const limits = viewerId === null ? ANONYMOUS : SIGNED_IN;
  const [ancestors, descendants] = await Promise.all([
    ancestorsOf(deps, found.status, limits.ancestors),
    descendantsOf(deps, found.status, limits.descendants, limits.depth),
  ]);
  const visible = new Set((await visibleAmong(deps, viewerId, [...ancestors, ...descendants], { context: "feed", hideMuted: true })).map((s) => s.id));
  return {
    status: found.status,
    ancestors: ancestors.filter((s) => visible.has(s.id)),
    descendants: descendants.filter((s) => visible.has(s.id)),
  };
}
