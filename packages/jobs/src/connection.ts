/**
 * Redis connection URLs: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` and `rediss://` (TLS). The password is kept
 * out of every string this module returns for display and is scrubbed from error messages.
 */
import { isIP } from 'net';
import IORedis from 'ioredis';
import type { RedisOptions } from 'bullmq';
import { JobsError } from './errors';

/** A parsed queue URL: options for ioredis/BullMQ, and a display form without credentials. */
export interface QueueConnection {
  /** Connection options for ioredis and BullMQ (holds the password: never print this object). */
  readonly options: RedisOptions;
  /** `redis://HOST:PORT/DB` (or `rediss://`), with no user or password: safe to print. */
  readonly display: string;
  /** The database index (0 when the URL names none). */
  readonly db: number;
}

const DEFAULT_PORT = 6379;

/** Node's messages for a server certificate that does not verify (self-signed, unknown CA, wrong host, expired). */
const TLS_TRUST = /certificate|self[- ]signed|altnames|CERT_|unable to verify/i;

/** The URL with any user and password removed, for messages (works on strings that do not parse, too). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/)?.*@/i, '$1');
}

/** Parses a queue URL; throws JobsError BAD_URL (without echoing a password) when it is not one. */
export function parseQueueUrl(url: string): QueueConnection {
  const shown = redactUrl(String(url));
  const bad = (why: string) =>
    new JobsError(
      'BAD_URL',
      `--queue ${shown}: ${why}; expected redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://... for TLS.`,
    );
  if (!/^[a-z][\w+.-]*:\/\//i.test(String(url))) throw bad('the scheme must be redis:// or rediss://');
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw bad(`the scheme must be redis:// or rediss://, not ${u.protocol}//`);
  if (!u.hostname) throw bad('no host');
  const port = u.port ? Number(u.port) : DEFAULT_PORT;
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw bad(`the path must be a database number, not "/${dbText}"`);
  if (u.search || u.hash) throw bad('query strings and fragments are not supported');
  const db = dbText === '' ? 0 : Number(dbText);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = u.protocol === 'rediss:';
  const options: RedisOptions = { host, port, db };
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.username) options.username = decodeURIComponent(u.username);
  // SNI carries host names only (RFC 6066); for an IP address the certificate is checked against the address.
  if (tls) options.tls = isIP(host) ? {} : { servername: host };
  return { options, db, display: `${u.protocol}//${u.hostname}:${port}/${db}` };
}

/** `message` with the connection's password (raw and URL-encoded) replaced by `***`. */
export function scrub(message: string, conn: QueueConnection): string {
  const pw = conn.options.password;
  if (!pw) return message;
  return message.split(pw).join('***').split(encodeURIComponent(pw)).join('***');
}

/**
 * Connects once (no retries), authenticates and selects the database; throws JobsError UNREACHABLE, AUTH_FAILED or
 * BAD_DB with what to do. Nothing is enqueued or started before this passes.
 */
export async function checkConnection(conn: QueueConnection, timeoutMs = 5000): Promise<{ redisVersion: string }> {
  const { password, username, ...rest } = conn.options;
  const client = new IORedis({
    ...(rest as object),
    db: 0,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    lastError = err.message; // reported through the rejected promises below, with this as the reason
  });
  try {
    try {
      await client.connect();
    } catch (err) {
      const m = scrub(lastError || (err as Error).message, conn);
      if (conn.options.tls && TLS_TRUST.test(m))
        throw new JobsError(
          'TLS_UNTRUSTED',
          `the TLS certificate of Redis at ${conn.display} is not trusted here (${m}); give its CA certificate (PEM) with the environment variable NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or check the host name in --queue.`,
        );
      throw new JobsError(
        'UNREACHABLE',
        `cannot reach Redis at ${conn.display} (${m}); check the host and port in --queue, and that redis-server is running and reachable from here.`,
      );
    }
    if (password !== undefined) {
      try {
        await (username ? client.auth(username, password) : client.auth(password));
      } catch (err) {
        const m = scrub((err as Error).message, conn);
        throw new JobsError(
          'AUTH_FAILED',
          `Redis at ${conn.display} refused the credentials (${m}); check the user and password in --queue.`,
        );
      }
    }
    try {
      await client.ping();
    } catch (err) {
      const m = scrub((err as Error).message, conn);
      if (/NOAUTH/i.test(m))
        throw new JobsError(
          'AUTH_FAILED',
          `Redis at ${conn.display} needs a password; give it as redis://:PASSWORD@host:port.`,
        );
      throw new JobsError('UNREACHABLE', `Redis at ${conn.display} did not answer PING (${m}).`);
    }
    try {
      await client.select(conn.db);
    } catch (err) {
      const m = scrub((err as Error).message, conn);
      const count = await client.config('GET', 'databases').then(
        (r) => (r as string[])[1],
        () => undefined,
      );
      throw new JobsError(
        'BAD_DB',
        `Redis at ${conn.display} has no database ${conn.db} (${m})${count ? `; it has databases 0-${Number(count) - 1}` : ''}. Use another /DB in --queue.`,
      );
    }
    const info = await client.info('server').catch(() => '');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    return { redisVersion: version };
  } finally {
    client.disconnect();
  }
}

/** A client for BullMQ and our own keys: reconnects forever and queues commands while Redis is away. */
export function openRedis(conn: QueueConnection): IORedis {
  const client = new IORedis({ ...(conn.options as object), maxRetriesPerRequest: null });
  client.on('error', () => {
    /* reconnects by itself; callers see failed commands */
  });
  return client;
}
