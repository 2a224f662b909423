export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Extra headers such as List-Unsubscribe. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Outgoing e-mail: a directory of .eml files by default, SMTP when configured. */
export interface Mailer {
  readonly kind: "file" | "smtp";
  /** Sends (or files) one message; returns its Message-ID. Throws when the server refuses it. */
  send(message: MailMessage): Promise<string>;
  /** Checks at start-up that mail can be sent (directory writable, SMTP server answers). */
  check(): Promise<void>;
  close(): Promise<void>;
}
