import type { SendMailOptions } from "nodemailer";
import type { MailMessage } from "../../ports/mailer.ts";

/** nodemailer's fields for one message of the port; both mailers build the same RFC 5322 text from it. */
export function toSendMailOptions(from: string, message: MailMessage): SendMailOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.headers ? { headers: { ...message.headers } } : {}),
  };
}
