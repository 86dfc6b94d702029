/** A message shown once, on the page after an action ("Added to your cart"). */
export interface Flash {
  kind: 'success' | 'error'
  text: string
  /** The user name typed into a failed login, to fill the form again. */
  username?: string
}

/**
 * What the shop keeps in a session. Everything is JSON, and everything a browser's requests
 * put here is user input: it is escaped wherever it is shown.
 */
export interface ShopData {
  /** Quantities by product id. */
  cart: Record<string, number>
  /**
   * The browser this session was signed in from, such as "Chrome on Linux", set at login for
   * the "Your devices" page. Who is logged in is not data: `session.userId` says it.
   */
  device: string
  /** Set with `session.flash()`: readable on the next request only. */
  flash: Flash
}
