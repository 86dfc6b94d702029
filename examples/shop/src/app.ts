import { createSessions, parseCookie, serializeCookie } from '@fetch-session/core'
import type { Session, SessionStore, VersionedSessionStore } from '@fetch-session/core'
import { session } from '@fetch-session/hono'
import type { SessionEnv } from '@fetch-session/hono'
import { Hono } from 'hono'
import type { Context } from 'hono'
import { csrf } from 'hono/csrf'
import { cartLines, itemCount, MAX_QUANTITY } from './cart.ts'
import { cookiesPage } from './cookies-page.ts'
import { deviceLabel } from './device-label.ts'
import { devicesPage } from './devices-page.ts'
import { layout } from './layout.ts'
import type { Html } from './layout.ts'
import { cartPage, loginPage, notFoundPage, productsPage } from './pages.ts'
import { findProduct, formatPrice } from './products.ts'
import { sessionPanel } from './session-panel.ts'
import type { ShopData } from './shop-data.ts'

/**
 * The one account of the demo; its user name is the user id sessions are bound to. A real shop
 * checks a password hash (scrypt, argon2).
 */
export const DEMO_USER = { username: 'demo', password: 'demo-password' } as const

/** Options of `createShopApp`. */
export interface ShopOptions {
  /** The secrets that sign session cookies: the first signs, all verify. Required. */
  secrets: string | string[]
  /**
   * Where sessions live: a store that indexes sessions by user (MemoryStore, FileStore,
   * PostgresStore…), for the "Your devices" page. Required.
   */
  store: SessionStore | VersionedSessionStore
  /** How the session panel names the store. Default: the store's class name. */
  storeLabel?: string
  /**
   * Whether to require HTTPS for the session cookie. `true`: the cookie is `__Host-session`,
   * `Secure`, so browsers keep it for this host and path `/` only, sent over HTTPS only (and,
   * except in Safari, to `http://localhost`). `false`: the cookie is `session`, `Secure` only
   * when the request came over HTTPS, so the demo also works in Safari on `http://localhost`.
   * Default: `true`.
   */
  secureCookie?: boolean
}

type ShopContext = Context<SessionEnv<ShopData>>

/** How often, at most, a session's expiry is pushed back by reading pages: five minutes. */
export const TOUCH_INTERVAL = 300

/** The most of a posted session handle that is read; real handles are far shorter. */
const MAX_HANDLE = 200

/**
 * Builds the shop: a product list, a cart kept in the session, login (which binds the session to
 * the user and regenerates its id), logout (which destroys the session), a "Your devices" page
 * listing and ending the user's sessions, a Cookies page, and a flash message after every
 * action.
 * @param options see `ShopOptions`
 * @returns the Hono app; serve `app.fetch`, or call `app.request()` in tests
 * @throws SessionConfigError for invalid secrets
 */
