import { pino } from "pino";
import type { Logger } from "../ports/logger.ts";

/**
 * JSON lines on stdout. Secrets never reach the log: authorization headers, cookies, passwords and keys are
 * redacted wherever they appear in a logged object.
 */
export function createLogger(level: string, role: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { role, pid: process.pid },
      redact: {
        paths: [
          "*.authorization",
          "*.Authorization",
          "*.cookie",
          "*.password",
          "*.token",
          "*.privateKey",
          "*.secret",
          "headers.authorization",
          "headers.cookie",
        ],
        censor: "[redacted]",
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination as pino.DestinationStream,
  ) as unknown as Logger;
}

/** A logger that drops everything (tests, and commands whose output is for people). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
