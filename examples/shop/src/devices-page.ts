import type { SessionInfo } from '@fetch-session/core'
import { html } from 'hono/html'
import type { Html } from './layout.ts'
import type { ShopData } from './shop-data.ts'
import { formatDate, fromNow } from './time-format.ts'

/**
 * The "Your devices" page: every signed-in session of the user with its device and times, this
 * browser's marked, a form to end each other one, and one to end all the others.
 * @param sessions the user's live sessions from `sessions.listSessions()`, most recent first
 * @param currentHandle `session.handle` of this request's session
 * @param now the present, in milliseconds since the epoch, for the relative times
 */
export function devicesPage(
  sessions: SessionInfo<ShopData>[],
  currentHandle: string,
  now = Date.now(),
): Html {
  const others = sessions.filter(({ handle }) => handle !== currentHandle).length
  return html`<p class="hint">
      Every browser you log in from holds a session of its own. Ending one deletes it from the
      store, here on the server: that browser still has its cookie, but the cookie names nothing any
      more, so on its next request it gets a fresh, empty session and is logged out (its cart is
      gone too).
    </p>
    <table data-devices>
      <thead>
        <tr>
          <th>Device</th>
          <th>Logged in</th>
          <th>Last active</th>
          <th>Expires</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${sessions.map((info) => {
          const current = info.handle === currentHandle
          const device = info.data.device ?? 'Unknown device'
          return html`<tr data-handle="${info.handle}" data-current="${current ? 'true' : 'false'}">
            <td data-device>${device}${current ? html` <strong>(this browser)</strong>` : ''}</td>
            <td>${when(info.createdAt, now)}</td>
            <td>${when(info.lastActiveAt, now)}</td>
            <td>${when(info.expiresAt, now)}</td>
            <td>
              ${
                current
                  ? html`<span class="hint">Log out to end it</span>`
                  : html`<form method="post" action="/devices/end">
                      <input type="hidden" name="handle" value="${info.handle}" />
                      <button class="secondary" aria-label="End the session on ${device}">
                        End
                      </button>
                    </form>`
              }
            </td>
          </tr>`
        })}
      </tbody>
    </table>
    <div class="actions">
      ${
        others === 0
          ? html`<span class="hint" data-no-others
              >No other browser is logged in. Log in from another browser (or a private window) to
              see it here.</span
            >`
          : html`<form method="post" action="/devices/end-others">
              <button>Sign out everywhere else</button>
            </form>`
      }
    </div>
    <p class="hint">
      "Last active" is the last time the session's expiry was pushed back: its last change, or a
      visit at least five minutes after the previous one. A session unused until "Expires" ends by
      itself. The list comes from <code>sessions.listSessions(userId)</code>; the buttons call
      <code>sessions.endSession(userId, handle)</code> and
      <code>sessions.endSessions(userId, { except: session })</code>. A handle names a session
      without being its id, so it is safe to put in this page.
    </p>`
}

// A time as a cell shows it: the day and the minute, each kept on one line, and how long ago or
// ahead.
function when(date: Date, now: number): Html {
  const text = formatDate(date)
  const split = text.indexOf(' ')
  return html`<time datetime="${date.toISOString()}"
      ><span class="nowrap">${text.slice(0, split)}</span>
      <span class="nowrap">${text.slice(split + 1)}</span></time
    ><br /><span class="hint">${fromNow(date, now)}</span>`
}
