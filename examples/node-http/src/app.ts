// A plain node:http app with sessions: `(req, res)` handlers given `req.session` by
// `withSession`. It counts your visits, lets you sign in under a name (renewing the session id)
// and sign out (ending the session), with a one-request message after each action.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { createSessions } from '@fetch-session/core'
import type { SessionStore, SessionsOptions } from '@fetch-session/core'
import { nodeCrypto, withSession } from '@fetch-session/node'
import type { SessionRequest } from '@fetch-session/node'

/** What the app keeps in a session. */
export interface AppData {
  visits: number
  user: string
  notice: string
}

/** Options of `createApp`. */
export interface AppOptions {
  /** Secrets of 32 characters or more; the first signs. */
  secrets: string[]
  /** Where sessions live. */
  store: SessionStore
  /**
   * The cookie's `Secure` attribute: `true` in production (HTTPS); `"auto"` follows the request's
   * scheme, so that every browser, Safari included, keeps the cookie on http://localhost.
   * Default: `"auto"`.
   */
  secureCookie?: boolean | 'auto'
  /** Told about errors that became a 500. Default: none. */
  onError?: (error: unknown) => void
}

const MAX_BODY = 16 * 1024

/**
 * Builds the app.
 * @returns a listener for `http.createServer()`
 */
export function createApp(options: AppOptions): RequestListener {
  const sessionOptions: SessionsOptions = {
    secrets: options.secrets,
    store: options.store,
    cookie: { secure: options.secureCookie ?? 'auto' },
    // The same cookies as with Web Crypto, signed with node:crypto.
    crypto: nodeCrypto,
  }
  const sessions = createSessions<AppData>(sessionOptions)
  const withSessionOptions = options.onError === undefined ? {} : { onError: options.onError }
  const pages = withSession(sessions, route, withSessionOptions)

  return (req, res) => {
    // A health check needs no session: outside `withSession`, it costs no cookie check and no
    // store access.
    if (req.url === '/health') {
      res.setHeader('content-type', 'text/plain; charset=utf-8')
      res.end('ok')
      return
    }
    pages(req, res)
  }
}

async function route(req: SessionRequest<AppData>, res: ServerResponse): Promise<void> {
  const session = req.session
  const path = new URL(req.url ?? '/', 'http://localhost').pathname

  if (req.method === 'GET' && path === '/') {
    const visits = (session.get('visits') ?? 0) + 1
    session.set('visits', visits)
    html(res, 200, page(visits, session.get('user'), session.get('notice')))
    return
  }

  if (req.method === 'POST' && path === '/login') {
    const form = await readForm(req)
    if (form === null) {
      html(res, 413, layout('Too large', '<p>That form was too large. <a href="/">Home</a></p>'))
      return
    }
    const name = form.get('name')?.trim().slice(0, 40) ?? ''
    if (name === '') {
      session.flash('notice', 'Type a name to sign in.')
    } else {
      // New privileges, new id: an id planted in this browser before sign-in is now worthless.
      session.regenerate()
      session.set('user', name)
      session.flash('notice', `Welcome, ${name}.`)
    }
    redirect(res, '/')
    return
  }

  if (req.method === 'POST' && path === '/logout') {
    // Removes the session from the store and expires the cookie; the message below lives in a
    // new session that ends once it has been shown.
    session.destroy()
    session.flash('notice', 'You are signed out.')
    redirect(res, '/')
    return
  }

  html(res, 404, layout('Not found', '<p>There is no such page. <a href="/">Home</a></p>'))
}

function page(visits: number, user: string | undefined, notice: string | undefined): string {
  const greeting =
    user === undefined
      ? `<form method="post" action="/login">
  <label>Your name <input name="name" autocomplete="username" required></label>
  <button>Sign in</button>
</form>`
      : `<p>Signed in as <strong>${escape(user)}</strong>.</p>
<form method="post" action="/logout"><button>Sign out</button></form>`
  return layout(
    'Visits',
    `${notice === undefined ? '' : `<p role="status">${escape(notice)}</p>`}
<p>You have visited this page <strong>${visits}</strong> ${visits === 1 ? 'time' : 'times'}.</p>
${greeting}`,
  )
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${title}</title>
<h1>${title}</h1>
${body}
</html>
`
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  res.end(body)
}

function redirect(res: ServerResponse, location: string): void {
  // 303: the browser follows with a GET, so reloading the page never re-posts the form.
  res.writeHead(303, { location })
  res.end()
}

// The posted form, or null when it is larger than any form of this app.
async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  let body = ''
  req.setEncoding('utf8')
  for await (const chunk of req) {
    body += chunk as string
    if (body.length > MAX_BODY) return null
  }
  return new URLSearchParams(body)
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!)
}
