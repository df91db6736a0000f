import { useEffect, useState } from 'react';
import { acquireGpu, type GpuInfo } from '../gpu/index.js';

type GpuState = { status: 'checking' } | { status: 'ready'; info: GpuInfo } | { status: 'missing'; message: string };

export function App() {
  const [gpu, setGpu] = useState<GpuState>({ status: 'checking' });
  useEffect(() => {
    acquireGpu().then(
      (g) => {
        setGpu({ status: 'ready', info: g.info });
        g.destroy();
      },
      (e: unknown) => setGpu({ status: 'missing', message: e instanceof Error ? e.message : String(e) }),
    );
  }, []);
  return (
    <main>
      <h1>deltascope</h1>
      {gpu.status === 'missing' && <p role="alert">{gpu.message}</p>}
      {gpu.status === 'ready' && <p data-testid="gpu-info">GPU: {gpu.info.vendor} {gpu.info.architecture}</p>}
    </main>
  );
}
