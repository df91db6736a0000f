// Entry of the one-file bundle bench/gpu/pack.mjs builds: the GPU suite in Node, no node_modules needed beside it.
import { main } from '../gpu-suite-node.js';

process.exit(await main(process.argv.slice(2)));
