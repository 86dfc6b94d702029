// Every TypeScript block of every README compiles as a user would compile it: strict, ESM,
// NodeNext, `verbatimModuleSyntax`, with Node's types (or the Workers' for a block marked
// `<!-- snippet: worker -->`). A block that does not fails here, naming the README and the line.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findReadmes, readSnippets } from '../src/readme-snippets.ts'
import { SnippetChecker } from '../src/snippet-checker.ts'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const root = fileURLToPath(new URL('../../..', import.meta.url))

// pending: owned elsewhere. READMEs whose blocks do not compile yet and are fixed with their own
// package; remove an entry once its README passes.
const PENDING_ELSEWHERE: string[] = []

const checker = new SnippetChecker(packageDir)
const readmes = findReadmes(root)

function check(readme: string, markdown: string): string[] {
  const { modules, problems } = readSnippets(readme, markdown)
  return [...problems, ...checker.check(modules)]
}

describe('readSnippets', () => {
  it('joins a block marked as continuing the previous one, keeping README line numbers', () => {
    const markdown = [
      '```ts',
      'const a = 1',
      '```',
      '',
      '<!-- snippet: continues the previous block -->',
      '```ts',
      'const b = a + 1',
      '```',
      '```sh',
      'echo not code',
      '```',
    ].join('\n')
    const { modules, problems } = readSnippets('README.md', markdown)
    expect(problems).toEqual([])
    expect(modules).toHaveLength(1)
    expect(modules[0]!.text).toBe('const a = 1\nconst b = a + 1')
    expect(modules[0]!.lines).toEqual([2, 7])
  })

  it('reports a marker it does not know', () => {
    const { problems } = readSnippets('README.md', '<!-- snippet: wroker -->\n```ts\nlet x\n```')
    expect(problems).toEqual(['README.md:2: unknown snippet marker "wroker"'])
  })
})

describe('SnippetChecker.check', () => {
  it('names the README and line of a block that does not compile', () => {
    const markdown = '# Title\n\n```ts\nconst ok = 1\nconst n: number = "one"\n```\n'
    const failures = check('packages/example/README.md', markdown)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/^packages\/example\/README\.md:5: TS2322 /)
  })

  it('refuses an import of ./users.ts, as a NodeNext project does, and resolves ./users.js', () => {
    const users = '<!-- snippet: file users.ts -->\n```ts\nexport const users = ["ada"]\n```\n'
    const wrong = "```ts\nimport { users } from './users.ts'\nusers.push('bob')\n```\n"
    const right = "```ts\nimport { users } from './users.js'\nusers.push('bob')\n```\n"
    expect(check('README.md', users + wrong).join('\n')).toMatch(/README\.md:6: TS5097 /)
    expect(check('README.md', users + right)).toEqual([])
  })

  it('compiles a Worker block with the Workers types and without Node globals', () => {
    const worker = [
      '<!-- snippet: worker -->',
      '```ts',
      'export default {',
      '  fetch: (request: Request, env: { SESSIONS: KVNamespace }) => Response.json(env),',
      '}',
      'process.env.SECRET',
      '```',
    ].join('\n')
    const failures = check('README.md', worker)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/^README\.md:6: TS25\d\d Cannot find name 'process'/)
  })

  it('resolves the packages of the workspace by name', () => {
    const markdown = [
      '```ts',
      "import { createSessions } from '@fetch-session/core'",
      "createSessions({ secrets: 'x'.repeat(32) }).load(new Request('http://localhost/'))",
      '```',
    ].join('\n')
    expect(check('README.md', markdown)).toEqual([])
  })
})

describe('README TypeScript blocks', () => {
  it('finds the READMEs of the root, the packages and the examples', () => {
    expect(readmes).toEqual(
      expect.arrayContaining([
        'README.md',
        'packages/core/README.md',
        'packages/hono/README.md',
        'examples/cloudflare-worker/README.md',
      ]),
    )
    expect(readmes.some((readme) => readme.includes('node_modules'))).toBe(false)
  })

  for (const readme of readmes) {
    it.skipIf(PENDING_ELSEWHERE.includes(readme))(
      `${readme}: every TypeScript block compiles`,
      () => {
        const failures = check(readme, readFileSync(`${root}/${readme}`, 'utf8'))
        expect(failures.length, failures.join('\n')).toBe(0)
      },
    )
  }
})
