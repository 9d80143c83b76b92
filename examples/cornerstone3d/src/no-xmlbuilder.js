// Stands in for xmlbuilder2 in the bundle. vtk.js imports it for VTK XML (.vtp) mesh files, which
// cornerstone3D only reads for surface meshes; this example shows none. The package is Node-only
// (it requires 'events' and 'url'), so bundling it for the browser fails. Anything that does
// reach it gets a clear error instead of a broken page.
export function create() {
  throw new Error('VTK XML meshes are not supported in this example (xmlbuilder2 is not bundled).');
}
