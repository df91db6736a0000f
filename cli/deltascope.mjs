#!/usr/bin/env node
// The deltascope CLI. TypeScript sources run through tsx, so the CLI needs no separate build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a Chromium child can hold inherited pipes open for a minute after it closed.
process.stdout.write("", () => process.exit(code));
