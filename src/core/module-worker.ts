import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module at `url` (Node only). From built files (.js, .cjs) this is
 * a plain worker; on the TypeScript sources (tsx, vitest) the worker registers tsx first, since
 * loader hooks given with --import do not reach worker threads on Node 20.
 */
export function startModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  // the worker inherits the process's flags; --input-type (node -e scripts) refuses a module file
  options = { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')), ...options };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `(async () => { const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(url.href)}); })().catch((e) => { throw e; });`;
  return new Worker(code, { ...options, eval: true });
}
