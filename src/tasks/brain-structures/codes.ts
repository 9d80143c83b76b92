// SNOMED CT / DCM codes of brain structures from DICOM CID 7140 "Brain Structure for Volumetric
// Measurement", for the SEG segment types and SR findings of the brain label models. Matched on
// the FreeSurfer-style label name without its side ('Left-Hippocampus' -> 'Hippocampus') or on
// compareStudies' structure names ('Left hippocampus').
import { type Code, code } from '../../io/dicom/codes.js';

const CID_7140: readonly [RegExp, Code][] = [
  [/^hippocampus$/, code('5366008', 'SCT', 'Hippocampus')],
  [/^amygdala$/, code('4958002', 'SCT', 'Amygdala')],
  [/^thalamus( proper\*?)?$/, code('119406000', 'SCT', 'Thalamus')],
  [/^caudate( nucleus)?$/, code('11000004', 'SCT', 'Caudate Nucleus')],
  [/^putamen$/, code('89278009', 'SCT', 'Putamen')],
  [/^(pallidum|globus pallidus)$/, code('14738005', 'SCT', 'Globus Pallidus')],
  [/^lateral ventricle$/, code('66720007', 'SCT', 'Lateral Ventricle')],
  [/^inf lat vent$|^inferior lateral ventricle$/, code('53118009', 'SCT', 'Inferior Horn of Lateral Ventricle')],
  [/^cerebral white matter$/, code('68523003', 'SCT', 'Cerebral White Matter')],
  [/^cerebral (cortex|gr[ae]y matter)$/, code('40146001', 'SCT', 'Cerebral Gray Matter')],
  [/^cerebellum white matter$|^cerebellar white matter$/, code('33060004', 'SCT', 'Cerebellar White Matter')],
  [/^cerebellum cortex$|^cerebellar cortex$/, code('25991003', 'SCT', 'Cerebellar Cortex')],
  [/^cerebellum$/, code('113305005', 'SCT', 'Cerebellum')],
  [/^3rd ventricle$|^third ventricle$/, code('49841001', 'SCT', 'Third ventricle')],
  [/^4th ventricle$|^fourth ventricle$/, code('35918002', 'SCT', 'Fourth Ventricle')],
  [/^brain stem$|^brainstem$/, code('119238007', 'SCT', 'Brain Stem')],
  [/^accumbens( area)?$|^nucleus accumbens$/, code('427667007', 'SCT', 'Nucleus Accumbens')],
  [/^ventraldc$|^ventral diencephalon$/, code('110700', 'DCM', 'Ventral Diencephalon')],
];

/**
 * The CID 7140 code and side of a brain structure name, or undefined when the standard has none
 * (cortical parcels such as 'ctx-lh-precentral', CSF, corpus callosum, 'Unknown').
 */
export function brainStructureCode(name: string): { code: Code; side: 'left' | 'right' | null } | undefined {
  let n = name.trim().toLowerCase().replace(/[_-]+/g, ' ');
  let side: 'left' | 'right' | null = null;
  const m = /^(left|right) (.+)$/.exec(n);
  if (m) {
    side = m[1] as 'left' | 'right';
    n = m[2]!;
  }
  const hit = CID_7140.find(([re]) => re.test(n));
  return hit ? { code: hit[1], side } : undefined;
}
