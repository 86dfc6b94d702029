import { findProduct } from './products.ts'
import type { Product } from './products.ts'

/** Quantities by product id, as kept in the session. */
export type Cart = Record<string, number>

/** A line of the cart page. */
export interface CartLine {
  product: Product
  quantity: number
  /** Price times quantity, in cents. */
  total: number
}

/** The most of one product a cart holds, so that a session stays small whatever is posted. */
export const MAX_QUANTITY = 99

/**
 * The lines of a cart, in catalogue order; ids the catalogue no longer has are left out.
 * @param cart the cart from the session, if any
 */
export function cartLines(cart: Cart | undefined): CartLine[] {
  if (cart === undefined) return []
  const lines: CartLine[] = []
  for (const [id, quantity] of Object.entries(cart)) {
    const product = findProduct(id)
    if (product !== undefined && quantity > 0) {
      lines.push({ product, quantity, total: product.price * quantity })
    }
  }
  return lines
}

/**
 * How many items a cart holds.
 * @param cart the cart from the session, if any
 */
export function itemCount(cart: Cart | undefined): number {
  return cartLines(cart).reduce((sum, line) => sum + line.quantity, 0)
}
