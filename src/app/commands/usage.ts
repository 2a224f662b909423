/** Exit codes, as sysexits.h names them: the CLI's contract with scripts and systemd. */
export const EXIT = { ok: 0, failure: 1, usage: 64, config: 78 } as const;

/** A wrong invocation: printed with the command's help, exit 64. */
export class UsageError extends Error {
  readonly help: string;
  constructor(message: string, help: string) {
    super(message);
    this.name = "UsageError";
    this.help = help;
  }
}

/** A command that ran and failed for a reason the operator can act on: printed, exit 1. */
export class CommandError extends Error {
  override name = "CommandError";
}

export const HELP = {
  main: `Usage: herd <command> [options]

Commands:
  start       Everything in one process: HTTP, streaming, workers and scheduler (embedded database by default)
  web         The HTTP server only (needs DATABASE_URL and REDIS_URL)
  streaming   The streaming server only, on STREAMING_PORT (needs DATABASE_URL and REDIS_URL)
  worker      Job workers (needs DATABASE_URL and REDIS_URL)
  scheduler   Periodic jobs; safe to run on every node (needs DATABASE_URL and REDIS_URL)
  migrate     Apply database migrations
  doctor      Check the configuration and every backend it names
  admin       Operator commands: accounts, tokens, jobs, mail, db, media, domains, settings, rules, emoji, announcements

Run \`herd <command> --help\` for a command's options. Configuration is by environment variables (and .env);
see docs/configuration.md.`,
  start: `Usage: herd start [--concurrency N] [--queues SPEC]

Runs every role in one process on http://BIND:PORT (default 127.0.0.1:3000): the API, web pages, streaming,
job workers for every queue and the scheduler. Applies pending migrations first. Uses SQLite under DATA_DIR,
in-memory cache and queue unless DATABASE_URL / REDIS_URL are set.

Options:
  --concurrency N   jobs run at once (default 4)
  --queues SPEC     queues and weights (default ${"default:4,ingress:2,push:2,pull:1,mailers:1,scheduler:1"})`,
  web: `Usage: herd web

The HTTP server (Mastodon API, OAuth, pages, ActivityPub) on BIND:PORT. Enqueues jobs; never runs them.
Needs DATABASE_URL and REDIS_URL.`,
  streaming: `Usage: herd streaming

The streaming server on BIND:STREAMING_PORT (default 4000), with /api/v1/streaming/health, /health and /metrics.
Needs DATABASE_URL and REDIS_URL.`,
  worker: `Usage: herd worker [--queues SPEC] [--concurrency N] [--metrics-port P]

Runs jobs. /health and /metrics are served on the metrics port. Needs DATABASE_URL and REDIS_URL.

Options:
  --queues SPEC      queues with weights, e.g. default:4,ingress:2,push:2,pull,mailers (weight 1 when omitted);
                     default: every queue
  --concurrency N    jobs run at once (default 10); keep DB_POOL at least N + 2
  --metrics-port P   port for /health and /metrics (default METRICS_PORT, 9394; 0 picks a free one)`,
  scheduler: `Usage: herd scheduler [--metrics-port P]

Fires periodic jobs. Run it on as many nodes as you like: each period fires exactly once.
Needs DATABASE_URL and REDIS_URL. Schedules can be changed with HERD_SCHEDULE.

Options:
  --metrics-port P   port for /health and /metrics (default METRICS_PORT, 9394; 0 picks a free one)`,
  migrate: `Usage: herd migrate

Applies pending database migrations (SQLite under DATA_DIR, or DATABASE_URL) and prints what it applied.`,
  doctor: `Usage: herd doctor

Validates the configuration and checks every backend it names: the database and its migrations, Redis
(cluster mode, maxmemory-policy, persistence for the queue), media storage (reachable, writable) and mail.
Exits 0 when all is well, 1 when a check fails, 78 when the configuration itself is invalid.`,
  admin: `Usage: herd admin <area> <action> [options]

  accounts create USERNAME --email E [--password P] [--role owner|admin|moderator|user] [--confirmed] [--approve]
  accounts list
  accounts modify USERNAME [--role R] [--disable | --enable] [--approve] [--reset-password]
  accounts alias USERNAME --add ACCOUNT | --remove ACCOUNT   actor ids USERNAME is also known as (needed to move here)
  accounts move USERNAME --to ACCOUNT   move to ACCOUNT (which must list USERNAME as an alias); followers follow it
  tokens create USERNAME [--scopes "read write follow push"]
  jobs list [--queue Q]            queue counts, and the dead jobs of Q
  jobs retry --queue Q [--id ID]   move dead jobs back to waiting
  jobs clear --queue Q [--id ID]   delete dead jobs
  mail test --to ADDRESS           queue a test message on the mailers queue
  db copy --to postgres://…        copy this embedded instance into an empty PostgreSQL database
  media usage                      bytes and files by kind (uploads, remote cache, avatars and headers, previews)
  media remove --days N [--prune-profiles] [--dry-run]   unattached uploads and remote media caches older than N days
  media migrate --to s3|local [--concurrency N]   copy every media file to the other store, resumably
  settings list                    instance settings (title, descriptions, contact, policies) and their values
  settings set KEY VALUE | KEY --file F
  settings unset KEY
  rules add TEXT [--hint H]        server rules, shown by /api/v1/instance/rules
  rules list
  rules remove ID
  emoji add SHORTCODE FILE [--category C] [--unlisted]   a custom emoji from a PNG, GIF or WebP (at most 256 KB)
  emoji list
  emoji remove SHORTCODE
  announcements publish TEXT [--starts-at T --ends-at T [--all-day]]
  announcements list
  announcements unpublish ID
  domains block DOMAIN [--severity silence|suspend|noop] [--reject-media] [--reject-reports] [--obfuscate]
                [--public-comment TEXT] [--private-comment TEXT]   block a domain and its subdomains; again: change
                the block (options not given stay; --no-reject-media, --no-reject-reports, --no-obfuscate undo)
  domains unblock DOMAIN           lift the block, and the suspensions and silences it set
  domains list [--json] [--allowed | --unavailable]   domain blocks; --allowed: the allow-list of LIMITED_FEDERATION_MODE;
                                   --unavailable: domains deliveries stopped for (failing on 7 days)
  domains allow DOMAIN             federate with DOMAIN under LIMITED_FEDERATION_MODE
  domains disallow DOMAIN

Exit codes: 0 ok, 1 failure, 64 usage, 78 configuration.`,
} as const;
