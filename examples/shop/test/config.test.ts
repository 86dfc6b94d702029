import { describe, expect, it } from 'vitest'
import { ConfigError, DEFAULT_SESSION_DIR, DEVELOPMENT_SECRET, readConfig } from '../src/config.ts'

const secret = 'a production secret of at least thirty-two characters'

describe('readConfig', () => {
  it('starts in development with the labelled fallback secret and the file store', () => {
    expect(readConfig({})).toEqual({
      port: 3000,
      store: 'file',
      directory: DEFAULT_SESSION_DIR,
      databaseUrl: null,
      redisUrl: null,
      secrets: [DEVELOPMENT_SECRET],
      developmentSecret: true,
      production: false,
      secureCookie: false,
    })
    expect(DEFAULT_SESSION_DIR).toMatch(/examples[\\/]shop[\\/]\.data[\\/]sessions$/)
  })

  it('refuses to start in production without SESSION_SECRET, or with the development one', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(ConfigError)
    expect(() => readConfig({ NODE_ENV: 'production', SESSION_SECRET: ' , ' })).toThrow(
      /SESSION_SECRET is required/,
    )
    expect(() =>
      readConfig({ NODE_ENV: 'production', SESSION_SECRET: `${secret},${DEVELOPMENT_SECRET}` }),
    ).toThrow(/development secret/)
    const config = readConfig({ NODE_ENV: 'production', SESSION_SECRET: secret })
    expect(config.secrets).toEqual([secret])
    expect(config.developmentSecret).toBe(false)
    expect(config.secureCookie).toBe(true)
  })

  it('reads several secrets separated by commas, the signing one first', () => {
    const old = 'the previous secret, also thirty-two characters'.replace(',', '')
    expect(readConfig({ SESSION_SECRET: `${secret}, ${old}` }).secrets).toEqual([secret, old])
  })

  it('reads the port, the store and its directory', () => {
    const config = readConfig({ PORT: '0', SESSION_STORE: 'memory', SESSION_DIR: 'sessions' })
    expect(config).toMatchObject({ port: 0, store: 'memory', directory: 'sessions' })
    expect(() => readConfig({ PORT: 'http' })).toThrow(/PORT/)
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/)
    expect(() => readConfig({ SESSION_STORE: 'mongo' })).toThrow(/SESSION_STORE must be one of/)
  })

  it('reads REDIS_URL for the redis store', () => {
    const url = 'redis://:a-redis-password@localhost:6379'
    expect(readConfig({ SESSION_STORE: 'redis', REDIS_URL: url })).toMatchObject({
      store: 'redis',
      redisUrl: url,
      databaseUrl: null,
    })
    expect(() => readConfig({ SESSION_STORE: 'redis' })).toThrow(
      /SESSION_STORE=redis needs REDIS_URL/,
    )
    expect(readConfig({ REDIS_URL: url }).redisUrl).toBeNull()
  })

  it('reads DATABASE_URL for the postgres store, and never repeats it in an error', () => {
    const url = 'postgres://shop:a-database-password@localhost:5432/shop'
    expect(readConfig({ SESSION_STORE: 'postgres', DATABASE_URL: url })).toMatchObject({
      store: 'postgres',
      databaseUrl: url,
    })
    expect(() => readConfig({ SESSION_STORE: 'postgres' })).toThrow(/needs DATABASE_URL/)
    // Another store ignores it.
    expect(readConfig({ DATABASE_URL: url }).databaseUrl).toBeNull()
    let message = ''
    try {
      readConfig({ SESSION_STORE: 'postgress', DATABASE_URL: url })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/SESSION_STORE must be one of/)
    expect(message).not.toContain('a-database-password')
  })
})
