// Type-checks README modules with the TypeScript compiler API, under the tsconfig of a user's
// project (snippets/<host>/tsconfig.json: strict, ESM, NodeNext, verbatimModuleSyntax), with
// `@fetch-session/*` resolved through this package's node_modules to the workspace sources (the
// `source` export condition).
import { dirname, join } from 'node:path'
import ts from 'typescript'
import type { SnippetHost, SnippetModule } from './readme-snippets.ts'

// Options that change how a file is parsed or bound, so that a parsed file can only be shared
// between programs that agree on them; both configurations differ only in `types`.
type ParseKey = string

/**
 * Compiles the modules of one README at a time, each README in programs of its own (one per
 * host), so that a global declaration in one README cannot make another compile. Parsed files
 * are shared between programs, so Node's, the Workers' and the packages' types are read once.
 */
export class SnippetChecker {
  readonly #configs = new Map<SnippetHost, ts.ParsedCommandLine>()
  readonly #parsed = new Map<ParseKey, ts.SourceFile>()
  readonly #snippetsDir: string

  /** @param packageDir this package's directory, where `snippets/<host>/tsconfig.json` are */
  constructor(packageDir: string) {
    this.#snippetsDir = join(packageDir, 'snippets')
  }

  /**
   * Type-checks a README's modules.
   * @param modules the README's modules, from `readSnippets`
   * @returns one message per error, `README:line: TSnnnn message`, in README order
   */
  check(modules: readonly SnippetModule[]): string[] {
    const failures: Array<{ line: number; message: string }> = []
    for (const host of new Set(modules.map((module) => module.host))) {
      const own = modules.filter((module) => module.host === host)
      // A named module (users.ts) is importable from blocks of either host.
      const named = modules.filter((module) => module.host !== host && !isBlock(module))
      failures.push(...this.#checkHost(host, own, named))
    }
    return failures.sort((a, b) => a.line - b.line).map((failure) => failure.message)
  }

  #checkHost(
    host: SnippetHost,
    own: readonly SnippetModule[],
    named: readonly SnippetModule[],
  ): Array<{ line: number; message: string }> {
    const config = this.#config(host)
    const readme = own[0]!.readme
    // The README's modules live in a folder of their own beside the tsconfig, as a user's files
    // beside theirs: `./users.js` resolves to the README's users.ts, bare imports through this
    // package's node_modules, and package.json's "type": "module" makes them ES modules.
    const dir = join(this.#snippetsDir, host, readme.replace(/\/?README\.md$/, '') || 'root')
    const virtual = new Map<string, SnippetModule>()
    for (const module of [...own, ...named]) virtual.set(join(dir, module.fileName), module)

    const compilerHost = ts.createCompilerHost(config.options, true)
    const { fileExists, readFile, directoryExists } = compilerHost
    compilerHost.fileExists = (file) => virtual.has(file) || fileExists(file)
    compilerHost.readFile = (file) => virtual.get(file)?.text ?? readFile(file)
    compilerHost.directoryExists = (path) =>
      path === dir || path.startsWith(dir + '/') || (directoryExists?.(path) ?? true)
    compilerHost.getSourceFile = (file, options, onError) => {
      const module = virtual.get(file)
      if (module !== undefined) return ts.createSourceFile(file, module.text, options, true)
      return this.#parse(file, options, onError)
    }

    const program = ts.createProgram({
      rootNames: [...virtual.keys()],
      options: config.options,
      host: compilerHost,
    })
    const failures: Array<{ line: number; message: string }> = []
    for (const diagnostic of [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
    ]) {
      failures.push({ line: 0, message: `${readme}: ${format(diagnostic)}` })
    }
    for (const [file, module] of virtual) {
      // A named module of the other host is checked in its own host's program.
      if (module.host !== host) continue
      const source = program.getSourceFile(file)!
      const diagnostics = [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ]
      for (const diagnostic of diagnostics) {
        const at = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line
        const line = module.lines[at] ?? module.lines[0]!
        const text = module.text.split('\n')[at]?.trim() ?? ''
        failures.push({
          line,
          message: `${readme}:${line}: ${format(diagnostic)} (${host} block: ${text})`,
        })
      }
    }
    return failures
  }

  #config(host: SnippetHost): ts.ParsedCommandLine {
    let config = this.#configs.get(host)
    if (config === undefined) {
      const path = join(this.#snippetsDir, host, 'tsconfig.json')
      const read = ts.readConfigFile(path, ts.sys.readFile)
      if (read.error !== undefined) throw new Error(format(read.error))
      config = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path), undefined, path)
      // The config names no files: the modules are given to each program by hand.
      const errors = config.errors.filter((error) => error.code !== NO_INPUTS)
      if (errors.length > 0) throw new Error(errors.map(format).join('\n'))
      this.#configs.set(host, config)
    }
    return config
  }

  #parse(
    file: string,
    options: ts.ScriptTarget | ts.CreateSourceFileOptions,
    onError: ((message: string) => void) | undefined,
  ): ts.SourceFile | undefined {
    const format = typeof options === 'object' ? options.impliedNodeFormat : undefined
    const key = `${file}\0${format}`
    let source = this.#parsed.get(key)
    if (source === undefined) {
      const text = ts.sys.readFile(file)
      if (text === undefined) {
        onError?.(`cannot read ${file}`)
        return undefined
      }
      source = ts.createSourceFile(file, text, options, true)
      this.#parsed.set(key, source)
    }
    return source
  }
}

// "No inputs were found in config file": expected, since the config lists no files.
const NO_INPUTS = 18003

function isBlock(module: SnippetModule): boolean {
  return /^block-\d+\.ts$/.test(module.fileName)
}

function format(diagnostic: ts.Diagnostic): string {
  return `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`
}
