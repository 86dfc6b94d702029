import { MemoryStore } from '@fetch-session/core'
import { describe, expect, it } from 'vitest'
import { createShopApp, DEMO_USER } from '../src/app.ts'
import { ShopClient } from './shop-client.ts'

type ShopApp = ReturnType<typeof createShopApp>

const secrets = 'a test secret that is at least thirty-two characters long'
const COOKIE = '__Host-session'

// The User-Agent headers of three real browsers, and the labels they get.
const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 ' +
  'Safari/537.36'
const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
  'Gecko) Version/18.6 Mobile/15E148 Safari/604.1'

function shop() {
  const store = new MemoryStore()
  const app = createShopApp({ secrets, store })
  return { app, store, client: new ShopClient(app, CHROME_LINUX) }
}

// A browser of its own on the same shop, logged in as the demo user.
async function loggedIn(app: ShopApp, userAgent: string): Promise<ShopClient> {
  const client = new ShopClient(app, userAgent)
  const login = await client.post('/login', DEMO_USER)
  expect(login.status).toBe(303)
  return client
}

// The rows of the "Your devices" table: handle, whether it is this browser, the device.
function devices(body: string): Array<{ handle: string; current: boolean; device: string }> {
  const rows = body.matchAll(
    /<tr data-handle="([^"]*)" data-current="(true|false)">\s*<td data-device>([^<]*)/g,
  )
  return [...rows].map(([, handle, current, device]) => ({
    handle: handle!,
    current: current === 'true',
    device: device!.trim(),
  }))
}

