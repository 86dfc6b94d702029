import { html } from 'hono/html'
import type { CartLine } from './cart.ts'
import type { Html } from './layout.ts'
import { formatPrice, products } from './products.ts'

/** The product list, each product with an "Add to cart" form. */
export function productsPage(): Html {
  return html`<p class="hint">
      Add something to the cart, then reload the page, restart the server, or come back tomorrow:
      the cart lives in your session, on the server.
    </p>
    <ul class="products">
      ${products.map(
        (product) =>
          html`<li class="product">
            <div class="swatch" style="background: ${product.color}"></div>
            <h2>${product.name}</h2>
            <p>${product.description}</p>
            <span class="price">${formatPrice(product.price)}</span>
            <form method="post" action="/cart/add">
              <input type="hidden" name="product" value="${product.id}" />
              <button aria-label="Add ${product.name} to cart">Add to cart</button>
            </form>
          </li>`,
      )}
    </ul>`
}

/**
 * The cart: its lines with a "Remove" form each, the total and the checkout form.
 * @param lines the lines of the session's cart
 * @param user the logged-in user, or `null`
 */
export function cartPage(lines: CartLine[], user: string | null): Html {
  if (lines.length === 0) {
    return html`<p data-cart-empty>Your cart is empty. <a href="/">See the products</a>.</p>`
  }
  const total = lines.reduce((sum, line) => sum + line.total, 0)
  return html`<table>
      <thead>
        <tr>
          <th>Product</th>
          <th class="number">Quantity</th>
          <th class="number">Price</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${lines.map(
          (line) =>
            html`<tr data-product="${line.product.id}">
              <td>${line.product.name}</td>
              <td class="number" data-quantity>${line.quantity}</td>
              <td class="number">${formatPrice(line.total)}</td>
              <td>
                <form method="post" action="/cart/remove">
                  <input type="hidden" name="product" value="${line.product.id}" />
                  <button class="secondary" aria-label="Remove ${line.product.name}">Remove</button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
      <tfoot>
        <tr>
          <th>Total</th>
          <td></td>
          <th class="number" data-total>${formatPrice(total)}</th>
          <td></td>
        </tr>
      </tfoot>
    </table>
    <div class="actions">
      <form method="post" action="/checkout"><button>Check out</button></form>
      ${user === null ? html`<span class="hint">You will be asked to log in.</span>` : ''}
    </div>`
}

/**
 * The login form, or who is logged in.
 * @param user the logged-in user, or `null`
 * @param username what a failed attempt typed, to fill the form again
 * @param demo the demo account's name and password, shown as a hint
 */
export function loginPage(
  user: string | null,
  username: string,
  demo: { username: string; password: string },
): Html {
  if (user !== null) {
    return html`<p>You are logged in as <strong>${user}</strong>.</p>
      <form method="post" action="/logout"><button>Log out</button></form>`
  }
  return html`<form method="post" action="/login">
      <label
        >User name
        <input name="username" autocomplete="username" value="${username}" required />
      </label>
      <label
        >Password
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button>Log in</button>
    </form>
    <p class="hint">
      Demo account: <code>${demo.username}</code> / <code>${demo.password}</code>. Watch the session
      id change when you log in (<code>login()</code> binds the session to you and gives it a new
      id) while the cart stays. Log in from a second browser too, then open "Your devices".
    </p>`
}

/** The page for a URL the shop does not have. */
export function notFoundPage(): Html {
  return html`<p>There is no such page. <a href="/">See the products</a>.</p>`
}