export function createShopApp(options: ShopOptions): Hono<SessionEnv<ShopData>> {
  const secureCookie = options.secureCookie ?? true
  const cookieName = secureCookie ? '__Host-session' : 'session'
  const storeLabel = options.storeLabel ?? options.store.constructor.name
  const sessions = createSessions<ShopData>({
    secrets: options.secrets,
    store: options.store,
    cookie: { name: cookieName, secure: secureCookie ? true : 'auto' },
    // "Last active" on the devices page is this precise; reading a page rarely writes.
    touchInterval: TOUCH_INTERVAL,
  })

  const app = new Hono<SessionEnv<ShopData>>()
  // SameSite=Lax already keeps the cookie off cross-site POSTs; checking Origin (or
  // Sec-Fetch-Site) as well refuses forged form posts in browsers that do not honour it.
  app.use(csrf())
  app.use(session(sessions))

  // Renders a page around `content`, with this request's flash message and the session panel.
  async function render(c: ShopContext, title: string, content: Html, status: 200 | 404 = 200) {
    const current = await c.var.session()
    const page = layout({
      title,
      user: current.userId,
      itemCount: itemCount(current.get('cart')),
      flash: current.get('flash'),
      panel: sessionPanel(current, { cookieName, storeLabel }),
      content,
    })
    return c.html(page, status)
  }

  function flash(current: Session<ShopData>, kind: 'success' | 'error', text: string) {
    current.flash('flash', { kind, text })
  }

  app.get('/', (c) => render(c, 'Products', productsPage()))

  app.get('/cart', async (c) => {
    const current = await c.var.session()
    return render(c, 'Your cart', cartPage(cartLines(current.get('cart')), current.userId))
  })

  app.post('/cart/add', async (c) => {
    const current = await c.var.session()
    const product = findProduct((await c.req.parseBody())['product'])
    if (product === undefined) {
      flash(current, 'error', 'That product does not exist; nothing was added.')
      return c.redirect('/', 303)
    }
    if ((current.get('cart')?.[product.id] ?? 0) >= MAX_QUANTITY) {
      flash(current, 'error', `You already have ${MAX_QUANTITY} of ${product.name}.`)
      return c.redirect('/', 303)
    }
    // update() runs again on the freshest cart if another request (on this instance or another
    // one sharing the store) changed it meanwhile, so parallel adds all count.
    current.update('cart', (cart = {}) => ({
      ...cart,
      [product.id]: Math.min((cart[product.id] ?? 0) + 1, MAX_QUANTITY),
    }))
    flash(current, 'success', `Added ${product.name} to your cart.`)
    return c.redirect('/', 303)
  })

  app.post('/cart/remove', async (c) => {
    const current = await c.var.session()
    const product = findProduct((await c.req.parseBody())['product'])
    const cart = current.get('cart')
    if (product === undefined || cart?.[product.id] === undefined) {
      flash(current, 'error', 'That product is not in your cart.')
      return c.redirect('/cart', 303)
    }
    delete cart[product.id]
    if (Object.keys(cart).length === 0) current.delete('cart')
    flash(current, 'success', `Removed ${product.name} from your cart.`)
    return c.redirect('/cart', 303)
  })

  app.post('/checkout', async (c) => {
    const current = await c.var.session()
    const lines = cartLines(current.get('cart'))
    if (current.userId === null) {
      flash(current, 'error', 'Log in to check out; your cart will still be there.')
      return c.redirect('/login', 303)
    }
    if (lines.length === 0) {
      flash(current, 'error', 'Your cart is empty.')
      return c.redirect('/cart', 303)
    }
    const total = lines.reduce((sum, line) => sum + line.total, 0)
    current.delete('cart')
    flash(current, 'success', `Thank you! Your order (${formatPrice(total)}) is on its way.`)
    return c.redirect('/', 303)
  })

  app.get('/login', async (c) => {
    const current = await c.var.session()
    const username = current.get('flash')?.username ?? ''
    return render(c, 'Log in', loginPage(current.userId, username, DEMO_USER))
  })

  app.post('/login', async (c) => {
    const current = await c.var.session()
    const form = await c.req.parseBody()
    const username = typeof form['username'] === 'string' ? form['username'].slice(0, 100) : ''
    const password = typeof form['password'] === 'string' ? form['password'] : ''
    if (username !== DEMO_USER.username || password !== DEMO_USER.password) {
      // The typed name comes back in the form: user input, escaped like all session data.
      current.flash('flash', { kind: 'error', text: 'Wrong user name or password.', username })
      return c.redirect('/login', 303)
    }
    // Binds the session to the user, so that "Your devices" lists it, and gives it a new id now
    // that it grants more: an id planted before login is worthless. The cart stays.
    current.login(DEMO_USER.username)
    // Fixed words picked by the header, never its text: the label is not the client's input.
    current.set('device', deviceLabel(c.req.header('user-agent')))
    flash(current, 'success', `Welcome, ${username}! Your session has a new id; the cart stayed.`)
    return c.redirect(current.has('cart') ? '/cart' : '/', 303)
  })

  app.post('/logout', async (c) => {
    const current = await c.var.session()
    // The store entry is removed and the cookie expired; the message starts a new session
    // that lives for one request.
    current.destroy()
    flash(current, 'success', 'You are logged out: your session, cart included, was destroyed.')
    return c.redirect('/', 303)
  })

  app.get('/devices', async (c) => {
    const current = await c.var.session()
    const userId = current.userId
    if (userId === null) {
      flash(current, 'error', 'Log in to see the browsers you are logged in from.')
      return c.redirect('/login', 303)
    }
    const list = await sessions.listSessions(userId)
    return render(c, 'Your devices', devicesPage(list, current.handle))
  })

  app.post('/devices/end', async (c) => {
    const current = await c.var.session()
    const userId = current.userId
    if (userId === null) return c.redirect('/login', 303)
    const posted = (await c.req.parseBody())['handle']
    const handle = typeof posted === 'string' ? posted.slice(0, MAX_HANDLE) : ''
    if (handle === current.handle) {
      flash(current, 'error', 'That is this browser: log out to end its session.')
    } else if (await sessions.endSession(userId, handle)) {
      flash(current, 'success', 'Session ended: that browser is logged out on its next request.')
    } else {
      flash(current, 'error', 'That session had already ended.')
    }
    return c.redirect('/devices', 303)
  })

  app.post('/devices/end-others', async (c) => {
    const current = await c.var.session()
    const userId = current.userId
    if (userId === null) return c.redirect('/login', 303)
    const ended = await sessions.endSessions(userId, { except: current })
    const count = ended === 1 ? '1 other session' : `${ended} other sessions`
    flash(current, 'success', `Signed out everywhere else: ${count} ended.`)
    return c.redirect('/devices', 303)
  })

  // The lesson cookies come before sessions with: read the request's cookies, set one cookie
  // that lasts until the browser closes and one that lasts 1000 seconds.
  app.get('/cookies', async (c) => {
    const received = parseCookie(c.req.header('cookie'))
    const sent = [
      serializeCookie('zap', '42', { path: '/' }),
      serializeCookie('sakaicar', '42', { maxAge: 1000, path: '/' }),
    ]
    for (const line of sent) c.header('set-cookie', line, { append: true })
    return render(c, 'Cookies', cookiesPage({ received, sent, sessionCookie: cookieName }))
  })

  app.notFound(async (c) => {
    // Only GET pages read the session for the layout; a stray POST or HEAD gets a bare 404.
    if (c.req.method !== 'GET') return c.text('Not found', 404)
    return render(c, 'Not found', notFoundPage(), 404)
  })

  return app
}
