import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const LOADER_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];
const systemLoader = LOADER_DIRS.some((d) => existsSync(`${d}/libvulkan.so.1`));

// Probing webgpu without a Vulkan loader used to make Dawn print a native warning on stderr.
describe.skipIf(process.platform !== 'linux' || systemLoader)('webgpu probe without a Vulkan loader', () => {
  it('reports webgpu unavailable with the reason and prints nothing on stderr', () => {
    const script = `
      const m = await import('./src/index.ts');
      const b = await m.listBackends();
      console.log(JSON.stringify(b.find((x) => x.name === 'webgpu')));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, LD_LIBRARY_PATH: '', VK_ICD_FILENAMES: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const webgpu = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(webgpu.available).toBe(false);
    expect(webgpu.reason).toMatch(/libvulkan/);
    expect(r.stderr).not.toMatch(/Vulkan/);
  });
});
