/** The stream a shard holds: an adapter's deltas (its name), the base activations, or an adapter's own activations. */
export type StreamName = string;
/** Base-model activations (resid_post of stream 0). */
export const BASE_STREAM: StreamName = '@base';
/** Fine-tuned activations of adapter `name` (resid_post of its stream). */
export function ftStream(adapter: string): StreamName {
  return `@ft/${adapter}`;
}

/** IndexedDB key of shard `index` of `stream` at `layer` in run `run`: the only place shard keys are made. */
export function shardKey(run: string, layer: number, adapter: StreamName, index: number): string {
  return `${run}/L${layer}/${adapter}/${index}`;
}

/** Key of the run's packed token ids, position kinds and split. */
export function datasetKey(run: string): string {
  return `${run}/dataset`;
}
