import { describe, expect, it } from 'vitest';
import { PyRegex } from '../../../src/formats/py-regex.js';
import { findDuplicateKey, parseStrictJson } from '../../../src/formats/strict-json.js';

describe('PyRegex: Python re semantics without backtracking', () => {
  // [pattern, text, re.match, re.fullmatch] as CPython answers them.
  const cases: [string, string, boolean, boolean][] = [
    ['q_proj', 'q_proj', true, true],
    ['.*\\.(q|v)_proj', 'model.layers.0.self_attn.q_proj', true, true],
    ['.*\\.(q|v)_proj', 'model.layers.0.self_attn.k_proj', false, false],
    ['(.*\\.)?(layers\\.0\\..*)$', 'model.layers.0.mlp.up_proj', true, true],
    ['(?P<kind>[^.]+)_proj', 'q_proj', true, true],
    ['a{2,3}', 'aaaa', true, false],
    ['a{,2}b', 'aab', true, true],
    ['x{', 'x{', true, true],
    ['\\d+', '123', true, true],
    ['x|', 'y', true, false],
    ['a\\b', 'a', true, true],
    ['a$', 'a\n', true, false],
    ['[\\w.]+', 'model.layers', true, true],
    ['[^a-c]', 'd', true, true],
    ['(?#comment)a', 'a', true, true],
    ['a+?b', 'aab', true, true],
  ];
  it.each(cases)('%s on %j', (p, text, match, full) => {
    const re = new PyRegex(p);
    expect([re.match(text), re.fullmatch(text)]).toEqual([match, full]);
  });

  it('catastrophic patterns finish on long input (linear time)', () => {
    const t0 = performance.now();
    expect(new PyRegex('(a+)+$').match(`${'a'.repeat(20_000)}b`)).toBe(false);
    expect(new PyRegex('(a|aa)*c').fullmatch('a'.repeat(20_000))).toBe(false);
    expect(new PyRegex('(.*)*x').match('.'.repeat(20_000))).toBe(false);
    console.log(`3 catastrophic patterns on 20k characters: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it.each([
    ['(a', /unterminated subpattern/], ['a)', /unbalanced parenthesis/], ['(?=a)', /lookahead/], ['(?<!a)b', /lookbehind/],
    ['(a)\\1', /backreferences/], ['(?P<x>a)(?P=x)', /backreferences/], ['*a', /nothing to repeat/], ['a**', /multiple repeat/],
    ['(?i)a', /inline flags/], ['[a', /unterminated character set/], ['a{5,2}', /min repeat greater/], ['(a{1000}){1000}', /too large/],
    ['a{1001}', /repeat count/], ['\\q', /bad escape/], ['(?>a)', /atomic/], ['a++', /possessive/], ['[z-a]', /bad character range/],
  ])('refuses %s', (p, why) => {
    expect(() => new PyRegex(p)).toThrow(why);
  });
});

describe('strict JSON', () => {
  it('finds duplicate keys at any depth, not in strings or arrays', () => {
    expect(findDuplicateKey('{"a": 1, "b": {"c": 1, "c": 2}}')?.key).toBe('c');
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')?.key).toBe('a');
    expect(findDuplicateKey('{"a": ["a", "a"], "b": "a: a", "c": [{"a": 1}, {"a": 2}]}')).toBeNull();
  });
  it('refuses a duplicate key or a byte-order mark naming the file', () => {
    expect(() => parseStrictJson('{"r": 8, "r": 64}', 'x/adapter_config.json')).toThrow(/x\/adapter_config\.json: invalid JSON: key "r" appears twice/);
    expect(() => parseStrictJson('\ufeff{}', 'c.json')).toThrow(/byte-order mark/);
    expect(parseStrictJson('{"a": [1, {"b": null}]}', 'ok.json')).toEqual({ a: [1, { b: null }] });
  });
});
