import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USER } from '../src/app.ts'
import { startShop } from './shop-server.ts'
import type { ShopServer } from './shop-server.ts'

// Debian's Chromium, driven by playwright-core; nothing is downloaded.
const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
// CI sets this so that a missing browser fails the run instead of skipping the test.
const required = !['', '0', undefined].includes(process.env['FETCH_SESSION_REQUIRE_BROWSER'])
const SCREENSHOT = fileURLToPath(new URL('../screenshot.png', import.meta.url))
// A second browser of the same user, told apart on "Your devices" by its User-Agent.
const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0'

if (!hasChromium && !required) {
  console.warn(`example-shop: browser test skipped, no Chromium at ${CHROMIUM}`)
}

describe.skipIf(!hasChromium && !required)('the shop in Chromium', () => {
  let browser: Browser | undefined
  let server: ShopServer | undefined
  let directory = ''
  const env = () => ({
    NODE_ENV: 'development',
    SESSION_DIR: join(directory, 'sessions'),
    SESSION_STORE: 'file',
    SESSION_SECRET: 'the secret of the browser test: thirty-two characters or more',
  })
  // The shop of this suite: started by the first test, restarted by it, reused by the others.
  async function origin(): Promise<string> {
    server ??= await startShop({ ...env(), PORT: '0' })
    return `http://localhost:${server.port}`
  }

  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(
        `FETCH_SESSION_REQUIRE_BROWSER is set but there is no Chromium at ${CHROMIUM}`,
      )
    }
    directory = await mkdtemp(join(tmpdir(), 'fetch-session-shop-'))
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    })
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    await browser?.close()
    if (directory !== '') await rm(directory, { recursive: true, force: true })
  })

  it('keeps the cart across reloads and restarts, renews the id at login, ends at logout', async () => {
    const shop = await origin()
    const context = await browser!.newContext({ viewport: { width: 1000, height: 700 } })
    const page = await context.newPage()

    // Add to cart, reload: the cart is still there.
    await page.goto(`${shop}/`)
    await addToCart(page, 'Fountain pen')
    await addToCart(page, 'Ink bottle')
    await addToCart(page, 'Ink bottle')
    await page.goto(`${shop}/cart`)
    expect(await quantities(page)).toEqual({ 'fountain-pen': '1', ink: '2' })
    await page.reload()
    expect(await quantities(page)).toEqual({ 'fountain-pen': '1', ink: '2' })

    const visitor = await sessionCookie(context)
    // In development the cookie is Secure only over HTTPS (Safari refuses it on http://localhost).
    expect(visitor).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' })

    // Restart the server on the same directory: the file store kept the session.
    await server!.stop()
    server = await startShop({ ...env(), PORT: String(server!.port) })
    await page.reload()
    expect(await quantities(page)).toEqual({ 'fountain-pen': '1', ink: '2' })
    expect((await sessionCookie(context)).value).toBe(visitor.value)

    // Log in: login() gives the session a new id, and so the cookie a new value.
    await page.getByRole('link', { name: 'Log in' }).click()
    await logIn(page)
    expect(new URL(page.url()).pathname).toBe('/cart')
    expect(await quantities(page)).toEqual({ 'fountain-pen': '1', ink: '2' })
    const member = await sessionCookie(context)
    expect(member.value).not.toBe(visitor.value)
    expect(member).toMatchObject({ httpOnly: true, sameSite: 'Lax' })

    // The picture of the README: the cart page, its flash message and the session panel.
    const screenshot = await page.screenshot()
    if (process.env['UPDATE_SCREENSHOT'] === '1' || !existsSync(SCREENSHOT)) {
      await writeFile(SCREENSHOT, screenshot)
    }

    // Log out: destroy() ends the session, and the cart with it.
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('status').filter({ hasText: 'You are logged out' }).waitFor()
    expect(await context.cookies(shop)).toEqual([])
    await page.goto(`${shop}/cart`)
    await page.locator('[data-cart-empty]').waitFor()
    expect(await quantities(page)).toEqual({})
    await context.close()
  }, 120_000)

  it('ends the other browser of the same user from "Your devices": it is logged out', async () => {
    const shop = await origin()
    const here = await browser!.newContext()
    const there = await browser!.newContext({ userAgent: FIREFOX_WINDOWS })
    const page = await here.newPage()
    const other = await there.newPage()
    for (const tab of [page, other]) {
      await tab.goto(`${shop}/login`)
      await logIn(tab)
    }

    await page.getByRole('link', { name: 'Your devices' }).click()
    await page.getByRole('heading', { name: 'Your devices' }).waitFor()
    const current = page.locator('tr[data-current="true"] [data-device]')
    expect(await current.textContent()).toContain('Chrome on Linux')
    const row = page.locator('tr[data-current="false"]')
    expect(await row.count()).toBe(1)
    expect(await row.locator('[data-device]').textContent()).toBe('Firefox on Windows')
    await row.getByRole('button', { name: 'End the session on Firefox on Windows' }).click()
    await page.getByRole('status').filter({ hasText: 'Session ended' }).waitFor()
    expect(await page.locator('tr[data-current="false"]').count()).toBe(0)

    // The other browser still sends its cookie, which now names nothing.
    await other.goto(`${shop}/cart`)
    await other.getByRole('link', { name: 'Log in' }).waitFor()
    expect(await other.getByText('Logged in as').count()).toBe(0)
    await page.reload()
    expect(await page.getByText('Logged in as').count()).toBe(1)
    await Promise.all([here.close(), there.close()])
  }, 60_000)

  it('keeps zap until the browser closes and sakaicar for 1000 seconds', async () => {
    const shop = await origin()
    const context = await browser!.newContext()
    const page = await context.newPage()
    await page.goto(`${shop}/cookies`)
    await page.locator('[data-no-cookies]').waitFor()
    const set = Date.now() / 1000

    await page.reload()
    const value = (name: string) =>
      page.locator(`tr[data-cookie="${name}"] [data-value]`).textContent()
    expect((await value('zap'))?.trim()).toBe('42')
    expect((await value('sakaicar'))?.trim()).toBe('42')
    const cookies = await context.cookies(shop)
    const zap = cookies.find(({ name }) => name === 'zap')
    const sakaicar = cookies.find(({ name }) => name === 'sakaicar')
    // -1: a cookie the browser drops when it closes.
    expect(zap).toMatchObject({ value: '42', expires: -1, httpOnly: false })
    expect(sakaicar).toMatchObject({ value: '42', httpOnly: false })
    expect(sakaicar!.expires).toBeGreaterThan(set + 900)
    expect(sakaicar!.expires).toBeLessThan(set + 1100)
    await context.close()
  }, 60_000)
})

