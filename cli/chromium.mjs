// One place for how deltascope launches Chromium: the CLI harness, the gpu test project and the benches use it.

/** Chromium flags that give a WebGPU adapter headless, also on machines without a GPU (SwiftShader; ../shared/webgpu-ci.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Debian's Chromium unless CHROMIUM_PATH says otherwise (never a downloaded browser). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
