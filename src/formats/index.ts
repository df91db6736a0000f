// The formats layer: pure TypeScript parsers and writers; no GPU, no DOM, no node: imports
// (the Node-only directory helper lives in ./node-files.ts and is imported by Node code directly).
export type { ByteSource, UrlSource, ByteReader } from './byte-source.js';
export { openByteReader, readAllBytes, readText, readJson } from './byte-source.js';
export type { FetchedFile, FileRequest } from './http-file.js';
export { fetchFile, fetchRequiredFile } from './http-file.js';
export type { SafetensorsDtype } from './dtype.js';
export { DTYPE_BYTES, bf16ToF32, f16ToF32 } from './dtype.js';
export type { TensorInfo } from './safetensors.js';
export { SafetensorsFile } from './safetensors.js';
export type { TensorToWrite } from './safetensors-write.js';
export { writeSafetensors } from './safetensors-write.js';
export type { ModelFiles, ModelFilesData } from './model-files.js';
export { modelFilesFromMap, modelFilesFromFileList, modelFilesFromUrl, modelFilesToData, modelFilesFromData, fileLabel, hasFile } from './model-files.js';
export { SafetensorsCheckpoint, INDEX_NAME } from './checkpoint.js';
export type { NpyArray, NpyDtype, NpyData, NpyWritable } from './npy.js';
export { parseNpy, writeNpy } from './npy.js';
export { parseNpz, readNpzHeaders, writeNpz } from './npz.js';
export { assertFinite, firstNonFinite } from './finite.js';
export type { Gemma2Config, ProjectionKind } from './gemma2-config.js';
export { parseGemma2Config, projectionShape, projectionParent, PROJECTION_KINDS } from './gemma2-config.js';
export type { Gemma2Checkpoint } from './gemma2-model.js';
export { openGemma2Checkpoint, expectedGemma2Tensors } from './gemma2-model.js';
export type { PeftLoraConfig, ResolvedRank } from './peft-config.js';
export { parsePeftLoraConfig, isTargeted, resolveModule } from './peft-config.js';
export type { LoraModule, LoraAdapter, LoraAdapterFiles } from './lora-adapter.js';
export { checkLoraWeightsFinite, loadLoraAdapter, loadLoraAdapterFolder, resolvedModules } from './lora-adapter.js';
export { scaledLoraAdapter } from './lora-scaled.js';
export type { SaeWeights, SaeArchitecture, SaeLoadOptions } from './sae-files.js';
export { loadSaeFiles, loadSaelens, parseGemmaScopeNpz, saeToSaelens } from './sae-files.js';
// Result bundles (owned by the app helper's bundle*.ts files).
export * from './bundle-schema.js';
export * from './bundle-issues.js';
export * from './bundle-csv.js';
export type { ZipLimits } from './bundle-zip.js';
export { DEFAULT_ZIP_LIMITS } from './bundle-zip.js';
export * from './bundle.js';
