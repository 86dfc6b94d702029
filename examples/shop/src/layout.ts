import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { Flash } from './shop-data.ts'

/** HTML from the `html` template tag: interpolated strings are escaped, nested templates not. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

/** What every page shows around its content. */
export interface LayoutProps {
  title: string
  /** The logged-in user (`session.userId`), or `null` for a visitor. */
  user: string | null
  /** Items in the cart, for the navigation. */
  itemCount: number
  /** The flash message of this request, shown once. */
  flash: Flash | undefined
  /** The "your session" panel. */
  panel: Html
  content: Html
}

/**
 * A whole page: navigation, the flash message, the content and the session panel. Every value
 * interpolated with `html` is escaped; session data is user input.
 * @param props see `LayoutProps`
 */
export function layout(props: LayoutProps): Html {
  const { title, user, itemCount, flash, panel, content } = props
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Paper &amp; Ink</title>
        <link rel="icon" href="data:," />
        <style>
          ${raw(styles)}
        </style>
      </head>
      <body>
        <header>
          <a class="brand" href="/">Paper &amp; Ink</a>
          <nav>
            <a href="/">Products</a>
            <a href="/cart">Cart (<span data-cart-count>${itemCount}</span>)</a>
            <a href="/cookies">Cookies</a>
            ${
              user === null
                ? html`<a href="/login">Log in</a>`
                : html`<a href="/devices">Your devices</a>
                    <span class="user">Logged in as <strong>${user}</strong></span>
                    <form method="post" action="/logout">
                      <button class="link">Log out</button>
                    </form>`
            }
          </nav>
        </header>
        <div class="page">
          <main>
            ${
              flash === undefined
                ? ''
                : html`<p
                    class="flash ${flash.kind}"
                    role="${flash.kind === 'error' ? 'alert' : 'status'}"
                  >
                    ${flash.text}
                  </p>`
            }
            <h1>${title}</h1>
            ${content}
          </main>
          ${panel}
        </div>
      </body>
    </html>`
}

// A constant of this file, so `raw` (no escaping) is safe here and nowhere near session data.
const styles = `
  :root { font-family: system-ui, sans-serif; color: #1d1d1f; background: #f6f4ef; }
  body { margin: 0; }
  header { display: flex; align-items: center; justify-content: space-between;
    padding: 0.8rem 1.5rem; background: #1d2b3a; }
  header a, header .user, header .link { color: #f6f4ef; }
  .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; }
  nav { display: flex; gap: 1.2rem; align-items: center; }
  nav form { margin: 0; }
  .page { display: grid; grid-template-columns: minmax(0, 1fr) 19rem; gap: 1.5rem; padding: 1.5rem;
    max-width: 64rem; margin: 0 auto; }
  @media (max-width: 50rem) { .page { grid-template-columns: 1fr; } }
  h1 { margin-top: 0; font-size: 1.5rem; }
  .flash { padding: 0.6rem 0.9rem; border-radius: 6px; margin: 0 0 1rem; }
  .flash.success { background: #dcefe1; border: 1px solid #8cc49b; }
  .flash.error { background: #f8dede; border: 1px solid #d88c8c; }
  .products { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: 1rem; padding: 0; list-style: none; }
  .product { background: #fff; border-radius: 8px; padding: 1rem;
    box-shadow: 0 1px 3px #0002; display: flex; flex-direction: column; gap: 0.4rem; }
  .product h2 { font-size: 1rem; margin: 0; }
  .product p { margin: 0; color: #555; font-size: 0.9rem; flex: 1; }
  .swatch { height: 4.5rem; border-radius: 6px; }
  .price { font-weight: 600; }
  button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid #1d2b3a;
    background: #1d2b3a; color: #fff; padding: 0.4rem 0.8rem; }
  button.secondary { background: #fff; color: #1d2b3a; }
  button.link { background: none; border: none; padding: 0; text-decoration: underline; }
  table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; }
  th, td { text-align: left; padding: 0.5rem 0.8rem; border-bottom: 1px solid #e6e2d8; }
  td.number, th.number { text-align: right; }
  td form { margin: 0; }
  .actions { display: flex; gap: 0.8rem; margin-top: 1rem; align-items: center; }
  .actions form { margin: 0; }
  label { display: block; margin-bottom: 0.8rem; }
  input { display: block; font: inherit; padding: 0.35rem; margin-top: 0.2rem; width: 16rem; }
  .hint { color: #555; font-size: 0.9rem; }
  aside { background: #fff; border: 2px dashed #8a97a6; border-radius: 8px; padding: 1rem;
    font-size: 0.85rem; align-self: start; }
  aside h2 { font-size: 1rem; margin: 0 0 0.6rem; }
  aside dl { display: grid; grid-template-columns: auto 1fr; gap: 0.3rem 0.6rem; margin: 0; }
  aside dt { font-weight: 600; }
  aside dd { margin: 0; overflow-wrap: anywhere; }
  aside pre { background: #f1efe9; padding: 0.5rem; border-radius: 4px; margin: 0.3rem 0 0;
    white-space: pre-wrap; overflow-wrap: anywhere; }
  code { font-family: ui-monospace, monospace; }
  h2 { font-size: 1.15rem; margin: 1.5rem 0 0.6rem; }
  main pre { background: #fff; border-radius: 6px; padding: 0.6rem 0.8rem; overflow-x: auto;
    font-size: 0.85rem; }
  .nowrap { white-space: nowrap; }
`
