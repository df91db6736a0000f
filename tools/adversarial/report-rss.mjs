// Preloaded into a CLI child by the adversarial suite: on exit, writes the process's peak resident set
// (process.resourceUsage().maxRSS, KiB) to the file named by DELTASCOPE_RSS_FILE.
import { writeFileSync } from 'node:fs';

const out = process.env.DELTASCOPE_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
