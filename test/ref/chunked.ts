export { matmulTransBRef as matmulTransBChunkedRef } from './matmul.js';
