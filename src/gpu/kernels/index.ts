/** Every WGSL kernel and its typed wrapper. */
export { add, addKernel } from './add.js';
