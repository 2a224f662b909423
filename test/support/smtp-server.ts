import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from "smtp-server";

/** One message as the test server received it. */
export interface ReceivedSmtpMessage {
  readonly raw: Buffer;
  readonly mailFrom: string | null;
  readonly rcptTo: string[];
  /** The login the client authenticated as, if any. */
  readonly user: string | null;
  readonly authMethod: string | null;
}

/** A plain-text SMTP server on loopback that keeps what it receives. */
export interface TestSmtpServer {
  readonly port: number;
  /** The next message received (already received ones first), waiting for it up to `timeoutMs`. */
  next(timeoutMs?: number): Promise<ReceivedSmtpMessage>;
  stop(): Promise<void>;
}

/** Recipients at this domain are refused with 550, to see a mailer report a rejection. */
export const REFUSED_DOMAIN = "refused.test";

/**
 * Starts smtp-server on 127.0.0.1 with an OS-chosen port, STARTTLS disabled. With `users`, AUTH is required and
 * checked (PLAIN, LOGIN and CRAM-MD5 over plain text, as tests have no certificates); without, AUTH is off.
 */
export async function startSmtpServer(options: { users?: Readonly<Record<string, string>> } = {}): Promise<TestSmtpServer> {
  const received: ReceivedSmtpMessage[] = [];
  const waiting: ((message: ReceivedSmtpMessage) => void)[] = [];
  const users = options.users;
  const auth: Map<string, { user: string; method: string }> = new Map();
  const server = new SMTPServer({
    secure: false,
    logger: false,
    disabledCommands: users ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !users,
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN", "CRAM-MD5"],
    onAuth(login: SMTPServerAuthentication, session: SMTPServerSession, callback) {
      const expected = login.username !== undefined ? users?.[login.username] : undefined;
      const ok =
        expected !== undefined &&
        (login.method === "CRAM-MD5" ? login.validatePassword(expected) : login.password === expected);
      if (!ok) return callback(new Error("Invalid username or password"));
      auth.set(session.id, { user: login.username as string, method: login.method });
      callback(null, { user: login.username });
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith(`@${REFUSED_DOMAIN}`)) {
        const refusal = Object.assign(new Error("5.1.1 No such mailbox here"), { responseCode: 550 });
        return callback(refusal);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        const message: ReceivedSmtpMessage = {
          raw: Buffer.concat(chunks),
          mailFrom: from ? from.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: auth.get(session.id)?.user ?? null,
          authMethod: auth.get(session.id)?.method ?? null,
        };
        const waiter = waiting.shift();
        if (waiter) waiter(message);
        else received.push(message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    next(timeoutMs = 5000) {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new Error(`no message reached the test SMTP server within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (message: ReceivedSmtpMessage) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiting.push(deliver);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
