// Starting hosts of the behaviour app in child processes and keeping them for a test file.
export { installedBin, output } from './installed-bin.ts'
export { startProcessHost } from './process-host.ts'
export type { ProcessHostOptions, RunningHost } from './process-host.ts'
export { START_TIMEOUT, startedHosts } from './started-hosts.ts'
export type { Runtime } from './started-hosts.ts'
