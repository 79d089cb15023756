/**
 * The model registry's typed fields beyond the basics: layout (project package or hub repository),
 * the variants offered, estimated sizes, deployer-served sources, and the hosts the CSP must allow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegistry, registryHosts, modelHosts, type RegistryEntry } from '../../workers/model/registry.ts';

const registry = parseRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const base = { id: 'x', title: 'X', license: 'MIT', source: '/models/x/', solutionFormat: 'mario', sizeBytes: 10, valueHead: false, requires: { memoryBytes: 1, maxBufferBytes: 1, shaderF16: false, webgpu: false } };
const parse = (extra: Partial<Record<keyof RegistryEntry, unknown>>) => parseRegistry({ formatVersion: 1, models: [{ ...base, ...extra }] });

describe('registry entries for real models', () => {
  it('types the Qwen2.5-Math hub entry and the deployer-served MARIO-OVM-7B', () => {
    const qwen = registry.find((m) => m.id === 'qwen2.5-math-1.5b-instruct')!;
    expect(qwen).toMatchObject({ layout: 'hub', variants: ['q4', 'q4f16'], sizeIsEstimate: true, valueHead: false, solutionFormat: 'qwen25-math-tir' });
    expect(qwen.source).toMatch(/^https:\/\/huggingface\.co\/onnx-community\/Qwen2\.5-Math-1\.5B-Instruct\/resolve\/main\/$/);
    const mario = registry.find((m) => m.id === 'mario-ovm-7b')!;
    expect(mario).toMatchObject({ layout: 'package', variants: ['q4'], sourceSetBy: 'deployer', valueHead: true, requires: { webgpu: true } });
    expect(registry.find((m) => m.id === 'demo-mario-tiny')!.layout).toBeUndefined();
  });

  it('lists the hosts the CSP must allow: the hub only (the others are on the app origin)', () => {
    expect(registryHosts(registry)).toEqual(['https://huggingface.co']);
    expect(registryHosts([...registry, { ...base, id: 'm', source: 'https://mirror.example.org/m/' } as RegistryEntry])).toEqual(['https://huggingface.co', 'https://mirror.example.org']);
  });

  it('adds the hub\'s CDNs to the hosts the CSP must allow, and nothing for a plain mirror', () => {
    const hosts = modelHosts(registry);
    // https://huggingface.co/.well-known/meta.json: 5 lfsDomains and 12 cdnDomains, each named (no wildcard), and the Xet bridge.
    expect(hosts).toHaveLength(19);
    expect(hosts).toEqual(expect.arrayContaining(['https://huggingface.co', 'https://us.aws.cdn.hf.co', 'https://cdn-lfs.hf.co', 'https://transfer.xethub.hf.co', 'https://asia-southeast1.us.gcp.cdn.hf.co', 'https://cas-bridge.xethub.hf.co']));
    expect(hosts.every((h) => /^https:\/\/[a-z0-9.-]+$/.test(h))).toBe(true);
    expect(modelHosts([{ ...base, id: 'm', source: 'https://mirror.example.org/m/' } as RegistryEntry])).toEqual(['https://mirror.example.org']);
  });

  it('accepts the minimal entry and refuses bad values of the typed fields, naming them', () => {
    expect(parse({})[0]).toMatchObject({ id: 'x' });
    expect(() => parse({ layout: 'zip' })).toThrow('entry 0 (x) "layout" "zip" is neither "package" nor "hub"');
    expect(() => parse({ layout: 'hub', source: 'https://huggingface.co/org/x/' })).toThrow('must be https://<host>/<org>/<name>/resolve/<revision>/');
    expect(parse({ layout: 'hub', source: 'https://huggingface.co/org/x/resolve/main/' })[0]!.layout).toBe('hub');
    expect(() => parse({ variants: [] })).toThrow('"variants" must list some of fp32, fp16, q8, q4, q4f16');
    expect(() => parse({ variants: ['q3'] })).toThrow('"variants" must list');
    expect(() => parse({ variants: ['q4', 'q4'] })).toThrow('repeats a variant');
    expect(() => parse({ variants: ['q4f16'] })).toThrow('only 16-bit float variants but "requires.shaderF16" is false');
    expect(parse({ variants: ['q4f16'], requires: { ...base.requires, shaderF16: true } })[0]!.variants).toEqual(['q4f16']);
    expect(() => parse({ sizeIsEstimate: 'yes' })).toThrow('"sizeIsEstimate" must be true or false');
    expect(() => parse({ sourceSetBy: 'user' })).toThrow('"sourceSetBy" must be "deployer"');
    expect(() => parse({ sourceSetBy: 'deployer', source: 'https://cdn.example.org/x/' })).toThrow('must be a path on the app\'s origin');
  });
});
