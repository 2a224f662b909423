import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { randomBytes } from "node:crypto";

export const MAIN = resolve(import.meta.dirname, "../src/main.ts");
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || null;
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL || null;

/** Whether a setup is to run: BENCH_ONLY (a part of a label, e.g. "PostgreSQL") keeps only matching ones. */
export const wantedSetup = (label: string): boolean => !process.env.BENCH_ONLY || label.includes(process.env.BENCH_ONLY);

export function tempDir(prefix = "herd-bench-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh PostgreSQL database for one benchmark run. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `herd_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL! });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BENCH_DATABASE_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: BENCH_DATABASE_URL! });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Child {
  readonly process: ChildProcess;
  readonly logs: Record<string, any>[];
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, any>>;
  rssMiB(): number;
  /** Descriptors the process has open. */
  openFiles(): number;
  stop(): Promise<void>;
}

export interface HerdOptions {
  /** A command that runs node and must exec it (e.g. prlimit), so the pid stays the server's own. */
  readonly prefix?: readonly string[];
  /** Arguments for node itself (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/** Starts `herd <args>` with the given environment and JSON logs at info. */
export function herd(args: string[], env: Record<string, string>, options: HerdOptions = {}): Child {
  const command = [...(options.prefix ?? []), process.execPath, ...(options.nodeArgs ?? []), MAIN, ...args];
  const child = spawn(command[0], command.slice(1), {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, any>[] = [];
  let buf = "";
  let errText = "";
  child.stdout!.on("data", (d) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      try {
        logs.push(JSON.parse(buf.slice(0, i)));
      } catch {
        // not a log line
      }
      buf = buf.slice(i + 1);
    }
  });
  child.stderr!.on("data", (d) => (errText += d));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return {
    process: child,
    logs,
    async waitFor(msg, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const line = logs.find((l) => l.msg === msg);
        if (line) return line;
        if (child.exitCode !== null) throw new Error(`herd ${args[0]} exited: ${errText}`);
        if (Date.now() > end) throw new Error(`herd ${args[0]} did not log "${msg}": ${errText}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    openFiles: () => readdirSync(`/proc/${child.pid}/fd`).length,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `herd migrate` to completion. */
export function migrate(env: Record<string, string>): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN, "migrate"], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`herd migrate exited ${code}`))));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
