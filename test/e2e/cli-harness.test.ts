import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('CLI harness', () => {
  it('gpu-info reports the WebGPU adapter of headless Chromium', () => {
    const r = runCli(['gpu-info']);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { architecture: string; maxStorageBufferBindingSize: number };
    expect(typeof info.architecture).toBe('string');
    expect(info.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
  });

  it('an unknown command exits 2 with one line naming it', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('deltascope: unknown command "frobnicate"');
  });

  it('an unknown option is bad input: exit 2, one line, no stack trace', () => {
    const r = runCli(['gpu-info', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('gpu-info: unknown option --bogus');
  });
});
