/** A product of the shop's fixed catalogue. */
export interface Product {
  /** The id that forms post and the cart keys on. */
  id: string
  name: string
  description: string
  /** The price in cents. */
  price: number
  /** A CSS colour for the product's swatch, standing in for a photo. */
  color: string
}

/** The catalogue: a real shop reads it from a database. */
export const products: readonly Product[] = [
  {
    id: 'notebook',
    name: 'Dotted notebook',
    description: 'A5, 120 pages of 100 g paper.',
    price: 1250,
    color: '#2f6f4f',
  },
  {
    id: 'fountain-pen',
    name: 'Fountain pen',
    description: 'Steel nib, medium, refillable.',
    price: 2400,
    color: '#27408b',
  },
  {
    id: 'ink',
    name: 'Ink bottle',
    description: '50 ml of blue-black ink.',
    price: 780,
    color: '#1c2a4a',
  },
  {
    id: 'pencils',
    name: 'Pencil set',
    description: 'Six graphite pencils, 2H to 4B.',
    price: 650,
    color: '#c58b2c',
  },
  {
    id: 'eraser',
    name: 'Soft eraser',
    description: 'Leaves no smudge, no crumbs.',
    price: 190,
    color: '#c94f5d',
  },
]

/**
 * Finds a product by id. Ids come from forms, so they are looked up, never trusted.
 * @param id the id a form posted
 * @returns the product, or `undefined` for an id the catalogue does not have
 */
export function findProduct(id: unknown): Product | undefined {
  return typeof id === 'string' ? products.find((product) => product.id === id) : undefined
}

const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' })

/**
 * Formats a price for display.
 * @param cents the amount in cents
 * @returns the amount in euros, such as "€12.50"
 */
export function formatPrice(cents: number): string {
  return euros.format(cents / 100)
}
