import { randomBytes } from "node:crypto";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createTransport } from "nodemailer";
import { ConfigError } from "../../config/config.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Mailer, MailMessage } from "../../ports/mailer.ts";
import { errorCode, writeFileAtomically } from "../local/atomic-file.ts";
import { toSendMailOptions } from "./mail-options.ts";

/**
 * Mail for instances without SMTP: each message becomes an RFC 5322 `.eml` file in a directory (`DATA_DIR/mail`),
 * named `<UTC timestamp>-<Message-ID>.eml` so a listing is in sending order, and one log line says where it went.
 * Any mail client opens the files; the operator can read a confirmation link from the log without a mail server.
 */
export class FileMailer implements Mailer {
  readonly kind = "file" as const;
  readonly dir: string;
  #from: string;
  #log: Pick<Logger, "info"> | undefined;
  // nodemailer's stream transport composes the message exactly as SMTP would send it, without sending it.
  #composer = createTransport({ streamTransport: true, buffer: true, newline: "windows" });

  constructor(dir: string, from: string, log?: Pick<Logger, "info">) {
    this.dir = resolve(dir);
    this.#from = from;
    this.#log = log;
  }

  async send(message: MailMessage): Promise<string> {
    const info = await this.#composer.sendMail(toSendMailOptions(this.#from, message));
    const raw = info.message;
    if (!Buffer.isBuffer(raw)) throw new Error("nodemailer did not return the composed message as a buffer");
    const file = join(this.dir, `${fileTimestamp(new Date())}-${safeFilePart(info.messageId)}.eml`);
    // Messages hold password-reset and confirmation links: readable by the owner only.
    await writeFileAtomically(file, raw, 0o600);
    this.#log?.info({ to: message.to, subject: message.subject, file }, "mail written to a file (SMTP_SERVER is not set)");
    return info.messageId;
  }

  async check(): Promise<void> {
    const probe = join(this.dir, `.herd-check-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(probe, "ok");
      await unlink(probe);
    } catch (error) {
      const problem = new ConfigError(
        "DATA_DIR",
        `the mail directory ${this.dir} is not writable (${errorCode(error) ?? "error"}: ${(error as Error).message})`,
        "Set DATA_DIR to a directory the user running Herd can write (mail is filed in DATA_DIR/mail), make that directory writable, or set SMTP_SERVER to send mail over SMTP instead.",
      );
      problem.cause = error;
      throw problem;
    }
  }

  async close(): Promise<void> {
    this.#composer.close();
  }
}

/** `20261122T101530123Z`: sorts by time, no characters file systems dislike. */
function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}

/** The Message-ID without its angle brackets, reduced to characters safe in a file name on any system. */
function safeFilePart(messageId: string): string {
  return messageId.replace(/^<|>$/g, "").replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 150) || randomBytes(8).toString("hex");
}