// Fills and posts the login form the page shows, and waits for the welcome.
async function logIn(page: Page): Promise<void> {
  await page.getByLabel('User name').fill(DEMO_USER.username)
  await page.getByLabel('Password').fill(DEMO_USER.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('status').filter({ hasText: 'Welcome, demo!' }).waitFor()
}

// Clicks a product's "Add to cart" and waits for the page that confirms it.
async function addToCart(page: Page, product: string): Promise<void> {
  await page.getByRole('button', { name: `Add ${product} to cart` }).click()
  await page
    .getByRole('status')
    .filter({ hasText: `Added ${product} to your cart.` })
    .waitFor()
}

// The quantities of the cart page's lines, by product id.
async function quantities(page: Page): Promise<Record<string, string>> {
  await page.getByRole('heading', { name: 'Your cart' }).waitFor()
  const rows = await page.locator('tr[data-product]').all()
  const entries = await Promise.all(
    rows.map(async (row) => [
      await row.getAttribute('data-product'),
      (await row.locator('[data-quantity]').textContent())?.trim(),
    ]),
  )
  return Object.fromEntries(entries)
}

async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookies = await context.cookies()
  const cookie = cookies.find(({ name }) => name === 'session')
  if (cookie === undefined) throw new Error(`no session cookie among ${cookies.length} cookies`)
  return cookie
}
