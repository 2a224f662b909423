import type { InstanceSettings } from "../domain/instance.ts";
import type { MediaStore } from "../ports/media-store.ts";

/** The ActivityPub id of a local account, as Mastodon shapes it. */
export function localActorUri(instance: InstanceSettings, username: string): string {
  return `${instance.baseUrl}/users/${encodeURIComponent(username)}`;
}

/** The profile page of a local account. */
export function localProfileUrl(instance: InstanceSettings, username: string): string {
  return `${instance.baseUrl}/@${encodeURIComponent(username)}`;
}

/** The avatar's URL, or Mastodon's default avatar path when the account has none. */
export function localAvatarUrl(instance: InstanceSettings, media: MediaStore, avatarKey: string | null): string {
  return avatarKey ? media.url(avatarKey) : `${instance.baseUrl}/avatars/original/missing.png`;
}
