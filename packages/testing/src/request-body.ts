/** A JSON request body, made by `jsonBody`. */
export class JsonBody {
  /** The value to send. */
  readonly value: unknown

  /** @param value the value to send, serialized with `JSON.stringify` */
  constructor(value: unknown) {
    this.value = value
  }
}

/**
 * Marks a value to be sent as JSON (`Content-Type: application/json`), since a plain object
 * body is sent as a form.
 * @param value the value to send
 * @returns the body to give `client.post` or `client.fetch`
 */
export function jsonBody(value: unknown): JsonBody {
  return new JsonBody(value)
}

/** The fields of a form, sent as `application/x-www-form-urlencoded`; an array repeats a name. */
export type FormFields = Record<
  string,
  string | number | boolean | readonly (string | number | boolean)[]
>

/**
 * What a test client sends as a request body: a plain object or `URLSearchParams` as a form,
 * `jsonBody(value)` as JSON, anything else a `Request` takes (`FormData` as multipart, a string
 * as text) as it is.
 */
export type TestBody = FormFields | JsonBody | BodyInit

/**
 * Turns a test body into what a `Request` takes, with the content type it implies.
 * @param body the test body
 * @returns the body and, when the `Request` would not set it itself, its content type
 */
export function encodeBody(body: TestBody): { body: BodyInit; type?: string } {
  if (body instanceof JsonBody) {
    const text = JSON.stringify(body.value)
    if (text === undefined) throw new TypeError('jsonBody() needs a value JSON can represent')
    return { body: text, type: 'application/json' }
  }
  if (isFormFields(body)) {
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(body)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item))
    }
    return { body: form }
  }
  return { body }
}

function isFormFields(body: TestBody): body is FormFields {
  if (typeof body !== 'object' || body === null) return false
  const prototype: unknown = Object.getPrototypeOf(body)
  return prototype === Object.prototype || prototype === null
}
