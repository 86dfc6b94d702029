import type { Session } from '@fetch-session/core'
import { html } from 'hono/html'
import type { Html } from './layout.ts'
import { formatDate, fromNow } from './time-format.ts'
import type { ShopData } from './shop-data.ts'

/** How many characters of the session id the panel shows: enough to see it change, no more. */
export const SHOWN_ID_CHARACTERS = 6

/** What the panel says about the setup, besides the session itself. */
export interface SessionPanelOptions {
  /** The session cookie's name. */
  cookieName: string
  /** Where sessions are kept, such as "FileStore: sessions survive a restart". */
  storeLabel: string
}

/**
 * The "your session" panel: the start of the session id, its expiry and what it stores, so that
 * a learner can watch the state persist, change id at login and vanish at logout. Render it
 * after the handler has read the flash message.
 * @param session the session of this request
 * @param options see `SessionPanelOptions`
 */
export function sessionPanel(session: Session<ShopData>, options: SessionPanelOptions): Html {
  const expiresAt = session.expiresAt
  const stored = Object.fromEntries(session.entries().filter(([key]) => key !== 'flash'))
  const flash = session.get('flash')
  // Reading `session.id` of an empty session would draw an id for nothing: ask only when kept.
  const details =
    expiresAt === null
      ? html`<dt>Id</dt>
          <dd>${session.isNew ? NO_SESSION_YET : SESSION_ENDING}</dd>`
      : html`<dt>Id</dt>
          <dd>
            <code data-session-id="${session.id.slice(0, SHOWN_ID_CHARACTERS)}"
              >${session.id.slice(0, SHOWN_ID_CHARACTERS)}…</code
            >
            (the first ${SHOWN_ID_CHARACTERS} of ${session.id.length} characters: the whole id is as
            good as a password)
          </dd>
          <dt>Expires</dt>
          <dd>
            <time datetime="${expiresAt.toISOString()}">${formatDate(expiresAt)}</time>
            (${fromNow(expiresAt)}), later if you keep using the site
          </dd>`
  return html`<aside aria-labelledby="session-panel">
    <h2 id="session-panel">Your session</h2>
    <dl>
      <dt>Store</dt>
      <dd>${options.storeLabel}</dd>
      <dt>Cookie</dt>
      <dd><code>${options.cookieName}</code>, HttpOnly: this page's scripts cannot read it</dd>
      ${details}
      <dt>Status</dt>
      <dd>${session.isNew ? 'new on this request' : 'found in the store'}</dd>
      <dt>User</dt>
      <dd>
        ${
          session.userId === null
            ? 'none: a visitor'
            : html`<strong data-session-user>${session.userId}</strong>, bound by
                <code>login()</code>`
        }
      </dd>
    </dl>
    <p><strong>Stored data</strong></p>
    <pre data-session-data><code>${JSON.stringify(stored, null, 2)}</code></pre>
    ${
      flash === undefined
        ? ''
        : html`<p><strong>Flash message</strong>: shown on this page, then gone from the session</p>
            <pre><code>${JSON.stringify(flash, null, 2)}</code></pre>`
    }
  </aside>`
}

const NO_SESSION_YET = 'none yet: nothing is stored, so no cookie was sent. Add to the cart!'
const SESSION_ENDING =
  'none any more: this session held only the message above, so it ends with this page and its ' +
  'cookie is removed.'