// The value cell of a row of the Cookies page's table, tags removed.
function cookieCell(body: string, name: string): string | undefined {
  const match = new RegExp(
    `<tr data-cookie="${name}">[\\s\\S]*?<td data-value>([\\s\\S]*?)</td>`,
  ).exec(body)
  return match?.[1]!
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

// The session id is the part of the cookie value before the signature.
function sessionId(client: ShopClient): string | undefined {
  return client.cookies.get(COOKIE)?.split('.')[0]
}

// The JSON of the session panel's "Stored data", unescaped.
function storedData(body: string): unknown {
  const match = /<pre data-session-data><code>([\s\S]*?)<\/code><\/pre>/.exec(body)
  if (match === null) throw new Error('no session panel on the page')
  const text = match[1]!
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
  return JSON.parse(text)
}

describe('browsing', () => {
  it('shows the products without starting a session', async () => {
    const { client } = shop()
    const page = await client.get('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('Dotted notebook')
    expect(page.body).toContain('Add Fountain pen to cart')
    expect(page.setCookies).toEqual([])
    expect(page.body).toContain('none yet')
    expect(storedData(page.body)).toEqual({})
  })

  it('answers an unknown page with 404', async () => {
    const { client } = shop()
    const page = await client.get('/nowhere')
    expect(page.status).toBe(404)
    expect(page.body).toContain('There is no such page')
  })

  it('refuses a form posted from another site', async () => {
    const { client, app } = shop()
    const response = await app.request('/cart/add', {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'product=ink',
    })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(client.cookies.size).toBe(0)
  })
})

describe('the session cookie', () => {
  it('is __Host-session, Secure, HttpOnly and SameSite=Lax by default', async () => {
    const { client } = shop()
    const added = await client.post('/cart/add', { product: 'ink' })
    expect(added.setCookies).toHaveLength(1)
    expect(added.setCookies[0]).toMatch(
      /^__Host-session=[\w-]+\.[\w-]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
  })

  it('is session, Secure only over HTTPS, without secureCookie', async () => {
    const app = createShopApp({ secrets, store: new MemoryStore(), secureCookie: false })
    const overHttp = await new ShopClient(app).post('/cart/add', { product: 'ink' })
    expect(overHttp.setCookies[0]).toMatch(
      /^session=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    const overHttps = await app.request('https://shop.example/cart/add', {
      method: 'POST',
      headers: {
        origin: 'https://shop.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'product=ink',
    })
    expect(overHttps.headers.getSetCookie()[0]).toMatch(/; Secure; SameSite=Lax$/)
  })
})

describe('POST /cart/add', () => {
  it('keeps the cart in the session and shows the flash message once', async () => {
    const { client } = shop()
    const added = await client.post('/cart/add', { product: 'ink' })
    expect(added.status).toBe(303)
    expect(added.location).toBe('/')
    expect(added.setCookies[0]).toMatch(/^__Host-session=[\w-]+\.[\w-]+; /)

    const next = await client.get('/')
    expect(next.body).toContain('Added Ink bottle to your cart.')
    expect(next.body).toContain('Cart (<span data-cart-count>1</span>)')
    expect(next.body).toContain(`<code data-session-id="${sessionId(client)!.slice(0, 6)}"`)
    expect(storedData(next.body)).toEqual({ cart: { ink: 1 } })

    const again = await client.get('/')
    expect(again.body).not.toContain('Added Ink bottle')

    await client.post('/cart/add', { product: 'ink' })
    await client.post('/cart/add', { product: 'eraser' })
    const cart = await client.get('/cart')
    expect(cart.body).toMatch(/data-product="ink">\s*<td>Ink bottle<\/td>\s*<td[^>]*>2<\/td>/)
    expect(cart.body).toContain('data-product="eraser"')
    expect(cart.body).toContain('<th class="number" data-total>€17.50</th>')
    expect(storedData(cart.body)).toEqual({ cart: { ink: 2, eraser: 1 } })
  })

  it('refuses a product that is not in the catalogue', async () => {
    const { client } = shop()
    await client.post('/cart/add', { product: 'ink' })
    const refused = await client.post('/cart/add', { product: '__proto__' })
    expect(refused.status).toBe(303)
    const page = await client.get('/cart')
    expect(page.body).toContain('That product does not exist; nothing was added.')
    expect(page.body).toContain('role="alert"')
    expect(storedData(page.body)).toEqual({ cart: { ink: 1 } })
  })
})

describe('POST /cart/remove', () => {
  it('removes a line, and the cart with its last line', async () => {
    const { client } = shop()
    await client.post('/cart/add', { product: 'ink' })
    await client.post('/cart/add', { product: 'pencils' })
    await client.post('/cart/remove', { product: 'ink' })
    const page = await client.get('/cart')
    expect(page.body).toContain('Removed Ink bottle from your cart.')
    expect(storedData(page.body)).toEqual({ cart: { pencils: 1 } })

    await client.post('/cart/remove', { product: 'pencils' })
    const empty = await client.get('/cart')
    expect(empty.body).toContain('Your cart is empty.')
    expect(storedData(empty.body)).toEqual({})
  })
})

describe('POST /login', () => {
  it('shows an error for a wrong password, once, and keeps the typed name escaped', async () => {
    const { client } = shop()
    const typed = '"><script>alert(1)</script>'
    const refused = await client.post('/login', { username: typed, password: 'wrong' })
    expect(refused.status).toBe(303)
    expect(refused.location).toBe('/login')

    const form = await client.get('/login')
    expect(form.body).toContain('Wrong user name or password.')
    expect(form.body).not.toContain('<script>alert(1)</script>')
    expect(form.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(form.body).not.toContain('Logged in as')

    const again = await client.get('/login')
    expect(again.body).not.toContain('Wrong user name or password.')
  })

  it('regenerates the session id, keeps the cart, and the old id no longer works', async () => {
    const { client, app } = shop()
    await client.post('/cart/add', { product: 'notebook' })
    const before = client.cookies.get(COOKIE)!

    const login = await client.post('/login', DEMO_USER)
    expect(login.status).toBe(303)
    expect(login.location).toBe('/cart')
    const after = client.cookies.get(COOKIE)!
    expect(after).not.toBe(before)
    expect(after.split('.')[0]).not.toBe(before.split('.')[0])

    const cart = await client.get('/cart')
    expect(cart.body).toContain('Welcome, demo!')
    expect(cart.body).toContain('Logged in as <strong>demo</strong>')
    expect(storedData(cart.body)).toEqual({ cart: { notebook: 1 }, device: 'Chrome on Linux' })
    expect(cart.body).toContain('<strong data-session-user>demo</strong>')

    // Whoever kept the pre-login cookie (a fixation attacker) has an empty session.
    const stale = new ShopClient(app)
    stale.cookies.set(COOKIE, before)
    const page = await stale.get('/cart')
    expect(page.body).toContain('Your cart is empty.')
    expect(page.body).not.toContain('Logged in as')
  })
})

describe('POST /login, the session bound to the user', () => {
  it('binds even an empty session, lists it on "Your devices" with its device label', async () => {
    const { client } = shop()
    const login = await client.post('/login', DEMO_USER)
    expect(login.location).toBe('/')
    expect(login.setCookies[0]).toMatch(/^__Host-session=[\w-]+\.[\w-]+; Max-Age=1209600; /)

    const page = await client.get('/devices')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<strong data-session-user>demo</strong>')
    expect(storedData(page.body)).toEqual({ device: 'Chrome on Linux' })
    const rows = devices(page.body)
    expect(rows).toEqual([{ handle: rows[0]!.handle, current: true, device: 'Chrome on Linux' }])
    // The handle names the session without being its id.
    const id = sessionId(client)!
    expect(rows[0]!.handle).not.toContain(id)
    expect(page.body.match(new RegExp(id, 'g'))).toBeNull()
  })

  it('labels a browser with fixed words only, whatever its User-Agent says', async () => {
    const { app } = shop()
    const client = await loggedIn(app, '<script>alert(1)</script> Firefox/1 (Windows "x")')
    const page = await client.get('/devices')
    expect(devices(page.body).map(({ device }) => device)).toEqual(['Firefox on Windows'])
    expect(page.body).not.toContain('alert(1)')

    const unknown = await loggedIn(app, '"><img src=x onerror=alert(2)>')
    expect(storedData((await unknown.get('/')).body)).toEqual({ device: 'Unknown device' })
  })
})

describe('GET /devices', () => {
  it('sends a visitor to the login form', async () => {
    const { client } = shop()
    const page = await client.get('/devices')
    expect(page.status).toBe(303)
    expect(page.location).toBe('/login')
    expect((await client.get('/login')).body).toContain('Log in to see the browsers')
  })

  it("lists each of the user's browsers with its times, this one marked", async () => {
    const { app, client } = shop()
    await client.post('/cart/add', { product: 'ink' })
    await client.post('/login', DEMO_USER)
    await loggedIn(app, FIREFOX_WINDOWS)
    await loggedIn(app, SAFARI_IPHONE)
    // A visitor with a cart of their own is nobody's device.
    await new ShopClient(app, CHROME_LINUX).post('/cart/add', { product: 'eraser' })

    const page = await client.get('/devices')
    const rows = devices(page.body)
    expect(rows.map(({ device }) => device).sort()).toEqual([
      'Chrome on Linux',
      'Firefox on Windows',
      'Safari on iOS',
    ])
    expect(rows.filter(({ current }) => current).map(({ device }) => device)).toEqual([
      'Chrome on Linux',
    ])
    expect(new Set(rows.map(({ handle }) => handle)).size).toBe(3)
    // Created, last active and expires, each as a machine-readable time and a readable one.
    const table = page.body.slice(page.body.indexOf('<table data-devices>'))
    const times = table.slice(0, table.indexOf('</table>'))
    expect(times.match(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z"\s*>/g)).toHaveLength(9)
    expect(page.body).toMatch(/<span\s+class="hint"\s*>in 14 days<\/span/)
    // A form to end each other browser, none for this one, and one for all the others.
    expect(page.body.match(/action="\/devices\/end"/g)).toHaveLength(2)
    expect(page.body).toContain('Sign out everywhere else')
    expect(page.body).toContain('gets a fresh, empty session and is logged out')
  })
})

describe('POST /devices/end', () => {
  it("ends another browser's session: it is logged out on its next request", async () => {
    const { app, client } = shop()
    await client.post('/login', DEMO_USER)
    const firefox = await loggedIn(app, FIREFOX_WINDOWS)
    await firefox.post('/cart/add', { product: 'notebook' })
    const safari = await loggedIn(app, SAFARI_IPHONE)

    const before = devices((await client.get('/devices')).body)
    const target = before.find(({ device }) => device === 'Firefox on Windows')!
    const ended = await client.post('/devices/end', { handle: target.handle })
    expect(ended.status).toBe(303)
    expect(ended.location).toBe('/devices')

    const page = await client.get('/devices')
    expect(page.body).toContain('Session ended: that browser is logged out on its next request.')
    expect(
      devices(page.body)
        .map(({ device }) => device)
        .sort(),
    ).toEqual(['Chrome on Linux', 'Safari on iOS'])

    const signedOut = await firefox.get('/cart')
    expect(signedOut.body).not.toContain('Logged in as')
    expect(signedOut.body).toContain('Your cart is empty.')
    expect((await safari.get('/')).body).toContain('Logged in as <strong>demo</strong>')
    expect((await client.get('/')).body).toContain('Logged in as <strong>demo</strong>')
  })

  it("refuses this browser's own handle, and says when a handle names nothing", async () => {
    const { client } = shop()
    await client.post('/login', DEMO_USER)
    const [own] = devices((await client.get('/devices')).body)

    await client.post('/devices/end', { handle: own!.handle })
    const refused = await client.get('/devices')
    expect(refused.body).toContain('That is this browser: log out to end its session.')
    expect(devices(refused.body)).toEqual([own])

    await client.post('/devices/end', { handle: 'no-such-handle' })
    const missing = await client.get('/devices')
    expect(missing.body).toContain('That session had already ended.')
    expect(missing.body).toContain('Logged in as <strong>demo</strong>')
  })

  it('does nothing for a visitor', async () => {
    const { app, client } = shop()
    const other = await loggedIn(app, FIREFOX_WINDOWS)
    const [row] = devices((await other.get('/devices')).body)
    const refused = await client.post('/devices/end', { handle: row!.handle })
    expect(refused.location).toBe('/login')
    expect((await other.get('/')).body).toContain('Logged in as <strong>demo</strong>')
  })
})

describe('POST /devices/end-others', () => {
  it('ends every other session of the user and keeps this one', async () => {
    const { app, client } = shop()
    await client.post('/cart/add', { product: 'pencils' })
    await client.post('/login', DEMO_USER)
    const others = [await loggedIn(app, FIREFOX_WINDOWS), await loggedIn(app, SAFARI_IPHONE)]

    const ended = await client.post('/devices/end-others')
    expect(ended.location).toBe('/devices')
    const page = await client.get('/devices')
    expect(page.body).toContain('Signed out everywhere else: 2 other sessions ended.')
    expect(devices(page.body)).toEqual([
      { handle: expect.any(String), current: true, device: 'Chrome on Linux' },
    ])
    expect(page.body).toContain('data-no-others')
    expect(storedData(page.body)).toEqual({ cart: { pencils: 1 }, device: 'Chrome on Linux' })

    for (const other of others) {
      expect((await other.get('/')).body).not.toContain('Logged in as')
    }
    await client.post('/devices/end-others')
    expect((await client.get('/devices')).body).toContain(': 0 other sessions ended.')
  })
})

describe('GET /cookies', () => {
  it('sets zap until the browser closes and sakaicar for 1000 s, read back next time', async () => {
    const { client } = shop()
    const first = await client.get('/cookies')
    expect(first.status).toBe(200)
    // Only the lesson's cookies: the page stores nothing in the session.
    expect(first.setCookies).toEqual(['zap=42; Path=/', 'sakaicar=42; Max-Age=1000; Path=/'])
    expect(first.setCookies[0]).not.toMatch(/max-age|expires/i)
    expect(first.body).toContain('data-no-cookies')

    const second = await client.get('/cookies')
    expect(second.body).not.toContain('data-no-cookies')
    expect(cookieCell(second.body, 'zap')).toBe('42')
    expect(cookieCell(second.body, 'sakaicar')).toBe('42')
    expect(second.body).toContain('<code>Set-Cookie: sakaicar=42; Max-Age=1000; Path=/</code>')
    expect(second.body).toContain('Why the session cookie is different')
  })

  it("shows the session cookie's presence, never its value, and escapes the others", async () => {
    const { client } = shop()
    await client.post('/cart/add', { product: 'ink' })
    const value = client.cookies.get(COOKIE)!
    client.cookies.set('evil', '<script>alert(1)</script>')

    const page = await client.get('/cookies')
    expect(cookieCell(page.body, COOKIE)).toBe(
      `${value.slice(0, 6)}… (${value.length} characters, hidden: it is a secret)`,
    )
    expect(page.body).not.toContain(value)
    expect(page.body).not.toContain(value.split('.')[0])
    expect(page.body).not.toContain('<script>alert(1)')
    expect(cookieCell(page.body, 'evil')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;')
  })
})

describe('POST /logout', () => {
  it('destroys the session: cart and user are gone, the old cookie is worthless', async () => {
    const { client, app } = shop()
    await client.post('/cart/add', { product: 'fountain-pen' })
    await client.post('/login', DEMO_USER)
    const loggedIn = client.cookies.get(COOKIE)!

    const logout = await client.post('/logout')
    expect(logout.status).toBe(303)
    const next = await client.get('/')
    expect(next.body).toContain('You are logged out')
    expect(next.body).not.toContain('Logged in as')
    // The session held only the flash message: it ends with this page and its cookie goes.
    expect(next.setCookies.join()).toMatch(/^__Host-session=; Max-Age=0/)
    expect(client.cookies.has(COOKIE)).toBe(false)

    const cart = await client.get('/cart')
    expect(cart.body).toContain('Your cart is empty.')

    const stale = new ShopClient(app)
    stale.cookies.set(COOKIE, loggedIn)
    const page = await stale.get('/cart')
    expect(page.body).toContain('Your cart is empty.')
    expect(page.body).not.toContain('Logged in as')
  })
})

describe('POST /checkout', () => {
  it('asks a visitor to log in, then empties the cart of a logged-in user', async () => {
    const { client } = shop()
    await client.post('/cart/add', { product: 'ink' })
    const refused = await client.post('/checkout')
    expect(refused.location).toBe('/login')
    const login = await client.get('/login')
    expect(login.body).toContain('Log in to check out')

    await client.post('/login', DEMO_USER)
    const ordered = await client.post('/checkout')
    expect(ordered.location).toBe('/')
    const page = await client.get('/')
    expect(page.body).toContain('Your order (€7.80) is on its way.')
    expect(storedData(page.body)).toEqual({ device: 'Chrome on Linux' })
  })
})
