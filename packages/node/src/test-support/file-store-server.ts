// A server process for the restart test: the core's behaviour app on `serve`, keeping its
// sessions in a FileStore under SESSION_DIR. Prints its URL once listening.
import * as core from '@fetch-session/core'
import { createBehaviourApp } from '@fetch-session/test-support/app'
import { FileStore } from '../file-store.ts'
import { serve } from '../serve.ts'
import { baseUrl } from './servers.ts'

const directory = process.env.SESSION_DIR
if (directory === undefined) throw new Error('SESSION_DIR is not set')
const app = createBehaviourApp(core, new FileStore({ directory }))
const server = await serve(app, { port: 0, hostname: '127.0.0.1' })
process.stdout.write(`listening ${baseUrl(server)}\n`)
