import type { InstanceSettings } from "../../domain/instance.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import type { Logger } from "../../ports/logger.ts";
import type { Mailer } from "../../ports/mailer.ts";
import { generateSecret, hashSecret } from "../auth/tokens.ts";

export interface AccountMailDeps {
  readonly instance: InstanceSettings;
  readonly db: Database;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Sends the confirmation link to the address waiting for confirmation. The token is made here, in the job,
 * because only its hash is stored: a retried job makes a new token, which replaces the old one, and its
 * link works. Nothing is sent when the address was confirmed meanwhile or the user is gone.
 */
export async function deliverConfirmation(deps: AccountMailDeps, userId: bigint): Promise<void> {
  const user = await deps.db.repos.users.findById(userId);
  if (!user || user.disabled) return;
  if (user.confirmedAt !== null && user.unconfirmedEmail === null) return;
  const token = generateSecret();
  await deps.db.repos.users.setConfirmationToken(user.id, hashSecret(token), deps.clock.now());
  const link = `${deps.instance.baseUrl}/auth/confirmation?confirmation_token=${encodeURIComponent(token)}`;
  const domain = deps.instance.localDomain;
  await deps.mailer.send({
    to: user.unconfirmedEmail ?? user.email,
    subject: `Confirm your e-mail address for ${domain}`,
    text:
      `Hello @${user.username},\n\n` +
      `To confirm this e-mail address for your account on ${domain}, open this link:\n\n${link}\n\n` +
      `The link works for two days. If you did not ask for this, ignore this message.\n`,
  });
  deps.log.info({ userId: String(user.id) }, "confirmation e-mail sent");
}

/**
 * Sends a password reset link. As with confirmation, the token is generated here and only its hash stored.
 */
export async function deliverPasswordReset(deps: AccountMailDeps, userId: bigint): Promise<void> {
  const user = await deps.db.repos.users.findById(userId);
  if (!user || user.disabled) return;
  const token = generateSecret();
  await deps.db.repos.users.setResetPasswordToken(user.id, hashSecret(token), deps.clock.now());
  const link = `${deps.instance.baseUrl}/auth/password/edit?reset_password_token=${encodeURIComponent(token)}`;
  const domain = deps.instance.localDomain;
  await deps.mailer.send({
    to: user.email,
    subject: `Reset your password on ${domain}`,
    text:
      `Hello @${user.username},\n\n` +
      `Someone asked to reset the password of your account on ${domain}. To choose a new password, open this link:\n\n${link}\n\n` +
      `The link works for six hours. Changing the password signs you out of every app and browser.\n` +
      `If you did not ask for this, ignore this message: your password stays as it is.\n`,
  });
  deps.log.info({ userId: String(user.id) }, "password reset e-mail sent");
}
