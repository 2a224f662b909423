/** A remote domain's delivery record; a domain gets one at its first failed delivery. */
export interface DeliveryDomainState {
  readonly domain: string;
  /** Distinct UTC days with at least one failed delivery since the last success. */
  readonly failureDays: number;
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  readonly lastSuccessAt: number | null;
  /** When the circuit breaker opened; null while deliveries still go out. */
  readonly unavailableSince: number | null;
}

/** An inbox that answered a delivery with 410 Gone. */
export interface GoneInbox {
  readonly inbox: string;
  readonly domain: string;
  readonly goneAt: number;
}

/**
 * The per-domain circuit breaker of outgoing delivery (Mastodon's DeliveryFailureTracker and UnavailableDomain)
 * and the inboxes found gone. Every write is one statement, so concurrent workers cannot lose a count.
 */
export interface DeliveryStateRepository {
  find(domain: string): Promise<DeliveryDomainState | null>;
  /** Which of `domains` are currently unavailable. */
  unavailableAmong(domains: readonly string[]): Promise<string[]>;
  /**
   * Records a failed delivery at `now`: counts a new day when the last failure was before `dayStart` (the start
   * of now's UTC day), and marks the domain unavailable once the count reaches `thresholdDays`.
   */
  recordFailure(domain: string, now: number, dayStart: number, thresholdDays: number): Promise<DeliveryDomainState>;
  /**
   * Records a success: clears the failure count and the unavailability. Touches only a domain that has a row
   * (a domain that never failed costs no write); true when it had failures or was unavailable.
   */
  recordSuccess(domain: string, now: number): Promise<boolean>;
  /** Unavailable domains, longest unavailable first. */
  listUnavailable(): Promise<DeliveryDomainState[]>;
  countUnavailable(): Promise<number>;
  /** Remembers an inbox that answered 410 (again: keeps the first time). */
  recordGoneInbox(inbox: string, domain: string, now: number): Promise<void>;
  /** Gone inboxes, oldest first. */
  listGoneInboxes(limit: number): Promise<GoneInbox[]>;
  /** Forgets gone inboxes once handled; returns how many rows went. */
  forgetGoneInboxes(inboxes: readonly string[]): Promise<number>;
}
