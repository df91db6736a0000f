import { modelFilesFromData, modelFilesToData, type ByteSource, type ModelFilesData } from '../formats/index.js';
import type { InputLocator } from './experiment-inputs.js';

/** An InputLocator as plain data (files stay File/Blob objects, which clone without copying their bytes). */
export interface InputLocatorData {
  demoBase: string;
  hubToken?: string;
  local: {
    model?: ModelFilesData;
    tokenizer?: ModelFilesData;
    dataset?: { name: string; source: ByteSource };
    adapters: Map<string, ModelFilesData>;
    pretrained: Map<number, ModelFilesData>;
  };
}

const mapValues = <K, A, B>(m: Map<K, A>, f: (a: A) => B): Map<K, B> => new Map([...m].map(([k, v]) => [k, f(v)]));

export function locatorToData(loc: InputLocator): InputLocatorData {
  const { model, tokenizer, dataset, adapters, pretrained } = loc.local;
  return {
    demoBase: loc.demoBase,
    ...(loc.hubToken ? { hubToken: loc.hubToken } : {}),
    local: {
      ...(model ? { model: modelFilesToData(model) } : {}),
      ...(tokenizer ? { tokenizer: modelFilesToData(tokenizer) } : {}),
      ...(dataset ? { dataset } : {}),
      adapters: mapValues(adapters, modelFilesToData),
      pretrained: mapValues(pretrained, modelFilesToData),
    },
  };
}

export function locatorFromData(d: InputLocatorData): InputLocator {
  const { model, tokenizer, dataset, adapters, pretrained } = d.local;
  return {
    demoBase: d.demoBase,
    ...(d.hubToken ? { hubToken: d.hubToken } : {}),
    local: {
      ...(model ? { model: modelFilesFromData(model) } : {}),
      ...(tokenizer ? { tokenizer: modelFilesFromData(tokenizer) } : {}),
      ...(dataset ? { dataset } : {}),
      adapters: mapValues(adapters, modelFilesFromData),
      pretrained: mapValues(pretrained, modelFilesFromData),
    },
  };
}
