import { describe, expect, it } from 'vitest'
import { storeError } from './store-error.ts'

const ID = 'Qm9ndXMgaWQgb2YgMzIgY2hhcmFjdGVy'
const RECORD = '{"card":"4111 1111 1111 1111"}'

// Errors shaped as pg, postgres.js and Node give them, carrying values where those can.
const databaseError = (code: string, message: string) =>
  Object.assign(new Error(message), {
    code,
    severity: 'ERROR',
    detail: `Failing row contains (${ID}, ${RECORD}, 1, null, 2026-12-01).`,
  })

describe('storeError()', () => {
  it.each([
    [
      'a missing table, whose message names the table only',
      databaseError('42P01', 'relation "fetch_session" does not exist'),
      'PostgresStore could not read a session (42P01: relation "fetch_session" does not exist)',
    ],
    [
      'a shutdown',
      databaseError('57P01', 'terminating connection due to administrator command'),
      'PostgresStore could not read a session ' +
        '(57P01: terminating connection due to administrator command)',
    ],
    [
      'a data exception, whose message quotes the input',
      databaseError('22P02', `invalid input syntax for type bigint: "${ID}"`),
      'PostgresStore could not read a session (22P02)',
    ],
    [
      'an integrity violation, whose detail holds the row',
      databaseError('23514', 'new row for relation "fetch_session" violates check constraint'),
      'PostgresStore could not read a session (23514)',
    ],
    [
      'an exception raised by a trigger',
      databaseError('P0001', `audit refused ${RECORD}`),
      'PostgresStore could not read a session (P0001)',
    ],
    [
      "a Node network error, whose message would name the server's address",
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }),
      'PostgresStore could not read a session (ECONNREFUSED)',
    ],
    [
      "pg's pool timeout",
      new Error('timeout exceeded when trying to connect'),
      'PostgresStore could not read a session (timeout exceeded when trying to connect)',
    ],
    [
      'an error of an unknown client, which could say anything',
      new TypeError(`cannot serialize ${RECORD} for ${ID}`),
      'PostgresStore could not read a session (TypeError)',
    ],
    ['a thrown string', `${ID} failed`, 'PostgresStore could not read a session (unknown error)'],
  ])('keeps only what is safe of %s', (_, error, message) => {
    const sanitized = storeError('read a session', error)
    expect(sanitized.message).toBe(message)
    expect(JSON.stringify({ ...sanitized, stack: sanitized.stack })).not.toContain(ID)
    expect(sanitized.cause).toBeUndefined()
  })

  it('keeps the code to branch on', () => {
    const error = storeError('write a session', databaseError('40P01', 'deadlock detected'))
    expect(error).toMatchObject({ code: '40P01' })
  })
})
