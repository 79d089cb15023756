import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPrompt, FORMAT_IDS, FORMATS, formatOutput, isSolutionFormatId, pendingCode } from '../../workers/solver/formats.ts';
import { parseManifest } from '../../workers/model/manifest.ts';
import { extractAnswer } from '../../workers/solver/answer.ts';

describe('MARIO format', () => {
  const f = FORMATS.mario;

  it('builds the prompt exactly', () => {
    expect(buildPrompt(f, 'What is 2+2?')).toBe('Question: What is 2+2?\n\nSolution:\n\n');
    expect(buildPrompt(f, 'Cost is $5 {question}')).toBe('Question: Cost is $5 {question}\n\nSolution:\n\n');
  });

  it('finds the code of a closed code step and feeds the output back', () => {
    const text = '<p>\nAdd them.\n</p>\n\n<code>\n```python\nx = 2 + 2\nprint(x)\n```\n</code>';
    expect(pendingCode(f, text)).toBe('x = 2 + 2\nprint(x)');
    expect(formatOutput(f, '4')).toBe('\nOutput: 4\n\n');
    const full = `${text}${formatOutput(f, '4')}<p>\nFinal Answer: $4$\n</p>`;
    expect(extractAnswer(full, f.answerSources)).toBe('4');
  });

  it('does not run anything when the stop string closes no open code block', () => {
    expect(pendingCode(f, '<p>\nno code\n</p>')).toBeUndefined();
    const ran = '<code>\n```python\nprint(1)\n```\n</code>\nOutput: 1\n\n<p>\ntext </code>';
    expect(pendingCode(f, ran)).toBeUndefined();
  });
});

describe('Qwen2.5-Math tool-integrated format', () => {
  const f = FORMATS['qwen25-math-tir'];
  it('uses the chat template and ```output blocks', () => {
    expect(buildPrompt(f, 'Q')).toContain('<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n');
    const text = 'Let me compute.\n```python\nprint(6*7)\n```\n```output';
    expect(pendingCode(f, text)).toBe('print(6*7)');
    expect(formatOutput(f, '42')).toBe('\n42\n```\n');
    expect(extractAnswer('The answer is \\boxed{42}.', f.answerSources)).toBe('42');
  });
});

describe('MathCoder format', () => {
  const f = FORMATS.mathcoder;
  it('runs <|code|> blocks and not text blocks', () => {
    expect(pendingCode(f, '<|text|>thinking<|endofblock|>')).toBeUndefined();
    expect(pendingCode(f, '<|text|>t<|endofblock|><|code|>print(1)<|endofblock|>')).toBe('print(1)');
    expect(formatOutput(f, '1')).toBe('<|execution|>1<|endofblock|>');
  });
});

describe('every format', () => {
  it.each(Object.values(FORMATS))('$id has a question slot, an output slot and stop strings that end with its code stop', (f) => {
    expect(f.prompt).toContain('{question}');
    expect(f.outputTemplate).toContain('{output}');
    expect(f.codeStops.length).toBeGreaterThan(0);
    for (const stop of f.codeStops) expect(stop.endsWith(f.codeStop)).toBe(true);
  });

  it('limits code calls as each reference harness does', () => {
    // MARIO react.py: --max_depth 8, step_generate_flag allows depth <= 8, so 9 generation calls, each at most one block.
    expect(FORMATS['mario-react']).toMatchObject({ maxCodeCalls: 9, codeLimit: 'end-after', limitNotice: '' });
    // Qwen2.5-Math math_eval.py: max_func_call = 4; after the 4th output, "\nReach max function call limit."
    expect(FORMATS['qwen25-math-tir']).toMatchObject({ maxCodeCalls: 4, codeLimit: 'end-after', limitNotice: '\nReach max function call limit.' });
    expect(FORMATS.mario).toMatchObject({ maxCodeCalls: 8, codeLimit: 'refuse' });
  });
});

describe('one list of formats', () => {
  it('every package manifest names a known format and lists its code stop strings', () => {
    for (const id of readdirSync('models/packages')) {
      const manifest = JSON.parse(readFileSync(`models/packages/${id}/manifest.json`, 'utf8')) as { solutionFormat: string; stop: string[] };
      expect(isSolutionFormatId(manifest.solutionFormat)).toBe(true);
      expect(manifest.stop).toEqual(FORMATS[manifest.solutionFormat as keyof typeof FORMATS].codeStops);
    }
  });

  it('the registry names only known formats', () => {
    const registry = JSON.parse(readFileSync('models/registry.json', 'utf8')) as { models: Array<{ solutionFormat: string }> };
    for (const m of registry.models) expect(FORMAT_IDS).toContain(m.solutionFormat);
  });

  it('the converter reads the formats from formats.json and keeps no list of its own', () => {
    const source = readFileSync('models/convert/convert.py', 'utf8');
    expect(source).toContain("'workers', 'formats.json'");
    expect(source).toContain('choices=list(SOLUTION_FORMATS)');
    expect(source).toContain("SOLUTION_FORMATS[args.format]['codeStops']");
    // No list or table of format ids (a dict key, or an item of a list), and no copied stop strings.
    for (const id of FORMAT_IDS) expect(source).not.toMatch(new RegExp(`['"]${id}['"]\\s*:|[[,]\\s*['"]${id}['"]`));
    for (const stop of ['</code>', '```output', '<|endofblock|>']) expect(source).not.toContain(`'${stop}'`);
  });

  it('the manifest reader refuses a format the tutor does not know, naming the known ones', () => {
    const raw = JSON.parse(readFileSync('models/packages/demo-mario-tiny/manifest.json', 'utf8')) as Record<string, unknown>;
    expect(() => parseManifest({ ...raw, solutionFormat: 'tora' })).toThrow(new RegExp(`"solutionFormat" tora is not one the tutor knows \\(${FORMAT_IDS.join(', ')}\\)`));
  });
});
