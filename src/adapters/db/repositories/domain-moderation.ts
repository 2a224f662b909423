import { sql, type Kysely, type Selectable } from "kysely";
import type {
  DomainAccountMark,
  DomainAllowRecord,
  DomainBlockRecord,
  DomainBlockSeverity,
  DomainModerationRepository,
} from "../../../ports/repositories/domain-moderation.ts";
import type { DomainBlocksTable, Tables } from "../schema.ts";
import { toBool, toId, toNum } from "./convert.ts";

const COLUMN = { suspended: "suspended_at", silenced: "silenced_at" } as const;

function blockOf(r: Selectable<DomainBlocksTable>): DomainBlockRecord {
  return {
    id: toId(r.id),
    domain: r.domain,
    severity: r.severity as DomainBlockSeverity,
    rejectMedia: toBool(r.reject_media),
    rejectReports: toBool(r.reject_reports),
    obfuscate: toBool(r.obfuscate),
    privateComment: r.private_comment,
    publicComment: r.public_comment,
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

/** `%` and `_` are LIKE wildcards; domains may hold `_`. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => "\\" + c);

export class KyselyDomainModerationRepository implements DomainModerationRepository {
  #db: Kysely<Tables>;
  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async findBlock(domain: string): Promise<DomainBlockRecord | null> {
    const row = await this.#db.selectFrom("domain_blocks").selectAll().where("domain", "=", domain).executeTakeFirst();
    return row ? blockOf(row) : null;
  }

  async blocksAmong(domains: readonly string[]): Promise<DomainBlockRecord[]> {
    if (domains.length === 0) return [];
    const rows = await this.#db.selectFrom("domain_blocks").selectAll().where("domain", "in", [...domains]).execute();
    return rows.map(blockOf);
  }

  async listBlocks(): Promise<DomainBlockRecord[]> {
    const rows = await this.#db.selectFrom("domain_blocks").selectAll().orderBy("domain").execute();
    return rows.map(blockOf);
  }

  async saveBlock(b: DomainBlockRecord): Promise<void> {
    const fields = {
      severity: b.severity,
      reject_media: b.rejectMedia,
      reject_reports: b.rejectReports,
      obfuscate: b.obfuscate,
      private_comment: b.privateComment,
      public_comment: b.publicComment,
      updated_at: b.updatedAt,
    };
    await this.#db
      .insertInto("domain_blocks")
      .values({ id: b.id, domain: b.domain, created_at: b.createdAt, ...fields })
      .onConflict((oc) => oc.column("domain").doUpdateSet(fields))
      .execute();
  }

  async removeBlock(domain: string): Promise<boolean> {
    const r = await this.#db.deleteFrom("domain_blocks").where("domain", "=", domain).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async allowsAmong(domains: readonly string[]): Promise<string[]> {
    if (domains.length === 0) return [];
    const rows = await this.#db.selectFrom("domain_allows").select("domain").where("domain", "in", [...domains]).execute();
    return rows.map((r) => r.domain);
  }

  async listAllows(): Promise<DomainAllowRecord[]> {
    const rows = await this.#db.selectFrom("domain_allows").selectAll().orderBy("domain").execute();
    return rows.map((r) => ({ id: toId(r.id), domain: r.domain, createdAt: toNum(r.created_at) }));
  }

  async addAllow(a: DomainAllowRecord): Promise<boolean> {
    const r = await this.#db
      .insertInto("domain_allows")
      .values({ id: a.id, domain: a.domain, created_at: a.createdAt })
      .onConflict((oc) => oc.column("domain").doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async removeAllow(domain: string): Promise<boolean> {
    const r = await this.#db.deleteFrom("domain_allows").where("domain", "=", domain).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Remote accounts on `domain` or under it; a domain without a port covers every port. */
  #onDomain(domain: string) {
    const d = likeEscape(domain);
    const patterns = [`%.${d}`];
    if (!domain.includes(":") || domain.startsWith("[")) patterns.push(`${d}:%`, `%.${d}:%`);
    return sql<boolean>`(${sql.ref("domain")} = ${domain} or ${sql.join(
      patterns.map((p) => sql`${sql.ref("domain")} like ${p} escape '\\'`),
      sql` or `,
    )})`;
  }

  async markDomainAccounts(domain: string, mark: DomainAccountMark, at: number): Promise<bigint[]> {
    const column = COLUMN[mark];
    const rows = await this.#db
      .updateTable("accounts")
      .set({ [column]: at } as never)
      .where("domain", "is not", null)
      .where(column, "is", null)
      .where(this.#onDomain(domain))
      .returning("id")
      .execute();
    return rows.map((r) => toId(r.id));
  }

  async clearDomainAccountMarks(domain: string, mark: DomainAccountMark, at: number): Promise<bigint[]> {
    const column = COLUMN[mark];
    const rows = await this.#db
      .updateTable("accounts")
      .set({ [column]: null } as never)
      .where("domain", "is not", null)
      .where(column, "=", BigInt(at))
      .where(this.#onDomain(domain))
      .returning("id")
      .execute();
    return rows.map((r) => toId(r.id));
  }
}
