// Entry of cli.html: the page the CLI drives in headless Chromium (see cli/harness.mjs).
export {};
