import { MemoryStore } from '@fetch-session/core'
import { describe, expect, it } from 'vitest'
import { createShopApp, DEMO_USER } from '../src/app.ts'
import { ShopClient } from './shop-client.ts'

const secrets = 'a test secret that is at least thirty-two characters long'
const COOKIE = '__Host-session'

function shop() {
  const store = new MemoryStore()
  const app = createShopApp({ secrets, store })
  return { app, store, client: new ShopClient(app) }
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
    expect(storedData(cart.body)).toEqual({ cart: { notebook: 1 }, user: 'demo' })

    // Whoever kept the pre-login cookie (a fixation attacker) has an empty session.
    const stale = new ShopClient(app)
    stale.cookies.set(COOKIE, before)
    const page = await stale.get('/cart')
    expect(page.body).toContain('Your cart is empty.')
    expect(page.body).not.toContain('Logged in as')
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
    expect(storedData(page.body)).toEqual({ user: 'demo' })
  })
})
