import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { SharpImageProcessor } from "../../adapters/images/sharp-image-processor.ts";
import { parseId } from "../../domain/ids.ts";
import { listAllAnnouncements, publishAnnouncement, unpublishAnnouncement } from "../../services/announcements/announcements.ts";
import { streamAnnouncement, streamAnnouncementDeleted } from "../../services/streaming/publish.ts";
import { addCustomEmoji, listCustomEmojis, removeCustomEmoji } from "../../services/emojis/custom-emojis.ts";
import { addRule, listRules, removeRule } from "../../services/instance/rules.ts";
import { readSettings, SETTING_KEYS, SETTINGS, writeSetting } from "../../services/instance/settings.ts";
import type { Container } from "../container.ts";
import { CommandError, HELP, UsageError } from "./usage.ts";

/** What the content commands print to. */
export interface ContentOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The areas and actions these commands add to `herd admin`. */
export const CONTENT_AREAS: Record<string, string[]> = {
  settings: ["list", "set", "unset"],
  rules: ["add", "list", "remove"],
  emoji: ["add", "list", "remove"],
  announcements: ["publish", "list", "unpublish"],
};

function parse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), HELP.admin);
  }
}

function table(io: ContentOutput, rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.out(r.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd());
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CommandError(`cannot read ${what} ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `herd admin settings|rules|emoji|announcements …` on an open container. */
export async function runContentCommand(c: Container, area: string, action: string, args: string[], io: ContentOutput): Promise<void> {
  const deps = { db: c.db, cache: c.cache, clock: c.clock };
  if (area === "settings") {
    if (action === "list") {
      parse(args, {});
      const values = await readSettings(deps);
      const rows = [["KEY", "VALUE", "MEANING"]];
      for (const key of SETTING_KEYS) rows.push([key, values.has(key) ? oneLine(values.get(key)!.value, 40) : "(unset)", SETTINGS[key].about]);
      return table(io, rows);
    }
    const { values, positionals } = parse(args, action === "set" ? { file: { type: "string" } } : {});
    const key = positionals[0];
    if (!key) throw new UsageError(`settings ${action} needs a KEY (one of ${SETTING_KEYS.join(", ")})`, HELP.admin);
    let value: string | null = null;
    if (action === "set") {
      const file = values.file as string | undefined;
      if (file !== undefined && positionals.length > 1) throw new UsageError("settings set takes a VALUE or --file F, not both", HELP.admin);
      if (file === undefined && positionals.length !== 2) throw new UsageError("settings set takes KEY and one VALUE (quote it), or KEY --file F", HELP.admin);
      value = file !== undefined ? readFile(file, "the file").toString("utf8") : positionals[1];
    } else if (positionals.length !== 1) throw new UsageError("settings unset takes exactly one KEY", HELP.admin);
    const result = await writeSetting(deps, key, value);
    if (!result.ok) {
      const e = result.error;
      if (e.kind === "unknown_key") throw new UsageError(`unknown setting ${JSON.stringify(key)}; settings are ${SETTING_KEYS.join(", ")}`, HELP.admin);
      if (e.kind === "no_such_account") throw new CommandError(`no local account is named ${value}`);
      throw new CommandError(`${key} must be ${e.expected}`);
    }
    io.out(value === null || value.trim() === "" ? `Cleared ${key}.` : `Set ${key}.`);
    return;
  }

  if (area === "rules") {
    if (action === "list") {
      parse(args, {});
      const rules = await listRules(deps);
      if (rules.length === 0) return io.out("No rules.");
      return table(io, [["ID", "TEXT", "HINT"], ...rules.map((r) => [String(r.id), oneLine(r.text), oneLine(r.hint, 40)])]);
    }
    if (action === "add") {
      const { values, positionals } = parse(args, { hint: { type: "string" } });
      if (positionals.length !== 1) throw new UsageError("rules add takes one TEXT (quote it)", HELP.admin);
      const result = await addRule(deps, positionals[0], (values.hint as string | undefined) ?? "");
      if (!result.ok) throw new CommandError(result.error.kind === "invalid" ? result.error.message : "the rule could not be added");
      return io.out(`Added rule ${result.value.id}.`);
    }
    const { positionals } = parse(args, {});
    const id = positionals.length === 1 ? parseId(positionals[0]) : null;
    if (id === null) throw new UsageError("rules remove takes one rule ID (see rules list)", HELP.admin);
    const result = await removeRule(deps, id);
    if (!result.ok) throw new CommandError(`no rule has the id ${id}`);
    return io.out(`Removed rule ${id}.`);
  }

  if (area === "emoji") {
    const writeDeps = { ...deps, media: c.media, images: new SharpImageProcessor() };
    if (action === "list") {
      parse(args, {});
      const emojis = await listCustomEmojis(deps);
      if (emojis.length === 0) return io.out("No custom emojis.");
      return table(io, [["SHORTCODE", "CATEGORY", "URL"], ...emojis.map((e) => [e.shortcode, e.category ?? "", c.media.url(e.imageKey)])]);
    }
    if (action === "add") {
      const { values, positionals } = parse(args, { category: { type: "string" }, unlisted: { type: "boolean" } });
      if (positionals.length !== 2) throw new UsageError("emoji add takes a SHORTCODE and an image FILE", HELP.admin);
      const result = await addCustomEmoji(writeDeps, {
        shortcode: positionals[0],
        image: readFile(positionals[1], "the image"),
        category: (values.category as string | undefined) ?? null,
        visibleInPicker: !values.unlisted,
      });
      if (!result.ok) {
        const e = result.error;
        if (e.kind === "invalid") throw new CommandError(e.message);
        throw new CommandError(`the shortcode :${positionals[0].replace(/^:|:$/g, "")}: is already taken`);
      }
      return io.out(`Added :${result.value.shortcode}:.`);
    }
    const { positionals } = parse(args, {});
    if (positionals.length !== 1) throw new UsageError("emoji remove takes one SHORTCODE", HELP.admin);
    const result = await removeCustomEmoji(writeDeps, positionals[0]);
    if (!result.ok) throw new CommandError(`no custom emoji has the shortcode ${positionals[0]}`);
    return io.out(`Removed :${result.value.shortcode}:.`);
  }

  // announcements
  if (action === "list") {
    parse(args, {});
    const all = await listAllAnnouncements(deps);
    if (all.length === 0) return io.out("No announcements.");
    const when = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
    return table(io, [
      ["ID", "PUBLISHED", "STARTS", "ENDS", "TEXT"],
      ...all.map((a) => [String(a.id), a.published ? "yes" : "no", when(a.startsAt), when(a.endsAt), oneLine(a.text, 50)]),
    ]);
  }
  if (action === "publish") {
    const { values, positionals } = parse(args, { "starts-at": { type: "string" }, "ends-at": { type: "string" }, "all-day": { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError("announcements publish takes one TEXT (quote it)", HELP.admin);
    const time = (flag: string) => {
      const raw = values[flag] as string | undefined;
      if (raw === undefined) return null;
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) throw new UsageError(`--${flag} must be a date or time like 2026-12-24 or 2026-12-24T18:00:00Z`, HELP.admin);
      return ms;
    };
    const result = await publishAnnouncement(deps, {
      text: positionals[0],
      startsAt: time("starts-at"),
      endsAt: time("ends-at"),
      allDay: Boolean(values["all-day"]),
    });
    if (!result.ok) throw new UsageError(result.error.kind === "invalid" ? result.error.message : "not published", HELP.admin);
    // Open user streams show it at once (in this process's pub/sub: the streaming processes' when on Redis).
    await streamAnnouncement({ pubsub: c.pubsub, log: c.log }, result.value.id);
    return io.out(`Published announcement ${result.value.id}.`);
  }
  const { positionals } = parse(args, {});
  const id = positionals.length === 1 ? parseId(positionals[0]) : null;
  if (id === null) throw new UsageError("announcements unpublish takes one announcement ID (see announcements list)", HELP.admin);
  const result = await unpublishAnnouncement(deps, id);
  if (!result.ok) throw new CommandError(`no published announcement has the id ${id}`);
  await streamAnnouncementDeleted({ pubsub: c.pubsub, log: c.log }, id);
  io.out(`Unpublished announcement ${id}.`);
}
