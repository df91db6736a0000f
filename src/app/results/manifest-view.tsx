import type { BundleManifest } from '../../formats/index.js';

/** What an opened bundle says about itself; every value is rendered as text. */
export function ManifestView({ manifest, name }: { manifest: BundleManifest; name: string }) {
  const inputs = [manifest.inputs.model, manifest.inputs.tokenizer, manifest.inputs.dataset, ...manifest.inputs.adapters, ...manifest.inputs.pretrained].filter((x) => x !== null);
  return (
    <details className="manifest" data-testid="manifest">
      <summary>
        Bundle <strong>{name}</strong> · deltascope {manifest.app.version} ({manifest.app.commit}) · {manifest.createdAt}
      </summary>
      <dl>
        <dt>seeds</dt>
        <dd>{Object.entries(manifest.seeds).map(([k, v]) => `${k}=${v}`).join(', ') || '–'}</dd>
        <dt>inputs</dt>
        <dd>
          <ul>
            {inputs.map((i) => (
              <li key={`${i.name}${i.sha256}`}>
                {i.name} · {i.bytes.toLocaleString('en')} bytes · sha256 {i.sha256.slice(0, 16)}… ({i.method})
              </li>
            ))}
          </ul>
        </dd>
        <dt>run config</dt>
        <dd>
          <pre>{JSON.stringify(manifest.config, null, 2)}</pre>
        </dd>
      </dl>
    </details>
  );
}
