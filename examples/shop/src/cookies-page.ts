import type { Cookies } from '@fetch-session/core'
import { html } from 'hono/html'
import type { Html } from './layout.ts'
import { SHOWN_ID_CHARACTERS } from './session-panel.ts'

/** What the Cookies page shows. */
export interface CookiesPageProps {
  /** The cookies of this request, from `parseCookie()`. */
  received: Cookies
  /** The `Set-Cookie` values this response sends for the lesson. */
  sent: string[]
  /** The session cookie's name, whose value is masked. */
  sessionCookie: string
}

/** The most of another cookie's value the page shows, so that one long value keeps it readable. */
const SHOWN_VALUE_CHARACTERS = 60

/**
 * The Cookies page: the cookies the browser sent (the session cookie's value masked, since it
 * is as good as a password), the two cookies of the lesson this response sets, and why the
 * session cookie is a different kind of cookie.
 * @param props see `CookiesPageProps`
 */
export function cookiesPage(props: CookiesPageProps): Html {
  const { received, sent, sessionCookie } = props
  const names = Object.keys(received)
  return html`<p class="hint">
      Cookies come before sessions. A classic first lesson is a Django view that reads
      <code>request.COOKIES</code>, then sets <code>zap=42</code> with no expiry and
      <code>sakaicar=42</code> with <code>max_age=1000</code>. This page does the same with
      <code>parseCookie</code> and <code>serializeCookie</code> from
      <code>@fetch-session/core</code>:
    </p>
    <pre><code>const cookies = parseCookie(request.headers.get('cookie'))
const zap = serializeCookie('zap', '42', { path: '/' })
const sakaicar = serializeCookie('sakaicar', '42', { maxAge: 1000, path: '/' })
response.headers.append('set-cookie', zap)
response.headers.append('set-cookie', sakaicar)</code></pre>

    <h2>What your browser sent</h2>
    ${
      names.length === 0
        ? html`<p data-no-cookies>
            No cookies came with this request. Reload the page: the two below come back.
          </p>`
        : html`<table data-cookies>
            <thead>
              <tr>
                <th>Name</th>
                <th>Value</th>
                <th>What it is</th>
              </tr>
            </thead>
            <tbody>
              ${names.map((name) => {
                const value = received[name] ?? ''
                return html`<tr data-cookie="${name}">
                  <td><code>${name}</code></td>
                  <td data-value>
                    ${name === sessionCookie ? masked(value) : html`<code>${shown(value)}</code>`}
                  </td>
                  <td>${purpose(name, sessionCookie)}</td>
                </tr>`
              })}
            </tbody>
          </table>`
    }

    <h2>What this response sets</h2>
    <ul data-sent>
      ${sent.map((line) => html`<li><code>Set-Cookie: ${line}</code></li>`)}
    </ul>

    <h2>Which lasts how long</h2>
    <ul>
      <li>
        <code>zap</code> has neither <code>Max-Age</code> nor <code>Expires</code>: the browser
        keeps it in memory and drops it when it closes (browsers call it a "session cookie", an
        older name than server sessions; one that restores your tabs may restore it too).
      </li>
      <li>
        <code>sakaicar</code> has <code>Max-Age=1000</code>: the browser keeps it on disk, through
        restarts, for 1000 seconds (16 minutes 40 seconds) after it was last set. Every visit here
        sets it again, so the 1000 seconds start over.
      </li>
      <li>
        Both go with every request to this host, this page's scripts can read them
        (<code>document.cookie</code>), and you can change them in the developer tools: a cookie's
        value is user input, never to be trusted.
      </li>
    </ul>

    <h2>Why the session cookie is different</h2>
    <ul>
      <li>
        It carries an id, not the data: your cart and who you are stay on the server, in the store.
        The cookie stays small, and there is nothing in it to read or to change.
      </li>
      <li>
        It is signed with the server's secret: a changed or made-up value fails the check and counts
        as no session at all.
      </li>
      <li>
        <code>HttpOnly</code>: scripts cannot read it, so a script slipped into a page cannot steal
        it. <code>Secure</code>: sent over HTTPS only (always in production, where it is
        <code>__Host-session</code>; in development when the request came over HTTPS).
        <code>SameSite=Lax</code>: other sites' form posts go without it.
      </li>
      <li>
        Its <code>Max-Age</code> is two weeks, pushed back as you use the site, and the server
        enforces that expiry itself. Logging out (or ending the session from "Your devices") deletes
        the session on the server, so the cookie, and any copy of it, names nothing any more.
      </li>
    </ul>`
}

// The start of the session cookie's value, as the session panel shows the id: the whole value
// is as good as a password, so the page never sends it back.
function masked(value: string): Html {
  return html`<code>${value.slice(0, SHOWN_ID_CHARACTERS)}…</code>
    <span class="hint">(${value.length} characters, hidden: it is a secret)</span>`
}

function shown(value: string): string {
  return value.length > SHOWN_VALUE_CHARACTERS
    ? `${value.slice(0, SHOWN_VALUE_CHARACTERS)}…`
    : value
}

function purpose(name: string, sessionCookie: string): string {
  if (name === sessionCookie) return 'The session cookie: a signed session id.'
  if (name === 'zap') return 'Set by this page with no expiry: gone when the browser closes.'
  if (name === 'sakaicar') return 'Set by this page with Max-Age=1000: kept for 1000 seconds.'
  return 'Set by another page or another app on this host.'
}
