declare const __APP_VERSION__: string | undefined;
declare const __GIT_COMMIT__: string | undefined;

/** Version and commit injected by Vite's `define` at build time ("dev"/"unknown" when run unbundled, e.g. in Node tests). */
export const BUILD_INFO = {
  version: typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev',
  commit: typeof __GIT_COMMIT__ === 'string' ? __GIT_COMMIT__ : 'unknown',
};
