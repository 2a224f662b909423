import type { MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from "@fedify/fedify";
import type { JobEnvelope, JobQueue, JobRequest, QueueName } from "../ports/job-queue.ts";

/** The job name under which Fedify's messages travel; the worker's dispatcher hands these to FedifyJobHandlers. */
export const FEDIFY_JOB_NAME = "fedify";

/** A Fedify message as a job payload: which MessageQueue it was sent through, and the message itself (JSON). */
interface FedifyPayload {
  readonly channel: string;
  readonly message: unknown;
}

type MessageHandler = (message: any) => Promise<void> | void;

/**
 * The handlers Fedify registers through `listen`, by channel. Herd's workers dispatch jobs by name; jobs named
 * {@link FEDIFY_JOB_NAME} go to {@link FedifyJobHandlers.handle}, which finds the listener of the message's channel.
 */
export class FedifyJobHandlers {
  readonly #byChannel = new Map<string, MessageHandler[]>();

  /** Adds a listener for a channel; the returned function removes it. The latest listener of a channel is used. */
  register(channel: string, handler: MessageHandler): () => void {
    const list = this.#byChannel.get(channel) ?? [];
    list.push(handler);
    this.#byChannel.set(channel, list);
    return () => {
      const current = this.#byChannel.get(channel);
      if (!current) return;
      const i = current.lastIndexOf(handler);
      if (i >= 0) current.splice(i, 1);
      if (current.length === 0) this.#byChannel.delete(channel);
    };
  }

  /** Whether this process listens on `channel`. */
  listening(channel: string): boolean {
    return this.#byChannel.has(channel);
  }

  /**
   * Runs a `fedify` job. A message for a channel nobody listens to in this process throws, so the job is retried
   * (with backoff) rather than lost: Fedify may not have started its queue yet.
   */
  readonly handle = async (job: JobEnvelope): Promise<void> => {
    const payload = job.payload as Partial<FedifyPayload> | null;
    if (!payload || typeof payload.channel !== "string" || !("message" in payload))
      throw new Error(`job ${job.id} is not a Fedify message`);
    const handler = this.#byChannel.get(payload.channel)?.at(-1);
    if (!handler) throw new Error(`no Fedify listener for channel ${JSON.stringify(payload.channel)} in this process`);
    await handler(payload.message);
  };
}

/** Where one Fedify MessageQueue puts its messages, and who retries them. */
export interface JobQueueMessageQueueOptions {
  /** The Herd queue the messages run on (inbox work on `ingress`, deliveries on `push`). */
  readonly queue: QueueName;
  /** Tells this MessageQueue's messages from another's on the same Herd queue (default: the queue name). */
  readonly channel?: string;
  /**
   * True hands retries to Herd's queue (a failed message is retried with backoff, then lands in the dead set
   * where operators can see it); false (default) lets Fedify retry by enqueueing again with its own policy.
   */
  readonly nativeRetrial?: boolean;
  readonly maxAttempts?: number;
  readonly backoffMs?: number;
}

/**
 * Fedify's MessageQueue over Herd's JobQueue port, so Fedify's inbox, outbox and fan-out work is durable, shows in
 * the queue counts, and runs on whichever backend Herd uses. Ordering keys are accepted but not enforced: Herd
 * never sets them, and its activities are idempotent.
 */
export class JobQueueMessageQueue implements MessageQueue {
  readonly nativeRetrial: boolean;
  readonly #jobs: JobQueue;
  readonly #handlers: FedifyJobHandlers;
  readonly #queue: QueueName;
  readonly #channel: string;
  readonly #maxAttempts: number | undefined;
  readonly #backoffMs: number | undefined;

  constructor(jobs: JobQueue, handlers: FedifyJobHandlers, options: JobQueueMessageQueueOptions) {
    this.#jobs = jobs;
    this.#handlers = handlers;
    this.#queue = options.queue;
    this.#channel = options.channel ?? options.queue;
    this.nativeRetrial = options.nativeRetrial ?? false;
    this.#maxAttempts = options.maxAttempts;
    this.#backoffMs = options.backoffMs;
  }

  async enqueue(message: any, options?: MessageQueueEnqueueOptions): Promise<void> {
    await this.#jobs.enqueue([this.#request(message, options)]);
  }

  /** All messages in one transaction: they are enqueued together or not at all. */
  readonly enqueueMany = async (messages: readonly any[], options?: MessageQueueEnqueueOptions): Promise<void> => {
    if (messages.length === 0) return;
    await this.#jobs.enqueue(messages.map((m) => this.#request(m, options)));
  };

  /** Registers the handler until the signal aborts; without a signal, for the life of the process. */
  listen(handler: MessageHandler, options?: MessageQueueListenOptions): Promise<void> {
    const unregister = this.#handlers.register(this.#channel, handler);
    const signal = options?.signal;
    return new Promise<void>((resolve) => {
      if (!signal) return;
      const stop = () => {
        unregister();
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    });
  }

  #request(message: unknown, options: MessageQueueEnqueueOptions | undefined): JobRequest {
    const delayMs = options?.delay ? Math.max(0, Math.round(options.delay.total("millisecond"))) : 0;
    const payload: FedifyPayload = { channel: this.#channel, message };
    return {
      name: FEDIFY_JOB_NAME,
      queue: this.#queue,
      payload,
      ...(delayMs > 0 ? { delayMs } : {}),
      ...(this.#maxAttempts !== undefined ? { maxAttempts: this.#maxAttempts } : {}),
      ...(this.#backoffMs !== undefined ? { backoffMs: this.#backoffMs } : {}),
    };
  }
}
