import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// onnxruntime-node's webgpu EP (Dawn) on Chromium's SwiftShader Vulkan driver: a software GPU,
// present where Debian's `chromium` package is installed. Skipped (with this message) elsewhere.
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const HAS_SWIFTSHADER = existsSync(ICD);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe.skipIf(!HAS_SWIFTSHADER)(
  `webgpu backend in Node on SwiftShader${HAS_SWIFTSHADER ? '' : ` (skipped: ${ICD} absent; apt-get install chromium)`}`,
  () => {
    it('runs small graphs through sliding window and matches cpu within 1e-5; auto prefers cpu over a software adapter', () => {
      const res = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'test/backends/fixtures/webgpu-node-run.ts')],
        {
          cwd: root,
          env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: ICD },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      const line = res.stdout.trim().split('\n').at(-1) ?? '';
      expect(res.status, res.stderr).toBe(0);
      const out = JSON.parse(line);
      expect(out.available, out.reason).toBe(true);
      expect(out.software).toBe(true);
      for (const k of ['box', 'softmax']) {
        expect(out[k].backend).toBe('webgpu');
        expect(out[k].maxDiff, k).toBeLessThan(1e-5);
      }
      expect(out.autoBackend).toBe('cpu');
    });
  },
);
