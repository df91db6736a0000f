/**
 * Folds a 1-D workgroup count into a 2-D or 3-D grid when it exceeds maxComputeWorkgroupsPerDimension.
 * Kernels dispatched this way compute their linear workgroup index as
 * `wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y` and guard against the padding it adds.
 */
export function foldWorkgroups(count: number, maxPerDimension: number): [number, number, number] {
  if (count <= maxPerDimension) return [Math.max(1, count), 1, 1];
  const y = Math.ceil(count / maxPerDimension);
  if (y <= maxPerDimension) return [Math.ceil(count / y), y, 1];
  const z = Math.ceil(y / maxPerDimension);
  const yy = Math.ceil(y / z);
  return [Math.ceil(count / (yy * z)), yy, z];
}
