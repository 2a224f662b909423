import { ConfigError, type MailConfig } from "../../config/config.ts";

type SmtpConfig = Extract<MailConfig, { kind: "smtp" }>;

/**
 * Turns a failed connection check into an error naming the SMTP_* variable to change. nodemailer reports a class of
 * failure in `code` (ECONNECTION, ESOCKET, ETLS, EAUTH, ETIMEDOUT…) and keeps the system error's code in
 * `originalCode`, so both are read.
 */
export function explainSmtpFailure(config: SmtpConfig, error: unknown): Error {
  const e = (error ?? {}) as { code?: unknown; originalCode?: unknown; message?: unknown; timeoutType?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const original = typeof e.originalCode === "string" ? e.originalCode : "";
  // OpenSSL errors span lines; a configuration error is read on one.
  const message = (typeof e.message === "string" ? e.message : String(error)).replace(/\s+/g, " ").trim();
  const server = `${config.host}:${config.port}`;
  const detail = `(${[code, original].filter(Boolean).join("/") || "error"}: ${message})`;
  let problem: ConfigError;

  if (code === "EAUTH" || code === "ENOAUTH")
    problem = new ConfigError(
      "SMTP_LOGIN",
      `the SMTP server ${server} refused the login ${JSON.stringify(config.login ?? "")} ${detail}`,
      "Set SMTP_LOGIN and SMTP_PASSWORD to an account the server accepts; if it wants another mechanism, set SMTP_AUTH_METHOD (plain, login or cram_md5), or none for a server without authentication.",
    );
  else if (/certificate|self[- ]signed|CERT_|altname|unable to verify/i.test(`${message} ${original}`))
    problem = new ConfigError(
      "SMTP_OPENSSL_VERIFY_MODE",
      `the TLS certificate of the SMTP server ${server} was refused ${detail}`,
      "Set SMTP_SERVER to the host name the certificate was issued for, or SMTP_OPENSSL_VERIFY_MODE=none to accept any certificate (only on a network you trust).",
    );
  else if (/wrong version number|packet length too long|unknown protocol|ssl3_get_record|record layer failure/i.test(message))
    problem = new ConfigError(
      "SMTP_TLS",
      `the SMTP server ${server} does not speak TLS from the first byte ${detail}`,
      "Set SMTP_TLS=false for a STARTTLS port (587 or 25), or keep SMTP_TLS=true and set SMTP_PORT=465.",
    );
  else if (code === "ETLS" || (code === "ECONNECTION" && /STARTTLS/i.test(message)))
    problem = new ConfigError(
      "SMTP_ENABLE_STARTTLS",
      `STARTTLS with the SMTP server ${server} failed ${detail}`,
      "Set SMTP_ENABLE_STARTTLS=auto (use STARTTLS when offered) or never for a server without it, or use implicit TLS with SMTP_TLS=true and SMTP_PORT=465.",
    );
  else if (code === "ETIMEDOUT" && e.timeoutType === "GREETING_TIMEOUT" && !config.implicitTls)
    problem = new ConfigError(
      "SMTP_TLS",
      `the SMTP server ${server} sent no greeting ${detail}; a port that expects TLS from the first byte behaves so`,
      "Set SMTP_TLS=true for port 465, or set SMTP_PORT to the server's submission port (587).",
    );
  else if (code === "EDNS")
    problem = new ConfigError(
      "SMTP_SERVER",
      `the host name ${JSON.stringify(config.host)} does not resolve ${detail}`,
      "Set SMTP_SERVER to the host name of your mail server (for example smtp.mailgun.org).",
    );
  else
    problem = new ConfigError(
      "SMTP_SERVER",
      `cannot talk to the SMTP server ${server} ${detail}`,
      "Set SMTP_SERVER and SMTP_PORT to your mail server (587 for STARTTLS, 465 with SMTP_TLS=true, 25 on a trusted network), and check that it accepts connections from this host.",
    );
  problem.cause = error;
  return problem;
}
