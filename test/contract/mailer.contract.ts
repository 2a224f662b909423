import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Mailer } from "../../src/ports/mailer.ts";
import { parseMail, type ParsedMail } from "../support/eml.ts";

/** What arrived where the mailer delivers: the raw message and, when known, the SMTP envelope. */
export interface DeliveredMail {
  readonly raw: Buffer;
  readonly envelope?: { readonly from: string | null; readonly to: readonly string[] };
}

/** A mailer under test, the sender address it was built with, and how to see the next message it delivered. */
export interface MailerHarness {
  readonly mailer: Mailer;
  readonly from: string;
  /** The next delivered message, in sending order. */
  next(): Promise<DeliveredMail>;
  close(): Promise<void>;
}

/**
 * The text without its final line break: SMTP ends the DATA of a message with a line break that a file written by
 * the same composer does not have, and neither says whether the sender had one.
 */
function body(text: string | null): string | null {
  return text === null ? null : text.replace(/\r\n/g, "\n").replace(/\n$/, "");
}

function bareMessageId(value: string | undefined): string {
  return (value ?? "").trim().replace(/^<|>$/g, "");
}

/** What every Mailer adapter must do: deliver an RFC 5322 message that says what was sent, and say its Message-ID. */
export function mailerContract(name: string, make: () => Promise<MailerHarness>): void {
  describe(`Mailer contract: ${name}`, () => {
    let harness: MailerHarness;
    before(async () => {
      harness = await make();
    });
    after(async () => {
      await harness?.close();
    });

    async function sendAndReceive(message: Parameters<Mailer["send"]>[0]): Promise<{ id: string; mail: ParsedMail; delivered: DeliveredMail }> {
      const id = await harness.mailer.send(message);
      const delivered = await harness.next();
      return { id, mail: parseMail(delivered.raw), delivered };
    }

    it("passes its start-up check", async () => {
      await harness.mailer.check();
    });

    it("delivers a plain text message with its recipient, sender, subject, date and Message-ID", async () => {
      const text = "Hello alice,\n\nConfirm your address: https://herd.example/auth/confirmation?token=abc123\n";
      const { id, mail, delivered } = await sendAndReceive({ to: "alice@example.com", subject: "Confirm your e-mail address", text });
      assert.match(id, /^<[^<>@\s]+@[^<>@\s]+>$/, "a Message-ID in angle brackets");
      assert.equal(bareMessageId(mail.headers.get("message-id")), bareMessageId(id));
      assert.equal(mail.headers.get("to"), "alice@example.com");
      assert.ok(mail.headers.get("from")?.includes(harness.from), mail.headers.get("from"));
      assert.equal(mail.headers.get("subject"), "Confirm your e-mail address");
      assert.ok(!Number.isNaN(Date.parse(mail.headers.get("date") ?? "")), "a Date header");
      assert.equal(body(mail.text), body(text));
      assert.equal(mail.html, null);
      if (delivered.envelope) {
        assert.deepEqual(delivered.envelope.to, ["alice@example.com"]);
        assert.equal(delivered.envelope.from, harness.from);
      }
      assert.ok(delivered.raw.includes("\r\n"), "lines end in CRLF, as RFC 5322 asks");
    });

    it("sends text and HTML alternatives and keeps extra headers", async () => {
      const { mail } = await sendAndReceive({
        to: "bob@example.org",
        subject: "New follower",
        text: "carol followed you.",
        html: "<p><a href=\"https://herd.example/@carol\">carol</a> followed you.</p>",
        headers: { "List-Unsubscribe": "<https://herd.example/unsubscribe?token=t>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      });
      assert.match(mail.headers.get("content-type") ?? "", /^multipart\/alternative/);
      assert.equal(body(mail.text), "carol followed you.");
      assert.equal(mail.html, "<p><a href=\"https://herd.example/@carol\">carol</a> followed you.</p>");
      assert.equal(mail.headers.get("list-unsubscribe"), "<https://herd.example/unsubscribe?token=t>");
      assert.equal(mail.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    });

    it("encodes non-ASCII subjects and bodies so they arrive intact", async () => {
      const subject = "Bienvenue sur Herd, Zoë ✓ — 欢迎";
      const text = "Ça marche : ünïcödé, emoji 🐘, and a very long line ".repeat(8);
      const { mail, delivered } = await sendAndReceive({ to: "zoe@example.net", subject, text });
      assert.equal(mail.headers.get("subject"), subject);
      assert.equal(body(mail.text), body(text));
      assert.ok(delivered.raw.every((byte) => byte < 0x80), "7-bit clean on the wire");
    });

    it("returns a different Message-ID for each message", async () => {
      const first = await harness.mailer.send({ to: "a@example.com", subject: "one", text: "1" });
      await harness.next();
      const second = await harness.mailer.send({ to: "a@example.com", subject: "two", text: "2" });
      await harness.next();
      assert.notEqual(first, second);
    });
  });
}
