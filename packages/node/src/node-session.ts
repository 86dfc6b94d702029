import type { ServerResponse } from 'node:http'
import { Session } from '@fetch-session/core'
import type { SessionData } from '@fetch-session/core'
import { SessionCookie } from './session-cookie.ts'

/**
 * What the callback forms of `req.session` call back with: `null`, or the error that kept the
 * call from doing what it says.
 */
export type SessionCallback = (error: Error | null) => void

/**
 * The methods and properties `req.session` has besides the core's `Session` API, for code
 * written for express-session. Each callback is called asynchronously, once: with `null`, or
 * with an error where the call cannot be honoured (never left uncalled).
 * @typeParam Data the shape of the session data
 * @typeParam Flash the shape of the flash values; default: the same as `Data`
 * @see https://github.com/expressjs/session#sessionregeneratecallback
 */
export interface NodeSessionMethods<
  Data extends object = SessionData,
  Flash extends object = Data,
> extends Session<Data, Flash> {
  /** express-session's view of the cookie: `expires` and `maxAge`, see `SessionCookie`. */
  readonly cookie: SessionCookie
  /**
   * express-session saves on demand; here the session is committed just before the response's
   * head goes out, which is what code calling `save(callback)` before a redirect waits for. So
   * `save` only calls back, with `null` before the response started and with an error (code
   * `'SESSION_CHANGED_AFTER_HEAD'`) after, when nothing more can be saved.
   * @param callback told when done
   */
  save(callback?: SessionCallback): this
  /**
   * Reads the session again as the store has it, dropping this request's changes, and puts it
   * on `req.session` as a new object (as express-session does): read `req.session` again in the
   * callback. Fails after the response started.
   * @param callback told when `req.session` is the reloaded session, or of the store's error
   */
  reload(callback: SessionCallback): this
  /**
   * Does nothing: with `rolling` (the default) every request extends the idle timeout, written
   * to the store at most once per `touchInterval`. Kept for code that calls it.
   */
  touch(): this
  /**
   * Without a callback, the core's `regenerate()`: the data is kept under a new id. With a
   * callback, express-session's: the session is ended and an empty one takes its place under a
   * new id (as `destroy()`, so a logout written as `regenerate(callback)` still logs out), then
   * the callback is called. Fails after the response started.
   * @param callback told when done
   */
  regenerate(callback?: SessionCallback): this
  /**
   * The core's `destroy()`, then the callback, if given. Fails after the response started.
   * @param callback told when done
   */
  destroy(callback?: SessionCallback): this
}

/**
 * `req.session` as `sessionMiddleware` and `withSession` give it: the core's `Session` (the same
 * object, so it can be passed to `sessions.endSessions(userId, { except })`), with
 * express-session's callback forms (`NodeSessionMethods`), and the data readable and writable as
 * properties: `req.session.user = 'ada'` is `req.session.set('user', 'ada')`, `req.session.user`
 * is `req.session.get('user')`, `delete req.session.user` is `req.session.delete('user')`, and
 * assigning `undefined` deletes too. A key named like one of the methods (`id`, `cookie`, `get`,
 * `flash`…) is reachable only through `get` and `set`; assigning to a method throws.
 * @typeParam Data the shape of the session data
 */
export type NodeSession<
  Data extends object = SessionData,
  Flash extends object = Data,
> = NodeSessionMethods<Data, Flash> & Partial<Omit<Data, keyof NodeSessionMethods<Data, Flash>>>

interface Context {
  res: ServerResponse
  /** Loads the session again and puts it on `req.session`. */
  reload: () => Promise<void>
  /** The data keys that have a property of their own on the session. */
  properties: Set<string>
  cookie: SessionCookie | undefined
}

const contexts = new WeakMap<Session<any, any>, Context>()
const core = Session.prototype as Session<SessionData>

type Loose = Session<SessionData>

function contextOf(session: object): Context {
  const context = contexts.get(session as Session<any, any>)
  if (context === undefined) throw new TypeError('Not a session given by sessionMiddleware')
  return context
}

// A property deleted with `delete req.session.key` leaves no trace but its absence: the data
// follows at the next look at that key, and at commit (see `settleProperties`).
function settle(session: Loose, context: Context, key: string): void {
  if (context.properties.has(key) && !Object.hasOwn(session, key)) {
    context.properties.delete(key)
    core.delete.call(session, key)
  }
}

function addProperty(session: Loose, context: Context, key: string): void {
  if (context.properties.has(key) || key in methods) return
  context.properties.add(key)
  Object.defineProperty(session, key, {
    configurable: true,
    enumerable: true,
    get(this: Loose) {
      return this.get(key)
    },
    set(this: Loose, value: unknown) {
      setProperty(this, key, value)
    },
  })
}

function dropProperty(session: Loose, context: Context, key: string): void {
  if (context.properties.delete(key)) delete (session as unknown as Record<string, unknown>)[key]
}

function setProperty(session: Loose, key: string, value: unknown): void {
  // JSON drops undefined, so express-session code assigns it to remove a key.
  if (value === undefined) session.delete(key)
  else session.set(key, value)
}

// Callbacks are called on a later tick, as a store's would be, and an exception they throw is
// theirs, as with express-session.
function callBack(callback: SessionCallback | undefined, error: Error | null): void {
  if (callback !== undefined) process.nextTick(callback, error)
}

function checkCallback(method: string, callback: unknown, required = false): void {
  if (callback === undefined && !required) return
  if (typeof callback !== 'function') {
    throw new TypeError(`req.session.${method}() takes a callback function`)
  }
}

function tooLate(method: string): Error {
  return Object.assign(
    new Error(
      `req.session.${method}() was called after the response started, when the session had been committed: call it before responding`,
    ),
    { code: 'SESSION_CHANGED_AFTER_HEAD' },
  )
}

