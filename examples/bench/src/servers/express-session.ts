// Express 5 + express-session with its default MemoryStore, configured as its README recommends
// (no resave, no uninitialized sessions). Not Secure: express-session would not send a Secure
// cookie over plain HTTP.
import express from 'express'
import expressSession from 'express-session'
import {
  COUNTER_PATH,
  IDLE_SECONDS,
  SECRET,
  UNTOUCHED_PATH,
  announce,
  port,
} from '../server-control.ts'

declare module 'express-session' {
  interface SessionData {
    count: number
  }
}

const store = new expressSession.MemoryStore()
const app = express()
app.use(
  expressSession({
    secret: SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: IDLE_SECONDS * 1000 },
  }),
)
app.get(COUNTER_PATH, (req, res) => {
  const count = (req.session.count ?? 0) + 1
  req.session.count = count
  res.type('text').send(String(count))
})
app.get(UNTOUCHED_PATH, (_req, res) => {
  res.type('text').send('ok')
})

const server = app.listen(port(), '127.0.0.1', () =>
  announce(server.address(), {
    sessions: () =>
      new Promise((resolve) => store.length((_error, length) => resolve(length ?? 0))),
  }),
)
