// The TypeScript blocks of a README, grouped into the modules they form. A block is fenced as
// ```ts or ```typescript; blocks in any other language (sh, text, an API listing) are not code
// to compile. An HTML comment on the last non-blank line before a block's fence (invisible on
// GitHub and npm) says how to compile it, with one or more of these, separated by commas:
//
//   <!-- snippet: worker -->                       with the Workers types instead of Node's
//   <!-- snippet: continues the previous block --> one module with the block before it
//   <!-- snippet: file users.ts -->                the module './users.js' of the other blocks
//
// "The previous block" is the last TypeScript block before it that is not a named module.
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The runtime a block is written for, which decides the global types it is compiled with. */
export type SnippetHost = 'node' | 'worker'

/** One module of a README's code: a block, with the blocks that continue it. */
export interface SnippetModule {
  /** The README, relative to the repository root, with `/` separators. */
  readme: string
  host: SnippetHost
  /** The module's file name: the block's own (`users.ts`), or one made from its line. */
  fileName: string
  /** The code, blocks joined in the order they appear. */
  text: string
  /** For each line of `text`, its line number in the README (1-based). */
  lines: number[]
}

/** What a README holds for the compiler. */
export interface ReadmeSnippets {
  modules: SnippetModule[]
  /** Markers that could not be followed, as `README:line: why`. */
  problems: string[]
}

// Directories that hold no README of ours: dependencies, build output, data.
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', '.data', '.git', '.wrangler'])

/**
 * Every README.md of the repository: the root's, each package's and each example's, at any
 * depth, outside dependencies and build output.
 * @param root the repository root
 * @returns paths relative to `root`, with `/` separators, sorted
 */
export function findReadmes(root: string): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name))
      } else if (entry.name === 'README.md') {
        found.push(relative(root, join(dir, entry.name)).split('\\').join('/'))
      }
    }
  }
  walk(root)
  return found.sort()
}

// A fence opens with three or more backticks or tildes, possibly indented (inside a list item),
// followed by the block's language (CommonMark 4.5).
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/
const MARKER = /^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$/
const TYPESCRIPT = new Set(['ts', 'typescript'])

/**
 * Reads the TypeScript blocks of a README and groups them into modules, following the markers.
 * @param readme the README's path relative to the repository root, for messages
 * @param markdown its text
 * @returns its modules, and the markers that could not be followed
 */
export function readSnippets(readme: string, markdown: string): ReadmeSnippets {
  const modules: SnippetModule[] = []
  const problems: string[] = []
  const source = markdown.split(/\r?\n/)
  let previous: SnippetModule | null = null
  for (let index = 0; index < source.length; index++) {
    const open = FENCE.exec(source[index]!)
    if (open === null) continue
    const [, indent = '', fence = '', language = ''] = open
    const fenceLine = index + 1
    const code: string[] = []
    const lines: number[] = []
    for (index++; index < source.length; index++) {
      const line = source[index]!
      if (line.trimStart().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break
      code.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())
      lines.push(index + 1)
    }
    if (!TYPESCRIPT.has(language.toLowerCase())) continue

    const marker = markerBefore(source, fenceLine - 1)
    const where = `${readme}:${fenceLine}`
    const { host, continues, file, unknown } = parseMarker(marker)
    for (const word of unknown) {
      problems.push(`${where}: unknown snippet marker "${word}"`)
    }
    if (continues && file !== null) {
      problems.push(`${where}: a named module (file ${file}) cannot continue another block`)
    } else if (continues) {
      if (previous === null) {
        problems.push(
          `${where}: "continues the previous block", but no TypeScript block is before it`,
        )
      } else {
        if (host !== null && host !== previous.host) {
          problems.push(`${where}: continues a ${previous.host} block but is marked ${host}`)
        }
        if (code.length > 0) {
          previous.text += '\n' + code.join('\n')
          previous.lines.push(...lines)
        }
        continue
      }
    }
    const module: SnippetModule = {
      readme,
      host: host ?? 'node',
      fileName: file ?? `block-${fenceLine}.ts`,
      text: code.join('\n'),
      lines: lines.length > 0 ? lines : [fenceLine],
    }
    modules.push(module)
    // A named module is a file beside the code, not part of it: the next block continues the
    // code before it.
    if (file === null) previous = module
  }
  return { modules, problems }
}

// The marker on the last non-blank line before a fence, if any (Prettier puts a blank line
// between the comment and the fence).
function markerBefore(source: string[], fenceIndex: number): string | null {
  let index = fenceIndex - 1
  while (index >= 0 && source[index]!.trim() === '') index--
  const line = source[index]
  if (line === undefined) return null
  return MARKER.exec(line)?.[1] ?? null
}

function parseMarker(marker: string | null): {
  host: SnippetHost | null
  continues: boolean
  file: string | null
  unknown: string[]
} {
  const parsed = {
    host: null as SnippetHost | null,
    continues: false,
    file: null as string | null,
    unknown: [] as string[],
  }
  if (marker === null) return parsed
  for (const part of marker.split(',').map((word) => word.trim())) {
    const file = /^file ([\w.-]+\.ts)$/.exec(part)
    if (part === 'worker' || part === 'node') parsed.host = part
    else if (part === 'continues the previous block') parsed.continues = true
    else if (file !== null) parsed.file = file[1]!
    else parsed.unknown.push(part)
  }
  return parsed
}