// The methods of `req.session`. Those of the core that change which keys exist keep the data's
// own properties in step with the data; the rest are express-session's.
const methods: object = Object.create(core, {
  get: {
    value: function get(this: Loose, key: string) {
      settle(this, contextOf(this), key)
      return core.get.call(this, key)
    },
  },
  has: {
    value: function has(this: Loose, key: string) {
      settle(this, contextOf(this), key)
      return core.has.call(this, key)
    },
  },
  keys: {
    value: function keys(this: Loose) {
      settleProperties(this)
      return core.keys.call(this)
    },
  },
  entries: {
    value: function entries(this: Loose) {
      settleProperties(this)
      return core.entries.call(this)
    },
  },
  set: {
    value: function set(this: Loose, key: string, value: unknown) {
      core.set.call(this, key, value)
      addProperty(this, contextOf(this), key)
    },
  },
  update: {
    value: function update(this: Loose, key: string, fn: (current: unknown) => unknown) {
      core.update.call(this, key, fn)
      addProperty(this, contextOf(this), key)
    },
  },
  delete: {
    value: function (this: Loose, key: string) {
      core.delete.call(this, key)
      dropProperty(this, contextOf(this), key)
    },
  },
  clear: {
    value: function clear(this: Loose) {
      core.clear.call(this)
      const context = contextOf(this)
      for (const key of [...context.properties]) dropProperty(this, context, key)
    },
  },
  cookie: {
    get(this: Loose) {
      const context = contextOf(this)
      return (context.cookie ??= new SessionCookie(this))
    },
  },
  save: {
    value: function save(this: Loose, callback?: SessionCallback) {
      checkCallback('save', callback)
      callBack(callback, contextOf(this).res.headersSent ? tooLate('save') : null)
      return this
    },
  },
  reload: {
    value: function reload(this: Loose, callback: SessionCallback) {
      checkCallback('reload', callback, true)
      const context = contextOf(this)
      if (context.res.headersSent) {
        callBack(callback, tooLate('reload'))
        return this
      }
      context.reload().then(
        () => callBack(callback, null),
        (error: unknown) => callBack(callback, error as Error),
      )
      return this
    },
  },
  touch: {
    value: function touch(this: Loose) {
      return this
    },
  },
  regenerate: {
    value: function regenerate(this: Loose, callback?: SessionCallback) {
      checkCallback('regenerate', callback)
      if (callback === undefined) {
        core.regenerate.call(this)
        return this
      }
      if (contextOf(this).res.headersSent) {
        callBack(callback, tooLate('regenerate'))
        return this
      }
      this.destroy()
      callBack(callback, null)
      return this
    },
  },
  destroy: {
    value: function destroy(this: Loose, callback?: SessionCallback) {
      checkCallback('destroy', callback)
      if (callback !== undefined && contextOf(this).res.headersSent) {
        callBack(callback, tooLate('destroy'))
        return this
      }
      core.destroy.call(this)
      callBack(callback, null)
      return this
    },
  },
})

// The prototype of every `req.session`: what is not a method is a data key, read and written
// through `get` and `set`. Only keys without a property of their own reach it: new ones, and
// those deleted with `delete`.
const prototype: object = new Proxy(methods, {
  get(target, key, receiver) {
    if (typeof key !== 'string' || key in target) return Reflect.get(target, key, receiver)
    return (receiver as Loose).get(key)
  },
  set(target, key, value, receiver) {
    if (typeof key !== 'string') return Reflect.set(target, key, value, receiver)
    if (key in target) {
      const setter = accessorSetter(target, key)
      if (setter === undefined) {
        throw new TypeError(
          `req.session.${key} is part of the session's API, not its data: store a value under this name with req.session.set(${JSON.stringify(key)}, value)`,
        )
      }
      setter.call(receiver, value)
      return true
    }
    setProperty(receiver as Loose, key, value)
    return true
  },
})

function accessorSetter(target: object, key: string): ((value: unknown) => void) | undefined {
  for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at)) {
    const descriptor = Object.getOwnPropertyDescriptor(at, key)
    if (descriptor !== undefined) return descriptor.set
  }
  return undefined
}

/**
 * Turns a session from `sessions.load()` into `req.session`: the same object, given the
 * express-session methods and its data keys as properties. Done once per session.
 * @param session the loaded session
 * @param res the response it is committed with, to tell when it is too late to change it
 * @param reload loads the session again and puts it on `req.session`
 * @returns the session, typed as `req.session`
 */
export function adoptSession<Data extends object, Flash extends object>(
  session: Session<Data, Flash>,
  res: ServerResponse,
  reload: () => Promise<void>,
): NodeSession<Data, Flash> {
  if (!contexts.has(session)) {
    const context: Context = { res, reload, properties: new Set(), cookie: undefined }
    contexts.set(session, context)
    const loose = session as unknown as Loose
    // The data keys read now; later ones get their property when set.
    const keys = core.keys.call(loose)
    Object.setPrototypeOf(session, prototype)
    for (const key of keys) addProperty(loose, context, key)
  }
  return session as NodeSession<Data, Flash>
}

/**
 * Tells whether a value is a session that `adoptSession` turned into `req.session`.
 * @param value anything, such as what `req.session` holds
 */
export function isNodeSession(value: unknown): value is NodeSession<object> {
  return typeof value === 'object' && value !== null && contexts.has(value as Session<any, any>)
}

/**
 * Applies to the data the `delete req.session.key` made since the last look at those keys, so
 * that the commit sees them.
 * @param session a session turned into `req.session`
 */
export function settleProperties(session: Session<any, any>): void {
  const context = contexts.get(session)
  if (context === undefined) return
  for (const key of [...context.properties]) settle(session as unknown as Loose, context, key)
}
