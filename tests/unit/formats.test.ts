import { describe, expect, it } from 'vitest';
import { buildPrompt, FORMATS, formatOutput, pendingCode } from '../../workers/solver/formats.ts';
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
  it.each(Object.values(FORMATS))('$id allows at most 8 code calls and has a question slot', (f) => {
    expect(f.maxCodeCalls).toBe(8);
    expect(f.prompt).toContain('{question}');
    expect(f.outputTemplate).toContain('{output}');
  });
});
