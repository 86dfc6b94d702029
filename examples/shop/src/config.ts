import { fileURLToPath } from 'node:url'

/**
 * The secret used when `SESSION_SECRET` is not set, so that `pnpm start` works at once.
 * DEVELOPMENT ONLY: it is public (it is in this file), so anyone could sign a cookie with it.
 * `readConfig` refuses it when `NODE_ENV=production`.
 */
export const DEVELOPMENT_SECRET = 'development-only-secret:never-use-in-production'

/** Where the file store keeps sessions unless `SESSION_DIR` says otherwise. */
export const DEFAULT_SESSION_DIR = fileURLToPath(new URL('../.data/sessions', import.meta.url))

/** Where the shop keeps sessions: `SESSION_STORE`. */
export type SessionStoreKind = 'file' | 'memory' | 'redis' | 'postgres'

const STORES: readonly SessionStoreKind[] = ['file', 'memory', 'redis', 'postgres']

/** The server's settings, read from the environment by `readConfig`. */
export interface ShopConfig {
  /** `PORT`: the port to listen on; `0` picks a free one. Default: 3000. */
  port: number
  /**
   * `SESSION_STORE`: `file` (sessions survive a restart), `memory`, `redis` or `postgres`
   * (sessions shared by every instance that uses the same server). Default: `file`.
   */
  store: SessionStoreKind
  /** `SESSION_DIR`: the file store's directory. Default: `.data/sessions` in this example. */
  directory: string
  /**
   * `DATABASE_URL`: the PostgreSQL connection string, such as
   * `postgres://shop:password@localhost:5432/shop`; required with `SESSION_STORE=postgres`,
   * `null` otherwise.
   */
  databaseUrl: string | null
  /**
   * `REDIS_URL`: the Redis server, such as `redis://localhost:6379`; required with
   * `SESSION_STORE=redis`, `null` otherwise.
   */
  redisUrl: string | null
  /**
   * `SESSION_SECRET`: one secret, or several separated by commas (the first signs, all verify,
   * so a new secret goes first when rotating). Default outside production: `DEVELOPMENT_SECRET`.
   */
  secrets: string[]
  /** True when `secrets` is the development fallback. */
  developmentSecret: boolean
  /** True when `NODE_ENV=production`. */
  production: boolean
  /**
   * Whether the session cookie requires HTTPS (`__Host-session`, `Secure`): in production. In
   * development the cookie is `Secure` only over HTTPS, since Safari refuses `Secure` cookies
   * from `http://localhost`.
   */
  secureCookie: boolean
}

/** A setting of the environment that the server cannot start with. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Reads the server's settings from environment variables.
 * @param env the environment, usually `process.env`
 * @returns the settings, with defaults applied
 * @throws ConfigError for an invalid setting, and for a missing or development `SESSION_SECRET`
 *   when `NODE_ENV=production`
 */
export function readConfig(env: Record<string, string | undefined>): ShopConfig {
  const production = env['NODE_ENV'] === 'production'

  const portText = env['PORT'] || '3000'
  const port = Number(portText)
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    throw new ConfigError(`PORT must be a port number from 0 to 65535, not "${portText}"`)
  }

  const store = (env['SESSION_STORE'] || 'file') as SessionStoreKind
  if (!STORES.includes(store)) {
    const names = STORES.map((name) => `"${name}"`).join(', ')
    throw new ConfigError(`SESSION_STORE must be one of ${names}, not "${store}"`)
  }
  // The URLs hold passwords: messages name the variable, never its value.
  const databaseUrl = store === 'postgres' ? env['DATABASE_URL'] || null : null
  if (store === 'postgres' && databaseUrl === null) {
    throw new ConfigError(
      'SESSION_STORE=postgres needs DATABASE_URL, such as ' +
        'postgres://shop:password@localhost:5432/shop',
    )
  }
  const redisUrl = store === 'redis' ? env['REDIS_URL'] || null : null
  if (store === 'redis' && redisUrl === null) {
    throw new ConfigError('SESSION_STORE=redis needs REDIS_URL, such as redis://localhost:6379')
  }

  const secretList = env['SESSION_SECRET'] ?? ''
  const secrets = secretList
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '')
  const developmentSecret = secrets.length === 0
  if (production && developmentSecret) {
    throw new ConfigError(
      'SESSION_SECRET is required when NODE_ENV=production: set it to 32 random bytes or more, ' +
        'for example the output of `openssl rand -base64 32`',
    )
  }
  if (production && secrets.includes(DEVELOPMENT_SECRET)) {
    throw new ConfigError('SESSION_SECRET must not be the public development secret in production')
  }

  return {
    port,
    store,
    directory: env['SESSION_DIR'] || DEFAULT_SESSION_DIR,
    databaseUrl,
    redisUrl,
    secrets: developmentSecret ? [DEVELOPMENT_SECRET] : secrets,
    developmentSecret,
    production,
    secureCookie: production,
  }
}
