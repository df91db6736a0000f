// Setup of the node-gpu test project: WebGPU in Node through Dawn (npm `webgpu`), as `--runtime node` uses it.
import { installNodeWebGpu } from '../../cli/node-webgpu.js';

await installNodeWebGpu();
