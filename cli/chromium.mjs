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
  // Chromium's static storage quota makes navigator.storage.estimate() report a fixed 10 GiB whatever the real
  // (or DevTools-overridden) quota is; the activation store's up-front space check needs the real one.
  '--disable-features=StaticStorageQuota',
];

/** Debian's Chromium unless CHROMIUM_PATH says otherwise (never a downloaded browser). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
