/**
 * `npm run bench -- <scenario> [args]`: runs bench/scenarios/<scenario>.ts and prints its figures as a table
 * and as one JSON line. Scenarios talk only to loopback and stop by themselves.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchResult {
  readonly scenario: string;
  /** One row per measured configuration, e.g. { backend: "sqlite", "jobs/s": 5230 }. */
  readonly rows: readonly Record<string, string | number>[];
  readonly notes?: readonly string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(join(here, "scenarios"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <scenario> [args]\nscenarios: ${available.join(", ")}`);
  process.exit(64);
}

const mod = (await import(join(here, "scenarios", `${name}.ts`))) as { run: (args: string[]) => Promise<BenchResult> };
const result = await mod.run(args);
printTable(result);
console.log(JSON.stringify(result));
process.exit(0);

function printTable(r: BenchResult): void {
  const cols = [...new Set(r.rows.flatMap((row) => Object.keys(row)))];
  const cell = (v: unknown) => (typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 1 }) : String(v ?? ""));
  const widths = cols.map((c) => Math.max(c.length, ...r.rows.map((row) => cell(row[c]).length)));
  const line = (vals: string[]) => "| " + vals.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  console.log(`\n${r.scenario}`);
  console.log(line(cols));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const row of r.rows) console.log(line(cols.map((c) => cell(row[c]))));
  for (const n of r.notes ?? []) console.log(`  ${n}`);
  console.log("");
}
