import { createTransport, type Transporter } from "nodemailer";
import type { SMTPTransportOptions } from "nodemailer";
import type { MailConfig } from "../../config/config.ts";
import type { Mailer, MailMessage } from "../../ports/mailer.ts";
import { toSendMailOptions } from "./mail-options.ts";
import { explainSmtpFailure } from "./smtp-errors.ts";

/** SMTP_AUTH_METHOD (Mastodon's spelling) to the SASL mechanism nodemailer names. */
const saslMechanisms = { plain: "PLAIN", login: "LOGIN", cram_md5: "CRAM-MD5" } as const;

/**
 * Mail over SMTP with Mastodon's SMTP_* settings: implicit TLS (SMTP_TLS/SMTP_SSL) or STARTTLS as SMTP_ENABLE_STARTTLS
 * says, optional login, certificate checks per SMTP_OPENSSL_VERIFY_MODE. One connection per message, as a mail job
 * is rare next to its connection setup and a pooled connection would sit open between jobs.
 */
export class SmtpMailer implements Mailer {
  readonly kind = "smtp" as const;
  #config: Extract<MailConfig, { kind: "smtp" }>;
  #transport: Transporter;

  constructor(config: Extract<MailConfig, { kind: "smtp" }>) {
    this.#config = config;
    this.#transport = createTransport(smtpOptions(config));
  }

  async send(message: MailMessage): Promise<string> {
    const info = await this.#transport.sendMail(toSendMailOptions(this.#config.from, message));
    // With one recipient nodemailer already throws when it is refused; this guards a partial acceptance.
    const rejected = (info.rejected ?? []).map((address: unknown) => (typeof address === "string" ? address : JSON.stringify(address)));
    if (rejected.length > 0) throw new Error(`the SMTP server ${this.#config.host} refused ${rejected.join(", ")}: ${info.response ?? ""}`);
    return info.messageId;
  }

  async check(): Promise<void> {
    try {
      await this.#transport.verify();
    } catch (error) {
      throw explainSmtpFailure(this.#config, error);
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

/** nodemailer's SMTP transport options for the configuration. */
export function smtpOptions(config: Extract<MailConfig, { kind: "smtp" }>): SMTPTransportOptions {
  const login = config.login && config.authMethod !== "none";
  return {
    host: config.host,
    port: config.port,
    secure: config.implicitTls,
    ...(login
      ? { auth: { user: config.login ?? "", pass: config.password ?? "" }, authMethod: saslMechanisms[config.authMethod as keyof typeof saslMechanisms] }
      : {}),
    // "auto" leaves nodemailer's default: upgrade with STARTTLS whenever the server offers it.
    requireTLS: config.starttls === "always",
    ignoreTLS: config.starttls === "never",
    tls: { rejectUnauthorized: config.verifyCertificates },
    // A silent server must fail the job (and let it retry), not hold a worker.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
  };
}
