// The servers the HTTP suite compares, each run as a child process of its own.
import type { Database } from './databases.ts'

/** One server of the HTTP suite. */
export interface Contender {
  /** A short identifier, used in file names and on the command line (`--only`). */
  name: string
  /** What the report calls it. */
  label: string
  /** The server's file, under src/servers. */
  file: string
  /** Extra environment variables for the server. */
  env?: Record<string, string>
  /** Whether the server keeps a session counter (all but the ceiling). */
  sessions: boolean
  /** Whether it is fetch-session (held to the targets). */
  ours: boolean
  /** Needs a directory of its own (FileStore), given as DIRECTORY. */
  directory?: boolean
  /**
   * Needs a database server, which the bench starts and gives as REDIS_URL (each contender on
   * a logical database of its own) or DATABASE_URL; skipped when the server is not installed.
   */
  database?: Database
  /** An experiment that explains other figures: run only when named by `--only`. */
  experiment?: boolean
}

/** Every contender, the ceiling first. */
export const contenders: Contender[] = [
  {
    name: 'hono',
    label: 'bare Hono, no session (ceiling)',
    file: 'hono.ts',
    sessions: false,
    ours: false,
  },
  {
    name: 'hono-control',
    label: 'bare Hono again, a second server (control: the noise)',
    file: 'hono.ts',
    sessions: false,
    ours: false,
  },
  {
    name: 'hono-middleware',
    label: 'bare Hono behind an empty middleware (what mounting any middleware costs)',
    file: 'hono.ts',
    env: { MIDDLEWARE: '1' },
    sessions: false,
    ours: false,
  },
  {
    name: 'hono-async',
    label: 'bare Hono with async routes, no middleware (experiment)',
    file: 'hono.ts',
    env: { ASYNC_ROUTE: '1' },
    sessions: false,
    ours: false,
    experiment: true,
  },
  {
    name: 'hono-busy',
    label: 'bare Hono behind a middleware that only keeps the CPU busy for 13 µs (experiment)',
    file: 'hono.ts',
    env: { BUSY_US: '13' },
    sessions: false,
    ours: false,
    experiment: true,
  },
  {
    name: 'hono-busy-alloc',
    label:
      'bare Hono behind the busy middleware that also makes and holds 130 small objects, 8 KB (experiment)',
    file: 'hono.ts',
    env: { BUSY_US: '13', BUSY_OBJECTS: '130' },
    sessions: false,
    ours: false,
    experiment: true,
  },
  {
    name: 'hono-small-young',
    label: 'bare Hono, young generation of at most 1 MB (experiment)',
    file: 'hono.ts',
    env: { NODE_OPTIONS: '--max-semi-space-size=1' },
    sessions: false,
    ours: false,
    experiment: true,
  },
  {
    name: 'fs-memory-small-young',
    label: 'Hono + fetch-session, MemoryStore, young generation of at most 1 MB (experiment)',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'memory', NODE_OPTIONS: '--max-semi-space-size=1' },
    sessions: true,
    ours: true,
    experiment: true,
  },
  {
    name: 'minimal-session',
    label: 'Hono + a hand-written minimal session over a Map (the floor)',
    file: 'minimal-session.ts',
    sessions: true,
    ours: false,
  },
  {
    name: 'minimal-session-no-vary',
    label: 'the same hand-written minimal session without Vary: Cookie (experiment)',
    file: 'minimal-session.ts',
    env: { NO_VARY: '1' },
    sessions: true,
    ours: false,
    experiment: true,
  },
  {
    name: 'minimal-cookie-session',
    label: 'Hono + a hand-written minimal session sealed in its cookie (the floor)',
    file: 'minimal-session.ts',
    env: { STORE: 'cookie' },
    sessions: true,
    ours: false,
  },
  {
    name: 'fs-memory',
    label: 'Hono + fetch-session, MemoryStore',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'memory' },
    sessions: true,
    ours: true,
  },
  {
    name: 'fs-cookie',
    label: 'Hono + fetch-session, CookieStore',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'cookie' },
    sessions: true,
    ours: true,
  },
  {
    name: 'fs-file',
    label: 'Hono + fetch-session, FileStore',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'file' },
    sessions: true,
    ours: true,
    directory: true,
  },
  {
    name: 'fs-redis',
    label: 'Hono + fetch-session, RedisStore',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'redis' },
    sessions: true,
    ours: true,
    database: 'redis',
  },
  {
    name: 'fs-postgres',
    label: 'Hono + fetch-session, PostgresStore',
    file: 'fetch-session-hono.ts',
    env: { STORE: 'postgres' },
    sessions: true,
    ours: true,
    database: 'postgres',
  },
  {
    name: 'fs-wrap',
    label: 'sessions.wrap on node:http, MemoryStore',
    file: 'fetch-session-wrap.ts',
    sessions: true,
    ours: true,
  },
  {
    name: 'hs-memory',
    label: 'Hono + hono-sessions, MemoryStore',
    file: 'hono-sessions.ts',
    env: { STORE: 'memory' },
    sessions: true,
    ours: false,
  },
  {
    name: 'hs-cookie',
    label: 'Hono + hono-sessions, CookieStore',
    file: 'hono-sessions.ts',
    env: { STORE: 'cookie' },
    sessions: true,
    ours: false,
  },
  {
    name: 'express',
    label: 'Express + express-session, MemoryStore',
    file: 'express-session.ts',
    sessions: true,
    ours: false,
  },
  {
    name: 'express-redis',
    label: 'Express + express-session, connect-redis',
    file: 'express-session.ts',
    env: { STORE: 'redis' },
    sessions: true,
    ours: false,
    database: 'redis',
  },
  {
    name: 'express-pg',
    label: 'Express + express-session, connect-pg-simple',
    file: 'express-session.ts',
    env: { STORE: 'postgres' },
    sessions: true,
    ours: false,
    database: 'postgres',
  },
]
