import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const MAIN = resolve(import.meta.dirname, "../../src/main.ts");

/** A fresh DATA_DIR. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "herd-data-"));
}

/** The environment a child `herd` gets: only what the test gives, plus PATH and HOME. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env };
}

/** Runs `herd …` to completion (with the Node running the tests: Node 24). */
export function runHerd(args: string[], env: Record<string, string>, cwd = tempDataDir()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A long-running `herd` process whose JSON log lines are collected. */
export interface HerdProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, any>[];
  /** Resolves with the first log line that matches, or rejects after `timeoutMs`. */
  waitFor(match: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startHerd(args: string[], env: Record<string, string>, cwd = tempDataDir()): HerdProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv(env), cwd, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, any>[] = [];
  let raw = "";
  const waiters = new Set<() => void>();
  let buffer = "";
  child.stdout!.on("data", (d: Buffer) => {
    raw += d;
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        // Not a log line (a panic's text, say); kept in output() only.
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (d: Buffer) => (raw += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    child,
    lines,
    output: () => raw,
    waitFor(match, timeoutMs = 30_000) {
      return new Promise((resolveLine, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolveLine(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a log line; output so far:\n${raw.slice(-4000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        child.once("exit", () => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`herd exited before the log line; output:\n${raw.slice(-4000)}`));
          }
        });
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
