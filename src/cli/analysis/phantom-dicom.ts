import { join } from 'node:path';
import type { Volume } from '../../core/volume.js';
import { dataset, ds, is, str, tag as T, us } from '../../io/dicom/ds-model.js';
import { writePart10 } from '../../io/dicom/write.js';
import { generateUid } from '../../io/index.js';
import { ensureDir, writeFileAtomic } from '../safe-write.js';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/**
 * Writes an Int16 HU volume (the synthetic phantom) as a CT Image Storage series, one explicit VR
 * little-endian file per slice, so the demo runs the same DICOM path as real studies and its SEG
 * and SR reference images that exist. Patient identity is a fixed, obviously synthetic one.
 */
export async function writePhantomDicom(image: Volume, dir: string): Promise<void> {
  if (!(image.data instanceof Int16Array)) throw new Error('writePhantomDicom expects Int16 HU data.');
  await ensureDir(dir);
  const [nx, ny, nz] = image.dims;
  const [sx, sy, sz] = image.spacing;
  const d = image.direction;
  const study = generateUid();
  const series = generateUid();
  const frame = generateUid();
  const npix = nx * ny;
  for (let k = 0; k < nz; k++) {
    const ipp = [0, 1, 2].map((r) => image.origin[r]! + d[r * 3 + 2]! * sz * k);
    const pixels = new Uint8Array(image.data.buffer, image.data.byteOffset + k * npix * 2, npix * 2).slice();
    const sop = generateUid();
    const file = writePart10(
      dataset([
        [T(0x0008, 0x0008), str('CS', 'DERIVED', 'SECONDARY', 'AXIAL')],
        [T(0x0008, 0x0016), str('UI', CT_IMAGE_STORAGE)],
        [T(0x0008, 0x0018), str('UI', sop)],
        [T(0x0008, 0x0020), str('DA', '')],
        [T(0x0008, 0x0030), str('TM', '')],
        [T(0x0008, 0x0050), str('SH', '')],
        [T(0x0008, 0x0060), str('CS', 'CT')],
        [T(0x0008, 0x0070), str('LO', 'medimg')],
        [T(0x0008, 0x0090), str('PN', '')],
        [T(0x0008, 0x103e), str('LO', 'Synthetic chest CT phantom')],
        [T(0x0010, 0x0010), str('PN', 'PHANTOM^CHEST')],
        [T(0x0010, 0x0020), str('LO', 'MEDIMG-PHANTOM')],
        [T(0x0010, 0x0030), str('DA', '')],
        [T(0x0010, 0x0040), str('CS', 'O')],
        [T(0x0018, 0x0050), ds(sz)],
        [T(0x0018, 0x0060), ds(120)],
        [T(0x0020, 0x000d), str('UI', study)],
        [T(0x0020, 0x000e), str('UI', series)],
        [T(0x0020, 0x0010), str('SH', 'PHANTOM')],
        [T(0x0020, 0x0011), is(1)],
        [T(0x0020, 0x0013), is(k + 1)],
        [T(0x0020, 0x0032), ds(...ipp)],
        [T(0x0020, 0x0037), ds(d[0]!, d[3]!, d[6]!, d[1]!, d[4]!, d[7]!)],
        [T(0x0020, 0x0052), str('UI', frame)],
        [T(0x0020, 0x1040), str('LO', '')],
        [T(0x0028, 0x0002), us(1)],
        [T(0x0028, 0x0004), str('CS', 'MONOCHROME2')],
        [T(0x0028, 0x0010), us(ny)],
        [T(0x0028, 0x0011), us(nx)],
        [T(0x0028, 0x0030), ds(sy, sx)],
        [T(0x0028, 0x0100), us(16)],
        [T(0x0028, 0x0101), us(16)],
        [T(0x0028, 0x0102), us(15)],
        [T(0x0028, 0x0103), us(1)],
        [T(0x0028, 0x1050), ds(-600)],
        [T(0x0028, 0x1051), ds(1500)],
        [T(0x0028, 0x1052), ds(0)],
        [T(0x0028, 0x1053), ds(1)],
        [T(0x0028, 0x1054), str('LO', 'HU')],
        [T(0x7fe0, 0x0010), { vr: 'OW', value: pixels }],
      ]),
    );
    await writeFileAtomic(join(dir, `CT${String(k + 1).padStart(4, '0')}.dcm`), file);
  }
}
