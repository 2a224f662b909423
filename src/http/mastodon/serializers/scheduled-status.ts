import type { ScheduledStatusRecord } from "../../../ports/repositories/scheduled-statuses.ts";

/** A 64-bit id that must render as a JSON integer, exactly (JSON.stringify cannot write a bigint). */
const BIGINT_MARK = "\u0000bigint:";
const integerId = (id: string | null) => (id === null ? null : `${BIGINT_MARK}${BigInt(id)}`);

/**
 * Mastodon's ScheduledStatus entity: the stored params key for key, with `in_reply_to_id` and
 * `application_id` as integers (as Mastodon's JSON column keeps them), `scheduled_at` and `idempotency` null
 * (the status is scheduled once) and `with_rate_limit` false. `media_attachments` are the uploads it will
 * attach, rendered, in the order of `media_ids` (the caller loads them; one deleted since is left out).
 */
export function renderScheduledStatus(s: ScheduledStatusRecord, mediaAttachments: readonly Record<string, unknown>[] = []): Record<string, unknown> {
  const p = s.params;
  return {
    id: String(s.id),
    scheduled_at: new Date(s.scheduledAt).toISOString(),
    params: {
      text: p.text,
      poll: p.poll,
      media_ids: p.media_ids,
      sensitive: p.sensitive,
      spoiler_text: p.spoiler_text,
      visibility: p.visibility,
      language: p.language,
      scheduled_at: null,
      idempotency: null,
      with_rate_limit: false,
      in_reply_to_id: integerId(p.in_reply_to_id),
      application_id: integerId(p.application_id),
    },
    media_attachments: mediaAttachments,
  };
}

/**
 * JSON text for rendered scheduled statuses: the marked ids become bare integers. Every other string went
 * through storableText (no NUL), so only the marks match.
 */
export function scheduledStatusJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000bigint:(\d+)"/g, "$1");
}
