import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeData } from './data.js';

// Browser tests run Debian's chromium through playwright-core (never a downloaded browser), with the
// flags that keep it offline and quiet, on a fresh profile each time.

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Offline, no background traffic, fresh-profile flags every browser test uses. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** WebGPU (and WebGL) on SwiftShader: correct and slow, for small volumes only. */
export const WEBGPU_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

/**
 * `describe` for tests that drive chromium (and, with `needsData`, read ../shared/data). Without
 * chromium the suite is one skipped test and one printed line; with CI set its absence fails.
 */
export function describeChromium(name: string, fn: () => void, options: { needsData?: boolean } = {}): void {
  if (HAS_CHROMIUM) {
    (options.needsData === false ? describe : describeData)(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('has chromium', () => {
        throw new Error(`CI is set but ${CHROMIUM} is missing (.ci/run installs it).`);
      });
    });
    return;
  }
  console.log(`skipped "${name}": ${CHROMIUM} absent (apt-get install chromium)`);
  describe.skip(name, () => {
    it('needs chromium', () => {});
  });
}

/** A chromium started by {@link launchChromium}: its first page, the page's errors, and how to end it. */
export interface ChromiumSession {
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  context: any;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  page: any;
  /** The fresh profile folder (its path also finds the browser's processes). */
  profile: string;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  /** Closes the browser and removes the profile. */
  close(): Promise<void>;
}

/** Starts chromium on a fresh profile (`prefix` names its temp folder) and returns its first page. */
export async function launchChromium(
  prefix: string,
  options: { viewport?: { width: number; height: number }; webgpu?: boolean } = {},
): Promise<ChromiumSession> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
    args: [...CHROMIUM_ARGS, ...(options.webgpu ? WEBGPU_ARGS : [])],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e: Error) => pageErrors.push(e.message));
  return {
    context,
    page,
    profile,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The cells of the page's `#results` table, row by row. */
// biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
export async function resultRows(page: any): Promise<string[][]> {
  return page.$$eval('#results tbody tr', (trs: HTMLTableRowElement[]) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent ?? '')),
  );
}

/**
 * CPU seconds (user + system) used so far by the chromium started with this profile and all its
 * processes (workers run in the renderer's): wall times on a shared machine are noisy.
 * Linux /proc only; NaN elsewhere.
 */
export function chromiumCpuSeconds(profile: string): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  const roots: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(pid, Number(f[1]));
      cpu.set(pid, (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in USER_HZ ticks
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)) roots.push(pid);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const pid of cpu.keys()) {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) {
      if (roots.includes(p)) {
        total += cpu.get(pid)!;
        break;
      }
    }
  }
  return total;
}

/**
 * The rows an example page shows for a detectNodules result (examples/shared/dicom-folder.js's
 * format), computed from Node's result: pages are checked nodule by nodule (size, type, Lung-RADS,
 * slice), not only by count.
 */
export function expectedNoduleRows(ref: {
  nodules: readonly { diameterMm: number; type: string; lungRads?: string | null; centerVoxel: readonly number[] }[];
  lungRads: string | null;
  limitations: readonly { code: string }[];
}): string[][] {
  const r1 = (x: number) => String(Math.round(x * 10) / 10);
  return [
    ['nodules', String(ref.nodules.length)],
    ['exam Lung-RADS', ref.lungRads ?? `n/a: ${ref.limitations.map((l) => l.code).join(', ')}`],
    ...ref.nodules.map((n, i) => [
      `nodule ${i + 1}`,
      `${r1(n.diameterMm)} mm ${n.type}${n.lungRads ? `, Lung-RADS ${n.lungRads}` : ''}, slice ${Math.round(n.centerVoxel[2]!) + 1}`,
    ]),
  ];
}
